"""IMAP mailbox state: UIDVALIDITY, the last UID stored, and a lease so one poller works a mailbox."""

from __future__ import annotations

from datetime import datetime, timedelta

from ticketing.db.tables import MailboxState
from ticketing.db.tickets import PiccoloTicketStore
from ticketing.services.mail_ports import MailboxLease


class PiccoloMailboxStates:
    def __init__(self, tickets: PiccoloTicketStore) -> None:
        self.tickets = tickets

    async def lease(self, key: str, desk: str, owner: str, now: datetime, seconds: float) -> MailboxLease | None:
        """Take the mailbox for `seconds` unless another owner holds an unexpired lease (one UPDATE: atomic)."""
        desk_id = await self.tickets.desk_id(desk)
        await MailboxState.insert(MailboxState(key=key, desk=desk_id, last_uid=0)).on_conflict(
            target=MailboxState.key, action="DO NOTHING"
        )
        rows = (
            await MailboxState.update(
                {MailboxState.owner: owner, MailboxState.lease_until: now + timedelta(seconds=seconds)}
            )
            .where(
                (MailboxState.key == key)
                & (
                    MailboxState.owner.is_null()
                    | MailboxState.lease_until.is_null()
                    | (MailboxState.lease_until < now)
                    | (MailboxState.owner == owner)
                )
            )
            .returning(MailboxState.uidvalidity, MailboxState.last_uid)
        )
        if not rows:
            return None
        return MailboxLease(key, rows[0]["uidvalidity"], int(rows[0]["last_uid"] or 0))

    async def advance(
        self, key: str, owner: str, uidvalidity: int, last_uid: int, now: datetime, seconds: float
    ) -> bool:
        """Record progress and renew the lease; False when the lease was lost to another poller."""
        rows = (
            await MailboxState.update(
                {
                    MailboxState.uidvalidity: uidvalidity,
                    MailboxState.last_uid: last_uid,
                    MailboxState.lease_until: now + timedelta(seconds=seconds),
                }
            )
            .where((MailboxState.key == key) & (MailboxState.owner == owner))
            .returning(MailboxState.id)
        )
        return bool(rows)

    async def release(self, key: str, owner: str, now: datetime, error: str = "") -> None:
        await MailboxState.update(
            {
                MailboxState.owner: None,
                MailboxState.lease_until: None,
                MailboxState.last_poll_at: now,
                MailboxState.last_error: error[:2000],
            }
        ).where((MailboxState.key == key) & (MailboxState.owner == owner))
