"""The `ticketing` command (DESIGN.md §3)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from importlib import metadata
from typing import Any

from ticketing.domain.errors import ConfigError, DomainError, NotFound, ValidationFailed
from ticketing.settings import Settings

EX_USAGE = 2
EX_TEMPFAIL = 75


def _temporary(exc: BaseException) -> bool:
    """A database that is down, starting, overloaded or locked: the caller should retry (EX_TEMPFAIL)."""
    import sqlite3

    import asyncpg

    temporary = (
        asyncpg.exceptions.PostgresConnectionError,
        asyncpg.exceptions.InterfaceError,
        asyncpg.exceptions.CannotConnectNowError,
        asyncpg.exceptions.TooManyConnectionsError,
        asyncpg.exceptions.AdminShutdownError,
        asyncpg.exceptions.SerializationError,
        asyncpg.exceptions.DeadlockDetectedError,
        sqlite3.OperationalError,
        TimeoutError,
    )
    return isinstance(exc, temporary)


def _fail(message: str, code: int = 1) -> int:
    print(f"ticketing: error: {message}", file=sys.stderr)
    return code


async def _with_container(settings: Settings, work: Callable[[Any], Awaitable[int]]) -> int:
    from ticketing.container import Container

    container = Container.build(settings)
    await container.start(migrate=not settings.is_postgres, pool_size=2)
    try:
        return await work(container)
    finally:
        await container.stop()


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from ticketing.app import create_app

    app = create_app(settings, demo=args.demo)
    # No access log: request paths carry secrets (/status/<token>), and secrets never go to logs.
    # uvicorn's own forwarded-header handling is off: the app believes X-Forwarded-For only from
    # the proxies named in TICKETING_TRUSTED_PROXIES (app.edge_middleware).
    uvicorn.run(app, host=args.host, port=args.port, log_level="info", access_log=False, proxy_headers=False)
    return 0


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from ticketing.db import engine

    async def run() -> int:
        engine.bind(settings)
        await engine.start(settings, pool_size=1)
        try:
            await engine.migrate()
        finally:
            await engine.stop()
        print("migrations applied")
        return 0

    return asyncio.run(run())


def cmd_user_add(args: argparse.Namespace, settings: Settings) -> int:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")

    async def work(container: Any) -> int:
        user_id = await container.accounts.add_user(args.email, password, args.role, args.desk)
        print(f"user {args.email.lower()} created (id {user_id}, {args.role} on {', '.join(args.desk)})")
        return 0

    return asyncio.run(_with_container(settings, work))


def cmd_token_create(args: argparse.Namespace, settings: Settings) -> int:
    async def work(container: Any) -> int:
        print(await container.accounts.create_token(args.email))
        return 0

    return asyncio.run(_with_container(settings, work))


def _calendars(settings: Settings) -> Any:
    from ticketing.container import load_desks
    from ticketing.services.calendars import CalendarService

    return CalendarService(load_desks(settings.desks_file))


def cmd_calendar_due(args: argparse.Namespace, settings: Settings) -> int:
    calendars = _calendars(settings)
    calendars.calendar(args.desk)
    start = calendars.parse_instant(args.desk, args.start, "--start")
    unit, amount = next(
        (u, v) for u, v in (("business_minutes", args.business_minutes), ("business_days", args.business_days),
                            ("calendar_days", args.calendar_days)) if v is not None
    )
    print(calendars.format(args.desk, calendars.due(args.desk, start, unit, amount)))
    return 0


def cmd_calendar_elapsed(args: argparse.Namespace, settings: Settings) -> int:
    calendars = _calendars(settings)
    calendars.calendar(args.desk)
    start = calendars.parse_instant(args.desk, args.start, "--start")
    end = calendars.parse_instant(args.desk, args.end, "--end")
    print(calendars.elapsed(args.desk, start, end))
    return 0


def cmd_calendar_batch(args: argparse.Namespace, settings: Settings) -> int:
    """JSON lines in, one JSON line out per line; a bad line answers {"error": ...} and we go on."""
    calendars = _calendars(settings)
    for line in sys.stdin:
        print(json.dumps(calendars.batch_line(line), ensure_ascii=False), flush=False)
    sys.stdout.flush()
    return 0


def cmd_sla_sweep(args: argparse.Namespace, settings: Settings) -> int:
    """One sweep by hand (e.g. from cron on a box without the scheduler); prints what it did as JSON."""
    from datetime import datetime

    now = None
    if args.now:
        try:
            now = datetime.fromisoformat(args.now)
        except ValueError:
            return _fail(f"--now: {args.now!r} is not an ISO 8601 timestamp", EX_USAGE)
        if now.tzinfo is None:
            return _fail("--now: give a UTC offset, e.g. 2026-12-01T10:00:00+09:00", EX_USAGE)

    async def work(container: Any) -> int:
        report = await container.sla.sweep(now or container.clock.now())
        print(json.dumps(report.as_json()))
        return 0

    return asyncio.run(_with_container(settings, work))


def _read_message(path: str) -> bytes:
    """The raw message from a file or standard input ("-"), as bytes (never decoded)."""
    if path == "-":
        data = sys.stdin.buffer.read()
        if not data:
            raise ValidationFailed({"message": "nothing on standard input"})
        return data
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        raise ValidationFailed({path: "no such file"}) from None
    except IsADirectoryError:
        raise ValidationFailed({path: "is a directory"}) from None
    except PermissionError:
        raise ValidationFailed({path: "permission denied"}) from None


def cmd_mail_parse(args: argparse.Namespace, settings: Settings) -> int:
    """Parse one message and print what the parser sees, as JSON; touches no database."""
    from ticketing.mail.parse import parse_message, parsed_json

    print(json.dumps(parsed_json(parse_message(_read_message(args.file))), ensure_ascii=False, indent=2))
    return 0


def cmd_mail_ingest(args: argparse.Namespace, settings: Settings) -> int:
    """Store one message (an MTA pipe: exit 75 on a temporary failure so the MTA retries)."""
    from ticketing.services.mail_ports import MailSource

    raw = _read_message(args.file)
    from ticketing.container import load_desks

    if args.desk not in load_desks(settings.desks_file):
        return _fail(f"--desk: no desk {args.desk!r} in {settings.desks_file}", EX_USAGE)

    async def work(container: Any) -> int:
        result = await container.mail.ingest(args.desk, raw, MailSource("pipe"))
        print(json.dumps(result.as_json()))
        return 0

    try:
        return asyncio.run(_with_container(settings, work))
    except (ConfigError, ValidationFailed):
        raise
    except Exception as exc:  # for an MTA anything else is "try again later": mail is never bounced by our bug
        return _fail(f"the message was not stored; try again later ({type(exc).__name__}: {exc})", EX_TEMPFAIL)


def cmd_mail_poll(args: argparse.Namespace, settings: Settings) -> int:
    """One IMAP poll of each desk inbox (or one desk); prints a JSON report per desk; 75 if a poll failed."""
    from ticketing.container import load_desks

    desks = load_desks(settings.desks_file)
    slugs = [args.desk] if args.desk else [s for s, d in desks.items() if d.imap is not None]
    for slug in slugs:
        if slug not in desks:
            return _fail(f"--desk: no desk {slug!r} in {settings.desks_file}", EX_USAGE)
        if desks[slug].imap is None:
            return _fail(f"--desk: desk {slug!r} has no [desks.{slug}.imap] settings", EX_USAGE)
    if not slugs:
        return _fail(f"no desk in {settings.desks_file} has [imap] settings", EX_USAGE)

    async def work(container: Any) -> int:
        from ticketing.jobs.mail import poll_desk

        failed = False
        for slug in slugs:
            report = await poll_desk(container, slug)
            failed = failed or bool(report.error)
            print(json.dumps(report.as_json(), ensure_ascii=False), flush=True)
        return EX_TEMPFAIL if failed else 0

    return asyncio.run(_with_container(settings, work))


def _non_negative(raw: str) -> int:
    if not raw.isdigit():
        raise argparse.ArgumentTypeError(f"{raw!r} is not a whole number >= 0")
    return int(raw)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ticketing", description="The privacy inquiry desk.")
    # The version has one source, pyproject.toml, read back from the installed distribution.
    parser.add_argument("--version", action="version", version=f"ticketing {metadata.version('ticketing')}")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the web app, scheduler and mail workers")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--demo", action="store_true", help="seed demo users and tickets")
    serve.set_defaults(func=cmd_serve)

    sub.add_parser("migrate", help="apply migrations to the configured database").set_defaults(func=cmd_migrate)

    user = sub.add_parser("user", help="staff accounts").add_subparsers(dest="user_command", required=True)
    add = user.add_parser("add", help="create a staff account")
    add.add_argument("email")
    add.add_argument("--role", required=True, choices=["agent", "manager", "admin"])
    add.add_argument("--desk", required=True, nargs="+", metavar="SLUG")
    add.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    add.set_defaults(func=cmd_user_add)

    token = sub.add_parser("token", help="API tokens").add_subparsers(dest="token_command", required=True)
    create = token.add_parser("create", help="print a new API token for a user")
    create.add_argument("email")
    create.set_defaults(func=cmd_token_create)

    calendar = sub.add_parser("calendar", help="business-time arithmetic on a desk's calendar")
    cal = calendar.add_subparsers(dest="calendar_command", required=True)
    due = cal.add_parser("due", help="print the due instant (ISO 8601, desk offset)")
    due.add_argument("--desk", required=True, metavar="SLUG")
    due.add_argument("--start", required=True, metavar="ISO", help="a time without offset is desk-local")
    amount = due.add_mutually_exclusive_group(required=True)
    amount.add_argument("--business-minutes", type=_non_negative, metavar="N")
    amount.add_argument("--business-days", type=_non_negative, metavar="N")
    amount.add_argument("--calendar-days", type=_non_negative, metavar="N")
    due.set_defaults(func=cmd_calendar_due)
    elapsed = cal.add_parser("elapsed", help="print business minutes in [start, end)")
    elapsed.add_argument("--desk", required=True, metavar="SLUG")
    elapsed.add_argument("--start", required=True, metavar="ISO")
    elapsed.add_argument("--end", required=True, metavar="ISO")
    elapsed.set_defaults(func=cmd_calendar_elapsed)
    cal.add_parser("batch", help="JSON lines on stdin -> JSON lines on stdout").set_defaults(func=cmd_calendar_batch)

    sla = sub.add_parser("sla", help="SLA clocks").add_subparsers(dest="sla_command", required=True)
    sweep = sla.add_parser("sweep", help="run one SLA sweep and print what it did")
    sweep.add_argument("--now", metavar="ISO", help="pretend it is this instant (default: now)")
    sweep.set_defaults(func=cmd_sla_sweep)

    mail = sub.add_parser("mail", help="the e-mail channel").add_subparsers(dest="mail_command", required=True)
    parse = mail.add_parser("parse", help="parse one RFC 5322 message and print JSON (no database)")
    parse.add_argument("file", metavar="FILE|-")
    parse.set_defaults(func=cmd_mail_parse)
    ingest = mail.add_parser("ingest", help="store one message for a desk (exit 75: try again later)")
    ingest.add_argument("--desk", required=True, metavar="SLUG")
    ingest.add_argument("file", metavar="FILE|-")
    ingest.set_defaults(func=cmd_mail_ingest)
    poll = mail.add_parser("poll", help="fetch new mail from the desk IMAP inboxes once (exit 75: a poll failed)")
    poll.add_argument("--desk", metavar="SLUG", help="only this desk (default: every desk with [imap])")
    poll.set_defaults(func=cmd_mail_poll)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        return int(args.func(args, settings))
    except ValidationFailed as exc:
        return _fail("; ".join(f"{k}: {v}" for k, v in exc.errors.items()))
    except ConfigError as exc:
        return _fail(f"configuration: {exc}", EX_USAGE)
    except NotFound as exc:
        return _fail(str(exc))
    except DomainError as exc:
        return _fail(str(exc))
    except (OSError, ConnectionError) as exc:
        return _fail(f"database or file unavailable: {type(exc).__name__}: {exc}", EX_TEMPFAIL)
    except Exception as exc:
        if _temporary(exc):
            return _fail(f"database unavailable, try again later: {type(exc).__name__}: {exc}", EX_TEMPFAIL)
        raise
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
