"""The monthly SLA report of a desk: how many clocks due in a month were met, breached or are still
open, how long answers took in business hours, and why the breaches happened.

Which clocks: a desk's clocks *due* in the calendar month in the desk's own time zone, [the 1st
00:00, the next 1st 00:00) local (DESIGN.md §3, the report API). A clock's due instant is where its
budget runs out after the pauses so far (domain/clocks.py). A clock stopped while it was paused (a
ticket closed while waiting on the requester) has no due instant; it counts in the month it stopped,
as met, since its budget never ran out. A paused clock that still runs later has no month yet.

Outcome of a clock, as of the moment the report is made (`generated_at`):
- breached: the clock ran past its due instant (`breached_at`, set by the sweep or at the stop), or
  it is still running and its due instant has passed (the sweep has not come round yet);
- met: stopped, never breached;
- open: neither yet (running or paused, due later in the month).
Compliance is met / (met + breached), 0..1; none when nothing was decided yet (open clocks do not
count either way: they may still be met).

Time figures: the business time each stopped first-response and resolution clock used (its pauses
taken out: the desk does not answer for the requester's silence), as median and 90th percentile by
nearest rank (domain/reports.py `nearest_rank`), in business minutes and in business hours rounded
half up to two decimals. Both clocks are always in business units (domain/sla.py ALLOWED_UNITS).

Breach causes: each breached clock gets exactly one, checked in this order:
1. `reopened`: the ticket was settled and reopened before the breach (a "settled, then reopened"
   pause, domain/ticket.py `move_clocks`): the first answer did not settle it;
2. `waiting_on_us`: the requester had answered a question (a waiting-on-requester pause ended)
   before the breach, and the desk then let the clock run out;
3. `never_answered`: no human reply reached the requester at all so far;
4. `answered_late`: otherwise: the desk answered, but after the due instant.

The report holds no personal data: counts and durations only.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from ticketing.domain.calendar import BusinessCalendar
from ticketing.domain.errors import ValidationFailed
from ticketing.domain.reports import FIRST_YEAR, METHOD, nearest_rank
from ticketing.domain.sla import ClockKind, Pause, used_us
from ticketing.domain.ticket import REOPENED_PAUSE
from ticketing.domain.tickets import Category

ALL = "all"  # the key of a kind's figures over every category
TIMED_KINDS = (ClockKind.FIRST_RESPONSE, ClockKind.RESOLUTION)  # always business units (ALLOWED_UNITS)
MINUTE_US = 60_000_000
TREND_MONTHS = 12
MONTH_RE = re.compile(r"(\d{4})-(\d{2})", re.ASCII)  # ASCII digits only: int() would read ２０２６


class Outcome(StrEnum):
    MET = "met"
    BREACHED = "breached"
    OPEN = "open"


class Cause(StrEnum):
    REOPENED = "reopened"
    WAITING_ON_US = "waiting_on_us"
    NEVER_ANSWERED = "never_answered"
    ANSWERED_LATE = "answered_late"


# --- the month ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """`YYYY-MM`; anything else is a ValidationFailed naming `month`."""
        match = MONTH_RE.fullmatch(text)
        if match is None:
            raise ValidationFailed({"month": "must be YYYY-MM, e.g. 2026-11"})
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise ValidationFailed({"month": "must be YYYY-MM with a month from 01 to 12"})
        return cls(year, month)

    @classmethod
    def of(cls, at: datetime, timezone: str) -> Month:
        local = at.astimezone(ZoneInfo(timezone))
        return cls(local.year, local.month)

    def shift(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    def start(self, timezone: str) -> datetime:
        """00:00 of the 1st in the zone, as a UTC instant."""
        return datetime(self.year, self.month, 1, tzinfo=ZoneInfo(timezone)).astimezone(UTC)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def month_period(month: Month, timezone: str, now: datetime) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the month in the desk's zone; a month not yet begun, or before the APPI
    records began (domain/reports.py FIRST_YEAR), is refused."""
    current = Month.of(now, timezone)
    if not Month(FIRST_YEAR, 1) <= month <= current:
        raise ValidationFailed({"month": f"must be a month from {FIRST_YEAR}-01 to {current}"})
    return month.start(timezone), month.shift(1).start(timezone)


def trend_months(last: Month, count: int = TREND_MONTHS) -> tuple[Month, ...]:
    """The `count` months ending with `last`, oldest first."""
    return tuple(last.shift(i - count + 1) for i in range(count))


