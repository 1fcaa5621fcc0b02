"""Access-log repository (append-only)."""

from __future__ import annotations

from ticketing.db.tables import AccessLog, Ticket
from ticketing.services.access import Access


class PiccoloAccessStore:
    async def record(self, entry: Access) -> None:
        ticket_id = None
        if entry.reference is not None:
            row = await Ticket.select(Ticket.id).where(Ticket.reference == entry.reference).first()
            ticket_id = row["id"] if row else None
        await AccessLog.insert(
            AccessLog(
                user=entry.user_id,
                at=entry.at,
                via=entry.via,
                what=entry.what.value,
                target=entry.target,
                desk=entry.desk,
                ticket=ticket_id,
                client=entry.client[:64],
                allowed=entry.allowed,
                rows_shown=entry.count,
            )
        )
