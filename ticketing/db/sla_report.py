"""Reads for the monthly SLA report (domain/sla_report.py): a desk's clocks due in a period with what
of their tickets the report needs, the tickets' pauses, and the outcomes per month for the trend.

One SQL text for both engines (db/sql.py). "Due in the period" is a range on `sla_clock.due_at`, or,
for a clock stopped while paused (no due instant), on `stopped_at`: both ranges are indexed
(migration 2026-12-06T07:30). No personal data is selected.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ticketing.db.reports import snapshot
from ticketing.db.sla import clock_from_row, pauses_of
from ticketing.db.sql import Dialect, connection, instant, maybe_instant, reading
from ticketing.domain.clocks import ClockState
from ticketing.domain.sla import Pause
from ticketing.domain.sla_report import Cause, ClockFact, Outcome, OutcomeCount, Tally
from ticketing.domain.ticket import REOPENED_PAUSE

COLUMNS = "c.ticket, c.kind, c.category, c.due_at, c.paused, c.stopped_at, c.breached_at, c.used_us"


def month_clocks(columns: str = COLUMNS) -> str:
    """The desk's clocks due in [:start, :end) (or stopped then, when paused with no due instant), as
    `c`: two ranges of the report's indexes, which hold COLUMNS (migration 2026-12-06T08:20:00:500000),
    not one OR the planner would scan the table for. Category is the clock's own (its policy's)."""
    return f"""(SELECT {columns} FROM sla_clock c
    WHERE c.desk = :desk AND c.due_at >= :start AND c.due_at < :end
    UNION ALL
    SELECT {columns} FROM sla_clock c
    WHERE c.desk = :desk AND c.due_at IS NULL AND c.stopped_at >= :start AND c.stopped_at < :end
) AS c"""  # noqa: S608 (column names from this module)


FACTS = f"""
SELECT c.ticket, c.kind, c.category, c.started_at, c.due_at, c.paused, c.stopped_at, c.breached_at,
       t.first_responded_at, t.reference, c.used_us
FROM {month_clocks(COLUMNS + ", c.started_at")} JOIN ticket t ON t.id = c.ticket
"""  # noqa: S608

PAUSES = f"""
SELECT p.ticket, p.started_at, p.ended_at, p.reason
FROM clock_pause p
WHERE p.ticket IN (SELECT c.ticket FROM {month_clocks()})
ORDER BY p.ticket, p.started_at, p.id
"""  # noqa: S608

# The outcome rules of domain/sla_report.py `outcome`, stated in SQL so the trend is counted by the
# database: breached (recorded, or running past due), met (stopped, never breached), the rest open.
BREACHED_SQL = "(c.breached_at IS NOT NULL OR (c.stopped_at IS NULL AND NOT c.paused AND c.due_at <= :now))"
MET_SQL = "(c.breached_at IS NULL AND c.stopped_at IS NOT NULL)"


# The cause of a breach (domain/sla_report.py `cause`), in its order: a "settled, then reopened" pause
# begun before the breach; another pause ended by then (the requester had answered); no human reply
# yet; answered late.
BREACH_AT = "COALESCE(c.breached_at, c.due_at)"
CAUSE_SQL = f"""CASE
    WHEN NOT {BREACHED_SQL} THEN NULL
    WHEN EXISTS (SELECT 1 FROM clock_pause p WHERE p.ticket = c.ticket AND p.reason = :reopened
                 AND p.started_at < {BREACH_AT}) THEN 'reopened'
    WHEN EXISTS (SELECT 1 FROM clock_pause p WHERE p.ticket = c.ticket AND p.reason <> :reopened
                 AND p.started_at < {BREACH_AT} AND p.ended_at IS NOT NULL AND p.ended_at <= {BREACH_AT})
         THEN 'waiting_on_us'
    WHEN (SELECT t.first_responded_at FROM ticket t WHERE t.id = c.ticket) IS NULL THEN 'never_answered'
    ELSE 'answered_late' END"""  # noqa: S608 (constants only)

# The month's outcomes grouped by kind, category, outcome and cause, and how many stopped first-response
# and resolution clocks stored no use (then the times are worked out clock by clock), in one reading.
TIMED = "c.stopped_at IS NOT NULL AND c.kind IN ('first_response', 'resolution')"
MONTH_FIGURES = f"""
SELECT c.kind, c.category,
       CASE WHEN {BREACHED_SQL} THEN 'breached' WHEN {MET_SQL} THEN 'met' ELSE 'open' END AS outcome,
       {CAUSE_SQL} AS cause, COUNT(*) AS n,
       SUM(CASE WHEN {TIMED} AND c.used_us IS NULL THEN 1 ELSE 0 END) AS missing
FROM {month_clocks()}
GROUP BY 1, 2, 3, 4
"""  # noqa: S608

# How many stopped first-response and resolution clocks used each whole number of business minutes, for
# their median and 90th percentile (domain/sla_report.py times_of_minutes): a few thousand rows for a
# hundred thousand clocks, and no sort partitioned by text in the database.
USES = f"""
SELECT c.kind, c.category, c.used_us / 60000000 AS minutes, COUNT(*) AS n
FROM {month_clocks()} WHERE {TIMED} AND c.used_us IS NOT NULL
GROUP BY 1, 2, 3
"""  # noqa: S608


UNUSED = """
SELECT c.* FROM sla_clock c
WHERE c.stopped_at IS NOT NULL AND c.used_us IS NULL AND c.id > :after
ORDER BY c.id LIMIT :limit
"""


def trend_sql(boundaries: int) -> str:
    """Counts per (month bucket, kind) over `boundaries - 1` consecutive months: :b0 .. :bN bound them,
    and :start and :end are the first and the last."""
    instant = "COALESCE(c.due_at, c.stopped_at)"
    cases = " ".join(f"WHEN {instant} < :b{i} THEN {i - 1}" for i in range(1, boundaries))
    return f"""
