"""The `ticketing` command (README.md, Command line): the parser, the dispatch, and what each failure exits with.

Exit status:

- 0: done;
- 1: the command ran and failed: refused by the data (a user that exists already, a token for no
  such user, a `sla sweep --now` in the future), or no database / secret key in the data dir;
- 2: a usage or configuration error, argparse's convention: a missing, unknown or invalid argument
  (an unknown desk, a bad timestamp, an unusable password), a bad TICKETING_* variable or desks file;
- 75 (EX_TEMPFAIL, sysexits.h): try again later: the database is unreachable; `mail ingest` could
  not store the message, for any reason (an MTA keeps it and retries); `mail poll` had a poll fail.

Every error is one `ticketing: error: ...` line on stderr, never a traceback (docs/architecture.md, promises).
Each subcommand lives in ticketing.commands.<group>, imported only when that command runs.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence
from typing import NoReturn

from ticketing.commands import EX_FAILED, EX_TEMPFAIL, EX_USAGE, UsageError, fail
from ticketing.domain.errors import ConfigError, DomainError, ValidationFailed
from ticketing.domain.staff import Role
from ticketing.settings import Settings

__all__ = ["EX_FAILED", "EX_TEMPFAIL", "EX_USAGE", "build_parser", "main"]


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error as one `ticketing: error: ...` line (and exit 2, as always)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EX_USAGE, f"ticketing: error: {message} (see `{self.prog} --help`)\n")


class _Version(argparse.Action):
    """--version from the installed distribution (pyproject.toml is its one source), read only when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, help: str | None = None) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        from importlib import metadata

        print(f"ticketing {metadata.version('ticketing')}")
        parser.exit()


def _temporary(exc: BaseException) -> bool:
    """A database that is down, starting, overloaded or locked: the caller should retry (EX_TEMPFAIL)."""
    import sqlite3

    import asyncpg

    if isinstance(exc, (FileNotFoundError, PermissionError, IsADirectoryError, NotADirectoryError)):
        return False
    temporary = (
        asyncpg.exceptions.PostgresConnectionError,
        asyncpg.exceptions.InterfaceError,
        asyncpg.exceptions.CannotConnectNowError,
        asyncpg.exceptions.TooManyConnectionsError,
        asyncpg.exceptions.AdminShutdownError,
        asyncpg.exceptions.SerializationError,
        asyncpg.exceptions.DeadlockDetectedError,
        sqlite3.OperationalError,
        OSError,  # connection refused or reset, host unreachable, timed out
    )
    return isinstance(exc, temporary)


def _non_negative(raw: str) -> int:
    if not raw.isdigit():
        raise argparse.ArgumentTypeError(f"{raw!r} is not a whole number >= 0")
    return int(raw)


def _port(raw: str) -> int:
    if not raw.isdigit() or int(raw) > 65535:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a port number (0 to 65535; 0: any free port)")
    return int(raw)


