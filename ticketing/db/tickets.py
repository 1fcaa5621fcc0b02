"""Ticket repository: rows <-> service views; owns its transactions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from piccolo.engine.postgres import PostgresEngine

from ticketing.db.engine import current_engine, pg_pool, write_transaction
from ticketing.db.outbox import outbox_row
from ticketing.db.sla import due_columns, insert_clocks
from ticketing.db.tables import (
    Attachment,
    Desk,
    Event,
    Message,
    Outbox,
    ReferenceCounter,
    Requester,
    Ticket,
    TicketParticipant,
)
from ticketing.db.ticket_reads import GIVEN_CONTACT, ON_FILE_CONTACT, on_file_contact
from ticketing.db.ticket_sql import CREATE_TICKET_SQL, create_ticket_args
from ticketing.db.values import cut
from ticketing.domain.contacts import Contact
from ticketing.domain.tickets import State
from ticketing.services.ports import (
    EventView,
    InboundMessage,
    MessageView,
    StoredAttachment,
    TicketDetail,
    TicketDraft,
    TicketSummary,
)

SUMMARY_COLUMNS = (
    Ticket.id,
    Ticket.reference,
    Ticket.desk.slug.as_alias("desk_slug"),
    Ticket.channel,
    Ticket.category,
    Ticket.request_types,
    Ticket.state,
    Ticket.language,
    Ticket.subject,
    Ticket.created_at,
    Ticket.updated_at,
    Ticket.assignee.email.as_alias("assignee_email"),
)


def _summary(row: dict[str, Any]) -> TicketSummary:
    return TicketSummary(
        id=row["id"],
        reference=row["reference"],
        desk=row["desk_slug"],
        channel=row["channel"],
        category=row["category"],
        request_types=tuple(row["request_types"] or ()),
        state=row["state"],
        language=row["language"],
        subject=row["subject"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        assignee_email=row["assignee_email"],
    )


def one_statement_ok(draft: TicketDraft) -> bool:
    """The PostgreSQL one-statement write covers form, API and agent-logged tickets, not mail."""
    return (draft.inbound is None and not draft.mails and not draft.flags and draft.linked_reference is None
            and not draft.contact_changes)


async def _requester(desk_id: int, draft: TicketDraft) -> tuple[int, str | None]:
    """The requester on file with this address (created on first contact), and the name on file.

    A later contact never changes the record (domain.contacts): only its bouncing mark is cleared
    when they write to us from the address, which shows the address works.
    """
    who = draft.new.requester
    if who.email:
        row = await (
            Requester.select(Requester.id, Requester.name)
            .where((Requester.desk == desk_id) & (Requester.email == who.email))
            .order_by(Requester.id)
            .first()
        )
        if row is not None:
            if draft.inbound is not None and draft.inbound.kind == "normal":
                await Requester.update({Requester.bouncing: False}).where(Requester.id == row["id"])
            return int(row["id"]), row["name"]
    requester = Requester(
        desk=desk_id,
        name=who.name,
        email=who.email,
        phone=who.phone,
        postal_address=who.postal_address,
        language=draft.new.language.value,
        created_at=draft.received_at,
    )
    await requester.save()
    return int(requester.id), None


def contact_changed_event(ticket_id: int, draft: TicketDraft, at: datetime) -> Event:
    """The ticket's details differ from those on file: said once, with the channel they came by."""
    return Event(
        ticket=ticket_id, at=at, actor=draft.actor_user_id, actor_label=draft.actor_label,
        action="contact_details_differ", from_state=None, to_state=None,
        reason="the details given differ from those on file for this address; the record on file was not changed",
        data={"fields": list(draft.contact_changes), "source": draft.new.channel.value},
    )


async def insert_attachments(
    ticket_id: int, message_id: int, attachments: Sequence[StoredAttachment], at: datetime
) -> None:
    if attachments:
        await Attachment.insert(
            *[
                Attachment(
                    ticket=ticket_id, message=message_id, filename=a.filename, declared_type=a.declared_type,
                    content_type=a.content_type, size=a.size, sha256=a.sha256, created_at=at,
                )
                for a in attachments
            ]
        )


def inbound_message_row(ticket_id: int, mail: InboundMessage, channel: str, at: datetime) -> Message:
    return Message(
        ticket=ticket_id, direction="inbound", channel=channel, author=None, from_email=mail.from_email,
        to=list(mail.to), cc=list(mail.cc), subject=mail.subject[:500], text=mail.text, html=mail.html,
        message_id=cut(mail.message_id, 500), in_reply_to=cut(mail.in_reply_to, 500),
        references=list(mail.references[-50:]), headers=dict(mail.headers), raw_path=mail.raw_path,
        content_hash=mail.content_hash, kind=mail.kind, quote_start=mail.quote_start,
        signature_start=mail.signature_start, created_at=at,
    )


