"""The request workflow: contacts logged by agents, documents, fees, decisions and the accredited
organisation, each a change of the ticket and its case in one transaction (db/cases.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from ticketing.domain import clocks as clk
from ticketing.domain import decisions as dec
from ticketing.domain import referrals as refs
from ticketing.domain import ticket as rules
from ticketing.domain.calendar import BusinessCalendar
from ticketing.domain.desks import Desk
from ticketing.domain.documents import DocumentKind, ReceivedDocument, check_document, checklist, needs_issue_date
from ticketing.domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ticketing.domain.fees import FeeCheck, Instrument, Payment
from ticketing.domain.forwarding import Forwarding, answered, follow_up_of
from ticketing.domain.procedure import RequesterKind
from ticketing.domain.requests import (
    Case,
    FeePayment,
    conforming,
    move_refusal,
    opening_requests,
    pay,
    settle,
    with_fee_state,
)
from ticketing.domain.sla import ClockKind
from ticketing.domain.staff import MANAGER_ROLES, Role
from ticketing.domain.ticket import EventAction, Ticket, TicketEvent, Transition
from ticketing.domain.tickets import (
    SETTLED,
    Action,
    Category,
    Channel,
    RequestType,
    State,
    next_state,
    pre_suit_period_applies,
)
from ticketing.services.calendars import CalendarService
from ticketing.services.ports import (
    AgentMessage,
    CaseChange,
    CaseSnapshot,
    CaseStore,
    Clock,
    Principal,
    TicketChange,
)
from ticketing.services.sla import SlaService

MAX_TEXT = 20_000


# Requests are named at triage, before the steps that depend on them.
CLASSIFIABLE = frozenset({State.RECEIVED, State.TRIAGE, State.AWAITING_FORMAL_REQUEST})


class LoggedChannel(StrEnum):
    """How a contact an agent logs came (a note is the agent's own)."""

    PHONE = "phone"
    POST = "post"
    WALK_IN = "walk_in"
    NOTE = "note"


def derive(desk: Desk, requester: RequesterKind, case: Case) -> Case:
    """The case with its checklist worked out from the desk's rules (derived, never stored)."""
    rules_of = desk.request_types
    needs_form = any(r.type in rules_of and "request_form" in rules_of[r.type].documents for r in case.requests)
    found = checklist(desk.procedure, desk.document_validity, requester, needs_form, case.documents)
    return replace(case, checklist=found)


def move(
    desk: Desk, calendar: BusinessCalendar, snap: CaseSnapshot, action: Action, now: datetime, reason: str = ""
) -> tuple[Transition, Case]:
    """Take `action` through the table under the request rules; settling gives the requests their results."""
    ticket = snap.snapshot.ticket
    case = derive(desk, ticket.requester_kind, snap.case)
    new = next_state(ticket.state, action)
    if new is not None:
        awaiting = ticket.formal_request_at is None and not conforming(
            ticket.channel, [r.type for r in case.requests], desk.request_types
        )
        why = move_refusal(case, action, new, awaiting_formal=awaiting)
        if why is not None:
            raise Conflict(why)
    moved = rules.apply(ticket, action, now, calendar, reason=reason)
    settled = settle(case, moved.ticket.state) if moved.ticket.state in SETTLED else case
    return moved, settled


class RequestDesk:
    def __init__(
        self,
        *,
        desks: Mapping[str, Desk],
        calendars: CalendarService,
        sla: SlaService,
        store: CaseStore,
        clock: Clock,
    ) -> None:
        self.desks = desks
        self.calendars = calendars
        self.sla = sla
        self.store = store
        self.clock = clock
        self._offices: dict[str, BusinessCalendar] = {}

    # --- reading ------------------------------------------------------------------------------

    async def pending_decisions(self, principal: Principal) -> list[dict[str, Any]]:
        """Decisions waiting for approval on the desks where the caller is a manager."""
        desks = sorted(d for d, role in principal.roles.items() if Role(role) in MANAGER_ROLES)
        if not desks:
            raise Forbidden("only managers approve decisions")
        return await self.store.pending_decisions(desks)

    # --- changes ------------------------------------------------------------------------------

    async def _change(
        self,
        principal: Principal,
        reference: str,
        act: Callable[[CaseSnapshot, datetime], tuple[Transition, Case, AgentMessage | None]],
    ) -> tuple[CaseChange, int | None]:
        now = self.clock.now()

        def decide(snap: CaseSnapshot) -> CaseChange:
            if snap.snapshot.desk not in principal.desks:
                raise NotFound("ticket", snap.snapshot.reference)
            derived = CaseSnapshot(
                snap.snapshot, derive(self.desks[snap.snapshot.desk], snap.snapshot.ticket.requester_kind, snap.case)
            )
            moved, case, message = act(derived, now)
            change = TicketChange(
                at=now,
                actor_id=principal.user_id,
                actor_label=principal.email,
                ticket=moved.ticket,
                events=moved.events,
                message=message,
            )
            return CaseChange(change, case)

        return await self.store.change(reference, decide)

    async def log_contact(
        self,
        principal: Principal,
        reference: str,
        channel_raw: str,
        received_at: datetime | None,
        text: str,
        *,
        conforming_request: bool = False,
    ) -> Ticket:
        """A call, letter or visit (or a note) on an existing ticket; a conforming letter is the formal
        request a post-only desk waits for: the Art. 39 clock starts on the day it was delivered."""
        try:
            channel = LoggedChannel(channel_raw)
        except ValueError:
            raise ValidationFailed({"channel": f"use one of {', '.join(LoggedChannel)}"}) from None
        text = (text or "").strip()
        if not text:
            raise ValidationFailed({"text": "say what the caller or the letter said"})
        if len(text) > MAX_TEXT:
            raise ValidationFailed({"text": f"at most {MAX_TEXT} characters"})
        if received_at is not None and received_at > self.clock.now():
            raise ValidationFailed({"received_at": "cannot be in the future"})
        if conforming_request and channel is LoggedChannel.NOTE:
            raise ValidationFailed({"conforming_request": "a note is not a request; log the letter itself"})

        def act(snap: CaseSnapshot, now: datetime) -> tuple[Transition, Case, AgentMessage | None]:
            ticket = snap.snapshot.ticket
            at = received_at or now
            message = AgentMessage(text, logged="" if channel is LoggedChannel.NOTE else channel.value, received_at=at)
            if channel is LoggedChannel.NOTE:
                return Transition(ticket, (TicketEvent(EventAction.NOTE_ADDED),)), snap.case, message
            events = [
                TicketEvent(EventAction.CONTACT_LOGGED, data={"channel": channel.value, "received_at": at.isoformat()})
            ]
            if not conforming_request:
                return Transition(ticket, tuple(events)), snap.case, message
            ticket, more = self._formal_request(ticket, snap.case, channel, at, now)
            return Transition(ticket, (*events, *more)), snap.case, message

        change, _ = await self._change(principal, reference, act)
        return change.ticket_change.ticket

    def _formal_request(
        self, ticket: Ticket, case: Case, logged: LoggedChannel, at: datetime, now: datetime
    ) -> tuple[Ticket, tuple[TicketEvent, ...]]:
        desk = self.desks[ticket.desk]
        types = [r.type for r in case.requests]
        if ticket.category is not Category.REQUEST or not types:
            raise ValidationFailed({"conforming_request": "this ticket holds no statutory request"})
        if ticket.formal_request_at is not None:
            raise ValidationFailed({"conforming_request": "the formal request of this ticket is already logged"})
        # A visit is no channel of the desks file: it conforms only where a type accepts every channel.
        channel = Channel(logged.value) if logged.value in Channel.__members__.values() else None
        every = all(t not in desk.request_types or desk.request_types[t].channels == frozenset(Channel) for t in types)
        if not (every if channel is None else conforming(channel, types, desk.request_types)):
            accepted = sorted(
                {c.value for t in types if t in desk.request_types for c in desk.request_types[t].channels}
            )
            raise ValidationFailed(
                {"channel": f"this desk takes these requests by {', '.join(accepted)} (APPI Art. 37(1))"}
            )
        ticket = replace(ticket, formal_request_at=at)
        events: list[TicketEvent] = [
            TicketEvent(EventAction.FORMAL_REQUEST_RECEIVED, data={"received_at": at.isoformat()})
        ]
        if pre_suit_period_applies(types) and not any(c.kind is ClockKind.STATUTORY for c in ticket.clocks):
            # Art. 39(1): two weeks from the day the request reached the business (its delivery).
            started = self.sla.clocks_for_new_ticket(desk, ticket.category, at, types)
            statutory = tuple(c for c in started if c.kind is ClockKind.STATUTORY)
            ticket = replace(ticket, clocks=(*ticket.clocks, *statutory))
        if ticket.state is State.AWAITING_FORMAL_REQUEST:
            moved = rules.apply(ticket, Action.REQUESTER_REPLIED, now, self.calendars.calendar(ticket.desk))
            ticket, events = moved.ticket, [*events, *moved.events]
        return ticket, tuple(events)

    async def classify(
        self,
        principal: Principal,
        reference: str,
        *,
        request_types: Sequence[str],
        requester_kind: str | None = None,
    ) -> Ticket:
        """Triage: the contact holds statutory requests (types are added, never removed: each keeps its
        records), made by the person or an agent. The ticket becomes a request ticket."""
        try:
            types = [RequestType(t) for t in request_types]
            kind = RequesterKind(requester_kind) if requester_kind else None
        except ValueError as exc:
            raise ValidationFailed({"request_types": str(exc)}) from None
        if not types and kind is None:
            raise ValidationFailed({"request_types": "name the request types, or the requester kind"})

        def act(snap: CaseSnapshot, now: datetime) -> tuple[Transition, Case, AgentMessage | None]:
            ticket = snap.snapshot.ticket
            if ticket.state not in CLASSIFIABLE:
                raise Conflict(
                    f"ticket {ticket.reference}: requests are named before work starts, not in {ticket.state}"
                )
            if ticket.category not in (Category.INQUIRY, Category.COMPLAINT, Category.REQUEST):
                raise Conflict(f"ticket {ticket.reference}: a {ticket.category} holds no requests of the requester")
            desk = self.desks[ticket.desk]
            known = {r.type for r in snap.case.requests}
            new = [t for t in dict.fromkeys(types) if t not in known]
            case = replace(snap.case, requests=(*snap.case.requests, *opening_requests(new, desk.request_types)))
            all_types = tuple(r.type for r in case.requests)
            changed = replace(
                ticket,
                category=Category.REQUEST if all_types else ticket.category,
                request_types=all_types,
                requester_kind=kind or ticket.requester_kind,
            )
            if new and changed.formal_request_at is None and conforming(changed.channel, all_types, desk.request_types):
                # It came the desk's way: the request arrived with the first contact.
                at = ticket.received_at or now
                changed = replace(self._start_statutory(changed, all_types, at), formal_request_at=at)
            data = {"request_types": [t.value for t in new], "requester_kind": changed.requester_kind.value}
            return Transition(changed, (TicketEvent(EventAction.CLASSIFIED, data=data),)), case, None

        change, _ = await self._change(principal, reference, act)
        return change.ticket_change.ticket

    def _start_statutory(self, ticket: Ticket, types: Sequence[RequestType], at: datetime) -> Ticket:
        """Art. 39(1): two weeks from the day the request reached the business (a letter: its delivery);
        started once, and only for the types Art. 39 names."""
        if not pre_suit_period_applies(types) or any(c.kind is ClockKind.STATUTORY for c in ticket.clocks):
            return ticket
        started = self.sla.clocks_for_new_ticket(self.desks[ticket.desk], Category.REQUEST, at, types)
        statutory = tuple(c for c in started if c.kind is ClockKind.STATUTORY)
        return replace(ticket, clocks=(*ticket.clocks, *statutory))

    # --- documents and fees -------------------------------------------------------------------

    async def add_document(
        self,
        principal: Principal,
        reference: str,
        kind_raw: str,
        *,
        issued_on: date | None,
        valid_until: date | None,
        masked: bool,
        received_on: date | None = None,
    ) -> Case:
        """Record a document that arrived; the answer is the case with its checklist."""
        try:
            kind = DocumentKind(kind_raw)
        except ValueError:
            raise ValidationFailed({"kind": f"use one of {', '.join(DocumentKind)}"}) from None

        def act(snap: CaseSnapshot, now: datetime) -> tuple[Transition, Case, AgentMessage | None]:
            ticket = snap.snapshot.ticket
            desk = self.desks[ticket.desk]
            today = self._today(desk, now)
            doc = ReceivedDocument(kind, received_on or today, issued_on, valid_until, masked)
            if doc.received_on > today:
                raise ValidationFailed({"received_on": "cannot be in the future"})
            check_document(doc)
            if issued_on is None and needs_issue_date(kind, desk.document_validity):
                raise ValidationFailed(
                    {"issued_on": "this desk accepts this document only if recently issued: give its issue date"}
                )
            case = derive(desk, ticket.requester_kind, replace(snap.case, documents=(*snap.case.documents, doc)))
            event = TicketEvent(
                EventAction.DOCUMENT_RECEIVED,
                data={"kind": kind.value, "missing": list(case.checklist.missing), "stale": list(case.checklist.stale)},
            )
            return Transition(ticket, (event,)), case, None

        change, _ = await self._change(principal, reference, act)
        return change.case

    async def record_fee(
        self, principal: Principal, reference: str, amount_yen: int, instrument_raw: str, issued_on: date | None
    ) -> FeeCheck:
        """Check a payment against the ticket's fee (APPI Art. 38) and keep what was found."""
        try:
            instrument = Instrument(instrument_raw)
        except ValueError:
            raise ValidationFailed({"instrument": f"use one of {', '.join(Instrument)}"}) from None
        if amount_yen < 0 or amount_yen > 1_000_000:
            raise ValidationFailed({"amount_yen": "a whole number of yen from 0 to 1,000,000"})
        found: list[FeeCheck] = []

        def act(snap: CaseSnapshot, now: datetime) -> tuple[Transition, Case, AgentMessage | None]:
            ticket = snap.snapshot.ticket
            today = self._today(self.desks[ticket.desk], now)
            check = pay(snap.case, Payment(amount_yen, instrument, issued_on), today)
            found.append(check)
            returned = check.returned
            payment = FeePayment(amount_yen, instrument.value, today, check.status, issued_on, returned)
            case = with_fee_state(replace(snap.case, payments=(*snap.case.payments, payment)), check.status)
            data: dict[str, Any] = {
                "status": check.status.value,
                "amount_yen": amount_yen,
                "instrument": instrument.value,
            }
            if check.shortfall_yen:
                data["shortfall_yen"] = check.shortfall_yen
            if check.excess_yen or returned:
                data["to_return_yen"] = amount_yen if returned else check.excess_yen
            return Transition(ticket, (TicketEvent(EventAction.FEE_RECEIVED, data=data),)), case, None

        await self._change(principal, reference, act)
        return found[-1]

    # --- decisions ----------------------------------------------------------------------------

    async def propose(self, principal: Principal, reference: str, outcome_raw: str, reason: str) -> int:
        """Propose the decision on the ticket's requests; it moves the ticket to decision_pending."""
        try:
            outcome = dec.Outcome(outcome_raw)
        except ValueError:
            raise ValidationFailed({"outcome": f"use one of {', '.join(dec.Outcome)}"}) from None

        def act(snap: CaseSnapshot, now: datetime) -> tuple[Transition, Case, AgentMessage | None]:
            ticket = snap.snapshot.ticket
            if not snap.case.requests:
                raise ValidationFailed({"outcome": "this ticket holds no statutory request to decide on"})
            pending = dec.standing(snap.case.decisions)
            if pending is not None and pending.status is dec.DecisionStatus.PENDING:
                raise ValidationFailed({"outcome": "a decision is already waiting for approval"})
            decision = dec.propose(outcome, reason, [r.type for r in snap.case.requests], principal.user_id, now)
            case = replace(snap.case, decisions=(*snap.case.decisions, decision))
            if ticket.state is State.DECISION_PENDING:
                moved = Transition(ticket, ())
            else:
                moved = rules.apply(ticket, Action.ASK_DECISION, now, self.calendars.calendar(ticket.desk))
            event = TicketEvent(EventAction.DECISION_PROPOSED, data={"outcome": outcome.value}, reason=decision.reason)
            return Transition(moved.ticket, (*moved.events, event)), case, None

        _, added = await self._change(principal, reference, act)
        assert added is not None
        return added

    async def review(self, principal: Principal, decision_id: int, *, approve: bool, note: str = "") -> str:
        """A manager of the desk approves (or sends back) a pending decision; never its proposer."""
        in_range = 0 < decision_id < 2**31  # an id no row can have is simply not found
        reference = await self.store.reference_of_decision(decision_id) if in_range else None
        if reference is None:
            raise NotFound("decision", str(decision_id))

        def act(snap: CaseSnapshot, now: datetime) -> tuple[Transition, Case, AgentMessage | None]:
            ticket = snap.snapshot.ticket
            if Role(principal.roles[ticket.desk]) not in MANAGER_ROLES:
                raise Forbidden("only a manager of the desk approves decisions")
            found = next(d for d in snap.case.decisions if d.id == decision_id)
            if approve:
                decided = dec.approve(found, principal.user_id, now)
            else:
                decided = dec.send_back(found, principal.user_id, now, note)
            case = replace(
                snap.case, decisions=tuple(decided if d.id == decision_id else d for d in snap.case.decisions)
            )
            action = EventAction.DECISION_APPROVED if approve else EventAction.DECISION_SENT_BACK
            event = TicketEvent(
                action, data={"decision": decision_id, "outcome": found.outcome.value}, reason=note[:2000]
            )
            return Transition(ticket, (event,)), case, None

        await self._change(principal, reference, act)
        return reference

    # --- the accredited organisation ----------------------------------------------------------

    async def add_referral(
        self,
        principal: Principal,
        reference: str,
        organisation: str,
        kind_raw: str,
        received_at: datetime | None,
        *,
        their_reference: str = "",
        due_at: datetime | None = None,
        materials: Sequence[str] = (),
    ) -> int:
        try:
            kind = refs.ReferralKind(kind_raw)
        except ValueError:
            raise ValidationFailed({"kind": f"use one of {', '.join(refs.ReferralKind)}"}) from None

        def act(snap: CaseSnapshot, now: datetime) -> tuple[Transition, Case, AgentMessage | None]:
            ticket = snap.snapshot.ticket
            org = self.desks[ticket.desk].accredited_org
            at = received_at or now
            if at > now:
                raise ValidationFailed({"received_at": "cannot be in the future"})
            referral = refs.record(
                organisation,
                org.short_name if org else None,
                kind,
                at,
                their_reference=their_reference,
                due_at=due_at,
                materials=materials,
            )
            case = replace(snap.case, referrals=(*snap.case.referrals, referral))
            data: dict[str, Any] = {"organisation": referral.organisation, "kind": kind.value}
            if kind is refs.ReferralKind.INQUIRY:
                desk = self.desks[ticket.desk]
                clock = refs.inquiry_clock(
                    referral, desk.slug, self.calendars.calendar(desk.slug), self._office(desk), desk.escalation.stages
                )
                ticket = replace(ticket, clocks=(*ticket.clocks, clock))
                data["due_at"] = clock.due_at.isoformat() if clock.due_at else None
            action = (
                EventAction.ACCREDITED_ORG_INFORMED
                if kind is refs.ReferralKind.INFORMED
                else EventAction.ACCREDITED_ORG_INQUIRY
            )
            return Transition(ticket, (TicketEvent(action, data=data),)), case, None

        _, added = await self._change(principal, reference, act)
        assert added is not None
        return added

    async def update_referral(
        self,
        principal: Principal,
        reference: str,
        referral_id: int,
        *,
        materials_sent: Sequence[str] = (),
        answered_at: datetime | None = None,
        outcome_raw: str | None = None,
    ) -> refs.Referral:
        """Materials sent to the organisation, the answer (it stops the inquiry's clock), its outcome."""
        try:
            outcome = refs.InquiryOutcome(outcome_raw) if outcome_raw else None
        except ValueError:
            raise ValidationFailed({"outcome": f"use one of {', '.join(refs.InquiryOutcome)}"}) from None
        if not materials_sent and answered_at is None and outcome is None:
            raise ValidationFailed({"materials_sent": "say what was sent, when the answer went, or the outcome"})
        done: list[refs.Referral] = []

        def act(snap: CaseSnapshot, now: datetime) -> tuple[Transition, Case, AgentMessage | None]:
            ticket = snap.snapshot.ticket
            found = next((r for r in snap.case.referrals if r.id == referral_id), None)
            if found is None:
                raise NotFound("referral", str(referral_id))
            if answered_at is not None and answered_at > now:
                raise ValidationFailed({"answered_at": "cannot be in the future"})
            updated, events = found, []
            if materials_sent:
                updated = refs.send_materials(updated, materials_sent, answered_at or now)
                events.append(
                    TicketEvent(EventAction.ACCREDITED_ORG_MATERIALS_SENT, data={"materials": list(materials_sent)})
                )
            if answered_at is not None or outcome is not None:
                clock = refs.inquiry_clock_of(found, ticket.clocks) if answered_at is not None else None
                updated = refs.answer(updated, answered_at, outcome)
                if clock is not None:
                    stopped = clk.stop(clock, answered_at or now)
                    ticket = replace(ticket, clocks=tuple(stopped if c is clock else c for c in ticket.clocks))
                data = {"answered_at": answered_at.isoformat() if answered_at else None, "outcome": outcome}
                events.append(TicketEvent(EventAction.ACCREDITED_ORG_ANSWERED, data=data))
            done.append(updated)
            referrals = tuple(updated if r.id == referral_id else r for r in snap.case.referrals)
            return Transition(ticket, tuple(events)), replace(snap.case, referrals=referrals), None

        await self._change(principal, reference, act)
        return done[-1]

    async def partner_answered(
        self, principal: Principal, reference: str, forwarding_id: int, answered_at: datetime | None, answer: str
    ) -> Forwarding:
        """The company the request went to answered: the record says what, its follow-up clock stops."""
        done: list[Forwarding] = []

        def act(snap: CaseSnapshot, now: datetime) -> tuple[Transition, Case, AgentMessage | None]:
            ticket = snap.snapshot.ticket
            found = next((f for f in snap.case.forwardings if f.id == forwarding_id), None)
            if found is None:
                raise NotFound("forwarding", str(forwarding_id))
            at = answered_at or now
            if at > now:
                raise ValidationFailed({"answered_at": "cannot be in the future"})
            updated = answered(found, at, answer)
            clock = follow_up_of(found, ticket.clocks)
            if clock is not None:
                ticket = replace(ticket, clocks=tuple(clk.stop(c, at) if c is clock else c for c in ticket.clocks))
            done.append(updated)
            forwardings = tuple(updated if f.id == forwarding_id else f for f in snap.case.forwardings)
            event = TicketEvent(EventAction.PARTNER_ANSWERED, data={"partner": found.partner, "at": at.isoformat()})
            return Transition(ticket, (event,)), replace(snap.case, forwardings=forwardings), None

        await self._change(principal, reference, act)
        return done[-1]

    def _office(self, desk: Desk) -> BusinessCalendar | None:
        """The accredited organisation's office hours as a calendar (None when the desks file has none)."""
        org = desk.accredited_org
        spec = org.calendar_spec(desk.timezone) if org is not None else None
        if spec is None:
            return None
        if desk.slug not in self._offices:
            self._offices[desk.slug] = BusinessCalendar(spec)
        return self._offices[desk.slug]

    def _today(self, desk: Desk, now: datetime) -> date:
        return now.astimezone(ZoneInfo(desk.timezone)).date()


__all__ = ["LoggedChannel", "RequestDesk", "derive", "move"]