SELECT CASE {cases} END AS bucket, c.kind,
       SUM(CASE WHEN {BREACHED_SQL} THEN 1 ELSE 0 END) AS breached,
       SUM(CASE WHEN {MET_SQL} THEN 1 ELSE 0 END) AS met,
       COUNT(*) AS n
FROM {month_clocks()}
GROUP BY 1, c.kind
"""  # noqa: S608


class PiccoloSlaReportStore:
    async def month_facts(
        self, desk: str, start: datetime, end: datetime
    ) -> tuple[list[ClockFact], dict[int, list[Pause]]]:
        params = {"desk": desk, "start": start, "end": end}
        async with snapshot() as sql:
            rows = await sql.fetch(FACTS, params)
            pause_rows = await sql.fetch(PAUSES, params)
        facts = [
            ClockFact(
                ticket=int(r["ticket"]),
                kind=str(r["kind"]),
                category=str(r["category"]),
                started_at=instant(r["started_at"]),
                due_at=maybe_instant(r["due_at"]),
                paused=bool(r["paused"]),
                stopped_at=maybe_instant(r["stopped_at"]),
                breached_at=maybe_instant(r["breached_at"]),
                first_responded_at=maybe_instant(r["first_responded_at"]),
                reference=str(r["reference"]),
                used_us=None if r["used_us"] is None else int(r["used_us"]),
            )
            for r in rows
        ]
        pauses: dict[int, list[Pause]] = defaultdict(list)
        for r in pause_rows:
            pauses[int(r["ticket"])].append(
                Pause(instant(r["started_at"]), maybe_instant(r["ended_at"]), str(r["reason"]))
            )
        return facts, dict(pauses)

    async def month_figures(
        self, desk: str, start: datetime, end: datetime, now: datetime
    ) -> tuple[list[OutcomeCount], list[tuple[str, str, int, int]], int]:
        """The month's outcomes grouped by the database; its stopped timed clocks by the whole business
        minutes they used (kind, category, minutes, how many); how many of those stored no use."""
        params = {"desk": desk, "start": start, "end": end}
        async with snapshot() as sql:
            if sql.dialect is Dialect.POSTGRES:
                # A plan costed high for its per-row subqueries would be compiled first: 0.5 s for nothing.
                await sql.execute("SET LOCAL jit = off")
            rows = await sql.fetch(MONTH_FIGURES, {**params, "now": now, "reopened": REOPENED_PAUSE})
            uses = await sql.fetch(USES, params)
        counts = [
            OutcomeCount(
                str(r["kind"]),
                str(r["category"]),
                Outcome(r["outcome"]),
                None if r["cause"] is None else Cause(r["cause"]),
                int(r["n"]),
            )
            for r in rows
        ]
        missing = sum(int(r["missing"] or 0) for r in rows)
        minutes = [(str(u["kind"]), str(u["category"]), int(u["minutes"]), int(u["n"])) for u in uses]
        return counts, minutes, missing

    async def stopped_without_use(self, after: int, limit: int) -> list[tuple[str, ClockState, list[Pause]]]:
        """Stopped clocks with no stored use (id > after, in id order): desk, clock, its ticket's pauses."""
        async with reading() as sql:
            rows = await sql.fetch(UNUSED, {"after": after, "limit": limit})
            pauses = await pauses_of(sorted({int(r["ticket"]) for r in rows}))
        return [(str(r["desk"]), clock_from_row(r), pauses.get(int(r["ticket"]), [])) for r in rows]

    async def store_use(self, used: Sequence[tuple[int, int]]) -> None:
        """(clock id, used microseconds) pairs; a clock that got one meanwhile keeps it."""
        async with connection() as sql:
            await sql.executemany(
                "UPDATE sla_clock SET used_us = :used WHERE id = :id AND used_us IS NULL",
                [{"id": clock_id, "used": value} for clock_id, value in used],
            )

    async def trend(self, desk: str, boundaries: Sequence[datetime], now: datetime) -> list[dict[str, Tally]]:
        """Per month between consecutive boundaries: kind -> tally."""
        params: dict[str, Any] = {"desk": desk, "now": now}
        params.update({f"b{i}": at for i, at in enumerate(boundaries)})
        params.update(start=boundaries[0], end=boundaries[-1])
        async with reading() as sql:
            rows = await sql.fetch(trend_sql(len(boundaries)), params)
        months: list[dict[str, Tally]] = [{} for _ in range(len(boundaries) - 1)]
        for r in rows:
            if r["bucket"] is None:
                continue
            met, breached, n = int(r["met"]), int(r["breached"]), int(r["n"])
            months[int(r["bucket"])][str(r["kind"])] = Tally(met, breached, n - met - breached)
        return months


__all__ = ["PiccoloSlaReportStore", "trend_sql"]
