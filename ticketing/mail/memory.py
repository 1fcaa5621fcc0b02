"""In-memory transport: keeps what it was asked to send (tests and the contract test)."""

from __future__ import annotations

from datetime import datetime

from ticketing.domain.mail import OutgoingMail
from ticketing.mail.compose import compose
from ticketing.services.outbox import DeliveryError


class MemoryTransport:
    def __init__(self) -> None:
        self.sent: list[bytes] = []
        self.down = False

    async def send(self, mail: OutgoingMail, sent_at: datetime) -> None:
        if self.down:
            raise DeliveryError("memory transport is down")
        self.sent.append(bytes(compose(mail, sent_at)))
