"""Who has a ticket's page open (`ticket_presence`: one row per ticket and user, refreshed by each
poll of the page), the members of a desk, and a ticket's version read without a lock."""

from __future__ import annotations

from datetime import datetime

from ticketing.db.tables import DeskMembership, Ticket
from ticketing.db.ticket_reads import ticket_desk
from ticketing.db.workspace_tables import TicketPresence
from ticketing.services.workspace_ports import Colleague, Seen


class PiccoloPresenceStore:
    async def desk_of(self, reference: str) -> str | None:
        return await ticket_desk(reference)

    async def touch(self, reference: str, user_id: int, mode: str, at: datetime) -> None:
        """Insert or refresh the caller's row (the unique index on (ticket, user) is the migration's)."""
        row = await Ticket.select(Ticket.id).where(Ticket.reference == reference).first()
        if row is None:
            return
        await TicketPresence.insert(TicketPresence(ticket=row["id"], user=user_id, mode=mode, seen_at=at)).on_conflict(
            target=(TicketPresence.ticket, TicketPresence.user),
            action="DO UPDATE",
            values=[TicketPresence.mode, TicketPresence.seen_at],
        )

    async def seen(self, reference: str, since: datetime) -> list[Seen]:
        rows = await (
            TicketPresence.select(
                TicketPresence.user.id.as_alias("user_id"),
                TicketPresence.user.email.as_alias("email"),
                TicketPresence.user.display_name.as_alias("display_name"),
                TicketPresence.mode,
                TicketPresence.seen_at,
            )
            .where((TicketPresence.ticket.reference == reference) & (TicketPresence.seen_at >= since))
            .order_by(TicketPresence.seen_at, ascending=False)
        )
        return [
            Seen(Colleague(int(r["user_id"]), r["email"], r["display_name"] or ""), r["mode"], r["seen_at"])
            for r in rows
        ]

    async def members(self, desk: str) -> list[Colleague]:
        rows = await (
            DeskMembership.select(
                DeskMembership.user.id.as_alias("user_id"),
                DeskMembership.user.email.as_alias("email"),
                DeskMembership.user.display_name.as_alias("display_name"),
            )
            .where((DeskMembership.desk.slug == desk) & (DeskMembership.user.is_active == True))  # noqa: E712
            .order_by(DeskMembership.user.email)
        )
        return [Colleague(int(r["user_id"]), r["email"], r["display_name"] or "") for r in rows]

    async def version_of(self, reference: str) -> int | None:
        row = await Ticket.select(Ticket.version).where(Ticket.reference == reference).first()
        return None if row is None else int(row["version"] or 0)


__all__ = ["PiccoloPresenceStore"]
