"""Changing a ticket: state transitions, replies, assignment, and what they do to its clocks and mail."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from ticketing.domain import ticket as rules
from ticketing.domain.desks import Desk
from ticketing.domain.errors import Conflict, NotFound, StaleChange, ValidationFailed
from ticketing.domain.forwarding import Basis, follow_up_clock, forward
from ticketing.domain.mail import MailKind, OutgoingMail
from ticketing.domain.requests import (
    NOTICE_STATES,
    REJECTION_REASON,
    Case,
    NoticeMethod,
    needs_told_reason,
    record_notice,
)
from ticketing.domain.ticket import EventAction, Ticket, TicketEvent, Transition
from ticketing.domain.tickets import TRANSITIONS, WAITING_ON_REQUESTER, Action
from ticketing.services import notifications
from ticketing.services.calendars import CalendarService
from ticketing.services.ports import (
    AgentMessage,
    CaseChange,
    CaseSnapshot,
    CaseStore,
    Clock,
    Principal,
    TicketChange,
    TicketSnapshot,
    WorkflowStore,
)
from ticketing.services.requester_mail import RequesterMail, Thread
from ticketing.services.requests import move

# What a move adds to itself in the same change: the ticket, the case, more events.
Then = Callable[[Ticket, Case, datetime], tuple[Ticket, Case, tuple[TicketEvent, ...]]]
MAX_REPLY = 50_000
NOTICE_BY_POST = (
    "no notice can go to the requester by e-mail: record the notice sent by post or registered post (notice_method)"
)
MAX_NOTE = 5_000
MAX_INTERNAL_NOTE = 20_000  # an internal note is as long as a logged call or letter may be
PAUSE_REASON = "say why the ticket waits on the requester (the reason is kept with the pause)"
NOT_A_PAUSE = "this move does not wait on the requester: choose one that does"


class TicketWorkflow:
    def __init__(
        self,
        *,
        desks: Mapping[str, Desk],
        calendars: CalendarService,
        store: WorkflowStore,
        cases: CaseStore,
        mailer: RequesterMail,
        clock: Clock,
    ) -> None:
        self.desks = desks
        self.calendars = calendars
        self.store = store
        self.cases = cases
        self.mailer = mailer
        self.clock = clock

    async def transition(
        self,
        principal: Principal,
        reference: str,
        action_raw: str,
        reason: str = "",
        *,
        note: str = "",
        notify: bool = True,
        notice_method: str | None = None,
        notice_sent_at: datetime | None = None,
        then: Then | None = None,
        expected_version: int | None = None,
    ) -> str:
        """Apply `action` through the transition table; clocks pause, resume, stop or restart with it.

        The requester hears of the moves that concern them (domain.tickets.requester_notice), with the
        agent's `note` in the mail, unless `notify` is false. `then` adds to the move in the same
        change (a forwarding record and its follow-up clock). With `expected_version` (the ticket
        page's forms) a ticket changed since the page was rendered refuses the move (StaleChange).
        """
        try:
            action = Action(action_raw)
        except ValueError:
            raise ValidationFailed({"action": f"use one of {', '.join(a.value for a in Action)}"}) from None
        if len(note) > MAX_NOTE:
            raise ValidationFailed({"note": f"at most {MAX_NOTE} characters"})
        try:
            method = NoticeMethod(notice_method) if notice_method else None
        except ValueError:
            raise ValidationFailed({"notice_method": f"use one of {', '.join(NoticeMethod)}"}) from None
        now = self.clock.now()

        def decide(both: CaseSnapshot) -> CaseChange:
            snap = both.snapshot
            self._check_desk(principal, snap)
            _fresh(snap, expected_version)
            # A request ticket moves under the request rules (APPI Arts. 36-38; services/requests.py).
            desk, calendar = self.desks[snap.desk], self.calendars.calendar(snap.desk)
            if needs_told_reason(both.case, action) and not note.strip():
                raise ValidationFailed({"note": REJECTION_REASON})
            moved, case = move(desk, calendar, both, action, now, reason)
            moved = _pause_reason(snap.ticket, moved, reason)
            if then is not None:
                ticket, case, events = then(moved.ticket, case, now)
                moved = replace(moved, ticket=ticket, events=(*moved.events, *events))
            mail, skipped = (None, "")
            if notify and moved.notices:
                mail, skipped = self._status_mail(snap, moved, note.strip(), case)
            data: dict[str, Any] = {"requester_mail": mail.kind} if mail else {}
            if skipped:
                data["mail_not_sent"] = skipped
            if case.requests and moved.ticket.state in NOTICE_STATES:
                notice = self._notice(snap, method, mail is not None, notice_sent_at or now, now)
                case = record_notice(case, notice, notice_sent_at or now)
                data["notice"] = notice.value
            return CaseChange(self._change(snap, principal, moved, mail, data, now=now), case)

        change, _ = await self.cases.change(reference, decide)
        return change.ticket_change.ticket.state.value

    async def forward(
        self,
        principal: Principal,
        reference: str,
        basis_raw: str,
        *,
        partner: str,
        partner_email: str,
        summary: str,
        sent_at: datetime | None,
        note: str = "",
        notice_method: str | None = None,
        notice_sent_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> str:
        """Forward the request to the company responsible (PPC Q&A 1-56; Art. 27(5)(iii)): the record of
        what went to whom and when, the requester's guidance (the status mail), and a follow-up clock
        on the partner's answer, in one change."""
        try:
            basis = Basis(basis_raw)
        except ValueError:
            raise ValidationFailed({"basis": f"use one of {', '.join(Basis)}"}) from None

        def then(ticket: Ticket, case: Case, now: datetime) -> tuple[Ticket, Case, tuple[TicketEvent, ...]]:
            desk = self.desks[ticket.desk]
            at = sent_at or now
            if at > now:
                raise ValidationFailed({"sent_at": "cannot be in the future"})
            record = forward(
                basis,
                partner,
                partner_email,
                summary,
                at,
                joint_use_company=desk.joint_use.get("responsible_company", ""),
                joint_use_email=desk.joint_use.get("responsible_email", ""),
            )
            clock = follow_up_clock(record, self.calendars.calendar(desk.slug), desk.slug, desk.escalation.stages)
            data = {"basis": basis.value, "partner": record.partner, "sent_at": at.isoformat()}
            event = TicketEvent(EventAction.FORWARDING_SENT, data=data)
            forwardings = (*case.forwardings, record)
            return replace(ticket, clocks=(*ticket.clocks, clock)), replace(case, forwardings=forwardings), (event,)

        return await self.transition(
            principal,
            reference,
            Action.FORWARD.value,
            note=note,
            notice_method=notice_method,
            notice_sent_at=notice_sent_at,
            then=then,
            expected_version=expected_version,
        )

    def _change(
        self,
        snap: TicketSnapshot,
        principal: Principal,
        moved: Transition,
        mail: OutgoingMail | None,
        data: Mapping[str, Any],
        message: AgentMessage | None = None,
        *,
        now: datetime,
    ) -> TicketChange:
        ticket = moved.ticket
        if mail is not None:
            ticket = replace(ticket, status_token_hash=self._status_token_hash(snap))
        events = tuple(replace(e, data={**e.data, **data}) if i == 0 else e for i, e in enumerate(moved.events))
        return TicketChange(
            at=now,
            actor_id=principal.user_id,
            actor_label=principal.email,
            ticket=ticket,
            events=events,
            message=message,
            mails=(mail,) if mail else (),
        )

    def _status_mail(
        self, snap: TicketSnapshot, moved: Transition, note: str, case: Case | None = None
    ) -> tuple[OutgoingMail | None, str]:
        kind = moved.notices[0]
        if not snap.requester_email:
            return None, "the requester has no e-mail address"
        if snap.requester_bouncing:
            return None, "mail to the requester bounces"
        desk = self.desks[snap.desk]
        context = notifications.STATUS_MAIL[kind](
            desk, snap.ticket, moved.ticket, note, case if case and case.requests else None
        )
        mail = self.mailer.build(
            kind,
            desk,
            to=snap.requester_email,
            language=snap.language,
            reference=snap.reference,
            thread=Thread.of(snap.thread, snap.last_inbound_message_id),
            auto="auto-generated",
            context=context,
        )
        return mail, ""

    @staticmethod
    def _notice(
        snap: TicketSnapshot, method: NoticeMethod | None, mailed: bool, sent_at: datetime, now: datetime
    ) -> NoticeMethod:
        """How the notice of a request's result went (JP-3: every closing path has one)."""
        if sent_at > now:
            raise ValidationFailed({"notice_sent_at": "cannot be in the future"})
        if method is None or method is NoticeMethod.EMAIL:
            if mailed:
                return NoticeMethod.EMAIL
            raise Conflict(NOTICE_BY_POST)
        return method

    def _status_token_hash(self, snap: TicketSnapshot) -> str:
        """After a change of secret key the derived link differs: its hash is stored so the new link works."""
        return self.mailer.links.hash(snap.reference)

    async def reply(
        self, principal: Principal, reference: str, text: str, *, expected_version: int | None = None
    ) -> None:
        """A human reply to the requester: stored, mailed, and it stops the first-response clock."""
        text = (text or "").strip()
        if not text:
            raise ValidationFailed({"text": "a reply needs some text"})
        if len(text) > MAX_REPLY:
            raise ValidationFailed({"text": f"at most {MAX_REPLY} characters"})
        now = self.clock.now()

        def decide(snap: TicketSnapshot) -> TicketChange:
            self._check_desk(principal, snap)
            _fresh(snap, expected_version)
            desk = self.desks[snap.desk]
            mail = None
            if snap.requester_email:
                # A person wrote this: no Auto-Submitted header (RFC 3834), so the requester's
                # vacation responder may answer it like any human mail.
                mail = self.mailer.build(
                    MailKind.AGENT_REPLY,
                    desk,
                    to=snap.requester_email,
                    language=snap.language,
                    reference=snap.reference,
                    thread=Thread.of(snap.thread, snap.last_inbound_message_id),
                    auto=None,
                    context=notifications.agent_reply(text),
                )
            moved = rules.reply(snap.ticket, now, self.calendars.calendar(snap.desk))
            return self._change(snap, principal, moved, mail, {}, AgentMessage(text, mail), now=now)

        await self.store.change(reference, decide)

    async def assign(
        self,
        principal: Principal,
        reference: str,
        assignee_email: str | None,
        *,
        expected_version: int | None = None,
    ) -> None:
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
            _fresh(snap, expected_version)
            moved = rules.assign(snap.ticket, assignee_id, assignee_email or None)
            return self._change(snap, principal, moved, None, {}, now=self.clock.now())

        await self.store.change(reference, decide)

    async def note(
        self, principal: Principal, reference: str, text: str, *, expected_version: int | None = None
    ) -> None:
        """An internal note: on the ticket for the desk, never mailed, no clock moves."""
        text = (text or "").strip()
        if not text:
            raise ValidationFailed({"text": "a note needs some text"})
        if len(text) > MAX_INTERNAL_NOTE:
            raise ValidationFailed({"text": f"at most {MAX_INTERNAL_NOTE} characters"})
        now = self.clock.now()

        def decide(snap: TicketSnapshot) -> TicketChange:
            self._check_desk(principal, snap)
            _fresh(snap, expected_version)
            moved = Transition(snap.ticket, (TicketEvent(EventAction.NOTE_ADDED),))
            return self._change(snap, principal, moved, None, {}, AgentMessage(text), now=now)

        await self.store.change(reference, decide)

    async def pause(
        self,
        principal: Principal,
        reference: str,
        action_raw: str,
        reason: str,
        *,
        note: str = "",
        expected_version: int | None = None,
    ) -> str:
        """Wait on the requester: the only pause the rules know (docs/business-time.md). The business
        clocks pause while the ticket waits for documents or the formal request, never otherwise, and
        the statutory clock never pauses (APPI Art. 39); the reason is kept with the pause."""
        try:
            action = Action(action_raw)
        except ValueError:
            raise ValidationFailed({"action": NOT_A_PAUSE}) from None
        if not any(a is action and to in WAITING_ON_REQUESTER for (_, a), to in TRANSITIONS.items()):
            raise ValidationFailed({"action": NOT_A_PAUSE})
        if not reason.strip():
            raise ValidationFailed({"reason": PAUSE_REASON})
        return await self.transition(
            principal, reference, action.value, reason.strip(), note=note, expected_version=expected_version
        )

    @staticmethod
    def _check_desk(principal: Principal, snap: TicketSnapshot) -> None:
        if snap.desk not in principal.desks:
            raise NotFound("ticket", snap.reference)


def _fresh(snap: TicketSnapshot, expected_version: int | None) -> None:
    """Optimistic locking, under the ticket's write lock: the page's version must still be the ticket's."""
    if expected_version is not None and snap.ticket.version != expected_version:
        raise StaleChange(snap.reference, expected_version, snap.ticket.version)


def _pause_reason(before: Ticket, moved: Transition, reason: str) -> Transition:
    """A move that starts waiting on the requester keeps the agent's reason with its pause (shown where
    the clocks are explained), not only on the event."""
    pauses = moved.ticket.pauses
    if not reason.strip() or len(pauses) <= len(before.pauses) or pauses[-1].end is not None:
        return moved
    last = replace(pauses[-1], reason=f"{pauses[-1].reason}: {reason.strip()}")
    return replace(moved, ticket=replace(moved.ticket, pauses=(*pauses[:-1], last)))
