"""Ports the services depend on. Adapters in db/, mail/ and web/ implement them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from ticketing.domain.clocks import ClockState, Firing
from ticketing.domain.contacts import Contact
from ticketing.domain.inbound import ReplyParts, reply_parts
from ticketing.domain.incidents import Incident
from ticketing.domain.intake import NewTicket
from ticketing.domain.mail import MailKind, MessageKind, OutgoingMail, RenderedMail
from ticketing.domain.procedure import RequesterKind
from ticketing.domain.requests import Case, TicketRequest
from ticketing.domain.sla import Pause
from ticketing.domain.ticket import Ticket, TicketEvent


class Clock(Protocol):
    def now(self) -> datetime: ...


class MailRenderer(Protocol):
    def render(self, kind: MailKind, language: str, context: Mapping[str, Any]) -> RenderedMail: ...


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
class InboundMessage:
    """A received e-mail as it is stored on a ticket (besides its text)."""

    from_email: str | None
    subject: str
    text: str
    html: str | None
    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    to: tuple[str, ...]
    cc: tuple[str, ...]
    raw_path: str  # sha256 of the raw message in the raw-mail store
    content_hash: str
    kind: MessageKind = MessageKind.NORMAL
    headers: Mapping[str, str] = field(default_factory=dict)
    quote_start: int | None = None
    signature_start: int | None = None
    attachments: tuple[StoredAttachment, ...] = ()
    received_at: datetime | None = None
    channel: str = "email"  # "web": a reply the requester wrote on their status page


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
    clocks: tuple[ClockState, ...] = ()
    created_at: datetime | None = None  # when the row was written (received_at may be earlier)
    inbound: InboundMessage | None = None  # the e-mail that opened the ticket
    mails: tuple[OutgoingMail, ...] = ()  # more mail besides the acknowledgement
    flags: Mapping[str, Any] = field(default_factory=dict)
    linked_reference: str | None = None  # a ticket of the same desk this one is linked to
    keep_requester_name: bool = False  # a known requester keeps the name on file (mail display names vary)
    event_data: Mapping[str, Any] = field(default_factory=dict)  # more facts for the "created" event
    # Fields this contact states differently from the requester on file (domain.contacts): the
    # ticket is flagged and the difference is an event; the record on file is never changed here.
    contact_changes: tuple[str, ...] = ()
    requests: tuple[TicketRequest, ...] = ()  # statutory requests, with the desk's fee for each
    formal_request: bool = False  # it came the way the desk fixed (APPI Art. 37(1)): received_at counts
    incident: Incident | None = None  # an incident ticket's record (APPI Art. 26)


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
    kind: MessageKind = MessageKind.NORMAL
    html: str | None = None
    quote_start: int | None = None
    signature_start: int | None = None
    message_id: str | None = None
    id: int | None = None  # the stored message's id
    author: str | None = None  # the staff member who wrote it (a reply, a note, a logged contact): e-mail
    attachment_ids: tuple[int, ...] = ()  # the id of each of `attachments`, in the same order

    @property
    def files(self) -> tuple[tuple[int, StoredAttachment], ...]:
        """Each attachment with the id its download is asked for by."""
        return tuple(zip(self.attachment_ids, self.attachments, strict=False))

    @property
    def parts(self) -> ReplyParts:
        """New text, quoted history and signature (offsets found when the mail was parsed)."""
        return reply_parts(self.text, self.quote_start, self.signature_start)


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
    requester_name: str  # the contact details this ticket was opened with
    requester_email: str | None
    requester_phone: str | None
    requester_postal_address: str | None
    messages: tuple[MessageView, ...] = ()
    events: tuple[EventView, ...] = ()
    flags: Mapping[str, Any] = field(default_factory=dict)
    requester_bouncing: bool = False
    linked_reference: str | None = None
    participants: tuple[str, ...] = ()
    on_file: Contact | None = None  # the requester's details on file now (staff confirm changes)
    case: Case = field(default_factory=Case)  # statutory requests, documents, fees, decisions, referrals
    requester_kind: RequesterKind = RequesterKind.PERSON
    person_birth_date: date | None = None
    clocks: tuple[ClockState, ...] = ()
    version: int = 0  # the ticket's change count: the page's forms send it back (optimistic locking)


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated staff user and the desks they belong to, with their role on each."""

    user_id: int
    email: str
    roles: Mapping[str, str] = field(default_factory=dict)  # desk slug -> role
    via: str = "api"  # api | web: how this request came (for the access log)
    client: str = ""  # the client address as the app sees it (for the access log)
    language: str = ""  # the staff pages' language the user chose (ja | en); "": none, the browser's

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


@dataclass(frozen=True, slots=True)
class Reservation:
    """A new ticket's sequence number, with what its intake asks in the same round trip."""

    sequence: int
    sent: int  # automatic mail to the address since the given instant; -1 without an address
    on_file: Contact | None = None  # the requester on file with `on_file_of`, if any


