"""Ticket changes: read the ticket under a write lock, let the service decide, write it all at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ticketing.db.engine import is_postgres, write_transaction
from ticketing.db.outbox import outbox_row
from ticketing.db.sla import clock_from_row, due_columns, pauses_of, update_clock
from ticketing.db.tables import ClockPause, DeskMembership, Event, Message, SlaClock, Ticket
from ticketing.domain.errors import NotFound
from ticketing.services.ports import TicketChange, TicketSnapshot

LOCK_SQL = (
    "SELECT t.id, t.reference, t.state, t.subject, t.language, t.assignee, t.first_responded_at, t.desk AS desk_id, "
    "d.slug AS desk, r.name AS r_name, r.email AS r_email "
    "FROM ticket t JOIN desk d ON d.id = t.desk JOIN requester r ON r.id = t.requester WHERE t.reference = {}"
)


class PiccoloWorkflowStore:
    async def change(self, reference: str, decide: Callable[[TicketSnapshot], TicketChange]) -> TicketChange:
        async with write_transaction():
            rows = await Ticket.raw(LOCK_SQL + (" FOR UPDATE OF t" if is_postgres() else ""), reference)
            if not rows:
                raise NotFound("ticket", reference)
            row = rows[0]
            clock_rows = await SlaClock.select().where(SlaClock.ticket == row["id"]).order_by(SlaClock.id)
            pauses = (await pauses_of([row["id"]]))[row["id"]]
            snapshot = TicketSnapshot(
                id=row["id"], reference=row["reference"], desk=row["desk"], state=row["state"],
                subject=row["subject"], language=row["language"], assignee_id=row["assignee"],
                requester_name=row["r_name"], requester_email=row["r_email"],
                first_responded_at=row["first_responded_at"],
                clocks=tuple(clock_from_row(c) for c in clock_rows), pauses=tuple(pauses),
            )
            change = decide(snapshot)
            await self._write(snapshot, row["desk_id"], change)
            return change

    async def _write(self, snap: TicketSnapshot, desk_id: int, change: TicketChange) -> None:
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
        await Ticket.update(updates).where(Ticket.id == snap.id)
        message_id = None
        if change.reply_text is not None:
            message = Message(
                ticket=snap.id, direction="outbound", channel="email" if change.mail else "note",
                author=change.actor_id, from_email=None,
                to=[change.mail.to_addr] if change.mail else [], subject=change.mail.subject if change.mail else "",
                text=change.reply_text, message_id=change.mail.message_id if change.mail else None,
                references=[], headers={}, created_at=at,
            )
            await message.save()
            message_id = message.id
        await Event.insert(
            Event(
                ticket=snap.id, at=at, actor=change.actor_id, actor_label=change.actor_label[:100],
                action=change.action, from_state=change.from_state, to_state=change.state, reason=change.reason,
                data={**change.data, **({"message": message_id} if message_id else {})},
            )
        )
        if change.mail is not None:
            await outbox_row(change.mail, desk_id, snap.id, at).save()

    async def member_id(self, email: str, reference: str) -> int | None:
        ticket = await Ticket.select(Ticket.desk).where(Ticket.reference == reference).first()
        if ticket is None:
            raise NotFound("ticket", reference)
        row = await (
            DeskMembership.select(DeskMembership.user)
            .where((DeskMembership.desk == ticket["desk"]) & (DeskMembership.user.email == email)
                   & (DeskMembership.user.is_active == True))  # noqa: E712
            .first()
        )
        return None if row is None else int(row["user"])


__all__ = ["PiccoloWorkflowStore"]
