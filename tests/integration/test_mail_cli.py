"""`ticketing mail parse|ingest|poll` as real processes: JSON out, exit codes, killed pollers."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from tests.imap_server import PASSWORD
from tests.integration.test_cli import run
from tests.integration.test_imap_poller import imap_desks
from tests.mailbuilder import make_mail
from ticketing.db.tables import InboundMail, Ticket

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "mail"


def test_parse_prints_the_contract_fields(settings) -> None:  # type: ignore[no-untyped-def]
    r = run(settings, "mail", "parse", str(CORPUS / "iso2022jp.eml"))
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    for key in (
        "message_id",
        "from_email",
        "from_name",
        "to",
        "cc",
        "subject",
        "date",
        "in_reply_to",
        "references",
        "text",
        "html",
        "attachments",
        "auto_submitted",
        "bounce",
        "defects",
    ):
        assert key in out, key
    assert out["subject"] and out["from_email"] and isinstance(out["attachments"], list)


def test_parse_reads_standard_input_and_refuses_a_missing_file(settings) -> None:  # type: ignore[no-untyped-def]
    raw = (CORPUS / "dsn-bounce.eml").read_bytes()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TICKETING_")}
    r = subprocess.run(
        [sys.executable, "-m", "ticketing", "mail", "parse", "-"],
        input=raw,
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert r.returncode == 0 and json.loads(r.stdout)["bounce"] is True
    missing = run(settings, "mail", "parse", "/no/such/file.eml")
    assert missing.returncode != 0 and missing.stderr.startswith("ticketing: error:")
    assert "Traceback" not in missing.stderr


async def test_ingest_stores_once_and_answers_duplicate(settings, container, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "m.eml"
    path.write_bytes(make_mail())
    first = run(settings, "mail", "ingest", "--desk", "relia", str(path))
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == {"action": "created", "ticket": "REL-2026-000001"}
    second = run(settings, "mail", "ingest", "--desk", "relia", str(path))
    assert json.loads(second.stdout) == {"action": "duplicate", "ticket": "REL-2026-000001"}
    assert await Ticket.count() == 1
    bad = run(settings, "mail", "ingest", "--desk", "relia", str(CORPUS / "malformed-no-from.eml"))
    assert json.loads(bad.stdout) == {"action": "quarantined", "ticket": None}


def test_ingest_with_an_unknown_desk_is_a_usage_error(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "m.eml"
    path.write_bytes(make_mail())
    r = run(settings, "mail", "ingest", "--desk", "nope", str(path))
    assert r.returncode == 2 and "nope" in r.stderr


def test_ingest_exits_75_when_the_database_is_unreachable(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "m.eml"
    path.write_bytes(make_mail())
    r = run(
        replace(settings, database_url="postgresql://postgres@127.0.0.1:9/nowhere"),
        "mail",
        "ingest",
        "--desk",
        "relia",
        str(path),
    )
    assert r.returncode == 75, (r.returncode, r.stderr)
    assert r.stderr.startswith("ticketing: error:") and "Traceback" not in r.stderr


def _poll_env(settings, desks: Path, lease: str = "2") -> dict[str, str]:  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TICKETING_")}
    env.update(
        TICKETING_DATA_DIR=str(settings.data_dir),
        TICKETING_DESKS=str(desks),
        TICKETING_IMAP_PASSWORD_RELIA=PASSWORD,
        TICKETING_IMAP_LEASE_SECONDS=lease,
        TICKETING_SECRET_KEY=settings.secret_key or "",
    )
    if settings.database_url:
        env["TICKETING_DATABASE_URL"] = settings.database_url
    return env


async def _poll_process(env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "ticketing", "mail", "poll", stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )


def _fill(dovecot, n: int, prefix: str) -> str:  # type: ignore[no-untyped-def]
    """A fresh mailbox with n messages from n people."""
    user = f"{prefix}-{os.getpid()}-{time.monotonic_ns()}@example.test"
    for i in range(n):
        dovecot.append(user, make_mail(subject=f"Question {i}", sender=f"p{i}@example.test"))
    return user


async def _poll_until_done(env: dict[str, str], expected: int, deadline: float = 90) -> None:
    end = time.monotonic() + deadline
    while await InboundMail.count() < expected or await Ticket.count() < expected:
        assert time.monotonic() < end, f"only {await InboundMail.count()} of {expected} stored"
        await (await _poll_process(env)).communicate()
        await asyncio.sleep(0.2)


async def test_a_poller_killed_mid_run_loses_and_doubles_nothing(settings, container, dovecot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    n = 120
    user = _fill(dovecot, n, "killed")
    env = _poll_env(settings, imap_desks(tmp_path / "desks.toml", dovecot.port, user))
    proc = await _poll_process(env)
    end = time.monotonic() + 60
    while await InboundMail.count() < 10:
        assert time.monotonic() < end and proc.returncode is None, "the poller did not get going"
        await asyncio.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    await proc.wait()
    stored = await InboundMail.count()
    assert stored < n, "the poller finished before it could be killed; use more messages"
    await _poll_until_done(env, n)  # its lease runs out after 2 s; then a new poller takes over
    assert await Ticket.count() == n and await InboundMail.count() == n
    assert all("\\Seen" in flags for flags in dovecot.flags(user).values())


async def test_two_poll_processes_at_once_store_each_message_once(settings, container, dovecot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    n = 60
    user = _fill(dovecot, n, "twoproc")
    env = _poll_env(settings, imap_desks(tmp_path / "desks.toml", dovecot.port, user), lease="60")
    procs = [await _poll_process(env) for _ in range(2)]
    outputs = await asyncio.gather(*(p.communicate() for p in procs))
    reports = [json.loads(out.decode().strip().splitlines()[-1]) for out, _ in outputs]
    # One holds the mailbox lease and takes everything; the other is turned away or finds nothing left.
    assert [r["error"] for r in reports] == ["", ""]
    assert sum(r["fetched"] for r in reports) == n
    assert await Ticket.count() == n and await InboundMail.count() == n


def test_ingest_answers_75_for_any_storage_failure_so_no_mail_is_bounced(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    broken = tmp_path / "broken"
    (broken / "ticketing.sqlite").mkdir(parents=True)  # the database file cannot be opened
    (broken / "secret_key").write_text("k" * 40)
    path = tmp_path / "m.eml"
    path.write_bytes(make_mail())
    r = run(replace(settings, database_url=None, data_dir=broken), "mail", "ingest", "--desk", "relia", str(path))
    assert r.returncode == 75, (r.returncode, r.stderr)
    assert r.stderr.startswith("ticketing: error:") and len(r.stderr.strip().splitlines()) == 1
    assert "not stored; try again later" in r.stderr  # it got past the data dir checks, to the database


# What a command imports is behaviour an MTA pays for once per message (bench/pipe_start.py has the
# timings): the pipe builds the intake only, parse and calendar touch no database code at all.
HEAVY = (
    "litestar",
    "uvicorn",
    "apscheduler",
    "argon2",
    "aiosmtplib",
    "ticketing.web",
    "ticketing.app",
    "ticketing.container",
    "ticketing.services.accounts",
    "ticketing.mail.imap",
    "ticketing.mail.smtp",
    "piccolo.apps.migrations.commands",
)
LOADED = """
import json, sys
from ticketing.cli import main
code = main(sys.argv[1:])
print(json.dumps([m for m in sys.modules if m.split(".")[0] in ("litestar", "uvicorn", "apscheduler", "argon2",
      "aiosmtplib", "piccolo", "jinja2") or m.startswith("ticketing.")]), file=sys.stderr)
