"""Mail value objects (no I/O: composing and sending happen in ticketing/mail/)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class MailKind(StrEnum):
    """The mail we send: each is a folder under emails/ (subject, text and HTML per language)."""

    TICKET_RECEIVED = "ticket-received"
    AGENT_REPLY = "agent-reply"
    AWAITING_DOCUMENTS = "awaiting-documents"
    STATUS_CHANGED = "status-changed"
    TICKET_RESOLVED = "ticket-resolved"
    MAIL_TOO_LARGE = "mail-too-large"
    SLA_WARNING = "sla-warning"
    SLA_BREACHED = "sla-breached"
    DELIVERY_FAILED = "delivery-failed"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a worker, under a lease
    SENT = "sent"
    FAILED = "failed"  # gave up after the last retry; kept with its error


class MessageKind(StrEnum):
    """What a stored message is: a person's mail, robot mail (auto-replies, lists), or a bounce."""

    NORMAL = "normal"
    AUTO = "auto"
    BOUNCE = "bounce"


@dataclass(frozen=True, slots=True)
class RenderedMail:
    subject: str
    text: str
    html: str | None


@dataclass(frozen=True, slots=True)
class OutgoingMail:
    """One message for the outbox, ready to be composed into RFC 5322 at send time."""

    kind: MailKind  # the emails/ folder it was rendered from
    from_addr: str
    from_name: str
    to_addr: str
    subject: str
    text: str
    html: str | None
    message_id: str  # with angle brackets
    reply_to: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    # RFC 3834: automatic mail says so, which also stops well-behaved responders from looping.
    auto_submitted: str | None = "auto-replied"
    extra_headers: dict[str, str] = field(default_factory=dict)


def make_message_id(reference: str, nonce: str, domain: str) -> str:
    """Our Message-IDs carry the ticket reference so replies thread back (docs/architecture.md, mail)."""
    return f"<{reference}.{nonce}@{domain}>"


def reference_subject(reference: str, subject: str) -> str:
    """Outgoing subjects carry the reference in brackets, once."""
    tag = f"[{reference}]"
    return subject if tag in subject else f"{tag} {subject}"


# Mail a requester gets from us (a reply to one of these belongs on their ticket); the staff
# notifications (sla-warning, sla-breached, delivery-failed) are not among them.
REQUESTER_MAIL_KINDS: frozenset[MailKind] = frozenset(
    {
        MailKind.TICKET_RECEIVED,
        MailKind.AGENT_REPLY,
        MailKind.AWAITING_DOCUMENTS,
        MailKind.STATUS_CHANGED,
        MailKind.TICKET_RESOLVED,
        MailKind.MAIL_TOO_LARGE,
    }
)
# Automatic replies to something the requester sent: capped per address and day (a loop backstop).
AUTO_REPLY_KINDS: tuple[MailKind, ...] = (MailKind.TICKET_RECEIVED, MailKind.MAIL_TOO_LARGE)