# --- one clock ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClockFact:
    """One clock due in the period, with what of its ticket the report needs (no personal data)."""

    ticket: int
    kind: str
    category: str
    started_at: datetime
    due_at: datetime | None
    paused: bool
    stopped_at: datetime | None
    breached_at: datetime | None
    first_responded_at: datetime | None  # the ticket's first human reply
    reference: str = ""  # the ticket's, for the list behind a figure
    used_us: int | None = None  # kept when it stopped (domain/clocks.py stop); None: work it out


def outcome(fact: ClockFact, now: datetime) -> Outcome:
    if fact.breached_at is not None:
        return Outcome.BREACHED
    if fact.stopped_at is not None:
        return Outcome.MET
    if not fact.paused and fact.due_at is not None and fact.due_at <= now:
        return Outcome.BREACHED  # running past due; the sweep records it on its next round
    return Outcome.OPEN


def breach_instant(fact: ClockFact) -> datetime | None:
    return fact.breached_at or fact.due_at


def cause(fact: ClockFact, pauses: Sequence[Pause]) -> Cause:
    """Why a breached clock breached (the module docstring gives the order)."""
    at = breach_instant(fact)
    before = [p for p in pauses if at is None or p.start < at]
    if any(p.reason == REOPENED_PAUSE for p in before):
        return Cause.REOPENED
    if any(p.end is not None and (at is None or p.end <= at) and p.reason != REOPENED_PAUSE for p in before):
        return Cause.WAITING_ON_US
    if fact.first_responded_at is None:
        return Cause.NEVER_ANSWERED
    return Cause.ANSWERED_LATE


def used_minutes(calendar: BusinessCalendar, fact: ClockFact, pauses: Sequence[Pause]) -> int | None:
    """Whole business minutes a stopped first-response or resolution clock used; None otherwise."""
    if fact.stopped_at is None or fact.kind not in TIMED_KINDS:
        return None
    if fact.used_us is not None:
        return fact.used_us // MINUTE_US
    return used_us(calendar, fact.started_at, fact.stopped_at, pauses) // MINUTE_US


# --- the figures ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tally:
    met: int = 0
    breached: int = 0
    open: int = 0

    @property
    def compliance(self) -> float | None:
        """met / (met + breached), rounded to four decimals; None when nothing was decided."""
        decided = self.met + self.breached
        if decided == 0:
            return None
        return float((Decimal(self.met) / Decimal(decided)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))

    def plus(self, other: Tally) -> Tally:
        return Tally(self.met + other.met, self.breached + other.breached, self.open + other.open)


def tally(outcomes: Counter[Outcome]) -> Tally:
    return Tally(outcomes[Outcome.MET], outcomes[Outcome.BREACHED], outcomes[Outcome.OPEN])


@dataclass(frozen=True, slots=True)
class KindFigures:
    total: Tally
    by_category: dict[str, Tally]  # every category, zeros included


@dataclass(frozen=True, slots=True)
class Times:
    count: int  # stopped clocks measured
    median_business_minutes: int | None
    p90_business_minutes: int | None

    @property
    def median_business_hours(self) -> float | None:
        return hours(self.median_business_minutes)

    @property
    def p90_business_hours(self) -> float | None:
        return hours(self.p90_business_minutes)