async def insert_ticket(draft: TicketDraft, desk_id: int) -> tuple[int, int]:
    """Write a new ticket with its requester, first message, attachments, clocks, event and mail.

    Call inside a write transaction. Returns (ticket id, message id).
    """
    new, at = draft.new, draft.received_at
    written_at = draft.created_at or at
    requester_id, name_on_file = await _requester(desk_id, draft)
    who = new.requester
    flags = dict(draft.flags)
    if draft.contact_changes:
        flags["contact_details_differ"] = list(draft.contact_changes)
    linked = None
    if draft.linked_reference:
        row = await Ticket.select(Ticket.id).where(
            (Ticket.reference == draft.linked_reference) & (Ticket.desk == desk_id)
        ).first()
        linked = row["id"] if row else None
    ticket = Ticket(
        reference=draft.reference,
        desk=desk_id,
        requester=requester_id,
        channel=new.channel.value,
        category=new.category.value,
        request_types=[t.value for t in new.request_types],
        state=State.RECEIVED.value,
        language=new.language.value,
        subject=new.subject,
        status_token_hash=draft.status_token_hash,
        flags=flags,
        linked_ticket=linked,
        # Mail display names vary between clients: a known sender keeps the name on file.
        contact_name=(name_on_file if draft.keep_requester_name and name_on_file else who.name),
        contact_email=who.email,
        contact_phone=who.phone,
        contact_postal_address=who.postal_address,
        received_at=at,
        created_at=written_at,
        updated_at=written_at,
    )
    for column, value in due_columns(draft.clocks).items():
        setattr(ticket, column, value)
    await ticket.save()
    await insert_clocks(int(ticket.id), draft.clocks)
    if draft.inbound is not None:
        message = inbound_message_row(int(ticket.id), draft.inbound, new.channel.value, at)
    else:
        message = Message(
            ticket=ticket.id, direction="inbound", channel=new.channel.value, author=draft.actor_user_id,
            from_email=new.requester.email, to=[], subject=new.subject, text=new.message, references=[],
            headers={}, created_at=at,
        )
    await message.save()
    await insert_attachments(int(ticket.id), int(message.id), draft.attachments, at)
    data: dict[str, Any] = {"channel": new.channel.value, "attachments": len(draft.attachments), **draft.event_data}
    if draft.linked_reference:
        data["linked"] = draft.linked_reference
    if flags:
        data["flags"] = flags
    events = [
        Event(
            ticket=ticket.id, at=written_at, actor=draft.actor_user_id, actor_label=draft.actor_label,
            action="created", from_state=None, to_state=State.RECEIVED.value, reason="", data=data,
        )
    ]
    if draft.contact_changes:
        events.append(contact_changed_event(int(ticket.id), draft, written_at))
    await Event.insert(*events)
    for mail in ((draft.acknowledgement,) if draft.acknowledgement else ()) + draft.mails:
        await outbox_row(mail, desk_id, ticket.id, written_at).save()
    return int(ticket.id), int(message.id)


