"""Changing a ticket: state transitions, replies, assignment, and what they do to its clocks and mail."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from ticketing.domain import clocks as clk
from ticketing.domain.calendar import BusinessCalendar
from ticketing.domain.clocks import ClockState
from ticketing.domain.desks import Desk
from ticketing.domain.errors import InvalidTransition, NotFound, ValidationFailed
from ticketing.domain.mail import OutgoingMail
from ticketing.domain.sla import ClockKind, Pause
from ticketing.domain.tickets import WAITING_ON_REQUESTER, Action, RequestType, State, next_state, requester_notice
from ticketing.services.calendars import CalendarService
from ticketing.services.ports import (
    Clock,
    Principal,
    TicketChange,
    TicketSnapshot,
    WorkflowStore,
)
from ticketing.services.requester_mail import RequesterMail, Thread

# The desk's work is done (the resolution and statutory clocks stop) in these states.
SETTLED: frozenset[State] = frozenset({State.RESPONDED, State.FORWARDED, State.CLOSED, State.WITHDRAWN, State.REJECTED})
MAX_REPLY = 50_000
MAX_NOTE = 5_000


@dataclass(frozen=True, slots=True)
class ClockEffects:
    clocks: tuple[ClockState, ...]
    open_pause: Pause | None = None
    close_pause: bool = False
    closed_pause: Pause | None = None
    closed: bool = False


def clock_effects(
    calendar: BusinessCalendar, snap: TicketSnapshot, old: State, new: State, now: datetime
) -> ClockEffects:
    """What a move from `old` to `new` does to the clocks: pause, resume, stop or restart them."""
    pauses = list(snap.pauses)
    new_pause: Pause | None = None
    close_pause = False
    clocks = list(snap.clocks)
    if old in WAITING_ON_REQUESTER and new not in WAITING_ON_REQUESTER:
        close_pause = True
        pauses = [replace(p, end=now) if p.end is None else p for p in pauses]
        clocks = [clk.resume(calendar, c, pauses) if c.paused else c for c in clocks]
    if new in WAITING_ON_REQUESTER and old not in WAITING_ON_REQUESTER:
        new_pause = Pause(now, None, f"waiting on requester: {new.value}")
        clocks = [clk.pause(c) for c in clocks]
    if new in SETTLED and old not in SETTLED:
        clocks = [clk.stop(c, now) for c in clocks]
    gap: Pause | None = None
    if old in SETTLED and new not in SETTLED:
        resolution = next((c for c in clocks if c.kind is ClockKind.RESOLUTION), None)
        if resolution is not None and resolution.stopped_at is not None:
            # The time the ticket sat settled does not count against the reopened resolution clock.
            gap = Pause(resolution.stopped_at, now, "settled, then reopened")
            pauses.append(gap)
        clocks = [clk.restart(calendar, c, pauses) if c.kind is not ClockKind.FIRST_RESPONSE else c for c in clocks]
    return ClockEffects(tuple(clocks), new_pause, close_pause, gap, new in SETTLED)


def checklist(desk: Desk, request_types: tuple[str, ...]) -> list[dict[str, Any]]:
    """Per requested type: the accepted channels, the fee and the documents the desk needs."""
    items = []
    for raw in request_types:
        try:
            rule = desk.request_types.get(RequestType(raw))
        except ValueError:
            continue
        if rule is None:
            continue
        items.append({
            "request_type": raw,
            "channels": sorted(c.value for c in rule.channels),
            "fee_yen": rule.fee_yen,
            "fee_instrument": rule.fee_instrument,
            "documents": list(rule.documents),
        })
    return items


class TicketWorkflow:
    def __init__(
        self,
        *,
        desks: Mapping[str, Desk],
        calendars: CalendarService,
        store: WorkflowStore,
        mailer: RequesterMail,
        clock: Clock,
    ) -> None:
        self.desks = desks
        self.calendars = calendars
        self.store = store
        self.mailer = mailer
        self.clock = clock

    async def transition(
        self, principal: Principal, reference: str, action_raw: str, reason: str = "", *,
        note: str = "", notify: bool = True,
    ) -> str:
        """Apply `action` through the transition table; clocks pause, resume, stop or restart with it.

        The requester hears of the moves that concern them (domain.tickets.requester_notice), with the
        agent's `note` in the mail, unless `notify` is false.
        """
        try:
            action = Action(action_raw)
        except ValueError:
            raise ValidationFailed({"action": f"use one of {', '.join(a.value for a in Action)}"}) from None
        if len(note) > MAX_NOTE:
            raise ValidationFailed({"note": f"at most {MAX_NOTE} characters"})
        now = self.clock.now()

        def decide(snap: TicketSnapshot) -> TicketChange:
            self._check_desk(principal, snap)
            old = State(snap.state)
            new = next_state(old, action)
            if new is None:
                raise InvalidTransition(snap.reference, old.value, action.value)
            effects = clock_effects(self.calendars.calendar(snap.desk), snap, old, new, now)
            mail, skipped = self._status_mail(snap, old, new, note.strip()) if notify else (None, "")
            return TicketChange(
                at=now, actor_id=principal.user_id, actor_label=principal.email, action=action.value,
                reason=reason[:2000], from_state=old.value, state=new.value, clocks=effects.clocks,
                open_pause=effects.open_pause, close_pause=effects.close_pause, closed_pause=effects.closed_pause,
                closed=effects.closed, mail=mail, skipped_mail=skipped,
                data={"requester_mail": mail.kind} if mail else {},
                status_token_hash=self._reissued_link(snap) if mail else None,
            )

        change = await self.store.change(reference, decide)
        return change.state or ""

    def _status_mail(self, snap: TicketSnapshot, old: State, new: State, note: str) -> tuple[OutgoingMail | None, str]:
        kind = requester_notice(old, new)
        if kind is None:
            return None, ""
        if not snap.requester_email:
            return None, "the requester has no e-mail address"
        if snap.requester_bouncing:
            return None, "mail to the requester bounces"
        desk = self.desks[snap.desk]
        context = {
            "state": new.value,
            "previous_state": old.value,
            "note": note,
            "category": snap.category,
            "request_types": list(snap.request_types),
            "checklist": checklist(desk, snap.request_types),
        }
        mail = self.mailer.build(
            kind, desk, to=snap.requester_email, language=snap.language, reference=snap.reference,
            thread=Thread.of(snap.thread, snap.last_inbound_message_id), auto="auto-generated", context=context,
        )
        return mail, ""

    def _reissued_link(self, snap: TicketSnapshot) -> str | None:
        """After a change of secret key the derived link differs: store its hash so the new link works."""
        current = self.mailer.links.hash(snap.reference)
        return current if current != snap.status_token_hash else None

    async def reply(self, principal: Principal, reference: str, text: str) -> None:
        """A human reply to the requester: stored, mailed, and it stops the first-response clock."""
        text = (text or "").strip()
        if not text:
            raise ValidationFailed({"text": "a reply needs some text"})
        if len(text) > MAX_REPLY:
            raise ValidationFailed({"text": f"at most {MAX_REPLY} characters"})
        now = self.clock.now()

        def decide(snap: TicketSnapshot) -> TicketChange:
            self._check_desk(principal, snap)
            desk = self.desks[snap.desk]
            clocks = tuple(
                clk.stop(c, now) if c.kind is ClockKind.FIRST_RESPONSE and c.stopped_at is None else c
                for c in snap.clocks
            )
            mail = None
            if snap.requester_email:
                # A person wrote this: no Auto-Submitted header (RFC 3834), so the requester's
                # vacation responder may answer it like any human mail.
                mail = self.mailer.build(
                    "agent-reply", desk, to=snap.requester_email, language=snap.language,
                    reference=snap.reference,
                    thread=Thread.of(snap.thread, snap.last_inbound_message_id), auto=None,
                    context={"reply_text": text},
                )
            return TicketChange(
                at=now, actor_id=principal.user_id, actor_label=principal.email, action="replied",
                clocks=clocks, reply_text=text, mail=mail, first_responded=snap.first_responded_at is None,
                status_token_hash=self._reissued_link(snap) if mail else None,
            )

        await self.store.change(reference, decide)

    async def assign(self, principal: Principal, reference: str, assignee_email: str | None) -> None:
        now = self.clock.now()
        # Another desk's ticket is "not found" before anything else is looked at: a member lookup
        # first would tell who works on that desk (404 for a stranger, 400 for a colleague).
        desk = await self.store.desk_of(reference)
        if desk is None or desk not in principal.desks:
            raise NotFound("ticket", reference)
        assignee_id = None
        if assignee_email:
            assignee_id = await self.store.member_id(assignee_email.strip().lower(), desk)
            if assignee_id is None:
                raise ValidationFailed({"assignee": "not a member of this ticket's desk"})

        def decide(snap: TicketSnapshot) -> TicketChange:
            self._check_desk(principal, snap)
            return TicketChange(
                at=now, actor_id=principal.user_id, actor_label=principal.email, action="assigned",
                clocks=snap.clocks, assignee_id=assignee_id, set_assignee=True,
                data={"assignee": assignee_email or None},
            )

        await self.store.change(reference, decide)

    @staticmethod
    def _check_desk(principal: Principal, snap: TicketSnapshot) -> None:
        if snap.desk not in principal.desks:
            raise NotFound("ticket", snap.reference)
