"""A ticket as the rules see it, and `apply`: what an action does to its state, clocks and mail.

Everything a change does to a ticket is decided here, without I/O: the services read a `Ticket`,
call `apply` (or `reply`, `assign`, `receive`), and hand the new ticket with its events to the
store, which writes what differs. The request workflow adds its states and rules here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from ticketing.domain import clocks as clk
from ticketing.domain.calendar import BusinessCalendar
from ticketing.domain.clocks import ClockState
from ticketing.domain.errors import InvalidTransition
from ticketing.domain.mail import MailKind
from ticketing.domain.procedure import RequesterKind
from ticketing.domain.sla import ClockKind, Pause
from ticketing.domain.tickets import (
    SETTLED,
    WAITING_ON_REQUESTER,
    Action,
    Category,
    Channel,
    Language,
    RequestType,
    State,
    next_state,
    requester_notice,
)


class EventAction(StrEnum):
    """What an event on a ticket records (the transition actions are events too)."""

    CREATED = "created"
    CONTACT_DETAILS_DIFFER = "contact_details_differ"
    CONTACT_DETAILS_CONFIRMED = "contact_details_confirmed"
    REPLIED = "replied"
    ASSIGNED = "assigned"
    MAIL_RECEIVED = "mail_received"
    AUTO_MAIL_RECEIVED = "auto_mail_received"
    DELIVERY_DELAYED = "delivery_delayed"
    DELIVERY_FAILED = "delivery_failed"
    PARTICIPANT_ADDED = "participant_added"
    PARTICIPANT_REMOVED = "participant_removed"
    SLA_WARNING = "sla_warning"
    SLA_BREACHED = "sla_breached"
    # the request workflow (domain/requests.py)
    CLASSIFIED = "classified"  # triage named the statutory requests or the requester kind
    NOTE_ADDED = "note_added"
    CONTACT_LOGGED = "contact_logged"  # a call, letter or visit an agent logged
    FORMAL_REQUEST_RECEIVED = "formal_request_received"  # APPI Art. 37(1): the conforming request
    DOCUMENT_RECEIVED = "document_received"
    FEE_RECEIVED = "fee_received"
    DECISION_PROPOSED = "decision_proposed"
    DECISION_APPROVED = "decision_approved"
    DECISION_SENT_BACK = "decision_sent_back"
    ACCREDITED_ORG_INFORMED = "accredited_org_informed"
    ACCREDITED_ORG_INQUIRY = "accredited_org_inquiry"
    ACCREDITED_ORG_MATERIALS_SENT = "accredited_org_materials_sent"
    ACCREDITED_ORG_ANSWERED = "accredited_org_answered"
    FORWARDING_SENT = "forwarding_sent"
    PARTNER_ANSWERED = "partner_answered"
    INCIDENT_OPENED = "incident_opened"
    INCIDENT_DUTY_DONE = "incident_duty_done"
    # one per transition (Action): the event names the action taken
    TRIAGE = Action.TRIAGE.value
    REQUEST_FORMAL_REQUEST = Action.REQUEST_FORMAL_REQUEST.value
    REQUEST_DOCUMENTS = Action.REQUEST_DOCUMENTS.value
    VERIFY_IDENTITY = Action.VERIFY_IDENTITY.value
    CHECK_FEE = Action.CHECK_FEE.value
    START_WORK = Action.START_WORK.value
    ASK_DECISION = Action.ASK_DECISION.value
    RESPOND = Action.RESPOND.value
    FORWARD = Action.FORWARD.value
    CLOSE = Action.CLOSE.value
    WITHDRAW = Action.WITHDRAW.value
    REJECT = Action.REJECT.value
    REOPEN = Action.REOPEN.value
    REQUESTER_REPLIED = Action.REQUESTER_REPLIED.value


@dataclass(frozen=True, slots=True)
class Ticket:
    id: int
    reference: str
    desk: str
    state: State
    category: Category
    language: Language
    subject: str
    request_types: tuple[RequestType, ...] = ()
    assignee_id: int | None = None
    first_responded_at: datetime | None = None
    closed_at: datetime | None = None
    clocks: tuple[ClockState, ...] = ()
    pauses: tuple[Pause, ...] = ()  # oldest first; an open pause has no end
    flags: Mapping[str, Any] = field(default_factory=dict)
    status_token_hash: str = ""
    requester_kind: RequesterKind = RequesterKind.PERSON  # who asks (APPI Art. 37(3)): the person or an agent
    formal_request_at: datetime | None = None  # a request following the desk's procedure arrived (Art. 37(1))
    channel: Channel = Channel.API  # how the first contact came
    received_at: datetime | None = None  # when the first contact came
    person_birth_date: date | None = None  # the data subject's, when a statutory agent asks for a minor
    version: int = 0  # the stored ticket's change count: a form from an older page is refused


@dataclass(frozen=True, slots=True)
class TicketEvent:
    action: EventAction
    from_state: State | None = None
    to_state: State | None = None
    reason: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Transition:
    ticket: Ticket
    events: tuple[TicketEvent, ...]
    notices: tuple[MailKind, ...] = ()  # the requester mail the change calls for


REOPENED_PAUSE = "settled, then reopened"  # the pause that keeps a settled spell off a reopened clock


def move_clocks(ticket: Ticket, new: State, now: datetime, calendar: BusinessCalendar) -> Ticket:
    """The ticket in state `new`: clocks pause, resume, stop or restart as the move says (docs/business-time.md)."""
    old = ticket.state
    pauses = list(ticket.pauses)
    clocks = list(ticket.clocks)
    if old in WAITING_ON_REQUESTER and new not in WAITING_ON_REQUESTER:
        pauses = [replace(p, end=now) if p.end is None else p for p in pauses]
        clocks = [clk.resume(calendar, c, pauses) if c.paused else c for c in clocks]
    if new in WAITING_ON_REQUESTER and old not in WAITING_ON_REQUESTER:
        pauses.append(Pause(now, None, f"waiting on requester: {new.value}"))
        clocks = [clk.pause(c) for c in clocks]
    if new in SETTLED and old not in SETTLED:
        clocks = [clk.stop(c, now, calendar, pauses) for c in clocks]
    if old in SETTLED and new not in SETTLED:
        resolution = next((c for c in clocks if c.kind is ClockKind.RESOLUTION), None)
        if resolution is not None and resolution.stopped_at is not None:
            # The time the ticket sat settled does not count against the reopened resolution clock.
            pauses.append(Pause(resolution.stopped_at, now, REOPENED_PAUSE))
        clocks = [clk.restart(calendar, c, pauses) if c.kind is not ClockKind.FIRST_RESPONSE else c for c in clocks]
    closed_at = now if new in SETTLED else ticket.closed_at
    return replace(ticket, state=new, clocks=tuple(clocks), pauses=tuple(pauses), closed_at=closed_at)


def apply(ticket: Ticket, action: Action, now: datetime, calendar: BusinessCalendar, *, reason: str = "") -> Transition:
    """Take `action` through the transition table; refused pairs raise InvalidTransition."""
    new = next_state(ticket.state, action)
    if new is None:
        raise InvalidTransition(ticket.reference, ticket.state.value, action.value)
    moved = move_clocks(ticket, new, now, calendar)
    notice = requester_notice(ticket.state, new)
    event = TicketEvent(EventAction(action.value), ticket.state, new, reason[:2000])
    return Transition(moved, (event,), (notice,) if notice else ())


def reply(ticket: Ticket, now: datetime, calendar: BusinessCalendar | None = None) -> Transition:
    """A human reply to the requester: it stops the first-response clock (with the business time it
    used, when given the desk's calendar)."""
    clocks = tuple(
        clk.stop(c, now, calendar, ticket.pauses) if c.kind is ClockKind.FIRST_RESPONSE and c.stopped_at is None else c
        for c in ticket.clocks
    )
    first = ticket.first_responded_at or now
    return Transition(replace(ticket, clocks=clocks, first_responded_at=first), (TicketEvent(EventAction.REPLIED),))


def assign(ticket: Ticket, assignee_id: int | None, label: str | None) -> Transition:
    event = TicketEvent(EventAction.ASSIGNED, data={"assignee": label})
    return Transition(replace(ticket, assignee_id=assignee_id), (event,))


def receive(ticket: Ticket, now: datetime, calendar: BusinessCalendar, *, automatic: bool) -> Transition:
    """Mail from the requester joins the ticket: a wait on them ends; a settled ticket needs a look."""
    if automatic:
        return Transition(ticket, (TicketEvent(EventAction.AUTO_MAIL_RECEIVED),))
    if ticket.state in WAITING_ON_REQUESTER:
        moved = apply(ticket, Action.REQUESTER_REPLIED, now, calendar)
        return Transition(moved.ticket, moved.events)  # no status mail for their own reply
    flags = dict(ticket.flags)
    if ticket.state in SETTLED:
        flags["needs_attention"] = "the requester wrote after the ticket was settled"
    return Transition(replace(ticket, flags=flags), (TicketEvent(EventAction.MAIL_RECEIVED),))


__all__ = [
    "REOPENED_PAUSE", "EventAction", "Ticket", "TicketEvent", "Transition", "apply", "assign", "move_clocks", "receive",
    "reply",
]  # fmt: skip