class PiccoloTicketStore:
    def __init__(self) -> None:
        self._desk_ids: dict[str, int] = {}

    async def ensure_desks(self, slugs: Sequence[str], at: datetime) -> None:
        for slug in slugs:
            await Desk.insert(Desk(slug=slug, created_at=at)).on_conflict(target=Desk.slug, action="DO NOTHING")
        rows = await Desk.select(Desk.id, Desk.slug).where(Desk.slug.is_in(list(slugs)))
        self._desk_ids.update({r["slug"]: r["id"] for r in rows})

    async def desk_id(self, slug: str) -> int:
        if slug not in self._desk_ids:
            row = await Desk.select(Desk.id).where(Desk.slug == slug).first()
            if row is None:
                raise LookupError(f"desk {slug} is not in the database")
            self._desk_ids[slug] = row["id"]
        return self._desk_ids[slug]

    async def next_reference(self, prefix: str, year: int) -> int:
        # One atomic upsert on both engines (SQLite >= 3.35 has RETURNING).
        if (pool := pg_pool()) is not None:
            async with pool.acquire() as conn:
                return int(await conn.fetchval(
                    "INSERT INTO reference_counter (scope, value) VALUES ($1, 1) ON CONFLICT (scope) "
                    "DO UPDATE SET value = reference_counter.value + 1 RETURNING value", f"{prefix}-{year}"))
        rows = await ReferenceCounter.raw(
            "INSERT INTO reference_counter (scope, value) VALUES ({}, 1) "
            "ON CONFLICT (scope) DO UPDATE SET value = reference_counter.value + 1 RETURNING value",
            f"{prefix}-{year}",
        )
        return int(rows[0]["value"])

    async def create_ticket(self, draft: TicketDraft) -> int:
        desk_id = await self.desk_id(draft.new.desk)
        db = current_engine()
        if isinstance(db, PostgresEngine) and db.pool is not None and one_statement_ok(draft):
            async with db.pool.acquire() as conn:
                return int(await conn.fetchval(CREATE_TICKET_SQL, *create_ticket_args(draft, desk_id)))
        async with write_transaction():
            ticket_id, _ = await insert_ticket(draft, desk_id)
        return ticket_id

    async def get_detail(self, reference: str) -> TicketDetail | None:
        row = await (
            Ticket.select(
                *SUMMARY_COLUMNS,
                *GIVEN_CONTACT,
                *ON_FILE_CONTACT,
                Ticket.requester.bouncing.as_alias("r_bouncing"),
                Ticket.flags,
                Ticket.linked_ticket.reference.as_alias("linked_reference"),
            )
            .where(Ticket.reference == reference)
            .first()
            .output(load_json=True)
        )
        if row is None:
            return None
        attachments: dict[int, list[StoredAttachment]] = {}
        for a in await Attachment.select().where(Attachment.ticket == row["id"]).order_by(Attachment.id):
            attachments.setdefault(a["message"], []).append(
                StoredAttachment(a["filename"], a["declared_type"], a["content_type"], a["size"], a["sha256"])
            )
        messages = await Message.select().where(Message.ticket == row["id"]).order_by(Message.id)
        events = await (
            Event.select(*Event.all_columns()).where(Event.ticket == row["id"]).order_by(Event.id)
        )
        return TicketDetail(
            summary=_summary(row),
            requester_name=row["contact_name"],
            requester_email=row["contact_email"],
            requester_phone=row["contact_phone"],
            requester_postal_address=row["contact_postal_address"],
            on_file=on_file_contact(row),
            messages=tuple(
                MessageView(
                    m["direction"], m["channel"], m["from_email"], m["subject"], m["text"], m["created_at"],
                    tuple(attachments.get(m["id"], ())), kind=m["kind"], html=m["html"],
                    quote_start=m["quote_start"], signature_start=m["signature_start"], message_id=m["message_id"],
                )
                for m in messages
            ),
            events=tuple(
                EventView(e["at"], e["actor_label"], e["action"], e["from_state"], e["to_state"], e["reason"])
                for e in events
            ),
            flags=row["flags"] or {},
            requester_bouncing=bool(row["r_bouncing"]),
            linked_reference=row["linked_reference"],
            participants=tuple(
                p["email"] for p in await TicketParticipant.select(TicketParticipant.email)
                .where(TicketParticipant.ticket == row["id"]).order_by(TicketParticipant.id)
            ),
        )

    async def status_by_token_hash(self, token_hash: str) -> TicketSummary | None:
        row = await (
            Ticket.select(*SUMMARY_COLUMNS)
            .where(Ticket.status_token_hash == token_hash)
            .first()
            .output(load_json=True)
        )
        return _summary(row) if row else None

    async def requester_on_file(self, desk: str, email: str) -> Contact | None:
        row = await (
            Requester.select(Requester.name, Requester.email, Requester.phone, Requester.postal_address)
            .where((Requester.desk == await self.desk_id(desk)) & (Requester.email == email))
            .order_by(Requester.id)
            .first()
        )
        return None if row is None else Contact(row["name"], row["email"], row["phone"], row["postal_address"])

    async def list_for_desks(self, desks: Sequence[str], limit: int) -> list[TicketSummary]:
        if not desks:
            return []
        rows = await (
            Ticket.select(*SUMMARY_COLUMNS)
            .where(Ticket.desk.slug.is_in(list(desks)))
            .order_by(Ticket.id, ascending=False)
            .limit(limit)
            .output(load_json=True)
        )
        return [_summary(r) for r in rows]

    async def reserve_reference(
        self, prefix: str, year: int, desk: str, to_addr: str | None, since: datetime, kinds: Sequence[str]
    ) -> tuple[int, int]:
        if (pool := pg_pool()) is not None:
            desk_id = await self.desk_id(desk)
            async with pool.acquire() as conn:
                row = await conn.fetchrow(
                    "WITH ref AS (INSERT INTO reference_counter (scope, value) VALUES ($1, 1) ON CONFLICT (scope) "
                    "DO UPDATE SET value = reference_counter.value + 1 RETURNING value) "
                    "SELECT (SELECT value FROM ref) AS value, CASE WHEN $3::varchar IS NULL THEN -1 ELSE ("
                    "SELECT count(*) FROM outbox WHERE desk = $2 AND to_addr = $3 AND created_at >= $4 "
                    "AND kind = ANY($5::varchar[])) END AS sent",
                    f"{prefix}-{year}", desk_id, to_addr, since, list(kinds),
                )
            return int(row["value"]), int(row["sent"])
        sequence = await self.next_reference(prefix, year)
        sent = -1 if to_addr is None else await self.auto_mail_count(desk, to_addr, since, kinds)
        return sequence, sent

    async def auto_mail_count(self, desk: str, to_addr: str, since: datetime, kinds: Sequence[str]) -> int:
        """Automatic mail of these kinds queued to this address by this desk since `since`."""
        desk_id = await self.desk_id(desk)
        if (pool := pg_pool()) is not None:
            async with pool.acquire() as conn:
                return int(await conn.fetchval(
                    "SELECT count(*) FROM outbox WHERE desk = $1 AND to_addr = $2 AND created_at >= $3 "
                    "AND kind = ANY($4::varchar[])", desk_id, to_addr, since, list(kinds)))
        return int(
            await Outbox.count().where(
                (Outbox.desk == desk_id) & (Outbox.to_addr == to_addr) & (Outbox.created_at >= since)
                & Outbox.kind.is_in(list(kinds))
            )
        )
