"""What each mail says: one function per emails/ folder, returning the context its templates read.

The envelope (sender, reference in the subject, threading, Message-ID, status link) is added by
RequesterMail.build for requesters and staff_mail for staff; these functions only choose the facts.
Mail to a requester never carries what someone typed into a form or mail (see RequesterMail.build).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from ticketing.domain.decisions import NEEDS_REASON, standing
from ticketing.domain.desks import Desk
from ticketing.domain.intake import NewTicket
from ticketing.domain.mail import MailKind
from ticketing.domain.requests import Case, conforming
from ticketing.domain.ticket import Ticket
from ticketing.domain.tickets import State

MiB = 1024 * 1024
Context = dict[str, Any]


class OmittedPart(Protocol):
    @property
    def size(self) -> int: ...

    @property
    def why(self) -> str: ...


def ticket_received(desk: Desk, new: NewTicket) -> Context:
    """The acknowledgement: what the desk needs next for each request type the requester named."""
    rules = [desk.request_types[t] for t in new.request_types if t in desk.request_types]
    return {
        "category": new.category.value,
        "request_types": [t.value for t in new.request_types],
        "channel": new.channel.value,
        # APPI Art. 37: the desk sets how requests are made (the seed desks: by post only). One that
        # came another way is an approach, not yet a request: the mail must say so.
        "needs_formal_request": not conforming(new.channel, new.request_types, desk.request_types),
        "accepted_channels": sorted({c.value for rule in rules for c in rule.channels}),
        "fee_applies": any(rule.fee_yen for rule in rules),
    }


def agent_reply(text: str) -> Context:
    return {"reply_text": text}


def checklist(desk: Desk, ticket: Ticket) -> list[dict[str, Any]]:
    """Per requested type: the accepted channels, the fee and the documents the desk needs."""
    items = []
    for kind in ticket.request_types:
        rule = desk.request_types.get(kind)
        if rule is None:
            continue
        items.append(
            {
                "request_type": kind.value,
                "channels": sorted(c.value for c in rule.channels),
                "fee_yen": rule.fee_yen,
                "fee_instrument": rule.fee_instrument,
                "documents": list(rule.documents),
            }
        )
    return items


def _status(desk: Desk, before: Ticket, after: Ticket, note: str, case: Case | None) -> Context:
    """`case` (request tickets): each request's result, the decision's reason where the outcome differs
    from the request (APPI Art. 36), and what the desk still needs (the checklist's gaps)."""
    decision = standing(case.decisions) if case is not None else None
    give_reason = decision is not None and decision.outcome in NEEDS_REASON and after.state is State.RESPONDED
    return {
        "state": after.state.value,
        "previous_state": before.state.value,
        "note": note,
        "category": after.category.value,
        "request_types": [t.value for t in after.request_types],
        "checklist": checklist(desk, after),
        "results": [
            {"request_type": r.type.value, "result": r.result.value}
            for r in (case.requests if case else ())
            if r.result
        ],
        "reason": decision.reason if give_reason and decision is not None else "",
        "gaps": [g.value for g in (*case.checklist.missing, *case.checklist.stale)] if case is not None else [],
    }


def awaiting_documents(desk: Desk, before: Ticket, after: Ticket, note: str, case: Case | None = None) -> Context:
    return _status(desk, before, after, note, case)


def status_changed(desk: Desk, before: Ticket, after: Ticket, note: str, case: Case | None = None) -> Context:
    return _status(desk, before, after, note, case)


def ticket_resolved(desk: Desk, before: Ticket, after: Ticket, note: str, case: Case | None = None) -> Context:
    return _status(desk, before, after, note, case)


# The status mail a move calls for (domain.tickets.requester_notice), by kind.
STATUS_MAIL: Mapping[MailKind, Callable[[Desk, Ticket, Ticket, str, Case | None], Context]] = {
    MailKind.AWAITING_DOCUMENTS: awaiting_documents,
    MailKind.STATUS_CHANGED: status_changed,
    MailKind.TICKET_RESOLVED: ticket_resolved,
}


def mail_too_large(desk: Desk, omitted: Sequence[OmittedPart]) -> Context:
    return {
        "omitted": [{"size_mb": round(o.size / MiB, 1), "why": o.why} for o in omitted],
        "max_attachment_mb": desk.mail.max_attachment_bytes // MiB,
        "max_message_mb": desk.mail.max_message_bytes // MiB,
        "max_attachments": desk.mail.max_attachments,
    }


def delivery_failed(
    desk: Desk, reference: str, subject: str, recipients: Sequence[str], mail_kind: str, ticket_url: str
) -> Context:
    return {
        "desk": desk,
        "reference": reference,
        "subject": subject,
        "recipients": list(recipients),
        "mail_kind": mail_kind,
        "ticket_url": ticket_url,
    }


def sla_warning(
    desk: Desk,
    *,
    reference: str,
    subject: str,
    category: str,
    state: str,
    clock: str,
    stage: str,
    target: str,
    target_amount: int,
    target_unit: str,
    due_at: datetime | None,
    left_minutes: int,
    assignee: str | None,
    ticket_url: str,
) -> Context:
    """A clock reached a rung of the ladder; `due_at` is in the desk's zone."""
    return {
        "desk": desk,
        "reference": reference,
        "subject": subject,
        "category": category,
        "clock": clock,
        "stage": stage,
        "target": target,
        "target_amount": target_amount,
        "target_unit": target_unit,
        "due_at": due_at,
        "left_minutes": left_minutes,
        "state": state,
        "assignee": assignee,
        "ticket_url": ticket_url,
    }


def sla_breached(desk: Desk, **facts: Any) -> Context:
    """A clock ran out: the same facts as a warning (its templates word them as a breach)."""
    return sla_warning(desk, **facts)


# Every emails/ folder and the function that says what goes in it (a test renders each).
CONTEXTS: Mapping[MailKind, Callable[..., Context]] = {
    MailKind.TICKET_RECEIVED: ticket_received,
    MailKind.AGENT_REPLY: agent_reply,
    **STATUS_MAIL,
    MailKind.MAIL_TOO_LARGE: mail_too_large,
    MailKind.DELIVERY_FAILED: delivery_failed,
    MailKind.SLA_WARNING: sla_warning,
    MailKind.SLA_BREACHED: sla_breached,
}

__all__ = ["CONTEXTS", "STATUS_MAIL", "checklist"]
