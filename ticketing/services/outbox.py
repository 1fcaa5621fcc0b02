"""Outbox delivery: claim due mail, send it, record the outcome; retries back off exponentially."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from ticketing.services.ports import Clock, MailTransport, OutboxStore

log = logging.getLogger(__name__)


class DeliveryError(Exception):
    """Raised by a MailTransport; `permanent` failures are not retried (e.g. SMTP 5xx)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    base_seconds: float = 30.0
    max_seconds: float = 3600.0
    max_attempts: int = 12  # with the defaults: about 9 hours of trying

    def delay(self, attempts: int) -> timedelta:
        return timedelta(seconds=min(self.base_seconds * 2 ** max(attempts - 1, 0), self.max_seconds))


class OutboxService:
    def __init__(
        self,
        store: OutboxStore,
        transport: MailTransport,
        clock: Clock,
        retry: RetryPolicy | None = None,
        *,
        batch: int = 20,
        lease_seconds: int = 300,
    ) -> None:
        self.store = store
        self.transport = transport
        self.clock = clock
        self.retry = retry or RetryPolicy()
        self.batch = batch
        self.lease_seconds = lease_seconds

    async def deliver_due(self) -> DeliveryResult:
        """Send what is due now; each claimed row ends sent, scheduled for retry, or failed."""
        sent = retried = failed = 0
        items = await self.store.claim(self.clock.now(), self.batch, self.lease_seconds)
        for item in items:
            try:
                await self.transport.send(item.mail, self.clock.now())
            except DeliveryError as exc:
                if exc.permanent or item.attempts >= self.retry.max_attempts:
                    await self.store.mark_failed(item.id, str(exc))
                    log.warning("outbox %s failed for good after %s attempts: %s", item.id, item.attempts, exc)
                    failed += 1
                else:
                    next_at = self.clock.now() + self.retry.delay(item.attempts)
                    await self.store.mark_retry(item.id, str(exc), next_at)
                    log.info("outbox %s: attempt %s failed (%s); retry at %s", item.id, item.attempts, exc, next_at)
                    retried += 1
            else:
                await self.store.mark_sent(item.id, self.clock.now())
                sent += 1
        return DeliveryResult(sent, retried, failed)
