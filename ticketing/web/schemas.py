"""JSON shapes of the API (msgspec Structs: they also feed the OpenAPI schema).

The schema says what the handlers accept: vocabularies are the domain's enums, required fields have
no default, lengths and formats are the domain's limits, and a request body refuses unknown fields
(`forbid_unknown_fields`, published as `additionalProperties: false` by web/openapi.py). Response
fields have no defaults either: every one is always sent, so every one is required.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar

import msgspec
from litestar.openapi.spec import OpenAPIType, Schema
from msgspec import Meta

from ticketing.domain.contacts import Contact
from ticketing.domain.intake import LIMITS, PHONE_RE
from ticketing.domain.procedure import RequesterKind
from ticketing.domain.ticket import EventAction
from ticketing.domain.tickets import Category, Channel, Language, RequestType, State
from ticketing.services.ports import EventView, MessageView, TicketDetail, TicketSummary
from ticketing.web.case_schemas import (
    ChecklistOut,
    DecisionOut,
    ForwardingOut,
    IncidentOut,
    ReferralOut,
    RequestOut,
    checklist_out,
)


def openapi(**keys: Any) -> dict[str, Any]:
    """Schema keywords Litestar has no annotation for (format, enum, ...), for `Meta(extra_json_schema=...)`."""
    return {"extra": keys}


Email = Annotated[str, Meta(max_length=LIMITS["email"], extra_json_schema=openapi(format="email"))]
Instant = Annotated[datetime, Meta(tz=True)]  # RFC 3339 with a UTC offset: OpenAPI's date-time
Name = Annotated[str, Meta(min_length=1, max_length=LIMITS["name"])]
Phone = Annotated[str, Meta(max_length=LIMITS["phone"], pattern=PHONE_RE.pattern)]
PostalAddress = Annotated[str, Meta(max_length=LIMITS["postal_address"])]
Subject = Annotated[str, Meta(min_length=1, max_length=LIMITS["subject"])]
MessageText = Annotated[str, Meta(min_length=1, max_length=LIMITS["message"])]
CONTACT_FIELDS = ("email", "phone", "postal_address")


class ApiChannel(StrEnum):
    """How a ticket logged through the API came in (mail and the web form have their own doors)."""

    API = Channel.API.value
    PHONE = Channel.PHONE.value
    POST = Channel.POST.value


class RequesterIn(msgspec.Struct, forbid_unknown_fields=True):
    """Who asks. A name and at least one way to reach them (web and mail tickets need the e-mail)."""

    openapi_extra: ClassVar[dict[str, Any]] = {
        "any_of": [
            Schema(required=[f], properties={f: Schema(type=OpenAPIType.STRING, min_length=1)}) for f in CONTACT_FIELDS
        ]
    }

    name: Name
    email: Email | None = None
    phone: Phone | None = None
    postal_address: PostalAddress | None = None


class TicketCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A new ticket. `channel` lets an agent log a phone call or a letter (default: api).

    A request (`category: request`) names at least one request type; other categories name none.
    """

    openapi_extra: ClassVar[dict[str, Any]] = {
        "schema_if": Schema(required=["category"], properties={"category": Schema(const=Category.REQUEST.value)}),
        "then": Schema(required=["request_types"], properties={"request_types": Schema(min_items=1)}),
        "schema_else": Schema(properties={"request_types": Schema(max_items=0)}),
    }

    desk: str
    category: Category
    subject: Subject
    message: MessageText
    requester: RequesterIn
    request_types: list[RequestType] = msgspec.field(default_factory=list)
    language: Language | None = None  # default: the desk's language
    channel: ApiChannel = ApiChannel.API
    received_at: Instant | None = None  # when a letter or call arrived; default now

    def intake_data(self) -> dict[str, Any]:
        return {
            "category": self.category.value,
            "request_types": [t.value for t in self.request_types],
            "subject": self.subject,
            "message": self.message,
            "language": self.language.value if self.language else None,
            "requester": msgspec.structs.asdict(self.requester),
            "received_at": self.received_at.isoformat() if self.received_at else None,
        }


class TicketCreated(msgspec.Struct):
    reference: str
    desk: str
    state: State
    language: Language
    status_url: str


class TicketListItem(msgspec.Struct):
    reference: str
    desk: str
    state: State
    category: Category
    channel: Channel
    subject: str
    created_at: datetime
    updated_at: datetime
    assignee: str | None

    @classmethod
    def of(cls, s: TicketSummary) -> TicketListItem:
        return cls(
            s.reference,
            s.desk,
            State(s.state),
            Category(s.category),
            Channel(s.channel),
            s.subject,
            s.created_at,
            s.updated_at,
            s.assignee_email,
        )


