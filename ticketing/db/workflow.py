"""Ticket changes: read the ticket under a write lock, let the service decide, write the difference.

The reads are one SQL text for both engines (db/sql.py) and the writes one plan (db/ticket_writes.py):
on PostgreSQL a change is the lock, three reads and one statement of writes in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ticketing.db.engine import write_transaction
from ticketing.db.plan_run import run
from ticketing.db.sla import clock_from_row
from ticketing.db.sql import Sql, in_transaction
from ticketing.db.tables import DeskMembership
from ticketing.db.ticket_reads import ticket_desk
from ticketing.db.ticket_writes import change_plan
from ticketing.db.values import loads
from ticketing.domain.errors import NotFound
from ticketing.domain.mail import REQUESTER_MAIL_KINDS
from ticketing.domain.procedure import RequesterKind
from ticketing.domain.sla import Pause
from ticketing.domain.ticket import Ticket
from ticketing.domain.tickets import Category, Channel, Language, RequestType, State
from ticketing.services.ports import TicketChange, TicketSnapshot

THREAD_LIMIT = 30
LOCK = """
SELECT t.id, t.reference, t.state, t.subject, t.language, t.assignee, t.first_responded_at, t.closed_at,
    t.desk AS desk_id, t.category, t.request_types, t.flags, t.status_token_hash, t.requester AS requester_id,
    t.requester_kind, t.formal_request_at, t.channel, t.received_at, t.person_birth_date, t.version,
    d.slug AS desk, r.name AS r_name, r.email AS r_email, r.bouncing AS r_bouncing
FROM ticket t JOIN desk d ON d.id = t.desk JOIN requester r ON r.id = t.requester
WHERE t.reference = :reference FOR UPDATE OF t
"""
CLOCKS = "SELECT * FROM sla_clock WHERE ticket = :ticket ORDER BY id"
PAUSES = "SELECT started_at, ended_at, reason FROM clock_pause WHERE ticket = :ticket ORDER BY started_at, id"
# Message-IDs of the conversation with the requester, oldest first: what they sent and what we sent them.
THREAD = """
SELECT message_id, direction FROM (
    SELECT message_id, direction, created_at, 0 AS src, id FROM message
    WHERE ticket = :ticket AND message_id IS NOT NULL AND kind = 'normal'
    UNION ALL
    SELECT message_id, 'outbound' AS direction, created_at, 1 AS src, id FROM outbox
    WHERE ticket = :ticket AND kind = ANY(:kinds::varchar[])
) x ORDER BY created_at, src, id
"""


@dataclass(frozen=True, slots=True)
class Locked:
    snapshot: TicketSnapshot
    desk_id: int
    requester_id: int


def snapshot_of(
    row: Mapping[str, Any],
    clocks: Sequence[Mapping[str, Any]],
    pauses: Sequence[Pause],
    thread: Sequence[tuple[str, str]],
) -> TicketSnapshot:
    ids = tuple(dict.fromkeys(message_id for message_id, _ in thread))[-THREAD_LIMIT:]
    inbound = [message_id for message_id, direction in thread if direction == "inbound"]
    ticket = Ticket(
        id=row["id"],
        reference=row["reference"],
        desk=row["desk"],
        state=State(row["state"]),
        category=Category(row["category"]),
        language=Language(row["language"]),
        subject=row["subject"],
        request_types=tuple(RequestType(t) for t in loads(row["request_types"], [])),
        assignee_id=row["assignee"],
        first_responded_at=row["first_responded_at"],
        closed_at=row["closed_at"],
        clocks=tuple(clock_from_row(c) for c in clocks),
        pauses=tuple(pauses),
        flags=loads(row["flags"], {}),
        status_token_hash=row["status_token_hash"],
        requester_kind=RequesterKind(row["requester_kind"]),
        formal_request_at=row["formal_request_at"],
        channel=Channel(row["channel"]),
        received_at=row["received_at"],
        person_birth_date=date.fromisoformat(row["person_birth_date"]) if row["person_birth_date"] else None,
        version=int(row["version"] or 0),
    )
    return TicketSnapshot(
        ticket=ticket,
        requester_name=row["r_name"],
        requester_email=row["r_email"],
        requester_bouncing=bool(row["r_bouncing"]),
        thread=ids,
        last_inbound_message_id=inbound[-1] if inbound else None,
    )


async def lock_snapshot(sql: Sql, reference: str) -> Locked:
    """The ticket, locked for this transaction (FOR UPDATE on PostgreSQL; SQLite is IMMEDIATE already)."""
    row = await sql.fetchrow(LOCK, {"reference": reference})
    if row is None:
        raise NotFound("ticket", reference)
    ticket = {"ticket": row["id"]}
    clocks = await sql.fetch(CLOCKS, ticket)
    pauses = [Pause(p["started_at"], p["ended_at"], p["reason"]) for p in await sql.fetch(PAUSES, ticket)]
    thread = await sql.fetch(THREAD, {**ticket, "kinds": sorted(REQUESTER_MAIL_KINDS)})
    snapshot = snapshot_of(row, clocks, pauses, [(r["message_id"], r["direction"]) for r in thread])
    return Locked(snapshot, int(row["desk_id"]), int(row["requester_id"]))


async def write_change(sql: Sql, locked: Locked, change: TicketChange, *, claimed: int | None = None) -> None:
    """Write what `change` says in the open transaction."""
    plan = change_plan(locked.snapshot.ticket, change, locked.desk_id, locked.requester_id, claimed=claimed)
    await run(sql, plan)


class PiccoloWorkflowStore:
    async def change(self, reference: str, decide: Callable[[TicketSnapshot], TicketChange]) -> TicketChange:
        async with write_transaction():
            sql = in_transaction()
            locked = await lock_snapshot(sql, reference)
            change = decide(locked.snapshot)
            await write_change(sql, locked, change)
            return change

    async def desk_of(self, reference: str) -> str | None:
        return await ticket_desk(reference)

    async def member_id(self, email: str, desk: str) -> int | None:
        row = await (
            DeskMembership.select(DeskMembership.user)
            .where(
                (DeskMembership.desk.slug == desk)
                & (DeskMembership.user.email == email)
                & (DeskMembership.user.is_active == True)  # noqa: E712
            )
            .first()
        )
        return None if row is None else int(row["user"])


__all__ = ["Locked", "PiccoloWorkflowStore", "lock_snapshot", "write_change"]
