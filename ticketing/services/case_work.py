"""One change of a ticket and its case: the services of the request workflow share it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from ticketing.domain.desks import Desk
from ticketing.domain.documents import adult_on, checklist
from ticketing.domain.errors import NotFound
from ticketing.domain.procedure import RequesterKind
from ticketing.domain.requests import (
    Case,
)
from ticketing.domain.ticket import Transition
from ticketing.services.calendars import CalendarService
from ticketing.services.ports import (
    AgentMessage,
    CaseChange,
    CaseSnapshot,
    CaseStore,
    Clock,
    InboundMessage,
    Principal,
    TicketChange,
)


class Asking(Protocol):
    """Who asks and about whom, and when the request arrived (a Ticket, or a case's head)."""

    @property
    def requester_kind(self) -> RequesterKind: ...

    @property
    def person_birth_date(self) -> date | None: ...

    @property
    def received_at(self) -> datetime | None: ...

    @property
    def formal_request_at(self) -> datetime | None: ...


class CaseWork:
    """Read the ticket and its case under the write lock, act, write both (db/cases.py)."""

    def __init__(
        self, *, desks: Mapping[str, Desk], calendars: CalendarService, store: CaseStore, clock: Clock
    ) -> None:
        self.desks = desks
        self.calendars = calendars
        self.store = store
        self.clock = clock

    async def _change(
        self,
        principal: Principal,
        reference: str,
        act: Callable[[CaseSnapshot, datetime], tuple[Transition, Case, AgentMessage | InboundMessage | None]],
    ) -> tuple[CaseChange, int | None]:
        now = self.clock.now()

        def decide(snap: CaseSnapshot) -> CaseChange:
            if snap.snapshot.desk not in principal.desks:
                raise NotFound("ticket", snap.snapshot.reference)
            derived = CaseSnapshot(
                snap.snapshot, derive(self.desks[snap.snapshot.desk], snap.snapshot.ticket, snap.case)
            )
            moved, case, message = act(derived, now)
            change = TicketChange(
                at=now,
                actor_id=principal.user_id,
                actor_label=principal.email,
                ticket=moved.ticket,
                events=moved.events,
                message=message,
            )
            return CaseChange(change, case)

        return await self.store.change(reference, decide)

    async def read_case(self, reference: str) -> Case:
        """The case as stored, with its checklist (after a change the caller may already read)."""
        got = await self.store.read(reference)
        if got is None:
            raise NotFound("ticket", reference)
        head, case, _ = got
        return derive(self.desks[head.desk], head, case)

    def _today(self, desk: Desk, now: datetime) -> date:
        return now.astimezone(ZoneInfo(desk.timezone)).date()


def derive(desk: Desk, asking: Asking, case: Case) -> Case:
    """The case with its checklist worked out from the desk's rules (derived, never stored).

    The person's age counts on the day the request arrived (the conforming request, else the first
    contact): a 17-year-old's parent who wrote then stays their statutory agent for this request.
    """
    rules_of = desk.request_types
    needs_form = any(r.type in rules_of and "request_form" in rules_of[r.type].documents for r in case.requests)
    adult = None
    received = asking.formal_request_at or asking.received_at
    if asking.person_birth_date is not None and received is not None:
        adult = adult_on(asking.person_birth_date, received.astimezone(ZoneInfo(desk.timezone)).date())
    found = checklist(
        desk.procedure, desk.document_validity, asking.requester_kind, needs_form, case.documents, person_adult=adult
    )
    return replace(case, checklist=found)


Act = Callable[[CaseSnapshot, datetime], tuple[Transition, Case, AgentMessage | InboundMessage | None]]

__all__ = ["Act", "Asking", "CaseWork", "derive"]