class RequesterOut(msgspec.Struct):
    name: str
    email: Annotated[str, Meta(extra_json_schema=openapi(format="email"))] | None
    phone: str | None
    postal_address: str | None

    @classmethod
    def of(cls, c: Contact) -> RequesterOut:
        return cls(c.name, c.email, c.phone, c.postal_address)


class AttachmentOut(msgspec.Struct):
    filename: str
    content_type: str
    size: int
    sha256: str


class MessageOut(msgspec.Struct):
    """`text` is the whole body; `new_text` leaves out quoted history and the signature where reliable."""

    direction: str  # inbound | outbound
    channel: str  # the ticket channels, and note for a reply that went to nobody
    from_email: str | None
    subject: str
    text: str
    created_at: datetime
    attachments: list[AttachmentOut]
    kind: str  # normal | auto (auto-reply, list or robot mail) | bounce
    new_text: str
    quoted_text: str
    html: str | None  # sanitised (no scripts, styles, handlers or remote images)
    message_id: str | None

    @classmethod
    def of(cls, m: MessageView) -> MessageOut:
        parts = m.parts
        return cls(
            m.direction,
            m.channel,
            m.from_email,
            m.subject,
            m.text,
            m.created_at,
            [AttachmentOut(a.filename, a.content_type, a.size, a.sha256) for a in m.attachments],
            m.kind,
            parts.new,
            parts.quoted,
            m.html,
            m.message_id,
        )


class EventOut(msgspec.Struct):
    at: datetime
    actor: str
    action: EventAction
    from_state: State | None
    to_state: State | None
    reason: str

    @classmethod
    def of(cls, e: EventView) -> EventOut:
        return cls(
            e.at,
            e.actor,
            EventAction(e.action),
            State(e.from_state) if e.from_state else None,
            State(e.to_state) if e.to_state else None,
            e.reason,
        )


class TicketOut(msgspec.Struct):
    reference: str
    desk: str
    state: State
    category: Category
    request_types: list[RequestType]
    channel: Channel
    language: Language
    subject: str
    created_at: datetime
    updated_at: datetime
    assignee: str | None
    requester: RequesterOut  # the details this ticket was opened with (a later contact never changes them)
    messages: list[MessageOut]
    events: list[EventOut]
    flags: dict[str, Any]  # e.g. needs_review, delivery_failed
    requester_bouncing: bool
    linked_ticket: str | None
    participants: list[str]
    requester_on_file: RequesterOut | None  # the requester's record now; staff confirm changes to it
    requester_kind: RequesterKind  # who asks: the person, or an agent (APPI Art. 37(3))
    person_birth_date: date | None  # the person's, when a parent asks for a minor
    requests: list[RequestOut]  # statutory requests, each with its fee and result
    checklist: ChecklistOut  # what the desk still needs from the requester (reason codes)
    decisions: list[DecisionOut]
    referrals: list[ReferralOut]  # the accredited organisation: informed, inquiries
    forwardings: list[ForwardingOut]  # sent on to the company responsible
    incident: IncidentOut | None  # on an incident ticket: its duties and what is done

    @classmethod
    def of(cls, d: TicketDetail) -> TicketOut:
        s = d.summary
        return cls(
            reference=s.reference,
            desk=s.desk,
            state=State(s.state),
            category=Category(s.category),
            request_types=[RequestType(t) for t in s.request_types],
            channel=Channel(s.channel),
            language=Language(s.language),
            subject=s.subject,
            created_at=s.created_at,
            updated_at=s.updated_at,
            assignee=s.assignee_email,
            requester=RequesterOut(d.requester_name, d.requester_email, d.requester_phone, d.requester_postal_address),
            messages=[MessageOut.of(m) for m in d.messages],
            events=[EventOut.of(e) for e in d.events],
            flags=dict(d.flags),
            requester_bouncing=d.requester_bouncing,
            linked_ticket=d.linked_reference,
            participants=list(d.participants),
            requester_on_file=RequesterOut.of(d.on_file) if d.on_file else None,
            requester_kind=d.requester_kind,
            person_birth_date=d.person_birth_date,
            requests=[RequestOut.of(r) for r in d.case.requests],
            checklist=checklist_out(d.case),
            decisions=[DecisionOut.of(x) for x in d.case.decisions],
            referrals=[ReferralOut.of(r) for r in d.case.referrals],
            forwardings=[ForwardingOut.of(f) for f in d.case.forwardings],
            incident=IncidentOut.of(d.case.incident) if d.case.incident else None,
        )
