"""The workspace's reads: a queue page, the counts per queue, and search, by keyset on indexed columns.

Each open queue is one range scan of an index that ends in (next_due_at, id) (migration
2026-12-06T03:54:19:500000); a page continues after the last row's key, so page 1000 costs what
page 1 costs. Counts stop at COUNT_CAP + 1 rows. Search goes through the full-text index of
`search_doc` (domain/search.py): a GIN index over a generated tsvector on PostgreSQL, FTS5 on SQLite.
"""

# ruff: noqa: S608  (SQL is put together from fixed fragments; every value is a bound parameter)
from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from ticketing.db.sql import Dialect, Sql, reading
from ticketing.domain.queues import COUNT_CAP, RECENTLY_CLOSED_DAYS, RULES, Cursor, Queue, QueueFilter
from ticketing.domain.search import SearchQuery, fts5_match, pg_tsquery
from ticketing.domain.tickets import State
from ticketing.services.workspace_ports import Colleague, QueueRow

COLUMNS = """
SELECT t.id, t.reference, d.slug AS desk, t.category, t.request_types, t.state, t.channel, t.language,
    t.subject, t.contact_name, u.email AS assignee_email, u.display_name AS assignee_name,
    t.next_due_at, t.risk, t.received_at, t.closed_at
FROM ticket t JOIN desk d ON d.id = t.desk LEFT JOIN staff_user u ON u.id = t.assignee
"""
MEMBERS = """
SELECT DISTINCT u.id, u.email, u.display_name FROM staff_user u
JOIN desk_membership m ON m."user" = u.id JOIN desk d ON d.id = m.desk
WHERE d.slug = ANY(:desks::varchar[]) AND u.is_active ORDER BY u.email
"""
DESK_IDS = "SELECT id, slug FROM desk WHERE slug = ANY(:desks::varchar[])"


WARNED = "risk >= 1"  # the condition of the partial index ticket_queue_warned, word for word


def states_sql(states: frozenset[State]) -> str:
    """`state IN ('a', 'b')`, sorted: the same text as the migration that made the partial index."""
    return "state IN (" + ", ".join(f"'{s.value}'" for s in sorted(states)) + ")"


def _row(row: Mapping[str, Any]) -> QueueRow:
    types = row["request_types"]
    if isinstance(types, str):
        types = json.loads(types)
    return QueueRow(
        id=row["id"],
        reference=row["reference"],
        desk=row["desk"],
        category=row["category"],
        request_types=tuple(types or ()),
        state=row["state"],
        channel=row["channel"],
        language=row["language"],
        subject=row["subject"],
        requester_name=row["contact_name"] or "",
        assignee_email=row["assignee_email"],
        assignee_name=row["assignee_name"] or "",
        next_due_at=row["next_due_at"],
        risk=int(row["risk"] or 0),
        received_at=row["received_at"],
        closed_at=row["closed_at"],
    )


class _Where:
    """Conditions and their parameters, built up for one query; `prefix` keeps the names of several
    queries in one statement apart."""

    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix
        self.parts: list[str] = []
        self.params: dict[str, Any] = {}

    def add(self, condition: str, **params: Any) -> None:
        for name, value in params.items():
            condition = re.sub(rf":{name}\b", f":{self.prefix}{name}", condition)
            self.params[self.prefix + name] = value
        self.parts.append(condition)

    @property
    def sql(self) -> str:
        return " AND ".join(self.parts) if self.parts else "TRUE"


def queue_where(
    queue: Queue, desk_ids: Sequence[int], me: int, filters: QueueFilter, now: datetime, prefix: str = ""
) -> _Where:
    rule = RULES[queue]
    where = _Where(prefix)
    where.add("t.desk = ANY(:desks::int[])", desks=list(desk_ids))
    if rule.settled:
        where.add("t.next_due_at IS NULL AND t.closed_at >= :since", since=now - timedelta(days=RECENTLY_CLOSED_DAYS))
    else:
        where.add("t.next_due_at IS NOT NULL")
    if rule.mine:
        where.add("t.assignee = :me", me=me)
    if rule.unassigned:
        where.add("t.assignee IS NULL")
    if rule.states:
        # Literal, in the form of the partial index ticket_queue_waiting: both engines use a partial
        # index only when the query states its condition (the values are our own enum's, not input).
        where.add("t." + states_sql(rule.states))
    if rule.warned:
        where.add(f"t.{WARNED} AND t.next_due_at > :now", now=now)  # WARNED: as the partial index says
    if rule.overdue:
        where.add("t.next_due_at <= :now", now=now)
    if filters.category:
        where.add("t.category = :category", category=filters.category)
    if filters.channel:
        where.add("t.channel = :channel", channel=filters.channel)
    if filters.state:
        where.add("t.state = :state", state=filters.state)
    if filters.assignee == 0:
        where.add("t.assignee IS NULL")
    elif filters.assignee is not None:
        where.add("t.assignee = :assignee", assignee=filters.assignee)
    return where


