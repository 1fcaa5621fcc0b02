"""`ticketing calendar due|elapsed|batch`: business-time arithmetic; no database."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Iterator
from typing import Any

from ticketing.commands import UsageError, desks
from ticketing.domain.errors import CalendarRangeError, NoOpening
from ticketing.settings import Settings


def _calendars(settings: Settings, *slugs: str) -> Any:
    from ticketing.services.calendars import CalendarService

    return CalendarService(desks(settings, *slugs))


@contextlib.contextmanager
def _arguments() -> Iterator[None]:
    """A start or end the calendar cannot compute on is a bad argument (exit 2), like a malformed one."""
    try:
        yield
    except (CalendarRangeError, NoOpening) as exc:
        raise UsageError(str(exc)) from None


@_arguments()
def due(args: argparse.Namespace, settings: Settings) -> int:
    calendars = _calendars(settings, args.desk)
    start = calendars.parse_instant(args.desk, args.start, "--start")
    unit, amount = next(
        (u, v)
        for u, v in (
            ("business_minutes", args.business_minutes),
            ("business_days", args.business_days),
            ("calendar_days", args.calendar_days),
        )
        if v is not None
    )
    print(calendars.format(args.desk, calendars.due(args.desk, start, unit, amount)))
    return 0


@_arguments()
def elapsed(args: argparse.Namespace, settings: Settings) -> int:
    calendars = _calendars(settings, args.desk)
    start = calendars.parse_instant(args.desk, args.start, "--start")
    end = calendars.parse_instant(args.desk, args.end, "--end")
    print(calendars.elapsed(args.desk, start, end))
    return 0


def batch(args: argparse.Namespace, settings: Settings) -> int:
    """JSON lines in, one JSON line out per line; a bad line answers {"error": ...} and we go on."""
    calendars = _calendars(settings)
    for line in sys.stdin:
        print(json.dumps(calendars.batch_line(line), ensure_ascii=False), flush=False)
    sys.stdout.flush()
    return 0
