"""The access log: every staff read of personal data, and every refused attempt (docs/architecture.md, promises);
and a ticket's own log, for the managers of its desk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ticketing.domain.access import AccessKind, ticket_named
from ticketing.domain.errors import NotFound, ValidationFailed
from ticketing.domain.staff import MANAGER_ROLES
from ticketing.services.ports import Clock, Principal

PAGE_SIZE = 50  # entries of a ticket's log per page
MAX_PAGE_SIZE = 200
ROW_ID_MAX = 2**31 - 1  # Serial ids are 32-bit on PostgreSQL: a cursor past it is the newest page


@dataclass(frozen=True, slots=True)
class Access:
    user_id: int
    at: datetime
    via: str
    what: AccessKind
    target: str
    desk: str = ""
    reference: str | None = None  # the ticket concerned, when there is one
    client: str = ""
    allowed: bool = True
    count: int = 1


@dataclass(frozen=True, slots=True)
class LoggedAccess:
    """One line of a ticket's access log, as its managers see it."""

    id: int
    at: datetime
    user_email: str
    via: str  # api | web
    what: AccessKind
    target: str  # what was asked for: a reference, a mail id; for a refusal, the request ("GET /app/...")
    client: str
    allowed: bool
    rows_shown: int


@dataclass(frozen=True, slots=True)
class TicketAccessPage:
    """Newest first; `before` is the cursor of the next (older) page, None on the last one."""

    reference: str
    desk: str
    entries: tuple[LoggedAccess, ...]
    before: int | None


class AccessStore(Protocol):
    async def record(self, entry: Access) -> None: ...

    async def ticket_of(self, reference: str) -> tuple[int, str] | None: ...  # (ticket id, desk slug)

    async def of_ticket(self, ticket_id: int, before: int | None, limit: int) -> list[LoggedAccess]: ...


class AccessLog:
    def __init__(self, store: AccessStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    async def read(
        self,
        principal: Principal,
        what: AccessKind,
        target: str,
        *,
        desk: str = "",
        reference: str | None = None,
        count: int = 1,
    ) -> None:
        await self.store.record(
            Access(
                principal.user_id,
                self.clock.now(),
                principal.via,
                what,
                target[:200],
                desk,
                reference,
                principal.client,
                True,
                count,
            )
        )

    async def refused(self, principal: Principal, target: str) -> None:
        """A request for another desk's data, or for something that is not there.

        When the request names an existing ticket, the entry is on that ticket's log too.
        """
        await self.store.record(
            Access(
                principal.user_id,
                self.clock.now(),
                principal.via,
                AccessKind.REFUSED,
                target[:200],
                reference=ticket_named(target),
                client=principal.client,
                allowed=False,
                count=0,
            )
        )

    async def of_ticket(
        self, principal: Principal, reference: str, *, before: int | None = None, limit: int = PAGE_SIZE
    ) -> TicketAccessPage:
        """Who read the ticket, when, how and from where, refusals included: for a manager (or admin)
        of its desk. To anyone else the ticket is "not found", as another desk's ticket is. This read
        is itself logged."""
        found = await self.store.ticket_of(reference)
        if found is None or principal.roles.get(found[1]) not in MANAGER_ROLES:
            raise NotFound("ticket", reference)
        if before is not None and before < 1:
            raise ValidationFailed({"before": "must be the id of an entry (a whole number from 1)"})
        ticket_id, desk = found
        limit = min(max(limit, 1), MAX_PAGE_SIZE)
        cursor = before if before is not None and before <= ROW_ID_MAX else None
        rows = await self.store.of_ticket(ticket_id, cursor, limit + 1)
        entries = tuple(rows[:limit])
        await self.read(principal, AccessKind.ACCESS_LOG, reference, desk=desk, reference=reference, count=len(entries))
        return TicketAccessPage(reference, desk, entries, entries[-1].id if len(rows) > limit else None)
