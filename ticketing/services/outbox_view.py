"""The outbox as staff see it: their desks' mail only, status links masked, the read logged."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import Protocol

from ticketing.domain.access import AccessKind
from ticketing.services.access import AccessLog
from ticketing.services.ports import OutboxRow, Principal

# A status link is the requester's key to their case: staff never need it, so no page shows it.
STATUS_LINK = re.compile(r"/status/[A-Za-z0-9_\-]+")
MASKED = "/status/(private link)"


class RecentOutbox(Protocol):
    async def recent(self, desks: Sequence[str], limit: int) -> list[OutboxRow]: ...


def mask_status_links(text: str) -> str:
    return STATUS_LINK.sub(MASKED, text)


class OutboxView:
    def __init__(self, store: RecentOutbox, access: AccessLog) -> None:
        self.store = store
        self.access = access

    async def recent(self, principal: Principal, limit: int = 100) -> list[OutboxRow]:
        desks = sorted(principal.desks)
        rows = await self.store.recent(desks, limit)
        await self.access.read(principal, AccessKind.OUTBOX, "desks:" + ",".join(desks), count=len(rows))
        return [dataclasses.replace(r, text=mask_status_links(r.text)) for r in rows]
