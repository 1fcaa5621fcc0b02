"""The inbound-mail log and the transactions that put a received message on a ticket."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from ticketing.db.engine import write_transaction
from ticketing.db.plan import NewId, Plan, Step, Update
from ticketing.db.plan_run import run
from ticketing.db.sql import Dialect, Sql, dialect, in_transaction, reading
from ticketing.db.tables import InboundMail, Message, Outbox, Ticket, TicketParticipant
from ticketing.db.ticket_writes import claim_step, creation_plan
from ticketing.db.tickets import PiccoloTicketStore, write
from ticketing.db.values import loads
from ticketing.db.workflow import lock_snapshot, write_change
from ticketing.services.mail_ports import InboundHit, InboundRecord, InboundRow, OutgoingHit, ThreadMatch
from ticketing.services.ports import TicketChange, TicketDraft, TicketSnapshot

FIND_INBOUND = """
SELECT i.id, i.action, t.reference FROM inbound_mail i LEFT JOIN ticket t ON t.id = i.ticket
WHERE i.dedupe_key = :key
"""

# Our mail first (outbox), then messages on tickets; per Message-ID the best hit, in the caller's order.
THREAD_MATCHES = """
WITH ids AS (
    SELECT m, ord FROM unnest(:ids::varchar[]) WITH ORDINALITY AS u(m, ord)
), hits AS (
    SELECT ids.ord, o.ticket, 'outbound' AS via, o.kind AS kind, 0 AS rank
    FROM ids JOIN outbox o ON o.message_id = ids.m
    WHERE o.desk = :desk AND o.ticket IS NOT NULL
    UNION ALL
    SELECT ids.ord, m.ticket, CASE WHEN m.direction = 'outbound' THEN 'outbound' ELSE 'inbound' END,
        CASE WHEN m.direction = 'outbound' THEN 'agent-reply' ELSE '' END, 1
    FROM ids JOIN message m ON m.message_id = ids.m JOIN ticket tk ON tk.id = m.ticket
    WHERE tk.desk = :desk
)
SELECT DISTINCT ON (h.ord) h.ord, t.reference, r.email, h.via, h.kind,
    ARRAY(SELECT p.email FROM ticket_participant p WHERE p.ticket = t.id ORDER BY p.id) AS people