def build_parser() -> argparse.ArgumentParser:
    """The command line; each command's `run` names its function as "group:function" in ticketing.commands."""
    parser = _Parser(
        prog="ticketing",
        description="The privacy inquiry desk.",
        epilog="Exit status: 0 done, 1 failed, 2 usage or configuration error, 75 try again later "
        "(database unreachable; `mail ingest`: the message was not stored).",
    )
    parser.add_argument("--version", action=_Version, help="print the installed version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    serve = sub.add_parser("serve", help="run the web app, scheduler and mail workers")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=_port, default=8000)
    serve.add_argument("--demo", action="store_true", help="seed demo users and tickets")
    serve.set_defaults(run="service:serve")

    sub.add_parser(
        "migrate", help="apply migrations to the configured database (on a new data dir: create it and the secret key)"
    ).set_defaults(run="service:migrate")

    user = sub.add_parser("user", help="staff accounts").add_subparsers(dest="user_command", required=True)
    add = user.add_parser("add", help="create a staff account")
    add.add_argument("email")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--desk", required=True, nargs="+", metavar="SLUG")
    add.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    add.set_defaults(run="accounts:user_add")

    token = sub.add_parser("token", help="API tokens").add_subparsers(dest="token_command", required=True)
    create = token.add_parser("create", help="print a new API token for a user")
    create.add_argument("email")
    create.set_defaults(run="accounts:token_create")

    session = sub.add_parser("session", help="staff sign-in sessions").add_subparsers(
        dest="session_command", required=True
    )
    revoke = session.add_parser(
        "revoke", help="end every session of a user (their next page asks them to sign in; API tokens stay)"
    )
    revoke.add_argument("email")
    revoke.set_defaults(run="sessions:revoke")

    calendar = sub.add_parser("calendar", help="business-time arithmetic on a desk's calendar")
    cal = calendar.add_subparsers(dest="calendar_command", required=True)
    due = cal.add_parser("due", help="print the due instant (ISO 8601, desk offset)")
    due.add_argument("--desk", required=True, metavar="SLUG")
    due.add_argument("--start", required=True, metavar="ISO", help="a time without offset is desk-local")
    amount = due.add_mutually_exclusive_group(required=True)
    amount.add_argument("--business-minutes", type=_non_negative, metavar="N")
    amount.add_argument("--business-days", type=_non_negative, metavar="N")
    amount.add_argument("--calendar-days", type=_non_negative, metavar="N")
    due.set_defaults(run="calendar:due")
    elapsed = cal.add_parser("elapsed", help="print business minutes in [start, end)")
    elapsed.add_argument("--desk", required=True, metavar="SLUG")
    elapsed.add_argument("--start", required=True, metavar="ISO")
    elapsed.add_argument("--end", required=True, metavar="ISO")
    elapsed.set_defaults(run="calendar:elapsed")
    cal.add_parser("batch", help="JSON lines on stdin -> JSON lines on stdout").set_defaults(run="calendar:batch")

    sla = sub.add_parser("sla", help="SLA clocks").add_subparsers(dest="sla_command", required=True)
    sweep = sla.add_parser(
        "sweep",
        help="run one SLA sweep and print what it did",
        description="Run one SLA sweep and print what it did. What fires (firings, events, mail) is written "
        "to the database; there is no dry run.",
    )
    sweep.add_argument(
        "--now",
        metavar="ISO",
        help="sweep as of this instant, with a UTC offset (default: the current time); a past instant catches "
        "up on missed sweeps, one more than 5 minutes ahead of the current time is refused (exit 1)",
    )
    sweep.set_defaults(run="sla:sweep")
    fill = sla.add_parser(
        "fill-used",
        help="store the time used by clocks stopped before it was kept (once, after upgrading)",
        description="Work out and store the business time each stopped clock used, for clocks stopped before "
        "sla_clock.used_us was kept. The monthly SLA report reads it; until then it works the times out itself.",
    )
    fill.add_argument("--batch", type=int, default=2000, metavar="N", help="clocks per transaction (default 2000)")
    fill.set_defaults(run="sla:fill_used")

    mail = sub.add_parser("mail", help="the e-mail channel").add_subparsers(dest="mail_command", required=True)
    parse = mail.add_parser("parse", help="parse one RFC 5322 message and print JSON (no database)")
    parse.add_argument("file", metavar="FILE|-")
    parse.set_defaults(run="mail:parse")
    ingest = mail.add_parser(
        "ingest",
        help="store one message for a desk (exit 75: not stored, try again later)",
        description="Store one message for a desk (an MTA pipe). Exits 75 (EX_TEMPFAIL) whenever the message was "
        "not stored, also when the data directory has no database yet, so that the MTA keeps it and retries.",
    )
    ingest.add_argument("--desk", required=True, metavar="SLUG")
    ingest.add_argument("file", metavar="FILE|-")
    ingest.set_defaults(run="mail:ingest")
    poll = mail.add_parser("poll", help="fetch new mail from the desk IMAP inboxes once (exit 75: a poll failed)")
    poll.add_argument("--desk", metavar="SLUG", help="only this desk (default: every desk with [imap])")
    poll.set_defaults(run="mail:poll")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    group, name = args.run.split(":")
    try:
        settings = Settings.from_env()
        command = getattr(importlib.import_module(f"ticketing.commands.{group}"), name)
        return int(command(args, settings))
    except (UsageError, ValidationFailed) as exc:  # the arguments (or the password on stdin) are wrong
        return fail(str(exc), EX_USAGE)
    except ConfigError as exc:
        return fail(f"configuration: {exc}", EX_USAGE)
    except DomainError as exc:  # not found, exists already ...: refused by the data
        return fail(str(exc))
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # one line, never a traceback
        if _temporary(exc):
            return fail(f"database unavailable, try again later: {type(exc).__name__}: {exc}", EX_TEMPFAIL)
        return fail(f"{type(exc).__name__}: {exc}")


if __name__ == "__main__":
    sys.exit(main())
