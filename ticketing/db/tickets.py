"""Ticket repository: rows <-> service views; owns its transactions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from piccolo.engine.postgres import PostgresEngine

from ticketing.db.engine import current_engine, write_transaction
from ticketing.db.outbox import outbox_row
from ticketing.db.sla import due_columns, insert_clocks
from ticketing.db.tables import (
    Attachment,
    Desk,
    Event,
    Message,
    ReferenceCounter,
    Requester,
    Ticket,
    TicketAccess,
)
from ticketing.db.ticket_sql import CREATE_TICKET_SQL, create_ticket_args
from ticketing.domain.tickets import State
from ticketing.services.ports import (
    EventView,
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
        rows = await ReferenceCounter.raw(
            "INSERT INTO reference_counter (scope, value) VALUES ({}, 1) "
            "ON CONFLICT (scope) DO UPDATE SET value = reference_counter.value + 1 RETURNING value",
            f"{prefix}-{year}",
        )
        return int(rows[0]["value"])

    async def create_ticket(self, draft: TicketDraft) -> int:
        new, at = draft.new, draft.received_at
        desk_id = await self.desk_id(new.desk)
        db = current_engine()
        if isinstance(db, PostgresEngine) and db.pool is not None:
            async with db.pool.acquire() as conn:
                return int(await conn.fetchval(CREATE_TICKET_SQL, *create_ticket_args(draft, desk_id)))
        async with write_transaction():
            requester_id = await self._requester(desk_id, draft)
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
                flags={},
                received_at=at,
                created_at=draft.created_at or at,
                updated_at=draft.created_at or at,
            )
            for column, value in due_columns(draft.clocks).items():
                setattr(ticket, column, value)
            await ticket.save()
            await insert_clocks(int(ticket.id), draft.clocks)
            message = Message(
                ticket=ticket.id,
                direction="inbound",
                channel=new.channel.value,
                author=draft.actor_user_id,
                from_email=new.requester.email,
                to=[],
                subject=new.subject,
                text=new.message,
                references=[],
                headers={},
                created_at=at,
            )
            await message.save()
            if draft.attachments:
                await Attachment.insert(
                    *[
                        Attachment(
                            ticket=ticket.id,
                            message=message.id,
                            filename=a.filename,
                            declared_type=a.declared_type,
                            content_type=a.content_type,
                            size=a.size,
                            sha256=a.sha256,
                            created_at=at,
                        )
                        for a in draft.attachments
                    ]
                )
            await Event.insert(
                Event(
                    ticket=ticket.id,
                    at=draft.created_at or at,
                    actor=draft.actor_user_id,
                    actor_label=draft.actor_label,
                    action="created",
                    from_state=None,
                    to_state=State.RECEIVED.value,
                    reason="",
                    data={"channel": new.channel.value, "attachments": len(draft.attachments)},
                )
            )
            if draft.acknowledgement is not None:
                await outbox_row(draft.acknowledgement, desk_id, ticket.id, draft.created_at or at).save()
        return int(ticket.id)

    async def _requester(self, desk_id: int, draft: TicketDraft) -> int:
        who = draft.new.requester
        if who.email:
            row = await (
                Requester.select(Requester.id)
                .where((Requester.desk == desk_id) & (Requester.email == who.email))
                .order_by(Requester.id)
                .first()
            )
            if row is not None:
                updates: dict[Any, Any] = {Requester.name: who.name, Requester.language: draft.new.language.value}
                if who.phone:
                    updates[Requester.phone] = who.phone
                if who.postal_address:
                    updates[Requester.postal_address] = who.postal_address
                await Requester.update(updates).where(Requester.id == row["id"])
                return int(row["id"])
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
        return int(requester.id)

    async def get_detail(self, reference: str) -> TicketDetail | None:
        row = await (
            Ticket.select(
                *SUMMARY_COLUMNS,
                Ticket.requester.name.as_alias("r_name"),
                Ticket.requester.email.as_alias("r_email"),
                Ticket.requester.phone.as_alias("r_phone"),
                Ticket.requester.postal_address.as_alias("r_address"),
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
            requester_name=row["r_name"],
            requester_email=row["r_email"],
            requester_phone=row["r_phone"],
            requester_postal_address=row["r_address"],
            messages=tuple(
                MessageView(
                    m["direction"], m["channel"], m["from_email"], m["subject"], m["text"], m["created_at"],
                    tuple(attachments.get(m["id"], ())),
                )
                for m in messages
            ),
            events=tuple(
                EventView(e["at"], e["actor_label"], e["action"], e["from_state"], e["to_state"], e["reason"])
                for e in events
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

    async def record_access(self, ticket_id: int, user_id: int, at: datetime, via: str) -> None:
        await TicketAccess.insert(TicketAccess(ticket=ticket_id, user=user_id, at=at, via=via))

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

