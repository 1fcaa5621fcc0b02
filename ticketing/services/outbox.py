"""Outbox delivery: claim due mail, send it, record the outcome; retries back off exponentially."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta

from ticketing.services.ports import Clock, MailTransport, OutboxItem, OutboxStore

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
    """Sends due outbox rows; any number of these may run at once (in one or several processes).

    Rows are claimed one at a time, each with its own lease, and a send is cut off well before its
    lease runs out. (Claiming a batch under one lease let the tail of a batch stuck behind a slow
    relay lose its lease while still queued here, so another worker sent it too.)
    """

    def __init__(
        self,
        store: OutboxStore,
        transport: MailTransport,
        clock: Clock,
        retry: RetryPolicy | None = None,
        *,
        batch: int = 20,
        # A worker killed mid-send leaves its row to the next worker when the lease ends; the send is
        # always cut off (send_timeout, 0.8 of it) while the lease holds, so two minutes is safe.
        lease_seconds: int = 120,
        send_timeout: float | None = None,
    ) -> None:
        self.store = store
        self.transport = transport
        self.clock = clock
        self.retry = retry or RetryPolicy()
        self.batch = batch
        self.lease_seconds = lease_seconds
        # A send must end (sent or given up) while this worker still holds the lease.
        self.send_timeout = send_timeout if send_timeout is not None else lease_seconds * 0.8
        if not 0 < self.send_timeout < lease_seconds:
            raise ValueError("send_timeout must be positive and shorter than lease_seconds")

    async def deliver_due(self) -> DeliveryResult:
        """Send what is due now (at most `batch` rows); each claimed row ends sent, scheduled for retry, or failed."""
        sent = retried = failed = 0
        for _ in range(self.batch):
            items = await self.store.claim(self.clock.now(), 1, self.lease_seconds)
            if not items:
                break
            outcome = await self._deliver(items[0])
            sent += outcome == "sent"
            retried += outcome == "retried"
            failed += outcome == "failed"
        return DeliveryResult(sent, retried, failed)

    async def _deliver(self, item: OutboxItem) -> str:
        try:
            async with asyncio.timeout(self.send_timeout):
                await self.transport.send(item.mail, self.clock.now())
        except DeliveryError as exc:
            error, permanent = str(exc), exc.permanent
        except TimeoutError:
            error, permanent = f"no answer within {self.send_timeout:g} s", False
        except Exception as exc:  # a bug or an unexpected library error: keep the row, retry, never stall the queue
            log.exception("outbox %s: unexpected error while sending", item.id)
            error, permanent = f"unexpected {type(exc).__name__}: {exc}", False
        else:
            await self.store.mark_sent(item.id, self.clock.now())
            return "sent"
        if permanent or item.attempts >= self.retry.max_attempts:
            await self.store.mark_failed(item.id, error)
            log.warning("outbox %s failed for good after %s attempt(s): %s", item.id, item.attempts, error)
            return "failed"
        next_at = self.clock.now() + self.retry.delay(item.attempts)
        await self.store.mark_retry(item.id, error, next_at)
        log.info("outbox %s: attempt %s failed (%s); retry at %s", item.id, item.attempts, error, next_at)
        return "retried"
