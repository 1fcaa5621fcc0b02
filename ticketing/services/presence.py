"""Two agents on one ticket: who else has its page open (and is writing a reply), the desk's members
to assign to, and the version check for the changes whose services do not check it themselves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from ticketing.domain.errors import NotFound, StaleChange
from ticketing.domain.presence import PRESENCE_WINDOW, PresenceMode
from ticketing.services.ports import Clock, Principal
from ticketing.services.workspace_ports import Colleague, PresenceStore, Seen


@dataclass(frozen=True, slots=True)
class Pulse:
    """What a ticket page's poll learns: the others on the page, and the ticket's version now."""

    others: tuple[Seen, ...]
    version: int


class Presence:
    def __init__(self, store: PresenceStore, clock: Clock, window: timedelta = PRESENCE_WINDOW) -> None:
        self.store = store
        self.clock = clock
        self.window = window

    async def _desk(self, principal: Principal, reference: str) -> str:
        desk = await self.store.desk_of(reference)
        if desk is None or desk not in principal.desks:
            raise NotFound("ticket", reference)
        return desk

    async def beat(self, principal: Principal, reference: str, mode: PresenceMode) -> Pulse:
        """Record that the caller has the page open (and how), and tell who else has, newest first.

        No personal data of the requester is read, so the poll is not on the access log (it would
        add a line every ten seconds); the page it belongs to was logged when it was opened.
        """
        await self._desk(principal, reference)
        now = self.clock.now()
        await self.store.touch(reference, principal.user_id, mode.value, now)
        seen = await self.store.seen(reference, now - self.window)
        others = tuple(s for s in seen if s.who.user_id != principal.user_id)
        return Pulse(others, await self.store.version_of(reference) or 0)

    async def colleagues(self, principal: Principal, desk: str) -> list[Colleague]:
        """The desk's active members, the caller first ("me"): whom a ticket may be assigned to."""
        if desk not in principal.desks:
            raise NotFound("desk", desk)
        members = await self.store.members(desk)
        return sorted(members, key=lambda m: (m.user_id != principal.user_id, m.email))

    async def expect(self, principal: Principal, reference: str, version: int | None) -> None:
        """Refuse a change sent from a page of an older version (StaleChange); None checks nothing.

        For the changes whose own service does not take the version (decisions, referrals,
        incidents, participants): read without the ticket's lock, so a change landing in the same
        instant can slip through; the changes of services/workflow.py and services/requests.py check
        it under the lock.
        """
        await self._desk(principal, reference)
        if version is None:
            return
        current = await self.store.version_of(reference)
        if current is None:
            raise NotFound("ticket", reference)
        if current != version:
            raise StaleChange(reference, version, current)


__all__ = ["Presence", "Pulse"]
