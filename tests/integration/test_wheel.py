"""The built wheel is the service: installed into a fresh virtualenv, run from a folder outside the
checkout on SQLite through the image's entry point (docker/entrypoint.sh), it migrates, renders its
pages and mail, and its CLI works. SQLite only (the
PostgreSQL pass proves nothing more here and the install is the slow part)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
import venv
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.conftest import PG_URL
from tests.integration.test_sla_processes import _free_ports

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
FIXTURE = ROOT / "tests" / "fixtures" / "mail" / "iso2022jp.eml"
pytestmark = pytest.mark.skipif(PG_URL is not None, reason="the wheel is checked once, in the SQLite pass")


def run(*args: str | Path, cwd: Path, env: dict[str, str], stdin: str = "", timeout: float = 300) -> str:
    r = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, input=stdin, capture_output=True, text=True, timeout=timeout
    )
    assert r.returncode == 0, f"{args} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}"
    return r.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the wheel, the `ticketing` script of a fresh virtualenv it was installed into)."""
    base = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TICKETING_", "PYTHON"))}
    run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--quiet",
        "--no-deps",
        "--wheel-dir",
        base / "dist",
        ROOT,
        cwd=base,
        env=env,
    )
    (wheel,) = (base / "dist").glob("ticketing-*.whl")
    venv.EnvBuilder(with_pip=True).create(base / "venv")
    run(
        base / "venv" / "bin" / "python",
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        wheel,
        cwd=base,
        env=env,
    )
    return wheel, base / "venv" / "bin" / "ticketing"


def test_the_installed_wheel_runs_from_any_folder(installed: tuple[Path, Path], tmp_path: Path) -> None:
    wheel, ticketing = installed
    names = zipfile.ZipFile(wheel).namelist()
    assert any(n.startswith("ticketing/migrations/ticketing_") for n in names)
    assert "ticketing/emails/ticket-received/ja/body.txt" in names and "ticketing/desks.toml" in names
    assert not [n for n in names if n.startswith(("tests/", "bench/")) or "/fixtures/" in n]

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TICKETING_", "PYTHON"))}
    env.update(TICKETING_DATA_DIR=str(tmp_path / "data"), TICKETING_SECRET_KEY="wheel-test-" + "k" * 32)
    version = run(ticketing, "--version", cwd=elsewhere, env=env)
    assert version.startswith("ticketing ") and version.split()[1] in wheel.name
    parsed = json.loads(run(ticketing, "mail", "parse", FIXTURE, cwd=elsewhere, env=env))
    assert parsed["from_email"] and parsed["text"]
    due = run(
        ticketing,
        "calendar",
        "due",
        "--desk",
        "relia",
        "--start",
        "2026-04-28T16:30:00+09:00",
        "--business-days",
        "3",
        cwd=elsewhere,
        env=env,
    )
    assert due.strip() == "2026-05-07T17:00:00+09:00"

    (port,) = _free_ports(1)
    log = (tmp_path / "serve.log").open("w+")
    # Through the image's entry point (migrate, then serve; later arguments win), with the venv on PATH.
    env["PATH"] = f"{ticketing.parent}{os.pathsep}{env.get('PATH', '')}"
    proc = subprocess.Popen(
        ["sh", str(ENTRYPOINT), "--host", "127.0.0.1", "--port", str(port)],
        cwd=elsewhere,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert proc.poll() is None, f"serve exited:\n{(tmp_path / 'serve.log').read_text()}"
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise AssertionError(f"serve did not become ready:\n{(tmp_path / 'serve.log').read_text()}")
        ja = httpx.get(f"{base}/desks/rext-cs/contact?lang=ja")
        en = httpx.get(f"{base}/desks/relia/contact?lang=en")
        assert ja.status_code == 200 and "個人情報" in ja.text and '<html lang="ja">' in ja.text
        assert en.status_code == 200 and "Contact the personal information desk" in en.text
        assert httpx.get(f"{base}/static/site.css").status_code == 200
        run(
            ticketing,
            "user",
            "add",
            "wheel@example.test",
            "--role",
            "agent",
            "--desk",
            "relia",
            "--password-stdin",
            cwd=elsewhere,
            env=env,
            stdin="a long wheel password\n",
        )
        token = run(ticketing, "token", "create", "wheel@example.test", cwd=elsewhere, env=env).strip()
        body = {
            "desk": "relia",
            "category": "inquiry",
            "subject": "Hello",
            "message": "What do you hold?",
            "requester": {"name": "Hanako", "email": "hanako@example.test"},
        }
        r = httpx.post(f"{base}/api/v1/tickets", json=body, headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 201, r.text
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()
    with sqlite3.connect(tmp_path / "data" / "ticketing.sqlite") as db:
        rows = db.execute("SELECT kind, subject FROM outbox").fetchall()
    assert rows and rows[0][0] == "ticket-received" and r.json()["reference"] in rows[0][1]
    assert not (elsewhere / "migrations").exists()  # nothing was read from, or written to, the folder


def test_the_image_installs_only_the_wheel() -> None:
    """No Docker engine here: what can be checked without one is that the runtime stage gets the
    wheel and the entry point, never the source tree or an editable install."""
    text = (ROOT / "Dockerfile").read_text()
    builder, runtime = text.split("AS runtime", 1)
    assert "pip wheel" in builder and "AS builder" in builder
    assert "/dist/ticketing-*.whl" in runtime and "docker/entrypoint.sh" in runtime
    forbidden_in_runtime = (
        "pip install -e",
        "COPY . ",
        "COPY ticketing",
        "COPY --from=builder /src",
        "gcc",
        "build-essential",
    )
    for forbidden in forbidden_in_runtime:
        assert forbidden not in runtime, forbidden
    assert "USER ticketing" in runtime
    assert (ROOT / "docker" / "entrypoint.sh").stat().st_mode & 0o111  # executable
