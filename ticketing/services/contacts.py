"""Staff confirm a requester's changed contact details (domain/contacts.py: only staff change them)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from ticketing.domain.contacts import Contact
from ticketing.domain.errors import NotFound
from ticketing.services.ports import Clock, Principal


class ContactStore(Protocol):
    async def desk_of(self, reference: str) -> str | None: ...

    async def confirm(self, reference: str, user_id: int, label: str, at: datetime) -> Contact: ...


class ContactDetails:
    def __init__(self, store: ContactStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    async def confirm(self, principal: Principal, reference: str) -> Contact:
        """Make the details this ticket was opened with the requester's details on file.

        Earlier tickets keep the details they were opened with; the change is an event on this one.
        """
        desk = await self.store.desk_of(reference)
        if desk is None or desk not in principal.desks:
            raise NotFound("ticket", reference)
        return await self.store.confirm(reference, principal.user_id, principal.email, self.clock.now())