class PiccoloQueueStore:
    def __init__(self) -> None:
        self._desk_ids: dict[str, int] = {}

    async def _ids(self, sql: Sql, desks: Sequence[str]) -> list[int]:
        missing = [d for d in desks if d not in self._desk_ids]
        if missing:
            for row in await sql.fetch(DESK_IDS, {"desks": missing}):
                self._desk_ids[row["slug"]] = int(row["id"])
        return [self._desk_ids[d] for d in desks if d in self._desk_ids]

    async def page(
        self,
        desks: Sequence[str],
        me: int,
        queue: Queue,
        filters: QueueFilter,
        after: Cursor | None,
        now: datetime,
        limit: int,
    ) -> list[QueueRow]:
        async with reading() as sql:
            where = queue_where(queue, await self._ids(sql, desks), me, filters, now)
            settled = RULES[queue].settled
            if after is not None and after.at is not None:
                compare = "<" if settled else ">"
                key = "t.closed_at" if settled else "t.next_due_at"
                where.add(f"({key}, t.id) {compare} (:after_at, :after_id)", after_at=after.at, after_id=after.id)
            order = "t.closed_at DESC, t.id DESC" if settled else "t.next_due_at, t.id"
            rows = await sql.fetch(
                f"{COLUMNS} WHERE {where.sql} ORDER BY {order} LIMIT :limit", {**where.params, "limit": limit}
            )
        return [_row(r) for r in rows]

    async def counts(self, desks: Sequence[str], me: int, filters: QueueFilter, now: datetime) -> dict[Queue, int]:
        """Tickets per queue, up to COUNT_CAP + 1 (shown as "1000+"), in one round trip."""
        async with reading() as sql:
            ids = await self._ids(sql, desks)
            selects, params = [], {}
            for index, queue in enumerate(Queue):
                where = queue_where(queue, ids, me, filters, now, prefix=f"q{index}_")
                params.update(where.params)
                inner = f"SELECT 1 FROM ticket t WHERE {where.sql} LIMIT {COUNT_CAP + 1}"
                selects.append(f"(SELECT count(*) FROM ({inner}) x{index}) AS c{index}")
            statement = "SELECT " + ", ".join(selects)
            if sql.dialect is Dialect.POSTGRES:
                # Each count stops at its LIMIT on the queue's own index. Left to itself the planner
                # takes a table scan for some (it expects matches spread evenly, while open and recently
                # closed tickets sit together): 0.1 s to 0.8 s at a million tickets instead of 2 ms.
                async with sql.connection.transaction():
                    await sql.execute("SET LOCAL enable_seqscan = off")
                    await sql.execute("SET LOCAL enable_bitmapscan = off")
                    row = await sql.fetchrow(statement, params)
            else:
                row = await sql.fetchrow(statement, params)
        assert row is not None
        return {queue: int(row[f"c{index}"]) for index, queue in enumerate(Queue)}

    async def search(
        self, desks: Sequence[str], query: SearchQuery, desk: str | None, after: Cursor | None, limit: int
    ) -> list[QueueRow]:
        """Tickets matching `query`, newest first."""
        async with reading() as sql:
            where = _Where()
            where.add("t.desk = ANY(:desks::int[])", desks=await self._ids(sql, [desk] if desk else desks))
            if query.reference is not None:
                where.add("t.reference = :reference", reference=query.reference)
            elif sql.dialect is Dialect.POSTGRES:
                where.add(
                    "t.id IN (SELECT s.ticket FROM search_doc s WHERE s.tsv @@ to_tsquery('simple', :q))",
                    q=pg_tsquery(query),
                )
            else:
                where.add(
                    "t.id IN (SELECT s.ticket FROM search_fts f JOIN search_doc s ON s.id = f.rowid "
                    "WHERE search_fts MATCH :q)",
                    q=fts5_match(query),
                )
            if after is not None:
                where.add("t.id < :after_id", after_id=after.id)
            rows = await sql.fetch(
                f"{COLUMNS} WHERE {where.sql} ORDER BY t.id DESC LIMIT :limit", {**where.params, "limit": limit}
            )
        return [_row(r) for r in rows]

    async def members(self, desks: Sequence[str]) -> list[Colleague]:
        async with reading() as sql:
            rows = await sql.fetch(MEMBERS, {"desks": list(desks)})
        return [Colleague(int(r["id"]), r["email"], r["display_name"] or "") for r in rows]


__all__ = ["PiccoloQueueStore", "queue_where"]
