"""The export's reads: a queue's tickets in keyset chunks, and how many there are.

The conditions are the workspace's own (`db/queues.py`, `queue_where`), so an export lists exactly
the tickets of the queue page it came from, in the same order, and each chunk is the same indexed
range scan as a page: it continues after the last row's (next_due_at, id), or (closed_at, id)
backwards for the closed queue, so the millionth row costs what the first does. One SQL text for
both engines (db/sql.py). No column of the requester is read: the register has none (services/export.py).
"""

# ruff: noqa: S608  (SQL is put together from fixed fragments; every value is a bound parameter)
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from ticketing.db.queues import queue_where
from ticketing.db.sql import Sql, reading
from ticketing.domain.queues import RULES, Cursor, Queue, QueueFilter, Risk
from ticketing.services.export import ExportRow

COLUMNS = """
SELECT t.id, t.reference, d.slug AS desk, t.category, t.channel, t.state, t.received_at, t.first_responded_at,
    t.closed_at, t.first_response_due_at, t.resolution_due_at, t.statutory_due_at, t.risk, t.next_due_at,
    u.email AS assignee_email
FROM ticket t JOIN desk d ON d.id = t.desk LEFT JOIN staff_user u ON u.id = t.assignee
"""
DESK_IDS = "SELECT id, slug FROM desk WHERE slug = ANY(:desks::varchar[])"


def _row(row: Mapping[str, Any]) -> ExportRow:
    return ExportRow(
        id=int(row["id"]),
        reference=row["reference"],
        desk=row["desk"],
        category=row["category"],
        channel=row["channel"],
        state=row["state"],
        received_at=row["received_at"],
        first_responded_at=row["first_responded_at"],
        closed_at=row["closed_at"],
        first_response_due_at=row["first_response_due_at"],
        resolution_due_at=row["resolution_due_at"],
        statutory_due_at=row["statutory_due_at"],
        risk=Risk(int(row["risk"] or 0)),
        assignee_email=row["assignee_email"],
        next_due_at=row["next_due_at"],
    )


class PiccoloExportStore:
    def __init__(self) -> None:
        self._desk_ids: dict[str, int] = {}

    async def _ids(self, sql: Sql, desks: Sequence[str]) -> list[int]:
        missing = [d for d in desks if d not in self._desk_ids]
        if missing:
            for row in await sql.fetch(DESK_IDS, {"desks": missing}):
                self._desk_ids[row["slug"]] = int(row["id"])
        return [self._desk_ids[d] for d in desks if d in self._desk_ids]

    async def count(self, desks: Sequence[str], me: int, queue: Queue, filters: QueueFilter, now: datetime) -> int:
        async with reading() as sql:
            where = queue_where(queue, await self._ids(sql, desks), me, filters, now)
            row = await sql.fetchrow(f"SELECT count(*) AS n FROM ticket t WHERE {where.sql}", where.params)
        return int(row["n"]) if row else 0

    async def chunk(
        self,
        desks: Sequence[str],
        me: int,
        queue: Queue,
        filters: QueueFilter,
        after: Cursor | None,
        now: datetime,
        limit: int,
    ) -> list[ExportRow]:
        async with reading() as sql:
            where = queue_where(queue, await self._ids(sql, desks), me, filters, now)
            settled = RULES[queue].settled
            key = "t.closed_at" if settled else "t.next_due_at"
            if after is not None and after.at is not None:
                compare = "<" if settled else ">"
                where.add(f"({key}, t.id) {compare} (:after_at, :after_id)", after_at=after.at, after_id=after.id)
            order = f"{key} DESC, t.id DESC" if settled else f"{key}, t.id"
            rows = await sql.fetch(
                f"{COLUMNS} WHERE {where.sql} ORDER BY {order} LIMIT :limit", {**where.params, "limit": limit}
            )
        return [_row(r) for r in rows]


__all__ = ["PiccoloExportStore"]
