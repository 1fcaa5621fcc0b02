"""Polling a desk's IMAP inbox: fetch, store (ingest commits), then flag; one poller per mailbox.

Order is what makes it safe. A message is flagged (\\Seen, or moved to the processed folder) only
after ingest committed it, so a crash in between leaves it unflagged and the next poll fetches it
again, which ingest answers `duplicate`. A lease row in the database keeps a second poller (another
process, or `ticketing mail poll` run by hand) off the mailbox while the first works; if the first
dies, its lease runs out and the next poll takes over.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from ticketing.domain.desks import Desk
from ticketing.services.mail_intake import MailIntake
from ticketing.services.mail_ports import MailboxClient, MailboxStateStore, MailSource
from ticketing.services.ports import Clock

log = logging.getLogger(__name__)


@dataclass
class PollReport:
    desk: str
    mailbox: str = ""
    skipped: str = ""  # why nothing was done (another poller holds the mailbox)
    fetched: int = 0
    actions: dict[str, int] = field(default_factory=dict)
    too_large: int = 0
    error: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "desk": self.desk,
            "mailbox": self.mailbox,
            "skipped": self.skipped,
            "fetched": self.fetched,
            "actions": dict(self.actions),
            "too_large": self.too_large,
            "error": self.error,
        }


class MailPoller:
    def __init__(
        self,
        *,
        intake: MailIntake,
        state: MailboxStateStore,
        clock: Clock,
        owner: str,
        lease_seconds: float = 120.0,
        batch: int = 500,
        after_store: Callable[[int], Awaitable[None]] | None = None,
    ) -> None:
        self.intake = intake
        self.state = state
        self.clock = clock
        self.owner = owner
        self.lease_seconds = lease_seconds
        self.batch = batch
        # Called with the UID after a message is stored and before it is flagged (tests cut in here).
        self.after_store = after_store

    async def poll(self, desk: Desk, client: MailboxClient) -> PollReport:
        """One pass over the mailbox: every new or unseen message is stored once, then flagged."""
        account = desk.imap
        assert account is not None, f"desk {desk.slug} has no [imap] settings"
        key = account.key(desk.slug)
        report = PollReport(desk.slug, key)
        lease = await self.state.lease(key, desk.slug, self.owner, self.clock.now(), self.lease_seconds)
        if lease is None:
            report.skipped = "another poller holds this mailbox"
            return report
        error = ""
        try:
            uidvalidity = await client.open()
            # A new UIDVALIDITY means the old UIDs mean nothing: start over (dedupe keeps it to one copy).
            last_uid = lease.last_uid if lease.uidvalidity == uidvalidity else 0
            for uid in sorted(await client.pending_uids(last_uid))[: self.batch]:
                await self._one(desk, client, key, uidvalidity, uid, report)
                last_uid = max(last_uid, uid)
                if not await self.state.advance(
                    key, self.owner, uidvalidity, last_uid, self.clock.now(), self.lease_seconds
                ):
                    report.error = "lost the mailbox lease; stopping"
                    break
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            report.error = error
            log.warning("imap %s: poll failed (%s); the next poll retries", key, error)
        finally:
            await self.state.release(key, self.owner, self.clock.now(), error)
        return report

    async def _one(
        self, desk: Desk, client: MailboxClient, key: str, uidvalidity: int, uid: int, report: PollReport
    ) -> None:
        account = desk.imap
        assert account is not None
        fetched = await client.fetch(uid, account.max_fetch_bytes)
        if fetched is None:
            return  # expunged by someone else meanwhile
        source = MailSource("imap", mailbox=key, uidvalidity=uidvalidity, uid=uid, delivered_at=fetched.delivered_at)
        if fetched.raw is None:
            # Too large to take: logged for a manager (headers only), flagged so it is not fetched again,
            # and left on the server, where nothing is lost.
            await self.intake.record_unfetched(desk.slug, fetched.header, fetched.size, source)
            await client.mark_too_large(uid)
            report.too_large += 1
            return
        result = await self.intake.ingest(desk.slug, fetched.raw, source)
        report.fetched += 1
        report.actions[result.action] = report.actions.get(result.action, 0) + 1
        if self.after_store is not None:
            await self.after_store(uid)
        await client.mark_processed(uid)
