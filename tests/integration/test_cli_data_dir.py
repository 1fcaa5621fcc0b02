"""The data directory (issue 10): resolved once, and only `serve` and `migrate` may create one.

An MTA runs `ticketing mail ingest` from its own folder; with the default `./var` (or any relative
TICKETING_DATA_DIR) that used to be a new, empty service: a new SQLite file and a new secret key.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PG_URL
from tests.integration.test_imap_poller import imap_desks
from tests.mailbuilder import make_mail
from ticketing.settings import Settings

CLI = [sys.executable, "-m", "ticketing"]


def run_in(
    cwd: Path, *args: str, env: dict[str, str] | None = None, stdin: bytes = b""
) -> subprocess.CompletedProcess[str]:
    """The command run from `cwd`, with only the TICKETING_* variables given."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TICKETING_")}
    clean.update(env or {})
    r = subprocess.run([*CLI, *args], cwd=cwd, input=stdin, capture_output=True, env=clean, timeout=120, check=False)
    return subprocess.CompletedProcess(r.args, r.returncode, r.stdout.decode(), r.stderr.decode())


def only_line(r: subprocess.CompletedProcess[str]) -> str:
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("ticketing: error:") and "Traceback" not in r.stderr
    return lines[0]


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """The MTA's working directory: no data dir in it."""
    folder = tmp_path / "mta"
    folder.mkdir()
    return folder


@pytest.mark.parametrize(
    ("args", "stdin", "code"),
    [
        pytest.param(["mail", "ingest", "--desk", "relia", "-"], make_mail(), 75, id="mail-ingest"),
        pytest.param(
            ["user", "add", "a@relia.test", "--role", "agent", "--desk", "relia", "--password-stdin"],
            b"a long enough password\n",
            1,
            id="user-add",
        ),
        pytest.param(["token", "create", "a@relia.test"], b"", 1, id="token-create"),
        pytest.param(["sla", "sweep"], b"", 1, id="sla-sweep"),
        pytest.param(["mail", "poll"], b"", 1, id="mail-poll"),
    ],
)
def test_commands_refuse_to_create_the_data_dir(
    elsewhere: Path, tmp_path: Path, args: list[str], stdin: bytes, code: int
) -> None:
    env = {"TICKETING_DESKS": str(imap_desks(tmp_path / "desks.toml", 9, "nobody"))} if "poll" in args else {}
    r = run_in(elsewhere, *args, env=env, stdin=stdin)  # TICKETING_DATA_DIR unset: the default ./var
    assert r.returncode == code, r.stderr
    line = only_line(r)
    assert str(elsewhere / "var") in line  # the resolved, absolute path
    assert "TICKETING_DATA_DIR" in line and "ticketing migrate" in line
    if code == 75:
        assert "not stored" in line and "retries" in line
    assert list(elsewhere.iterdir()) == [], "nothing is created"
    assert r.stdout == ""


def test_a_relative_data_dir_is_resolved_against_the_working_directory(tmp_path: Path) -> None:
    home, other = tmp_path / "home", tmp_path / "other"
    home.mkdir()
    other.mkdir()
    env = {"TICKETING_DATA_DIR": "var"}
    r = run_in(home, "migrate", env=env)
    assert r.returncode == 0, r.stderr
    assert {p.name for p in (home / "var").iterdir()} >= {"ticketing.sqlite", "secret_key"}  # migrate creates both
    first = run_in(home, "mail", "ingest", "--desk", "relia", "-", env=env, stdin=make_mail())
    assert first.returncode == 0 and '"created"' in first.stdout, first.stderr

    r = run_in(other, "mail", "ingest", "--desk", "relia", "-", env=env, stdin=make_mail())
    assert r.returncode == 75
    assert f"no data directory at {other / 'var'}:" in only_line(r)
    assert not (other / "var").exists()


def test_a_missing_secret_key_is_refused_not_generated(settings: Settings) -> None:
    (settings.data_dir / "secret_key").unlink()
    env = {"TICKETING_DATA_DIR": str(settings.data_dir)}
    if PG_URL:
        env["TICKETING_DATABASE_URL"] = PG_URL
    r = run_in(settings.data_dir, "token", "create", "a@relia.test", env=env)
    assert r.returncode == 1
    assert f"no secret key at {settings.data_dir / 'secret_key'}" in only_line(r)
    assert not (settings.data_dir / "secret_key").exists()
    # A key in the environment is just as good as one in the data dir.
    env["TICKETING_SECRET_KEY"] = "k" * 40
    r = run_in(settings.data_dir, "token", "create", "a@relia.test", env=env)
    assert r.returncode == 1 and "not found" in only_line(r)  # it got as far as the database


def test_a_sqlite_data_dir_without_its_database_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "secret_key").write_text("k" * 40)
    r = run_in(
        tmp_path, "mail", "ingest", "--desk", "relia", "-", env={"TICKETING_DATA_DIR": str(data)}, stdin=make_mail()
    )
    assert r.returncode == 75
    assert f"no database at {data / 'ticketing.sqlite'}" in only_line(r)
    assert not (data / "ticketing.sqlite").exists()


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL pass only")
def test_on_postgres_the_data_dir_must_exist_too(elsewhere: Path) -> None:
    """Attachments and raw mail live there: a pipe on another host or folder would scatter them."""
    r = run_in(
        elsewhere,
        "mail",
        "ingest",
        "--desk",
        "relia",
        "-",
        env={"TICKETING_DATABASE_URL": str(PG_URL), "TICKETING_SECRET_KEY": "k" * 40},
        stdin=make_mail(),
    )
    assert r.returncode == 75
    assert f"no data directory at {elsewhere / 'var'}" in only_line(r)
    assert list(elsewhere.iterdir()) == []