FROM hits h JOIN ticket t ON t.id = h.ticket JOIN requester r ON r.id = t.requester
ORDER BY h.ord, h.rank
"""


class PiccoloMailStore:
    def __init__(self, tickets: PiccoloTicketStore) -> None:
        self.tickets = tickets

    async def _claim(self, sql: Sql, record: InboundRecord) -> int | None:
        """Insert the log row; None when the dedupe key is taken (the message is already stored).

        On PostgreSQL a concurrent insert of the same key waits for the other transaction and then
        does nothing, so exactly one path wins whatever the interleaving.
        """
        ids = await run(sql, Plan((claim_step(record, await self.tickets.desk_id(record.desk)),), ("claim",)))
        return None if ids is None else ids["claim"]

    async def find_inbound(self, dedupe_key: str) -> InboundHit | None:
        async with reading() as sql:
            found = await sql.fetchrow(FIND_INBOUND, {"key": dedupe_key})
        return InboundHit(found["id"], found["action"], found["reference"]) if found else None

    async def touch_duplicate(self, inbound_id: int, at: datetime) -> None:
        await InboundMail.update(
            {InboundMail.deliveries: InboundMail.deliveries + 1, InboundMail.last_seen_at: at}
        ).where(InboundMail.id == inbound_id)

    async def record(self, record: InboundRecord) -> int | None:
        async with write_transaction():
            return await self._claim(in_transaction(), record)

    async def create_ticket(
        self, record: InboundRecord, draft: TicketDraft, *, release_of: int | None = None
    ) -> int | None:
        """Claim the message and write its ticket; with `release_of`, open a ticket for a logged row instead
        (a manager releasing ignored mail), claimed by marking it released if nobody else did."""
        desk_id = await self.tickets.desk_id(record.desk)
        links = {"ticket": NewId("ticket"), "message": NewId("message")}
        if release_of is None:
            claim: Step = claim_step(record, desk_id, **links)
        else:
            claim = Update(
                "inbound_mail",
                {"review": "released", **links},
                {"id": release_of, "review": "", "ticket": None},
                name="claim",
                guard=True,
            )
        ids = await write(creation_plan(draft, desk_id, claim))
        return None if ids is None else ids["ticket"]

    async def append(
        self, record: InboundRecord, reference: str, decide: Callable[[TicketSnapshot], TicketChange]
    ) -> TicketChange | None:
        async with write_transaction():
            sql = in_transaction()
            inbound_id = await self._claim(sql, record)
            if inbound_id is None:
                return None
            locked = await lock_snapshot(sql, reference)
            change = decide(locked.snapshot)
            await write_change(sql, locked, change, claimed=inbound_id)
        return change

    async def _matches(self, ticket_ids: Sequence[int]) -> dict[int, tuple[str, str | None, tuple[str, ...]]]:
        if not ticket_ids:
            return {}
        rows = await Ticket.select(Ticket.id, Ticket.reference, Ticket.requester.email.as_alias("r_email")).where(
            Ticket.id.is_in(list(ticket_ids))
        )
        people: dict[int, list[str]] = {}
        for p in await TicketParticipant.select(TicketParticipant.ticket, TicketParticipant.email).where(
            TicketParticipant.ticket.is_in(list(ticket_ids))
        ):
            people.setdefault(p["ticket"], []).append(p["email"])
        return {r["id"]: (r["reference"], r["r_email"], tuple(people.get(r["id"], ()))) for r in rows}

    async def thread_matches(self, desk: str, message_ids: Sequence[str]) -> list[ThreadMatch]:
        """Tickets of this desk that these Message-IDs belong to, in the order of `message_ids`."""
        ids = [m[:500] for m in message_ids if m][:50]
        if not ids:
            return []
        desk_id = await self.tickets.desk_id(desk)
        if dialect() is Dialect.POSTGRES:  # the hot read in one round trip; elsewhere a few ORM queries
            async with reading() as sql:
                rows = await sql.fetch(THREAD_MATCHES, {"ids": ids, "desk": desk_id})
            return [ThreadMatch(r["reference"], r["email"], tuple(r["people"]), r["via"], r["kind"]) for r in rows]
        found: dict[str, tuple[int, str, str]] = {}  # message id -> (ticket id, via, mail kind)
        for r in await Outbox.select(Outbox.message_id, Outbox.ticket, Outbox.kind).where(
            Outbox.message_id.is_in(ids) & (Outbox.desk == desk_id) & Outbox.ticket.is_not_null()
        ):
            found[r["message_id"]] = (r["ticket"], "outbound", r["kind"])
        for r in await Message.select(Message.message_id, Message.ticket, Message.direction).where(
            Message.message_id.is_in(ids) & (Message.ticket.desk == desk_id)
        ):
            if r["message_id"] not in found:
                via = "outbound" if r["direction"] == "outbound" else "inbound"
                found[r["message_id"]] = (r["ticket"], via, "agent-reply" if via == "outbound" else "")
        tickets = await self._matches(sorted({t for t, _, _ in found.values()}))
        result = []
        for message_id in ids:
            if message_id in found and found[message_id][0] in tickets:
                ticket_id, via, kind = found[message_id]
                reference, email, people = tickets[ticket_id]
                result.append(ThreadMatch(reference, email, people, via, kind))
        return result

    async def ticket_by_reference(self, desk: str, reference: str) -> ThreadMatch | None:
        desk_id = await self.tickets.desk_id(desk)
        row = await Ticket.select(Ticket.id).where((Ticket.reference == reference) & (Ticket.desk == desk_id)).first()
        if row is None:
            return None
        ref, email, people = (await self._matches([row["id"]]))[row["id"]]
        return ThreadMatch(ref, email, people, "subject")

    async def outgoing(self, desk: str, message_ids: Sequence[str]) -> OutgoingHit | None:
        ids = [m[:300] for m in message_ids if m][:50]
        if not ids:
            return None
        desk_id = await self.tickets.desk_id(desk)
        rows = await Outbox.select(
            Outbox.message_id,
            Outbox.to_addr,
            Outbox.kind,
            Outbox.ticket.reference.as_alias("ref"),
        ).where(Outbox.message_id.is_in(ids) & (Outbox.desk == desk_id) & Outbox.ticket.is_not_null())
        by_id = {r["message_id"]: r for r in rows}
        for message_id in ids:
            if (r := by_id.get(message_id)) is not None:
                return OutgoingHit(r["ref"], r["to_addr"], r["kind"])
        return None

    def _row(self, r: dict[str, Any]) -> InboundRow:
        return InboundRow(
            id=r["id"],
            desk=r["desk_slug"],
            source=r["source"],
            message_id=r["message_id"],
            from_email=r["from_email"],
            subject=r["subject"],
            received_at=r["received_at"],
            action=r["action"],
            reason=r["reason"],
            defects=tuple(loads(r["defects"], [])),
            size=r["size"],
            deliveries=r["deliveries"],
            reference=r["ref"],
            raw_sha256=r["raw_sha256"],
            review=r["review"],
        )

    def _select(self) -> Any:
        return InboundMail.select(
            *InboundMail.all_columns(),
            InboundMail.desk.slug.as_alias("desk_slug"),
            InboundMail.ticket.reference.as_alias("ref"),
        )

    async def inbound_log(self, desks: Sequence[str], actions: Sequence[str], limit: int) -> list[InboundRow]:
        if not desks:
            return []
        query = self._select().where(InboundMail.desk.slug.is_in(list(desks)))
        if actions:
            query = query.where(InboundMail.action.is_in(list(actions)))
        rows = await query.order_by(InboundMail.id, ascending=False).limit(limit)
        return [self._row(r) for r in rows]

    async def inbound_row(self, inbound_id: int) -> InboundRow | None:
        row = await self._select().where(InboundMail.id == inbound_id).first()
        return self._row(row) if row else None

    async def set_review(self, inbound_id: int, review: str, user_id: int, at: datetime) -> None:
        await InboundMail.update(
            {InboundMail.review: review, InboundMail.reviewed_by: user_id, InboundMail.reviewed_at: at}
        ).where(InboundMail.id == inbound_id)


__all__ = ["PiccoloMailStore"]
