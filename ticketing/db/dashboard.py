"""The dashboard's reads: one pooled connection, a handful of statements, each on an index.

- Open tickets by desk and state: the open tickets only (`next_due_at IS NOT NULL`, the queues'
  condition) of the desks shown, on ticket_queue_desk (desk, next_due_at, id); the at-risk and
  breached counts come from the same rows, so the page never counts the settled history.
- The at-risk and breached lists: the first rows of those queues, in their order, on their own
  indexes (db/queues.py: the partial index ticket_queue_warned, ticket_queue_due), then the running
  clocks and fired rungs of those few tickets by their `ticket` indexes.
- The statutory watch: `statutory_due_at` is set only while the statutory clock runs (db/sla.py
  due_columns), so `statutory_due_at <= horizon` is a short range of its index.
- The outside clocks (the accredited organisation's inquiry, an incident's duties) hang off the
  tickets that have a referral or an incident record: small tables, then sla_clock by ticket.
- Pending decisions, quarantined mail and failing outbox mail: their status indexes.

No statement reads a requester's name, address or words.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from ticketing.db.queues import WARNED
from ticketing.db.sql import Sql, reading
from ticketing.domain.dashboard import Rung, RunningClock
from ticketing.domain.sla import ClockKind, Unit
from ticketing.services.dashboard import ClockRow, DeadlineRow, NowData

STATUTORY_KIND, CALENDAR_DAYS = ClockKind.STATUTORY.value, Unit.CALENDAR_DAYS.value
DESK_IDS = "SELECT id, slug FROM desk WHERE slug = ANY(:desks::varchar[])"
OPEN = """
SELECT t.desk, t.state, count(*) AS n,
    sum(CASE WHEN t.risk >= 1 AND t.next_due_at > :now THEN 1 ELSE 0 END) AS at_risk,
    sum(CASE WHEN t.next_due_at <= :now THEN 1 ELSE 0 END) AS breached
FROM ticket t WHERE t.desk = ANY(:desks::int[]) AND t.next_due_at IS NOT NULL
GROUP BY t.desk, t.state
"""
LISTED = "SELECT t.id, t.reference, t.desk, t.category, t.next_due_at FROM ticket t WHERE t.desk = ANY(:desks::int[]) "
AT_RISK = LISTED + f"AND t.next_due_at IS NOT NULL AND t.{WARNED} AND t.next_due_at > :now "
AT_RISK += "ORDER BY t.next_due_at, t.id LIMIT :limit"
BREACHED = LISTED + "AND t.next_due_at <= :now ORDER BY t.next_due_at, t.id LIMIT :limit"
CLOCKS = """
SELECT c.id, c.ticket, c.kind, c.due_at, c.policy FROM sla_clock c
WHERE c.ticket = ANY(:tickets::int[]) AND c.stopped_at IS NULL
"""
RUNGS = "SELECT f.clock, f.ticket, f.stage, f.fired_at FROM sla_firing f WHERE f.ticket = ANY(:tickets::int[])"
STATUTORY = """
SELECT t.reference, t.desk, t.category, t.statutory_due_at AS due_at FROM ticket t
WHERE t.statutory_due_at <= :horizon AND t.desk = ANY(:desks::int[]) AND t.next_due_at IS NOT NULL
ORDER BY t.statutory_due_at, t.id LIMIT :limit
"""
OUTSIDE = """
SELECT t.reference, t.desk, t.category, c.kind, c.due_at, c.policy FROM sla_clock c JOIN ticket t ON t.id = c.ticket
WHERE c.ticket IN (SELECT r.ticket FROM referral r UNION SELECT i.ticket FROM incident i)
    AND c.kind = ANY(:kinds::varchar[]) AND c.stopped_at IS NULL
    AND t.desk = ANY(:desks::int[]) AND t.next_due_at IS NOT NULL
ORDER BY c.due_at IS NULL, c.due_at, c.id LIMIT :limit
"""
PENDING = """
SELECT count(*) AS n FROM decision d JOIN ticket t ON t.id = d.ticket
WHERE d.status = 'pending' AND t.desk = ANY(:desks::int[])
"""
QUARANTINED = """
SELECT count(*) AS n FROM inbound_mail m
WHERE m.action = 'quarantined' AND m.review = '' AND m.desk = ANY(:desks::int[])
"""
# Failing: given up after the last retry, or waiting for another try after an error.
OUTBOX = """
SELECT count(*) AS n, min(o.created_at) AS oldest FROM outbox o
WHERE o.desk = ANY(:desks::int[])
    AND (o.status = 'failed' OR (o.status IN ('pending', 'sending') AND o.attempts > 0))
