"""JSON shapes of the API (msgspec Structs: they also feed the OpenAPI schema)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from ticketing.domain.contacts import Contact
from ticketing.services.ports import MessageView, TicketDetail, TicketSummary


class RequesterIn(msgspec.Struct, forbid_unknown_fields=True):
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    postal_address: str | None = None


class TicketCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A new ticket. `channel` lets an agent log a phone call or a letter (default: api)."""

    desk: str
    category: str | None = None
    request_types: list[str] = msgspec.field(default_factory=list)
    subject: str | None = None
    message: str | None = None
    language: str | None = None
    channel: str = "api"
    requester: RequesterIn | None = None
    received_at: str | None = None  # when a letter or call arrived (ISO 8601 with offset); default now

    def intake_data(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "request_types": self.request_types,
            "subject": self.subject,
            "message": self.message,
            "language": self.language,
            "requester": msgspec.structs.asdict(self.requester) if self.requester else None,
            "received_at": self.received_at,
        }


class TicketCreated(msgspec.Struct):
    reference: str
    desk: str
    state: str
    language: str
    status_url: str


class TicketListItem(msgspec.Struct):
    reference: str
    desk: str
    state: str
    category: str
    channel: str
    subject: str
    created_at: datetime
    updated_at: datetime
    assignee: str | None

    @classmethod
    def of(cls, s: TicketSummary) -> TicketListItem:
        return cls(
            s.reference, s.desk, s.state, s.category, s.channel, s.subject, s.created_at, s.updated_at, s.assignee_email
        )


class RequesterOut(msgspec.Struct):
    name: str
    email: str | None
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

    direction: str
    channel: str
    from_email: str | None
    subject: str
    text: str
    created_at: datetime
    attachments: list[AttachmentOut]
    kind: str = "normal"  # normal | auto (auto-reply, list or robot mail) | bounce
    new_text: str = ""
    quoted_text: str = ""
    html: str | None = None  # sanitised (no scripts, styles, handlers or remote images)
    message_id: str | None = None

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
    action: str
    from_state: str | None
    to_state: str | None
    reason: str


class TicketOut(msgspec.Struct):
    reference: str
    desk: str
    state: str
    category: str
    request_types: list[str]
    channel: str
    language: str
    subject: str
    created_at: datetime
    updated_at: datetime
    assignee: str | None
    requester: RequesterOut  # the details this ticket was opened with (a later contact never changes them)
    messages: list[MessageOut]
    events: list[EventOut]
    flags: dict[str, Any] = msgspec.field(default_factory=dict)  # e.g. needs_review, delivery_failed
    requester_bouncing: bool = False
    linked_ticket: str | None = None
    participants: list[str] = msgspec.field(default_factory=list)
    requester_on_file: RequesterOut | None = None  # the requester's record now; staff confirm changes to it

    @classmethod
    def of(cls, d: TicketDetail) -> TicketOut:
        s = d.summary
        return cls(
            reference=s.reference,
            desk=s.desk,
            state=s.state,
            category=s.category,
            request_types=list(s.request_types),
            channel=s.channel,
            language=s.language,
            subject=s.subject,
            created_at=s.created_at,
            updated_at=s.updated_at,
            assignee=s.assignee_email,
            requester=RequesterOut(d.requester_name, d.requester_email, d.requester_phone, d.requester_postal_address),
            messages=[MessageOut.of(m) for m in d.messages],
            events=[EventOut(e.at, e.actor, e.action, e.from_state, e.to_state, e.reason) for e in d.events],
            flags=dict(d.flags),
            requester_bouncing=d.requester_bouncing,
            linked_ticket=d.linked_reference,
            participants=list(d.participants),
            requester_on_file=RequesterOut.of(d.on_file) if d.on_file else None,
        )