sys.exit(code)
"""


def _loaded(settings, *args: str, stdin: bytes = b"") -> set[str]:  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TICKETING_")}
    env["TICKETING_DATA_DIR"] = str(settings.data_dir)
    if settings.database_url:
        env["TICKETING_DATABASE_URL"] = settings.database_url
    r = subprocess.run(
        [sys.executable, "-c", LOADED, *args], input=stdin, capture_output=True, env=env, timeout=60, check=False
    )
    assert r.returncode == 0, r.stderr
    return set(json.loads(r.stderr.decode().splitlines()[-1]))


def _heavy(loaded: set[str]) -> set[str]:
    return {m for m in loaded if m.startswith(HEAVY)}


async def test_ingest_imports_only_the_intake(settings, container) -> None:  # type: ignore[no-untyped-def]
    loaded = _loaded(settings, "mail", "ingest", "--desk", "relia", "-", stdin=make_mail())
    assert _heavy(loaded) == set()
    assert "ticketing.intake_parts" in loaded and await Ticket.count() == 1


def test_parse_and_calendar_import_no_database_code(settings) -> None:  # type: ignore[no-untyped-def]
    for args in (
        ["mail", "parse", str(CORPUS / "iso2022jp.eml")],
        ["calendar", "due", "--desk", "relia", "--start", "2026-06-02T10:00", "--business-days", "1"],
    ):
        loaded = _loaded(settings, *args)
        assert _heavy(loaded) == set()
        assert not {m for m in loaded if m.startswith(("piccolo", "jinja2", "ticketing.db"))}, args
