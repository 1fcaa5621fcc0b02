"""The inbound-mail log for managers: quarantined and ignored mail, its raw bytes, and their decision."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from ticketing.domain.access import AccessKind
from ticketing.domain.errors import Conflict, NotFound, ValidationFailed
from ticketing.domain.staff import MANAGER_ROLES
from ticketing.services.access import AccessLog
from ticketing.services.mail_intake import IngestResult, MailIntake
from ticketing.services.mail_ports import InboundRow, MailSource, MailStore
from ticketing.services.ports import BlobStore, Clock, Principal

log = logging.getLogger(__name__)
ACTIONS = ("created", "appended", "quarantined", "ignored")
REVIEWS = ("dismissed", "released")
ROW_ID_MAX = 2**31 - 1  # Serial ids are 32-bit on PostgreSQL: a larger one names no row


@dataclass(frozen=True, slots=True)
class RawMail:
    filename: str
    data: bytes


class MailLog:
    """What reached the desk inboxes; managers see the mail that did not become or join a ticket."""

    def __init__(
        self, *, store: MailStore, raw_store: BlobStore, intake: MailIntake, clock: Clock, access: AccessLog
    ) -> None:
        self.access = access
        self.store = store
        self.raw_store = raw_store
        self.intake = intake
        self.clock = clock

    @staticmethod
    def managed_desks(principal: Principal) -> list[str]:
        return sorted(d for d, role in principal.roles.items() if role in MANAGER_ROLES)

    async def list(
        self,
        principal: Principal,
        *,
        desk: str | None = None,
        actions: Sequence[str] = ("quarantined", "ignored"),
        limit: int = 200,
    ) -> list[InboundRow]:
        desks = self.managed_desks(principal)
        if desk is not None:
            if desk not in desks:
                raise NotFound("desk", desk)
            desks = [desk]
        bad = [a for a in actions if a not in ACTIONS]
        if bad:
            raise ValidationFailed({"action": f"use {', '.join(ACTIONS)}"})
        rows = await self.store.inbound_log(desks, list(actions), min(max(limit, 1), 1000))
        await self.access.read(principal, AccessKind.MAIL_LOG, "desks:" + ",".join(desks), count=len(rows))
        return rows

    async def _row(self, principal: Principal, inbound_id: int) -> InboundRow:
        row = await self.store.inbound_row(inbound_id) if 0 < inbound_id <= ROW_ID_MAX else None
        if row is None or row.desk not in self.managed_desks(principal):
            raise NotFound("mail", str(inbound_id))
        return row

    async def get(self, principal: Principal, inbound_id: int) -> InboundRow:
        row = await self._row(principal, inbound_id)
        await self.access.read(principal, AccessKind.MAIL, str(row.id), desk=row.desk, reference=row.reference)
        return row

    async def raw(self, principal: Principal, inbound_id: int) -> RawMail:
        """The message exactly as received; the download is in the access log (and the app log, no content)."""
        row = await self._row(principal, inbound_id)
        await self.access.read(principal, AccessKind.MAIL_RAW, str(row.id), desk=row.desk, reference=row.reference)
        log.info("staff user %s downloaded raw inbound mail %s (desk %s)", principal.user_id, row.id, row.desk)
        return RawMail(f"inbound-{row.id}.eml", self.raw_store.get(row.raw_sha256))

    async def review(self, principal: Principal, inbound_id: int, decision: str) -> IngestResult | None:
        """`dismissed`: looked at, nothing to do. `released`: open a ticket from it after all."""
        if decision not in REVIEWS:
            raise ValidationFailed({"review": f"use {' or '.join(REVIEWS)}"})
        row = await self._row(principal, inbound_id)
        if row.action not in ("quarantined", "ignored"):
            raise Conflict(f"mail {inbound_id} is already on ticket {row.reference}")
        if row.review:
            raise Conflict(f"mail {inbound_id} was already {row.review}")
        result = None
        if decision == "released":
            result = await self.intake.release(row.desk, row.raw_sha256, row.id, MailSource(row.source))
        await self.store.set_review(inbound_id, decision, principal.user_id, self.clock.now())
        return result
