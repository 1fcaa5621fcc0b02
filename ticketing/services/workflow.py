"""Changing a ticket: state transitions, replies, assignment, and what they do to its clocks."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from ticketing.domain import clocks as clk
from ticketing.domain.desks import Desk
from ticketing.domain.errors import InvalidTransition, NotFound, ValidationFailed
from ticketing.domain.mail import OutgoingMail, make_message_id, reference_subject
from ticketing.domain.sla import ClockKind, Pause
from ticketing.domain.tickets import WAITING_ON_REQUESTER, Action, State, next_state
from ticketing.services.calendars import CalendarService
from ticketing.services.ports import (
    Clock,
    MailRenderer,
    Principal,
    TicketChange,
    TicketSnapshot,
    WorkflowStore,
)

# The desk's work is done (the resolution and statutory clocks stop) in these states.
SETTLED: frozenset[State] = frozenset({State.RESPONDED, State.FORWARDED, State.CLOSED, State.WITHDRAWN, State.REJECTED})
MAX_REPLY = 50_000


class TicketWorkflow:
    def __init__(
        self,
        *,
        desks: Mapping[str, Desk],
        calendars: CalendarService,
        store: WorkflowStore,
        renderer: MailRenderer,
        clock: Clock,
    ) -> None:
        self.desks = desks
        self.calendars = calendars
        self.store = store
        self.renderer = renderer
        self.clock = clock

    async def transition(self, principal: Principal, reference: str, action_raw: str, reason: str = "") -> str:
        """Apply `action` through the transition table; clocks pause, resume, stop or restart with it."""
        try:
            action = Action(action_raw)
        except ValueError:
            raise ValidationFailed({"action": f"use one of {', '.join(a.value for a in Action)}"}) from None
        now = self.clock.now()

        def decide(snap: TicketSnapshot) -> TicketChange:
            self._check_desk(principal, snap)
            old = State(snap.state)
            new = next_state(old, action)
            if new is None:
                raise InvalidTransition(snap.reference, old.value, action.value)
            return self._clock_effects(snap, old, new, now, action.value, reason[:2000], principal)

        change = await self.store.change(reference, decide)
        return change.state or ""

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
                rendered = self.renderer.render(
                    "agent-reply", snap.language,
                    {"desk": desk, "reference": snap.reference, "subject": snap.subject,
                     "requester_name": snap.requester_name, "reply_text": text},
                )
                mail = OutgoingMail(
                    kind="agent-reply", from_addr=desk.inbox, from_name=desk.name, to_addr=snap.requester_email,
                    subject=reference_subject(snap.reference, rendered.subject), text=rendered.text,
                    html=rendered.html, reply_to=desk.inbox,
                    message_id=make_message_id(snap.reference, secrets.token_hex(8), desk.inbox_domain),
                )
            return TicketChange(
                at=now, actor_id=principal.user_id, actor_label=principal.email, action="replied",
                clocks=clocks, reply_text=text, mail=mail, first_responded=snap.first_responded_at is None,
            )

        await self.store.change(reference, decide)

    async def assign(self, principal: Principal, reference: str, assignee_email: str | None) -> None:
        now = self.clock.now()
        assignee_id = None
        if assignee_email:
            assignee_id = await self.store.member_id(assignee_email.strip().lower(), reference)
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

    def _clock_effects(
        self, snap: TicketSnapshot, old: State, new: State, now: datetime, action: str, reason: str,
        principal: Principal,
    ) -> TicketChange:
        calendar = self.calendars.calendar(snap.desk)
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
            clocks = [
                clk.restart(calendar, c, pauses) if c.kind is not ClockKind.FIRST_RESPONSE else c for c in clocks
            ]
        return TicketChange(
            at=now, actor_id=principal.user_id, actor_label=principal.email, action=action, reason=reason,
            from_state=old.value, state=new.value, clocks=tuple(clocks), open_pause=new_pause,
            close_pause=close_pause, closed_pause=gap, closed=new in SETTLED,
        )
