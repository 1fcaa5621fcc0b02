"""Ports of the mail channel: the parser, the inbound-mail store and the IMAP mailbox."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ticketing.domain.inbound import ParsedMail
from ticketing.services.ports import TicketChange, TicketDraft, TicketSnapshot


class MailParser(Protocol):
    def parse(self, raw: bytes) -> ParsedMail: ...


@dataclass(frozen=True, slots=True)
class MailSource:
    """Where a message came from: `imap` (with its mailbox and UID), `lmtp` or `pipe`."""

    kind: str
    mailbox: str = ""
    uidvalidity: int | None = None
    uid: int | None = None
    delivered_at: datetime | None = None  # IMAP INTERNALDATE: when the mailbox got it


@dataclass(frozen=True, slots=True)
class InboundRecord:
    """One row of the inbound-mail log."""

    desk: str
    dedupe_key: str
    source: MailSource
    message_id: str | None
    content_hash: str
    raw_sha256: str
    size: int
    from_email: str | None
    subject: str
    received_at: datetime
    action: str  # created | appended | quarantined | ignored
    reason: str = ""
    defects: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class InboundHit:
    id: int
    action: str
    reference: str | None


@dataclass(frozen=True, slots=True)
class ThreadMatch:
    """A ticket of the desk that a message refers to, and who may write to it."""

    reference: str
    requester_email: str | None
    participants: tuple[str, ...] = ()
    via: str = ""  # outbound (our Message-ID) | inbound (an earlier received Message-ID) | subject
    mail_kind: str = ""  # for outbound matches: the emails/ kind of our message

    def knows(self, address: str | None) -> bool:
        if not address:
            return False
        known = {a.casefold() for a in (self.requester_email, *self.participants) if a}
        return address.casefold() in known


@dataclass(frozen=True, slots=True)
class OutgoingHit:
    """A message we sent, found by its Message-ID (for bounces)."""

    reference: str
    to_addr: str
    kind: str


@dataclass(frozen=True, slots=True)
class InboundRow:
    id: int
    desk: str
    source: str
    message_id: str | None
    from_email: str | None
    subject: str
    received_at: datetime
    action: str
    reason: str
    defects: tuple[str, ...]
    size: int
    deliveries: int
    reference: str | None
    raw_sha256: str
    review: str = ""


class MailStore(Protocol):
    async def find_inbound(self, dedupe_key: str) -> InboundHit | None: ...

    async def touch_duplicate(self, inbound_id: int, at: datetime) -> None: ...

    async def record(self, record: InboundRecord) -> int | None: ...

    async def create_ticket(
        self, record: InboundRecord, draft: TicketDraft, *, release_of: int | None = None
    ) -> int | None: ...

    async def append(
        self, record: InboundRecord, reference: str, decide: Callable[[TicketSnapshot], TicketChange]
    ) -> TicketChange | None: ...

    async def thread_matches(self, desk: str, message_ids: Sequence[str]) -> list[ThreadMatch]: ...

    async def ticket_by_reference(self, desk: str, reference: str) -> ThreadMatch | None: ...

    async def outgoing(self, desk: str, message_ids: Sequence[str]) -> OutgoingHit | None: ...

    async def inbound_log(self, desks: Sequence[str], actions: Sequence[str], limit: int) -> list[InboundRow]: ...

    async def inbound_row(self, inbound_id: int) -> InboundRow | None: ...

    async def set_review(self, inbound_id: int, review: str, user_id: int, at: datetime) -> None: ...


@dataclass(frozen=True, slots=True)
class FetchedMessage:
    uid: int
    size: int
    delivered_at: datetime | None
    raw: bytes | None  # None when only the headers were fetched (too large to take)
    header: bytes = b""


class MailboxClient(Protocol):
    """One IMAP session on one mailbox (ticketing.mail.imap adapts aioimaplib to this)."""

    async def open(self) -> int: ...  # select the mailbox; returns its UIDVALIDITY

    async def pending_uids(self, after_uid: int) -> list[int]: ...  # unseen, or newer than after_uid

    async def fetch(self, uid: int, max_bytes: int) -> FetchedMessage | None: ...

    async def mark_processed(self, uid: int) -> None: ...  # \\Seen, or moved to the processed folder

    async def mark_too_large(self, uid: int) -> None: ...

    async def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class MailboxLease:
    key: str
    uidvalidity: int | None
    last_uid: int


class MailboxStateStore(Protocol):
    async def lease(self, key: str, desk: str, owner: str, now: datetime, seconds: float) -> MailboxLease | None: ...

    async def advance(
        self, key: str, owner: str, uidvalidity: int, last_uid: int, now: datetime, seconds: float
    ) -> bool: ...

    async def release(self, key: str, owner: str, now: datetime, error: str = "") -> None: ...
