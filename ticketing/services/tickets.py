"""Staff and requester reads of tickets: desk membership enforced, staff reads logged."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from ticketing.domain.access import AccessKind
from ticketing.domain.desks import Desk
from ticketing.domain.errors import NotFound
from ticketing.services.access import AccessLog
from ticketing.services.case_work import derive
from ticketing.services.ports import CaseStore, Principal, TicketDetail, TicketStore, TicketSummary


class TicketQueries:
    def __init__(
        self,
        store: TicketStore,
        access: AccessLog,
        cases: CaseStore | None = None,
        desks: Mapping[str, Desk] | None = None,
    ) -> None:
        self.store = store
        self.access = access
        self.cases = cases
        self.desks = desks or {}

    async def detail_for_staff(self, principal: Principal, reference: str) -> TicketDetail:
        """The ticket with its personal data; the read is logged. Other desks' tickets are 'not found'
        (the refusal is logged by the web layer, as every refusal is)."""
        detail = await self.store.get_detail(reference)
        if detail is None or detail.summary.desk not in principal.desks:
            raise NotFound("ticket", reference)
        await self.access.read(principal, AccessKind.TICKET, reference, desk=detail.summary.desk, reference=reference)
        if self.cases is not None and detail.summary.desk in self.desks:
            got = await self.cases.read(reference)
            if got is not None:
                head, case, clocks = got
                desk = self.desks[detail.summary.desk]
                detail = replace(
                    detail,
                    requester_kind=head.requester_kind,
                    person_birth_date=head.person_birth_date,
                    case=derive(desk, head, case),
                    clocks=clocks,
                )
        return detail

    async def desk_for_staff(self, principal: Principal, reference: str) -> str:
        """The desk of a ticket the caller may work on (another desk's ticket is "not found"); no
        personal data is read, so nothing is logged."""
        desk = await self.store.desk_of(reference)
        if desk is None or desk not in principal.desks:
            raise NotFound("ticket", reference)
        return desk

    async def list_for_staff(self, principal: Principal, limit: int = 100) -> list[TicketSummary]:
        desks = sorted(principal.desks)
        rows = await self.store.list_for_desks(desks, limit)
        await self.access.read(principal, AccessKind.TICKET_LIST, "desks:" + ",".join(desks), count=len(rows))
        return rows
