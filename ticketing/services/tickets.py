"""Staff and requester reads of tickets: desk membership enforced, staff reads logged."""

from __future__ import annotations

from ticketing.domain.errors import NotFound
from ticketing.services.ports import Clock, Principal, TicketDetail, TicketStore, TicketSummary
from ticketing.services.requester_mail import token_hash


class TicketQueries:
    def __init__(self, store: TicketStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    async def detail_for_staff(self, principal: Principal, reference: str, *, via: str) -> TicketDetail:
        """The ticket with its personal data; the read is logged. Other desks' tickets are 'not found'."""
        detail = await self.store.get_detail(reference)
        if detail is None or detail.summary.desk not in principal.desks:
            raise NotFound("ticket", reference)
        await self.store.record_access(detail.summary.id, principal.user_id, self.clock.now(), via)
        return detail

    async def list_for_staff(self, principal: Principal, limit: int = 100) -> list[TicketSummary]:
        return await self.store.list_for_desks(sorted(principal.desks), limit)

    async def status_for_requester(self, token: str) -> TicketSummary:
        summary = await self.store.status_by_token_hash(token_hash(token)) if token else None
        if summary is None:
            raise NotFound("status page", "token")
        return summary
