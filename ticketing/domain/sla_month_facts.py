"""The monthly SLA report worked out clock by clock in Python: the list of clocks behind a figure,
and the report's figures where the database cannot give them (clocks stopped before `used_us` was
kept, until `ticketing sla fill-used` has run). The rules of one clock are domain/sla_report.py's;
the database's grouped reads (db/sla_report.py) state the same rules in SQL, and the tests check
that both give the same figures.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from ticketing.domain.calendar import BusinessCalendar
from ticketing.domain.sla import Pause
from ticketing.domain.sla_report import (
    Cause,
    ClockFact,
    Outcome,
    OutcomeCount,
    Times,
    cause,
    outcome,
    times_of_minutes,
    used_minutes,
)


@dataclass(frozen=True, slots=True)
class ClockRow:
    """One clock behind a figure of the report (the list a number links to)."""

    reference: str
    kind: str
    category: str
    due_at: datetime | None
    stopped_at: datetime | None
    outcome: Outcome
    cause: Cause | None
    used_minutes: int | None


def clock_rows(
    facts: Sequence[ClockFact],
    pauses: Mapping[int, Sequence[Pause]],
    calendar: BusinessCalendar,
    now: datetime,
    *,
    kind: str | None = None,
    category: str | None = None,
    result: Outcome | None = None,
    why: Cause | None = None,
) -> list[ClockRow]:
    """The month's clocks narrowed as a figure is (kind, category, outcome, cause), earliest due first."""
    rows = []
    for fact in facts:
        if (kind and fact.kind != kind) or (category and fact.category != category):
            continue
        found = outcome(fact, now)
        ticket_pauses = pauses.get(fact.ticket, ())
        reason = cause(fact, ticket_pauses) if found is Outcome.BREACHED else None
        if (result and found is not result) or (why and reason is not why):
            continue
        used = used_minutes(calendar, fact, ticket_pauses)
        rows.append(
            ClockRow(fact.reference, fact.kind, fact.category, fact.due_at, fact.stopped_at, found, reason, used)
        )
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(rows, key=lambda r: (r.due_at or r.stopped_at or far, r.reference, r.kind))


def counts_of(facts: Sequence[ClockFact], pauses: Mapping[int, Sequence[Pause]], now: datetime) -> list[OutcomeCount]:
    """The facts grouped as the database groups them (db/sla_report.py OUTCOMES)."""
    grouped: Counter[tuple[str, str, Outcome, Cause | None]] = Counter()
    for fact in facts:
        result = outcome(fact, now)
        reason = cause(fact, pauses.get(fact.ticket, ())) if result is Outcome.BREACHED else None
        grouped[(fact.kind, fact.category, result, reason)] += 1
    return [OutcomeCount(k, c, o, r, n) for (k, c, o, r), n in grouped.items()]


def times_of(
    facts: Sequence[ClockFact], pauses: Mapping[int, Sequence[Pause]], calendar: BusinessCalendar
) -> dict[str, dict[str, Times]]:
    """Median and 90th percentile of the business minutes each stopped timed clock used, per category
    and over ALL; a clock's stored `used_us` is used when it has one."""
    rows = []
    for fact in facts:
        used = used_minutes(calendar, fact, pauses.get(fact.ticket, ()))
        if used is not None:
            rows.append((fact.kind, fact.category, used, 1))
    return times_of_minutes(rows)


__all__ = ["ClockRow", "clock_rows", "counts_of", "times_of"]
