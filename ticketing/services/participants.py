"""Participants: addresses besides the requester's whose mail may join a ticket (a representative, say).

Only an agent adds one. Mail from anyone else that names the ticket opens a new, linked ticket.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from ticketing.domain.access import AccessKind
from ticketing.domain.errors import NotFound, ValidationFailed
from ticketing.domain.intake import BAD_EMAIL, EMAIL_RE
from ticketing.services.access import AccessLog
from ticketing.services.ports import Clock, Principal


class ParticipantStore(Protocol):
    async def desk_of(self, reference: str) -> str | None: ...

    async def list(self, reference: str) -> list[tuple[str, str]]: ...

    async def add(self, reference: str, email: str, name: str, user_id: int, label: str, at: datetime) -> bool: ...

    async def remove(self, reference: str, email: str, user_id: int, label: str, at: datetime) -> bool: ...


def normal_email(raw: str) -> str:
    email = (raw or "").strip()
    if len(email) > 254 or EMAIL_RE.match(email) is None:
        raise ValidationFailed({"email": BAD_EMAIL})
    local, domain = email.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


class Participants:
    def __init__(self, store: ParticipantStore, clock: Clock, access: AccessLog) -> None:
        self.store = store
        self.clock = clock
        self.access = access

    async def _check(self, principal: Principal, reference: str) -> str:
        desk = await self.store.desk_of(reference)
        if desk is None or desk not in principal.desks:
            raise NotFound("ticket", reference)
        return desk

    async def list(self, principal: Principal, reference: str) -> list[tuple[str, str]]:
        desk = await self._check(principal, reference)
        rows = await self.store.list(reference)
        await self.access.read(
            principal, AccessKind.PARTICIPANTS, reference, desk=desk, reference=reference, count=len(rows)
        )
        return rows

    async def add(self, principal: Principal, reference: str, email: str, name: str = "") -> bool:
        address = normal_email(email)
        if len(name) > 200:
            raise ValidationFailed({"name": "at most 200 characters"})
        await self._check(principal, reference)
        return await self.store.add(
            reference, address, name.strip(), principal.user_id, principal.email, self.clock.now()
        )

    async def remove(self, principal: Principal, reference: str, email: str) -> bool:
        await self._check(principal, reference)
        return await self.store.remove(
            reference, normal_email(email), principal.user_id, principal.email, self.clock.now()
        )
