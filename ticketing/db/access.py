"""Access-log repository (append-only): entries written, and a ticket's entries read back."""

from __future__ import annotations

from piccolo.custom_types import Combinable

from ticketing.db.tables import AccessLog, Ticket
from ticketing.domain.access import AccessKind
from ticketing.services.access import Access, LoggedAccess


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

    async def ticket_of(self, reference: str) -> tuple[int, str] | None:
        row = await (
            Ticket.select(Ticket.id, Ticket.desk.slug.as_alias("desk")).where(Ticket.reference == reference).first()
        )
        return (int(row["id"]), str(row["desk"])) if row else None

    async def of_ticket(self, ticket_id: int, before: int | None, limit: int) -> list[LoggedAccess]:
        """Newest first (by id: the order entries were written), older than `before` when given."""
        where: Combinable = AccessLog.ticket == ticket_id
        if before is not None:
            where = where & (AccessLog.id < before)
        rows = await (
            AccessLog.select(
                AccessLog.id,
                AccessLog.at,
                AccessLog.user.email.as_alias("user_email"),
                AccessLog.via,
                AccessLog.what,
                AccessLog.target,
                AccessLog.client,
                AccessLog.allowed,
                AccessLog.rows_shown,
            )
            .where(where)
            .order_by(AccessLog.id, ascending=False)
            .limit(limit)
        )
        return [
            LoggedAccess(
                id=r["id"],
                at=r["at"],
                user_email=r["user_email"],
                via=r["via"],
                what=AccessKind(r["what"]),
                target=r["target"],
                client=r["client"],
                allowed=bool(r["allowed"]),
                rows_shown=r["rows_shown"],
            )
            for r in rows
        ]
