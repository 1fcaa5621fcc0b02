"""Ticket changes: read the ticket under a write lock, let the service decide, write it all at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ticketing.db.engine import pg_transaction_connection, write_transaction
from ticketing.db.outbox import outbox_row
from ticketing.db.sla import due_columns, pauses_of, update_clock
from ticketing.db.tables import (
    ClockPause,
    DeskMembership,
    Event,
    Message,
    Outbox,
    Requester,
    SlaClock,
    Ticket,
)
from ticketing.db.ticket_reads import ticket_desk
from ticketing.db.tickets import inbound_message_row, insert_attachments
from ticketing.db.workflow_pg import LOCK_SELECT, event_data, pg_snapshot, pg_write_change, snapshot_of
from ticketing.domain.errors import NotFound
from ticketing.domain.mail import REQUESTER_MAIL_KINDS
from ticketing.services.ports import TicketChange, TicketSnapshot


async def _thread(ticket_id: int) -> list[tuple[str, str]]:
    """(Message-ID, direction) of the conversation with the requester, oldest first."""
    received = await (
        Message.select(Message.message_id, Message.created_at, Message.direction)
        .where((Message.ticket == ticket_id) & Message.message_id.is_not_null() & (Message.kind == "normal"))
        .order_by(Message.id)
    )
    sent = await (
        Outbox.select(Outbox.message_id, Outbox.created_at)
        .where((Outbox.ticket == ticket_id) & Outbox.kind.is_in(sorted(REQUESTER_MAIL_KINDS)))
        .order_by(Outbox.id)
    )
    items = [(r["created_at"], r["message_id"], r["direction"]) for r in received]
    items += [(r["created_at"], r["message_id"], "outbound") for r in sent]
    return [(message_id, direction) for _, message_id, direction in sorted(items, key=lambda item: item[0])]


async def lock_snapshot(reference: str) -> tuple[TicketSnapshot, dict[str, Any]]:
    """The ticket, locked for this transaction (FOR UPDATE on PostgreSQL; SQLite is IMMEDIATE already)."""
    if (conn := pg_transaction_connection()) is not None:
        return await pg_snapshot(conn, reference)
    rows = await Ticket.raw(LOCK_SELECT + "WHERE t.reference = {}", reference)
    if not rows:
        raise NotFound("ticket", reference)
    row = rows[0]
    clock_rows = await SlaClock.select().where(SlaClock.ticket == row["id"]).order_by(SlaClock.id)
    pauses = (await pauses_of([row["id"]]))[row["id"]]
    return snapshot_of(row, clock_rows, pauses, await _thread(row["id"])), row


async def write_change(snap: TicketSnapshot, row: dict[str, Any], change: TicketChange) -> int | None:
    """Write what `change` says in the open transaction; returns the id of a message it stored."""
    if (conn := pg_transaction_connection()) is not None:
        return await pg_write_change(conn, snap, row, change)
    at = change.at
    if change.close_pause:
        await ClockPause.update({ClockPause.ended_at: at}).where(
            (ClockPause.ticket == snap.id) & ClockPause.ended_at.is_null()
        )
    for pause in (change.open_pause, change.closed_pause):
        if pause is not None:
            await ClockPause.insert(
                ClockPause(ticket=snap.id, started_at=pause.start, ended_at=pause.end, reason=pause.reason[:100])
            )
    before = {c.id: c for c in snap.clocks}
    for clock in change.clocks:
        if before.get(clock.id) != clock:
            await update_clock(clock)
    updates: dict[Any, Any] = {Ticket.updated_at: at, **{getattr(Ticket, k): v for k, v in
                                                         due_columns(change.clocks).items()}}
    if change.state is not None:
        updates[Ticket.state] = change.state
    if change.closed:
        updates[Ticket.closed_at] = at
    if change.first_responded:
        updates[Ticket.first_responded_at] = at
    if change.set_assignee:
        updates[Ticket.assignee] = change.assignee_id
    if change.flags is not None:
        updates[Ticket.flags] = dict(change.flags)
    if change.status_token_hash:
        updates[Ticket.status_token_hash] = change.status_token_hash
    await Ticket.update(updates).where(Ticket.id == snap.id)
    if change.requester_bouncing is not None:
        await Requester.update({Requester.bouncing: change.requester_bouncing}).where(
            Requester.id == row["requester_id"]
        )
    message_id = None
    if change.inbound is not None:
        message = inbound_message_row(snap.id, change.inbound, "email", change.inbound.received_at or at)
        await message.save()
        message_id = int(message.id)
        await insert_attachments(snap.id, message_id, change.inbound.attachments, at)
    elif change.reply_text is not None:
        mail = change.mail
        message = Message(
            ticket=snap.id, direction="outbound", channel="email" if mail else "note",
            author=change.actor_id, from_email=None,
            to=[mail.to_addr] if mail else [], subject=mail.subject if mail else "",
            text=change.reply_text, message_id=mail.message_id if mail else None,
            in_reply_to=mail.in_reply_to if mail else None, references=list(mail.references) if mail else [],
            headers={}, created_at=at,
        )
        await message.save()
        message_id = int(message.id)
    data = event_data(change, message_id)
    await Event.insert(
        Event(
            ticket=snap.id, at=at, actor=change.actor_id, actor_label=change.actor_label[:100],
            action=change.action, from_state=change.from_state, to_state=change.state, reason=change.reason,
            data=data,
        )
    )
    for mail in ((change.mail,) if change.mail else ()) + change.mails:
        await outbox_row(mail, row["desk_id"], snap.id, at).save()
    return message_id


class PiccoloWorkflowStore:
    async def change(self, reference: str, decide: Callable[[TicketSnapshot], TicketChange]) -> TicketChange:
        async with write_transaction():
            snapshot, row = await lock_snapshot(reference)
            change = decide(snapshot)
            await write_change(snapshot, row, change)
            return change

    async def desk_of(self, reference: str) -> str | None:
        return await ticket_desk(reference)

    async def member_id(self, email: str, desk: str) -> int | None:
        row = await (
            DeskMembership.select(DeskMembership.user)
            .where((DeskMembership.desk.slug == desk) & (DeskMembership.user.email == email)
                   & (DeskMembership.user.is_active == True))  # noqa: E712
            .first()
        )
        return None if row is None else int(row["user"])


__all__ = ["PiccoloWorkflowStore", "lock_snapshot", "write_change"]
