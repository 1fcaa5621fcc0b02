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

from ticketing.db.reports import instant, snapshot
from ticketing.db.sql import reading
from ticketing.domain.sla import Pause
from ticketing.domain.sla_report import ClockFact, Tally

DUE_IN = """
t.desk = (SELECT id FROM desk WHERE slug = :desk) AND (
    (c.due_at >= :start AND c.due_at < :end)
    OR (c.due_at IS NULL AND c.stopped_at >= :start AND c.stopped_at < :end))
"""

FACTS = f"""
SELECT c.ticket, c.kind, t.category, c.started_at, c.due_at, c.paused, c.stopped_at, c.breached_at,
       t.first_responded_at
FROM sla_clock c JOIN ticket t ON t.id = c.ticket
WHERE {DUE_IN}
"""  # noqa: S608

PAUSES = f"""
SELECT p.ticket, p.started_at, p.ended_at, p.reason
FROM clock_pause p
WHERE p.ticket IN (SELECT c.ticket FROM sla_clock c JOIN ticket t ON t.id = c.ticket WHERE {DUE_IN})
ORDER BY p.ticket, p.started_at, p.id
"""  # noqa: S608

# The outcome rules of domain/sla_report.py `outcome`, stated in SQL so the trend is counted by the
# database: breached (recorded, or running past due), met (stopped, never breached), the rest open.
BREACHED_SQL = "(c.breached_at IS NOT NULL OR (c.stopped_at IS NULL AND NOT c.paused AND c.due_at <= :now))"
MET_SQL = "(c.breached_at IS NULL AND c.stopped_at IS NOT NULL)"


def trend_sql(boundaries: int) -> str:
    """Counts per (month bucket, kind) over `boundaries - 1` consecutive months; :b0 .. :bN bound them."""
    instant = "COALESCE(c.due_at, c.stopped_at)"
    cases = " ".join(f"WHEN {instant} < :b{i} THEN {i - 1}" for i in range(1, boundaries))
    last = boundaries - 1
    return f"""
SELECT CASE {cases} END AS bucket, c.kind,
       SUM(CASE WHEN {BREACHED_SQL} THEN 1 ELSE 0 END) AS breached,
       SUM(CASE WHEN {MET_SQL} THEN 1 ELSE 0 END) AS met,
       COUNT(*) AS n
FROM sla_clock c JOIN ticket t ON t.id = c.ticket
WHERE t.desk = (SELECT id FROM desk WHERE slug = :desk) AND (
    (c.due_at >= :b0 AND c.due_at < :b{last})
    OR (c.due_at IS NULL AND c.stopped_at >= :b0 AND c.stopped_at < :b{last}))
GROUP BY 1, c.kind
"""  # noqa: S608


def _maybe(value: Any) -> datetime | None:
    return None if value is None else instant(value)


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
                due_at=_maybe(r["due_at"]),
                paused=bool(r["paused"]),
                stopped_at=_maybe(r["stopped_at"]),
                breached_at=_maybe(r["breached_at"]),
                first_responded_at=_maybe(r["first_responded_at"]),
            )
            for r in rows
        ]
        pauses: dict[int, list[Pause]] = defaultdict(list)
        for r in pause_rows:
            pauses[int(r["ticket"])].append(Pause(instant(r["started_at"]), _maybe(r["ended_at"]), str(r["reason"])))
        return facts, dict(pauses)

    async def trend(self, desk: str, boundaries: Sequence[datetime], now: datetime) -> list[dict[str, Tally]]:
        """Per month between consecutive boundaries: kind -> tally."""
        params: dict[str, Any] = {"desk": desk, "now": now}
        params.update({f"b{i}": at for i, at in enumerate(boundaries)})
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
