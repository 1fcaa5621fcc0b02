"""Mail value objects (no I/O: composing and sending happen in ticketing/mail/)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class RenderedMail:
    subject: str
    text: str
    html: str | None


@dataclass(frozen=True, slots=True)
class OutgoingMail:
    """One message for the outbox, ready to be composed into RFC 5322 at send time."""

    kind: str  # the emails/ template folder it was rendered from
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
    """Our Message-IDs carry the ticket reference so replies thread back (DESIGN.md §6)."""
    return f"<{reference}.{nonce}@{domain}>"


def reference_subject(reference: str, subject: str) -> str:
    """Outgoing subjects carry the reference in brackets, once."""
    tag = f"[{reference}]"
    return subject if tag in subject else f"{tag} {subject}"


# Mail a requester gets from us (a reply to one of these belongs on their ticket); the staff
# notifications (sla-warning, sla-breached, delivery-failed) are not among them.
REQUESTER_MAIL_KINDS: frozenset[str] = frozenset({
    "ticket-received", "agent-reply", "awaiting-documents", "status-changed", "ticket-resolved", "mail-too-large",
})
