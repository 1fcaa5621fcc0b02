"""The `ticketing` command as a real subprocess, on the test database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ticketing.settings import Settings

CLI = [sys.executable, "-m", "ticketing"]


def run(
    settings: Settings, *args: str, stdin: str = "", extra_env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TICKETING_")}
    env["TICKETING_DATA_DIR"] = str(settings.data_dir)
    if settings.database_url:
        env["TICKETING_DATABASE_URL"] = settings.database_url
    env.update(extra_env or {})
    return subprocess.run(
        [*CLI, *args], input=stdin, capture_output=True, text=True, env=env, timeout=timeout, check=False
    )


@pytest.fixture
def cli_settings(settings: Settings, container: object) -> Settings:
    """The test database, emptied by the `container` fixture."""
    return settings


def test_user_add_and_token_create(cli_settings: Settings) -> None:
    r = run(
        cli_settings,
        "user",
        "add",
        "Agent@Relia.test",
        "--role",
        "agent",
        "--desk",
        "relia",
        "rext-cs",
        "--password-stdin",
        stdin="a long enough password\n",
    )
    assert r.returncode == 0, r.stderr
    assert "agent@relia.test" in r.stdout and "a long enough password" not in r.stdout + r.stderr
    r = run(cli_settings, "token", "create", "agent@relia.test")
    assert r.returncode == 0, r.stderr
    token = r.stdout.strip().splitlines()[-1]
    assert token.startswith("tkt_") and len(token) > 40
    second = run(cli_settings, "token", "create", "agent@relia.test").stdout.strip()
    assert second != token


@pytest.mark.parametrize(
    ("args", "stdin", "needle", "code"),
    [
        (
            ["user", "add", "x@relia.test", "--role", "agent", "--desk", "nowhere", "--password-stdin"],
            "long enough password\n",
            "unknown desk",
            2,
        ),
        (
            ["user", "add", "x@relia.test", "--role", "agent", "--desk", "relia", "--password-stdin"],
            "short\n",
            "password",
            2,
        ),
        (
            ["user", "add", "not-an-email", "--role", "agent", "--desk", "relia", "--password-stdin"],
            "long enough password\n",
            "email",
            2,
        ),
        (["token", "create", "nobody@relia.test"], "", "not found", 1),
    ],
)
def test_bad_input_gives_one_error_line(
    cli_settings: Settings, args: list[str], stdin: str, needle: str, code: int
) -> None:
    r = run(cli_settings, *args, stdin=stdin)
    assert r.returncode == code, r.stderr  # a bad value is a usage error (2); no such user is a failure (1)
    assert r.stderr.startswith("ticketing: error:") and needle in r.stderr
    assert len(r.stderr.splitlines()) == 1 and "Traceback" not in r.stderr


def test_duplicate_user_is_refused(cli_settings: Settings) -> None:
    args = ["user", "add", "dup@relia.test", "--role", "manager", "--desk", "relia", "--password-stdin"]
    assert run(cli_settings, *args, stdin="long enough password\n").returncode == 0
    r = run(cli_settings, *args, stdin="long enough password\n")
    assert r.returncode == 1 and "exists already" in r.stderr


def test_bad_role_is_a_usage_error(cli_settings: Settings) -> None:
    r = run(cli_settings, "user", "add", "x@relia.test", "--role", "king", "--desk", "relia", "--password-stdin")
    assert r.returncode == 2 and "invalid choice" in r.stderr


def test_malformed_desks_file_fails_start_up_with_one_clear_line(cli_settings: Settings, tmp_path: Path) -> None:
    bad = tmp_path / "desks.toml"
    bad.write_text(
        '[desks.relia]\nname = "R"\nlanguage = "en"\ntimezone = "Mars/Olympus"\n'
        'reference_prefix = "REL"\ninbox = "p@r.test"\nmanager_title = "CPO"\n'
        '[desks.relia.hours]\nmon = ["09:00-17:00"]\n'
    )
    r = run(cli_settings, "serve", "--port", "0", extra_env={"TICKETING_DESKS": str(bad)}, timeout=30)
    assert r.returncode == 2
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, r.stderr
    assert str(bad) in lines[0] and "desks.relia.timezone" in lines[0] and "Mars/Olympus" in lines[0]


def test_bad_environment_is_reported(cli_settings: Settings) -> None:
    r = run(cli_settings, "migrate", extra_env={"TICKETING_DATABASE_URL": "mysql://x"})
    assert r.returncode == 2 and "TICKETING_DATABASE_URL" in r.stderr


def test_migrate_is_idempotent(cli_settings: Settings) -> None:
    for _ in range(2):
        r = run(cli_settings, "migrate")
        assert r.returncode == 0, r.stderr
        assert "migrations applied" in r.stdout