class TicketStore(Protocol):
    async def ensure_desks(self, slugs: Sequence[str], at: datetime) -> None: ...

    async def reserve_reference(
        self,
        prefix: str,
        year: int,
        desk: str,
        to_addr: str | None,
        since: datetime,
        kinds: Sequence[str],
        on_file_of: str | None = None,
    ) -> Reservation: ...

    async def create_ticket(self, draft: TicketDraft) -> int: ...

    async def get_detail(self, reference: str) -> TicketDetail | None: ...

    async def list_for_desks(self, desks: Sequence[str], limit: int) -> list[TicketSummary]: ...

    async def desk_of(self, reference: str) -> str | None: ...

    async def auto_mail_count(self, desk: str, to_addr: str, since: datetime, kinds: Sequence[str]) -> int: ...


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


@dataclass(frozen=True, slots=True)
class StaffContact:
    user_id: int
    email: str
    display_name: str
    language: str
    role: str  # agent | manager | admin


@dataclass(frozen=True, slots=True)
class TicketContext:
    """What a clock's firing needs to know about its ticket (no requester personal data)."""

    id: int
    reference: str
    desk: str
    subject: str
    category: str
    state: str
    assignee_id: int | None
    flags: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DueClock:
    clock: ClockState
    ticket: TicketContext
    pauses: tuple[Pause, ...]


@dataclass(frozen=True, slots=True)
class FiringRecord:
    firing: Firing
    recipients: tuple[str, ...]
    mails: tuple[OutgoingMail, ...]


@dataclass(frozen=True, slots=True)
class ClockOutcome:
    clock: ClockState
    firings: tuple[FiringRecord, ...] = ()
    flags: Mapping[str, Any] | None = None  # new ticket flags, when they change
    previous_due_at: datetime | None = None  # the clock's due instant before (to skip a no-op update)


class SlaStore(Protocol):
    async def staff_of_desks(self, desks: Sequence[str]) -> dict[str, list[StaffContact]]: ...

    async def process_due(
        self, now: datetime, limit: int, handle: Callable[[DueClock], ClockOutcome]
    ) -> tuple[int, int]: ...  # (clocks handled, firings written)

    async def clocks_of(self, reference: str) -> tuple[TicketContext, list[ClockState], list[Pause]] | None: ...

    async def firings_of(self, ticket_id: int) -> dict[tuple[int | None, str], str]: ...


@dataclass(frozen=True, slots=True)
class TicketSnapshot:
    """A ticket as a change sees it, read under a write lock, with what a change needs of its requester."""

    ticket: Ticket
    requester_name: str
    requester_email: str | None
    requester_bouncing: bool = False
    thread: tuple[str, ...] = ()  # Message-IDs of the conversation with the requester, oldest first
    last_inbound_message_id: str | None = None

    @property
    def id(self) -> int:
        return self.ticket.id

    @property
    def reference(self) -> str:
        return self.ticket.reference

    @property
    def desk(self) -> str:
        return self.ticket.desk

    @property
    def language(self) -> str:
        return self.ticket.language.value

    @property
    def subject(self) -> str:
        return self.ticket.subject

    @property
    def assignee_id(self) -> int | None:
        return self.ticket.assignee_id


@dataclass(frozen=True, slots=True)
class AgentMessage:
    """A reply or internal note written by staff, with the mail that carries a reply."""

    text: str
    mail: OutgoingMail | None = None
    logged: str = ""  # a call, letter or visit an agent logs: its channel (phone, post, walk_in)
    received_at: datetime | None = None  # when that contact actually happened


@dataclass(frozen=True, slots=True)
class TicketChange:
    """What a change writes in one transaction: the ticket as it is after it (the store writes what
    differs from the snapshot), its events, a message, and mail for the outbox."""

    at: datetime
    actor_id: int | None
    actor_label: str
    ticket: Ticket
    events: tuple[TicketEvent, ...]
    message: InboundMessage | AgentMessage | None = None  # the first event records the stored message's id
    mails: tuple[OutgoingMail, ...] = ()
    requester_bouncing: bool | None = None  # set or clear the requester's bouncing mark


class WorkflowStore(Protocol):
    async def change(self, reference: str, decide: Callable[[TicketSnapshot], TicketChange]) -> TicketChange: ...

    async def desk_of(self, reference: str) -> str | None: ...

    async def member_id(self, email: str, desk: str) -> int | None: ...


@dataclass(frozen=True, slots=True)
class CaseHead:
    """Who asks and about whom, and when the request arrived: what the checklist needs of a ticket."""

    desk: str
    requester_kind: RequesterKind
    person_birth_date: date | None
    received_at: datetime | None
    formal_request_at: datetime | None


@dataclass(frozen=True, slots=True)
class CaseSnapshot:
    """A ticket read under its write lock, with its request-workflow records."""

    snapshot: TicketSnapshot
    case: Case


@dataclass(frozen=True, slots=True)
class CaseChange:
    """A ticket change and the case as it is after it (the store writes what differs)."""

    ticket_change: TicketChange
    case: Case


class CaseStore(Protocol):
    async def change(
        self, reference: str, decide: Callable[[CaseSnapshot], CaseChange]
    ) -> tuple[CaseChange, int | None]: ...

    async def read(self, reference: str) -> tuple[CaseHead, Case, tuple[ClockState, ...]] | None: ...

    async def reference_of_decision(self, decision_id: int) -> str | None: ...

    async def pending_decisions(self, desks: Sequence[str]) -> list[dict[str, Any]]: ...
