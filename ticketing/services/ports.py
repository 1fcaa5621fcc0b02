"""Ports the services depend on. Adapters in db/, mail/ and web/ implement them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from ticketing.domain.intake import NewTicket
from ticketing.domain.mail import OutgoingMail, RenderedMail


class Clock(Protocol):
    def now(self) -> datetime: ...


class MailRenderer(Protocol):
    def render(self, kind: str, language: str, context: Mapping[str, Any]) -> RenderedMail: ...


class BlobStore(Protocol):
    """Content-addressed file storage outside any web root."""

    def put(self, data: bytes) -> tuple[str, str]: ...  # (sha256 hex digest, sniffed content type)

    def get(self, digest: str) -> bytes: ...


class MailTransport(Protocol):
    async def send(self, mail: OutgoingMail, sent_at: datetime) -> None: ...


@dataclass(frozen=True, slots=True)
class StoredAttachment:
    filename: str
    declared_type: str
    content_type: str
    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class TicketDraft:
    """Everything the store writes in the one transaction that creates a ticket."""

    new: NewTicket
    reference: str
    status_token_hash: str
    received_at: datetime
    attachments: tuple[StoredAttachment, ...]
    acknowledgement: OutgoingMail | None
    actor_user_id: int | None = None
    actor_label: str = "requester"


@dataclass(frozen=True, slots=True)
class TicketSummary:
    id: int
    reference: str
    desk: str
    channel: str
    category: str
    request_types: tuple[str, ...]
    state: str
    language: str
    subject: str
    created_at: datetime
    updated_at: datetime
    assignee_email: str | None = None


@dataclass(frozen=True, slots=True)
class MessageView:
    direction: str
    channel: str
    from_email: str | None
    subject: str
    text: str
    created_at: datetime
    attachments: tuple[StoredAttachment, ...] = ()


@dataclass(frozen=True, slots=True)
class EventView:
    at: datetime
    actor: str
    action: str
    from_state: str | None
    to_state: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class TicketDetail:
    summary: TicketSummary
    requester_name: str
    requester_email: str | None
    requester_phone: str | None
    requester_postal_address: str | None
    messages: tuple[MessageView, ...] = ()
    events: tuple[EventView, ...] = ()


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated staff user and the desks they belong to, with their role on each."""

    user_id: int
    email: str
    roles: Mapping[str, str] = field(default_factory=dict)  # desk slug -> role

    @property
    def desks(self) -> frozenset[str]:
        return frozenset(self.roles)


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    mail: OutgoingMail
    attempts: int


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    desk: str
    kind: str
    to_addr: str
    subject: str
    status: str
    attempts: int
    last_error: str
    created_at: datetime
    sent_at: datetime | None
    text: str


class TicketStore(Protocol):
    async def ensure_desks(self, slugs: Sequence[str], at: datetime) -> None: ...

    async def next_reference(self, prefix: str, year: int) -> int: ...

    async def create_ticket(self, draft: TicketDraft) -> int: ...

    async def get_detail(self, reference: str) -> TicketDetail | None: ...

    async def status_by_token_hash(self, token_hash: str) -> TicketSummary | None: ...

    async def record_access(self, ticket_id: int, user_id: int, at: datetime, via: str) -> None: ...

    async def list_for_desks(self, desks: Sequence[str], limit: int) -> list[TicketSummary]: ...


class AccountStore(Protocol):
    async def add_user(self, email: str, password_hash: str, roles: Mapping[str, str], at: datetime) -> int: ...

    async def password_hash_of(self, email: str) -> tuple[int, str] | None: ...

    async def set_password_hash(self, user_id: int, password_hash: str) -> None: ...

    async def principal(self, user_id: int) -> Principal | None: ...

    async def add_token(self, user_id: int, token_hash: str, prefix: str, at: datetime) -> None: ...

    async def user_for_token(self, token_hash: str, at: datetime) -> int | None: ...

    async def add_session(self, user_id: int, token_hash: str, at: datetime, expires_at: datetime) -> None: ...

    async def user_for_session(self, token_hash: str, at: datetime) -> int | None: ...

    async def delete_session(self, token_hash: str) -> None: ...

    async def user_id_by_email(self, email: str) -> int | None: ...


class OutboxStore(Protocol):
    async def claim(self, now: datetime, limit: int, lease_seconds: int) -> list[OutboxItem]: ...

    async def mark_sent(self, item_id: int, at: datetime) -> None: ...

    async def mark_retry(self, item_id: int, error: str, next_attempt_at: datetime) -> None: ...

    async def mark_failed(self, item_id: int, error: str) -> None: ...

    async def recent(self, desks: Sequence[str], limit: int) -> list[OutboxRow]: ...
