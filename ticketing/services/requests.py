"""The request workflow: triage, contacts and letters logged by agents, documents and fees, each a
change of the ticket and its case in one transaction (db/cases.py); `move` is a request ticket's move."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from ticketing.domain import ticket as rules
from ticketing.domain.calendar import BusinessCalendar
from ticketing.domain.desks import Desk
from ticketing.domain.documents import DocumentKind, ReceivedDocument, adult_on, check_document, needs_issue_date
from ticketing.domain.errors import Conflict, StaleChange, ValidationFailed
from ticketing.domain.fees import FeeCheck, Instrument, Payment
from ticketing.domain.intake import FILE_TOO_LARGE, TOO_MANY_FILES, IntakeLimits
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
from ticketing.services.case_work import CaseWork, derive
from ticketing.services.intake import Upload
from ticketing.services.ports import (
    AgentMessage,
    BlobStore,
    CaseSnapshot,
    CaseStore,
    Clock,
    InboundMessage,
    Principal,
    StoredAttachment,
)
from ticketing.services.sla import SlaService
from ticketing.services.uploads import store_uploads, typed_message

MAX_TEXT = 20_000
NOTE_FILES = "attach files to a call, letter or visit, not to a note"


# Requests are named at triage, before the steps that depend on them.
CLASSIFIABLE = frozenset({State.RECEIVED, State.TRIAGE, State.AWAITING_FORMAL_REQUEST})


class LoggedChannel(StrEnum):
    """How a contact an agent logs came (a note is the agent's own)."""

    PHONE = "phone"
    POST = "post"
    WALK_IN = "walk_in"
    NOTE = "note"


def move(
    desk: Desk, calendar: BusinessCalendar, snap: CaseSnapshot, action: Action, now: datetime, reason: str = ""
) -> tuple[Transition, Case]:
    """Take `action` through the table under the request rules; settling gives the requests their results."""
    ticket = snap.snapshot.ticket
    case = derive(desk, ticket, snap.case)
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


class RequestDesk(CaseWork):
    """Triage, contacts and letters, documents and fees of a ticket's requests."""

    def __init__(
        self,
        *,
        desks: Mapping[str, Desk],
        calendars: CalendarService,
        sla: SlaService,
        store: CaseStore,
        clock: Clock,
        blobs: BlobStore | None = None,
        limits: IntakeLimits = IntakeLimits(),  # noqa: B008 (frozen)
    ) -> None:
        super().__init__(desks=desks, calendars=calendars, store=store, clock=clock)
        self.sla = sla
        self.blobs = blobs  # where a logged letter's enclosures go (none: files are refused)
        self.limits = limits

    async def log_contact(
        self,
        principal: Principal,
        reference: str,
        channel_raw: str,
        received_at: datetime | None,
        text: str,
        *,
        conforming_request: bool = False,
        uploads: Sequence[Upload] = (),
        expected_version: int | None = None,
    ) -> Ticket:
        """A call, letter or visit (or a note) on an existing ticket; a conforming letter is the formal
        request a post-only desk waits for: the Art. 39 clock starts on the day it was delivered.

        `uploads` are what came with it (a letter's enclosures, scanned): stored as the attachments of
        the logged contact, which is then kept as a message received from the requester."""
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
        if received_at is not None and received_at < self.clock.now() - timedelta(days=366):
            raise ValidationFailed({"received_at": "cannot be more than a year ago"})  # as for new tickets
        if conforming_request and channel is LoggedChannel.NOTE:
            raise ValidationFailed({"conforming_request": "a note is not a request; log the letter itself"})
        if uploads and channel is LoggedChannel.NOTE:
            raise ValidationFailed({"attachments": NOTE_FILES})
        stored = await self._store_files(uploads)

        def act(snap: CaseSnapshot, now: datetime) -> tuple[Transition, Case, AgentMessage | InboundMessage | None]:
            _fresh(snap, expected_version)
            ticket = snap.snapshot.ticket
            at = received_at or now
            message: AgentMessage | InboundMessage = AgentMessage(
                text, logged="" if channel is LoggedChannel.NOTE else channel.value, received_at=at
            )
            if stored:
                message = typed_message(text, channel=channel.value, at=at, files=stored)
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

    async def _store_files(self, uploads: Sequence[Upload]) -> tuple[StoredAttachment, ...]:
        """A letter's enclosures, within the mail channel's limits."""
        if not uploads:
            return ()
        if self.blobs is None or len(uploads) > self.limits.max_attachments:
            raise ValidationFailed({"attachments": TOO_MANY_FILES})
        if any(len(u.data) > self.limits.max_attachment_bytes for u in uploads):
            raise ValidationFailed({"attachments": FILE_TOO_LARGE})
        return await store_uploads(self.blobs, uploads)

    def _formal_request(
        self, ticket: Ticket, case: Case, logged: LoggedChannel, at: datetime, now: datetime
    ) -> tuple[Ticket, tuple[TicketEvent, ...]]:
        desk = self.desks[ticket.desk]
        types = [r.type for r in case.requests]
        if ticket.category is not Category.REQUEST or not types:
            raise ValidationFailed({"conforming_request": "this ticket holds no statutory request"})
        if ticket.formal_request_at is not None:
            raise ValidationFailed({"conforming_request": "the formal request of this ticket is already logged"})
        if not self._conforms(logged, types, desk):
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
        person_birth_date: date | None = None,
        expected_version: int | None = None,
    ) -> Ticket:
        """Triage: the contact holds statutory requests (types are added, never removed: each keeps its
        records), made by the person or an agent (with the person's birth date when a parent asks for
        a minor). The ticket becomes a request ticket."""
        try:
            types = [RequestType(t) for t in request_types]
            kind = RequesterKind(requester_kind) if requester_kind else None
        except ValueError as exc:
            raise ValidationFailed({"request_types": str(exc)}) from None
        if not types and kind is None and person_birth_date is None:
            raise ValidationFailed({"request_types": "name the request types, or the requester kind"})

        def act(snap: CaseSnapshot, now: datetime) -> tuple[Transition, Case, AgentMessage | None]:
            _fresh(snap, expected_version)
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
                person_birth_date=person_birth_date or ticket.person_birth_date,
            )
            if changed.person_birth_date is not None and changed.person_birth_date > self._today(desk, now):
                raise ValidationFailed({"person_birth_date": "cannot be in the future"})
            if new and changed.formal_request_at is None and conforming(changed.channel, all_types, desk.request_types):
                # It came the desk's way: the request arrived with the first contact.
                at = ticket.received_at or now
                changed = replace(self._start_statutory(changed, all_types, at), formal_request_at=at)
            data: dict[str, Any] = {
                "request_types": [t.value for t in new],
                "requester_kind": changed.requester_kind.value,
            }
            if changed.person_birth_date is not None:
                # 民法4条: recorded as it stood when the request arrived (the age can change before the answer).
                arrived = (changed.formal_request_at or changed.received_at or now).astimezone(ZoneInfo(desk.timezone))
                data["person_of_age_at_receipt"] = adult_on(changed.person_birth_date, arrived.date())
            return Transition(changed, (TicketEvent(EventAction.CLASSIFIED, data=data),)), case, None

        change, _ = await self._change(principal, reference, act)
        return change.ticket_change.ticket

    @staticmethod
    def _conforms(logged: LoggedChannel, types: Sequence[RequestType], desk: Desk) -> bool:
        """A call or letter conforms as its channel does; a visit is no channel of the desks file and
        conforms only where every type accepts every channel."""
        if logged is LoggedChannel.WALK_IN:
            rules = desk.request_types
            return all(t not in rules or rules[t].channels == frozenset(Channel) for t in types)
        return conforming(Channel(logged.value), types, desk.request_types)

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
        expected_version: int | None = None,
    ) -> Case:
        """Record a document that arrived; the answer is the case with its checklist."""
        try:
            kind = DocumentKind(kind_raw)
        except ValueError:
            raise ValidationFailed({"kind": f"use one of {', '.join(DocumentKind)}"}) from None

        def act(snap: CaseSnapshot, now: datetime) -> tuple[Transition, Case, AgentMessage | None]:
            _fresh(snap, expected_version)
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
            case = derive(desk, ticket, replace(snap.case, documents=(*snap.case.documents, doc)))
            event = TicketEvent(
                EventAction.DOCUMENT_RECEIVED,
                data={"kind": kind.value, "missing": list(case.checklist.missing), "stale": list(case.checklist.stale)},
            )
            return Transition(ticket, (event,)), case, None

        await self._change(principal, reference, act)
        return await self.read_case(reference)  # as stored: the new document has its id

    async def record_fee(
        self,
        principal: Principal,
        reference: str,
        amount_yen: int,
        instrument_raw: str,
        issued_on: date | None,
        *,
        expected_version: int | None = None,
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
            _fresh(snap, expected_version)
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


def _fresh(snap: CaseSnapshot, expected_version: int | None) -> None:
    """Optimistic locking under the ticket's write lock: the page's version must still be the ticket's."""
    ticket = snap.snapshot.ticket
    if expected_version is not None and ticket.version != expected_version:
        raise StaleChange(ticket.reference, expected_version, ticket.version)


__all__ = ["LoggedChannel", "RequestDesk", "derive", "move"]
