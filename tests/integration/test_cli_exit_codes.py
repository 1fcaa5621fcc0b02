"""Usage errors exit 2 on every subcommand (issue 10), as argparse does and the README says.

A missing, unknown or invalid argument is a usage error: exit 2, one `ticketing: error: ...` line
on stderr, nothing on stdout, no traceback. None of these cases reaches the database. Failures at
run time exit 1 (test_cli.py, test_cli_data_dir.py, test_cli_sla_now.py); `mail ingest` exits 75
when it could not store the message (test_mail_cli.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.test_cli import run
from tests.mailbuilder import make_mail
from ticketing.settings import Settings

MAIL = make_mail().decode()
START = ["--start", "2026-06-02T10:00"]

USAGE_ERRORS = [
    pytest.param([], "", id="no-command"),
    pytest.param(["frobnicate"], "", id="unknown-command"),
    pytest.param(["--frobnicate", "migrate"], "", id="unknown-option"),
    pytest.param(["serve", "--port", "http"], "", id="serve-port-not-a-number"),
    pytest.param(["serve", "--port", "70000"], "", id="serve-port-out-of-range"),
    pytest.param(["serve", "extra"], "", id="serve-extra-argument"),
    pytest.param(["migrate", "now"], "", id="migrate-extra-argument"),
    pytest.param(["user"], "", id="user-no-subcommand"),
    pytest.param(["user", "delete", "a@relia.test"], "", id="user-unknown-subcommand"),
    pytest.param(["user", "add"], "", id="user-add-nothing"),
    pytest.param(["user", "add", "a@relia.test", "--desk", "relia"], "", id="user-add-no-role"),
    pytest.param(["user", "add", "a@relia.test", "--role", "king", "--desk", "relia"], "", id="user-add-bad-role"),
    pytest.param(["user", "add", "a@relia.test", "--role", "agent"], "", id="user-add-no-desk"),
    pytest.param(["token"], "", id="token-no-subcommand"),
    pytest.param(["token", "create"], "", id="token-create-no-email"),
    pytest.param(["token", "create", "a@relia.test", "b@relia.test"], "", id="token-create-two-emails"),
    pytest.param(["calendar"], "", id="calendar-no-subcommand"),
    pytest.param(["calendar", "due", "--desk", "relia", *START], "", id="calendar-due-no-amount"),
    pytest.param(
        ["calendar", "due", "--desk", "nowhere", *START, "--business-minutes", "5"], "", id="calendar-due-unknown-desk"
    ),
    pytest.param(
        ["calendar", "due", "--desk", "relia", "--start", "soon", "--business-days", "1"],
        "",
        id="calendar-due-bad-start",
    ),
    pytest.param(
        ["calendar", "elapsed", "--desk", "relia", *START, "--end", "later"], "", id="calendar-elapsed-bad-end"
    ),
    pytest.param(["calendar", "batch", "extra"], "", id="calendar-batch-extra-argument"),
    pytest.param(["sla"], "", id="sla-no-subcommand"),
    pytest.param(["sla", "sweep", "--now"], "", id="sla-sweep-now-without-value"),
    pytest.param(["sla", "sweep", "--now", "yesterday"], "", id="sla-sweep-now-not-iso"),
    pytest.param(["sla", "sweep", "--now", "2026-11-25T10:00:00"], "", id="sla-sweep-now-without-offset"),
    pytest.param(["sla", "sweep", "extra"], "", id="sla-sweep-extra-argument"),
    pytest.param(["mail"], "", id="mail-no-subcommand"),
    pytest.param(["mail", "parse"], "", id="mail-parse-no-file"),
    pytest.param(["mail", "parse", "/no/such/file.eml"], "", id="mail-parse-missing-file"),
    pytest.param(["mail", "parse", "/"], "", id="mail-parse-a-directory"),
    pytest.param(["mail", "parse", "-"], "", id="mail-parse-empty-stdin"),
    pytest.param(["mail", "ingest", "-"], MAIL, id="mail-ingest-no-desk"),
    pytest.param(["mail", "ingest", "--desk", "nowhere", "-"], MAIL, id="mail-ingest-unknown-desk"),
    pytest.param(["mail", "ingest", "--desk", "relia", "/no/such/file.eml"], "", id="mail-ingest-missing-file"),
    pytest.param(["mail", "ingest", "--desk", "relia", "-"], "", id="mail-ingest-empty-stdin"),
    pytest.param(["mail", "poll", "--desk", "nowhere"], "", id="mail-poll-unknown-desk"),
    pytest.param(["mail", "poll", "--desk", "relia"], "", id="mail-poll-desk-without-imap"),
]


@pytest.mark.parametrize(("args", "stdin"), USAGE_ERRORS)
def test_usage_errors_exit_2_with_one_error_line(settings: Settings, args: list[str], stdin: str) -> None:
    r = run(settings, *args, stdin=stdin)
    assert r.returncode == 2, (r.returncode, r.stderr)
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("ticketing: error: "), r.stderr
    assert r.stdout == ""


def test_usage_errors_touch_no_data_dir(tmp_path: Path) -> None:
    """The arguments are checked before any data dir is looked at (let alone created)."""
    missing = Settings(data_dir=tmp_path / "nowhere")
    for args in (["mail", "ingest", "--desk", "nowhere", "/no/such/file.eml"], ["sla", "sweep", "--now", "soon"]):
        assert run(missing, *args).returncode == 2
    assert not missing.data_dir.exists()


def test_help_and_version_exit_0(settings: Settings) -> None:
    r = run(settings, "--help")
    assert r.returncode == 0 and "Exit status" in r.stdout and "75" in r.stdout
    r = run(settings, "--version")
    assert r.returncode == 0 and r.stdout.startswith("ticketing ")