"""


def _instant(value: datetime | str | None) -> datetime | None:
    """SQLite's min() of a timestamp column is its text, PostgreSQL's a datetime."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _unit(policy: Any) -> str:
    data = policy if isinstance(policy, Mapping) else json.loads(policy or "{}")
    return str(data.get("target", {}).get("unit", ""))


class PiccoloDashboardStore:
    def __init__(self) -> None:
        self._ids: dict[str, int] = {}

    async def _desk_ids(self, sql: Sql, desks: Sequence[str]) -> dict[int, str]:
        missing = [d for d in desks if d not in self._ids]
        if missing:
            for row in await sql.fetch(DESK_IDS, {"desks": missing}):
                self._ids[row["slug"]] = int(row["id"])
        return {self._ids[d]: d for d in desks if d in self._ids}

    async def _deadlines(
        self, sql: Sql, statement: str, params: dict[str, Any], slugs: Mapping[int, str]
    ) -> list[DeadlineRow]:
        rows = await sql.fetch(statement, params)
        ids = [int(r["id"]) for r in rows]
        clocks: dict[int, list[RunningClock]] = {}
        rungs: dict[int, list[Rung]] = {}
        if ids:
            for c in await sql.fetch(CLOCKS, {"tickets": ids}):
                clock = RunningClock(int(c["id"]), c["kind"], _unit(c["policy"]), _instant(c["due_at"]))
                clocks.setdefault(int(c["ticket"]), []).append(clock)
            for f in await sql.fetch(RUNGS, {"tickets": ids}):
                rung = Rung(int(f["clock"]), f["stage"], _instant(f["fired_at"]) or datetime.min)
                rungs.setdefault(int(f["ticket"]), []).append(rung)
        return [
            DeadlineRow(
                id=int(r["id"]),
                reference=r["reference"],
                desk=slugs[int(r["desk"])],
                category=r["category"],
                next_due_at=_instant(r["next_due_at"]),
                clocks=tuple(clocks.get(int(r["id"]), ())),
                rungs=tuple(rungs.get(int(r["id"]), ())),
            )
            for r in rows
        ]

    async def now(
        self, desks: Sequence[str], now: datetime, horizon: datetime, kinds: Sequence[str], list_size: int, watch: int
    ) -> NowData:
        async with reading() as sql:
            slugs = await self._desk_ids(sql, desks)
            ids = {"desks": list(slugs)}
            open_rows = await sql.fetch(OPEN, {**ids, "now": now})
            listed = {**ids, "now": now, "limit": list_size + 1}
            at_risk = await self._deadlines(sql, AT_RISK, listed, slugs)
            breached = await self._deadlines(sql, BREACHED, listed, slugs)
            statutory = await sql.fetch(STATUTORY, {**ids, "horizon": horizon, "limit": watch + 1})
            outside = await sql.fetch(OUTSIDE, {**ids, "kinds": list(kinds), "limit": watch + 1})
            pending = await sql.fetchrow(PENDING, ids)
            quarantined = await sql.fetchrow(QUARANTINED, ids)
            outbox = await sql.fetchrow(OUTBOX, ids)
        at_risk_counts: dict[str, int] = {}
        breached_counts: dict[str, int] = {}
        for r in open_rows:
            desk = slugs[int(r["desk"])]
            at_risk_counts[desk] = at_risk_counts.get(desk, 0) + int(r["at_risk"] or 0)
            breached_counts[desk] = breached_counts.get(desk, 0) + int(r["breached"] or 0)
        return NowData(
            open_counts={(slugs[int(r["desk"])], r["state"]): int(r["n"]) for r in open_rows},
            at_risk_counts=at_risk_counts,
            breached_counts=breached_counts,
            at_risk=at_risk,
            breached=breached,
            statutory=[
                ClockRow(
                    r["reference"],
                    slugs[int(r["desk"])],
                    r["category"],
                    STATUTORY_KIND,
                    CALENDAR_DAYS,
                    _instant(r["due_at"]),
                )
                for r in statutory
            ],
            outside=[
                ClockRow(
                    r["reference"],
                    slugs[int(r["desk"])],
                    r["category"],
                    r["kind"],
                    _unit(r["policy"]),
                    _instant(r["due_at"]),
                )
                for r in outside
            ],
            pending_approvals=int(pending["n"]) if pending else 0,
            quarantined=int(quarantined["n"]) if quarantined else 0,
            outbox_failing=int(outbox["n"]) if outbox else 0,
            outbox_oldest=_instant(outbox["oldest"]) if outbox else None,
        )


__all__ = ["PiccoloDashboardStore"]
