"""The manager's SLA dashboard, as rules: how time left or over is worded, which statutory clocks are
watched, which clocks count as the organisation's and the incident's, and the order of each list.

Pure: the caller passes `now`, the desk's calendar and the rows; the words come back as gettext
message ids with their values, so the page translates them (web/dashboard.py) and a test reads them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, tzinfo
from typing import TypeVar

from ticketing.domain.calendar import BusinessCalendar
from ticketing.domain.sla import ClockKind, Unit

# APPI Art. 39: a requester may go to court two weeks after the request arrived (calendar days, from
# the day after; docs/business-time.md). The dashboard watches the clocks due within the next three
# calendar days, and those already past: the desk's choice (issue 13), so that a weekend and a
# holiday before the deadline still leave a working day to answer.
STATUTORY_WATCH_DAYS = 3
STATUTORY_CITATION = "APPI Art. 39"

# The clocks set from outside the desk: the accredited organisation's inquiry (APPI Art. 53, its own
# due date) and an incident's duties (APPI Art. 26, 規則8-10条: reports to the PPC, notices).
OUTSIDE_CLOCKS: tuple[ClockKind, ...] = (
    ClockKind.ACCREDITED_ORG,
    ClockKind.PRELIMINARY_REPORT,
    ClockKind.FINAL_REPORT,
    ClockKind.INDIVIDUAL_NOTICE,
    ClockKind.CLIENT_NOTICE,
)
LIST_SIZE = 20  # the at-risk and breached lists: the next 20 deadlines each
WATCH_SIZE = 50  # the statutory watch and the outside clocks: more than this says "and more"
END_OF_DAY = time(23, 59, 59)  # a calendar-day clock is due at the end of its last day (domain/calendar.py)

_FRACTION = re.compile(r"^(\d+)%$")
_AFTER_BREACH = re.compile(r"^breach\+(\d+)bd$")


@dataclass(frozen=True, slots=True)
class Phrase:
    """Words to say: a gettext message id and its values (`msgid % values` once translated)."""

    msgid: str
    values: Mapping[str, int | str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Span:
    """Time left before a deadline, or over it: business minutes, or wall minutes for a calendar-day clock."""

    minutes: int  # never negative; `over` says which side of the deadline
    over: bool
    calendar_days: bool = False  # a calendar-day clock: beyond two days it reads in days and hours


@dataclass(frozen=True, slots=True)
class RunningClock:
    """A running clock of a listed ticket, as the dashboard needs it."""

    id: int
    kind: str
    unit: str
    due_at: datetime | None  # None while paused


@dataclass(frozen=True, slots=True)
class Rung:
    """A rung of the escalation ladder that fired (sla_firing)."""

    clock: int
    stage: str
    fired_at: datetime


def remaining(calendar: BusinessCalendar, due_at: datetime, now: datetime, *, calendar_days: bool) -> Span:
    """Time left until `due_at` or past it: the desk's open minutes (business clocks), or wall time
    (a calendar-day clock never pauses: APPI Art. 39, and the outside clocks)."""
    over = due_at <= now
    start, end = (due_at, now) if over else (now, due_at)
    if calendar_days:
        minutes = int((end - start).total_seconds() // 60)
    else:
        minutes = calendar.elapsed_minutes(start, end)
    return Span(minutes, over, calendar_days)


def span_phrase(span: Span) -> Phrase:
    """ "1 h 20 min", "3 h", "45 min"; a calendar-day clock past two days "4 d 3 h"."""
    hours, minutes = divmod(span.minutes, 60)
    if span.calendar_days and hours >= 48:
        days, hours = divmod(hours, 24)
        return Phrase("%(d)d d %(h)d h", {"d": days, "h": hours}) if hours else Phrase("%(d)d d", {"d": days})
    if not hours:
        return Phrase("%(m)d min", {"m": minutes})
    return Phrase("%(h)d h %(m)d min", {"h": hours, "m": minutes}) if minutes else Phrase("%(h)d h", {"h": hours})


def left_or_over(span: Span) -> Phrase:
    """The sentence around the span: "%(time)s left" or "%(time)s over" (as the ticket page says)."""
    return Phrase("%(time)s over" if span.over else "%(time)s left")


def rung_phrase(stage: str) -> Phrase:
    """A rung's key (domain/sla.py Stage: "50%", "100%", "breach+1bd") in words."""
    if match := _FRACTION.match(stage):
        share = int(match.group(1))
        return Phrase("breach notice") if share >= 100 else Phrase("warning at %(pct)d%%", {"pct": share})
    if match := _AFTER_BREACH.match(stage):
        return Phrase("escalated %(n)d business days after the breach", {"n": int(match.group(1))})
    return Phrase("%(stage)s", {"stage": stage})


def deadline_clock(clocks: Iterable[RunningClock], next_due_at: datetime | None) -> RunningClock | None:
    """The running clock whose deadline is the ticket's next one (domain/queues.py next_due)."""
    dated = sorted((c for c in clocks if c.due_at is not None), key=lambda c: (c.due_at, c.id))
    exact = [c for c in dated if c.due_at == next_due_at]
    chosen = exact or dated
    return chosen[0] if chosen else None


def last_rung(rungs: Iterable[Rung], running: Iterable[int]) -> str | None:
    """The rung that fired last on one of the ticket's running clocks (a stopped clock's warnings
    are history: the first response was sent)."""
    live = set(running)
    fired = sorted((r for r in rungs if r.clock in live), key=lambda r: (r.fired_at, r.clock))
    return fired[-1].stage if fired else None


def watch_horizon(now: datetime, zone: tzinfo, days: int = STATUTORY_WATCH_DAYS) -> datetime:
    """The end of the `days`-th calendar day after today in the desk's zone: a statutory clock due
    by then is on the watch (as are those already past)."""
    today = now.astimezone(zone).date()
    return datetime.combine(today + timedelta(days=days), END_OF_DAY, tzinfo=zone)


T = TypeVar("T")


def by_due(rows: Iterable[T], *, key: str = "due_at") -> list[T]:
    """Rows by their due instant, the earliest first, then by reference; undated ones (paused) last."""

    def order(row: T) -> tuple[int, float, str]:
        at: datetime | None = getattr(row, key)
        return (1 if at is None else 0, at.timestamp() if at else 0.0, str(getattr(row, "reference", "")))

    return sorted(rows, key=order)


def unit_is_calendar_days(unit: str) -> bool:
    return unit == Unit.CALENDAR_DAYS.value


def more(rows: Sequence[T], size: int) -> tuple[tuple[T, ...], bool]:
    """The first `size` rows and whether there were more (the adapter reads size + 1)."""
    return tuple(rows[:size]), len(rows) > size


__all__ = [
    "LIST_SIZE",
    "OUTSIDE_CLOCKS",
    "STATUTORY_CITATION",
    "STATUTORY_WATCH_DAYS",
    "WATCH_SIZE",
    "Phrase",
    "Rung",
    "RunningClock",
    "Span",
    "by_due",
    "deadline_clock",
    "last_rung",
    "left_or_over",
    "more",
    "remaining",
    "rung_phrase",
    "span_phrase",
    "unit_is_calendar_days",
    "watch_horizon",
]
