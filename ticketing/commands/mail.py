"""`ticketing mail parse|ingest|poll`."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from ticketing.commands import EX_TEMPFAIL, EX_USAGE, desks, fail, missing_state, run_with_container
from ticketing.domain.errors import ConfigError, ValidationFailed
from ticketing.settings import Settings


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


def parse(args: argparse.Namespace, settings: Settings) -> int:
    """Parse one message and print what the parser sees, as JSON; touches no database."""
    from ticketing.mail.parse import parse_message, parsed_json

    print(json.dumps(parsed_json(parse_message(_read_message(args.file))), ensure_ascii=False, indent=2))
    return 0


def ingest(args: argparse.Namespace, settings: Settings) -> int:
    """Store one message (an MTA pipe: exit 75 on any failure to store, so the MTA keeps it and retries).

    Builds only the intake half of the wiring (ticketing.intake_parts), not the whole Container.
    """
    raw = _read_message(args.file)
    found = desks(settings, args.desk)
    if problem := missing_state(settings):
        return fail(f"{problem}; the message was not stored: exit 75, the MTA keeps it and retries", EX_TEMPFAIL)

    async def run() -> int:
        from ticketing.intake_parts import IntakeParts
        from ticketing.services.mail_ports import MailSource

        parts = IntakeParts.build(settings, desks=found)
        await parts.start(migrate=False, pool_size=2)
        try:
            result = await parts.mail.ingest(args.desk, raw, MailSource("pipe"))
        finally:
            await parts.stop()
        print(json.dumps(result.as_json()))
        return 0

    try:
        return asyncio.run(run())
    except (ConfigError, ValidationFailed):
        raise
    except Exception as exc:  # for an MTA anything else is "try again later": mail is never bounced by our bug
        return fail(f"the message was not stored; try again later ({type(exc).__name__}: {exc})", EX_TEMPFAIL)


def poll(args: argparse.Namespace, settings: Settings) -> int:
    """One IMAP poll of each desk inbox (or one desk); prints a JSON report per desk; 75 if a poll failed."""
    found = desks(settings, *([args.desk] if args.desk else []))
    slugs = [args.desk] if args.desk else [s for s, d in found.items() if d.imap is not None]
    for slug in slugs:
        if found[slug].imap is None:
            return fail(f"--desk: desk {slug!r} has no [desks.{slug}.imap] settings", EX_USAGE)
    if not slugs:
        return fail(f"no desk in {settings.desks_file} has [imap] settings", EX_USAGE)

    async def work(container: Any) -> int:
        from ticketing.jobs.mail import poll_desk

        failed = False
        for slug in slugs:
            report = await poll_desk(container, slug)
            failed = failed or bool(report.error)
            print(json.dumps(report.as_json(), ensure_ascii=False), flush=True)
        return EX_TEMPFAIL if failed else 0

    return run_with_container(settings, work)