def hours(minutes: int | None) -> float | None:
    if minutes is None:
        return None
    return float((Decimal(minutes) / Decimal(60)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def times(minutes: Sequence[int]) -> Times:
    return Times(len(minutes), nearest_rank(minutes, 50), nearest_rank(minutes, 90))


def rank_of(counts: Mapping[int, int], percent: int) -> int | None:
    """The nearest-rank percentile (domain/reports.py nearest_rank) of values given with how often
    each occurred: the value at rank ceil(percent/100 * N) in order."""
    total = sum(counts.values())
    if total == 0:
        return None
    rank, seen = max(-(-percent * total // 100), 1), 0
    for value in sorted(counts):
        seen += counts[value]
        if seen >= rank:
            return value
    raise AssertionError("unreachable: the ranks add up to the total")


def times_of_minutes(rows: Iterable[tuple[str, str, int, int]]) -> dict[str, dict[str, Times]]:
    """(kind, category, whole business minutes used, how many clocks used that many) of stopped timed
    clocks -> kind -> category (and ALL) -> the count, median and 90th percentile."""
    groups: dict[str, dict[str, Counter[int]]] = {k.value: {} for k in TIMED_KINDS}
    for kind, category, minutes, count in rows:
        per_kind = groups.setdefault(kind, {})
        per_kind.setdefault(category, Counter())[minutes] += count
        per_kind.setdefault(ALL, Counter())[minutes] += count
    return {
        kind: {
            category: Times(sum(counts.values()), rank_of(counts, 50), rank_of(counts, 90))
            for category, counts in per_kind.items()
        }
        for kind, per_kind in groups.items()
    }


@dataclass(frozen=True, slots=True)
class MonthReport:
    desk: str
    desk_name: str
    month: Month
    timezone: str
    period_start: datetime
    period_end: datetime
    generated_at: datetime
    by_kind: dict[str, KindFigures]  # the timed kinds and statutory always; other kinds that occur
    times: dict[str, dict[str, Times]]  # timed kind -> category (and ALL) -> figures
    breach_causes: dict[str, dict[str, int]]  # kind -> cause -> count (every cause, zeros included)
    method: str = METHOD


def kind_figures(counts: Mapping[tuple[str, str], Counter[Outcome]], kinds: Iterable[str]) -> dict[str, KindFigures]:
    """(kind, category) -> outcomes, as figures per kind with every category listed."""
    figures = {}
    for kind in kinds:
        by_category = {c.value: tally(counts.get((kind, c.value), Counter())) for c in Category}
        for (k, category), outcomes in counts.items():  # a category this build no longer knows
            if k == kind and category not in by_category:
                by_category[category] = tally(outcomes)
        total = Tally()
        for t in by_category.values():
            total = total.plus(t)
        figures[kind] = KindFigures(total, by_category)
    return figures


def _kinds(present: Iterable[str]) -> list[str]:
    """The timed kinds and statutory first, then the other kinds that occur, in ClockKind order."""
    order = [k.value for k in ClockKind]
    always = [ClockKind.FIRST_RESPONSE.value, ClockKind.RESOLUTION.value, ClockKind.STATUTORY.value]
    extra = sorted(set(present) - set(always), key=lambda k: order.index(k) if k in order else len(order))
    return always + extra


@dataclass(frozen=True, slots=True)
class OutcomeCount:
    """How many clocks of a kind and category came to an outcome (and, breached, for which cause)."""

    kind: str
    category: str
    outcome: Outcome
    cause: Cause | None
    count: int


def times_by_category(per_category: Mapping[str, Times], everything: Times) -> dict[str, Times]:
    """Every category (none measured: zero), then ALL."""
    row = {c.value: per_category.get(c.value, times([])) for c in Category}
    row.update({k: v for k, v in per_category.items() if k not in row and k != ALL})
    row[ALL] = everything
    return row


def month_report(
    *,
    desk: str,
    desk_name: str,
    timezone: str,
    month: Month,
    period: tuple[datetime, datetime],
    now: datetime,
    counts: Sequence[OutcomeCount],
    timed: Mapping[str, Mapping[str, Times]],
) -> MonthReport:
    """The report of one desk and month from its grouped outcomes and the time figures of its timed
    kinds (worked out by the database, or clock by clock: domain/sla_month_facts.py)."""
    outcomes: dict[tuple[str, str], Counter[Outcome]] = {}
    causes: dict[str, Counter[Cause]] = {}
    for row in counts:
        outcomes.setdefault((row.kind, row.category), Counter())[row.outcome] += row.count
        if row.cause is not None:
            causes.setdefault(row.kind, Counter())[row.cause] += row.count
    kinds = _kinds(kind for kind, _ in outcomes)
    empty = times([])
    return MonthReport(
        desk=desk,
        desk_name=desk_name,
        month=month,
        timezone=timezone,
        period_start=period[0],
        period_end=period[1],
        generated_at=now,
        by_kind=kind_figures(outcomes, kinds),
        times={
            k.value: times_by_category(timed.get(k.value, {}), timed.get(k.value, {}).get(ALL, empty))
            for k in TIMED_KINDS
        },
        breach_causes={kind: {c.value: causes.get(kind, Counter())[c] for c in Cause} for kind in kinds},
    )


__all__ = [
    "ALL",
    "TIMED_KINDS",
    "TREND_MONTHS",
    "Cause",
    "ClockFact",
    "KindFigures",
    "Month",
    "MonthReport",
    "Outcome",
    "OutcomeCount",
    "Tally",
    "Times",
    "breach_instant",
    "cause",
    "hours",
    "kind_figures",
    "month_period",
    "month_report",
    "outcome",
    "rank_of",
    "tally",
    "times",
    "times_by_category",
    "times_of_minutes",
    "trend_months",
    "used_minutes",
]  # fmt: skip
