"""The access log: every staff read of personal data, and every refused attempt (docs/architecture.md, promises)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ticketing.domain.access import AccessKind
from ticketing.services.ports import Clock, Principal


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


class AccessStore(Protocol):
    async def record(self, entry: Access) -> None: ...


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
        """A request for another desk's data, or for something that is not there."""
        await self.store.record(
            Access(
                principal.user_id,
                self.clock.now(),
                principal.via,
                AccessKind.REFUSED,
                target[:200],
                client=principal.client,
                allowed=False,
                count=0,
            )
        )
