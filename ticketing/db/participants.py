"""People besides the requester whose mail may join a ticket, each change an event."""

from __future__ import annotations

from datetime import datetime

from ticketing.db.engine import write_transaction
from ticketing.db.sql import in_transaction
from ticketing.db.tables import Event, TicketParticipant
from ticketing.db.ticket_reads import ticket_desk
from ticketing.domain.errors import NotFound

LOCK = """SELECT t.id, d.slug AS desk FROM ticket t JOIN desk d ON d.id = t.desk
WHERE t.reference = :reference FOR UPDATE OF t"""


class PiccoloParticipantStore:
    async def _lock(self, reference: str) -> tuple[int, str]:
        row = await in_transaction().fetchrow(LOCK, {"reference": reference})
        if row is None:
            raise NotFound("ticket", reference)
        return int(row["id"]), str(row["desk"])

    async def desk_of(self, reference: str) -> str | None:
        return await ticket_desk(reference)

    async def list(self, reference: str) -> list[tuple[str, str]]:
        rows = (
            await TicketParticipant.select(TicketParticipant.email, TicketParticipant.name)
            .where(TicketParticipant.ticket.reference == reference)
            .order_by(TicketParticipant.id)
        )
        return [(r["email"], r["name"]) for r in rows]

    async def add(self, reference: str, email: str, name: str, user_id: int, label: str, at: datetime) -> bool:
        """False when the address is on the ticket already."""
        async with write_transaction():
            ticket_id, _ = await self._lock(reference)
            exists = await TicketParticipant.exists().where(
                (TicketParticipant.ticket == ticket_id) & (TicketParticipant.email == email)
            )
            if exists:
                return False
            await TicketParticipant.insert(
                TicketParticipant(ticket=ticket_id, email=email, name=name, added_by=user_id, created_at=at)
            )
            await Event.insert(
                Event(
                    ticket=ticket_id,
                    at=at,
                    actor=user_id,
                    actor_label=label[:100],
                    action="participant_added",
                    reason="",
                    data={"email": email},
                )
            )
            return True

    async def remove(self, reference: str, email: str, user_id: int, label: str, at: datetime) -> bool:
        async with write_transaction():
            ticket_id, _ = await self._lock(reference)
            gone = (
                await TicketParticipant.delete()
                .where((TicketParticipant.ticket == ticket_id) & (TicketParticipant.email == email))
                .returning(TicketParticipant.id)
            )
            if not gone:
                return False
            await Event.insert(
                Event(
                    ticket=ticket_id,
                    at=at,
                    actor=user_id,
                    actor_label=label[:100],
                    action="participant_removed",
                    reason="",
                    data={"email": email},
                )
            )
            return True
