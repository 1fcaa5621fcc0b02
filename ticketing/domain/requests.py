"""Statutory requests inside a ticket, and the rules that gate a request ticket's moves.

A ticket is one case; each statutory request in it (docs/privacy-rules.md, request types) has its
own fee, result and notice. The moves of a request ticket are the transition table's
(domain/tickets.py); these rules add what the law and the desk's procedure demand before a move:

- APPI Art. 37(1): where the desk fixed how requests are made (the seed desks: by post with the
  prescribed form), work starts only once a conforming request has arrived.
- APPI Art. 38: only notification of purpose and disclosure bear a fee; a ticket with none of those
  never enters the fee step, and one with them starts work only after its fee passed the check.
- The desk's procedure (Art. 37(1),(3)): work starts once the documents are complete.
- APPI Art. 36 and the desk's four-eyes rule: a request ticket is answered only on an approved decision.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum

from ticketing.domain.decisions import Decision, DecisionStatus, Outcome, standing
from ticketing.domain.desks import RequestTypeRule
from ticketing.domain.documents import Checklist, ReceivedDocument
from ticketing.domain.fees import FeeCheck, FeeStatus, Payment, check_fee, fee_allowed, not_chargeable
from ticketing.domain.forwarding import Forwarding
from ticketing.domain.incidents import Incident
from ticketing.domain.referrals import Referral
from ticketing.domain.tickets import Action, Channel, RequestType, State


class FeeState(StrEnum):
    NOT_REQUIRED = "not_required"  # Art. 38: no fee for this type, or the desk charges none
    PENDING = "pending"  # a fee is due and nothing passed the check yet
    OK = FeeStatus.OK.value
    SHORT = FeeStatus.SHORT.value
    WRONG_INSTRUMENT = FeeStatus.WRONG_INSTRUMENT.value
    EXPIRED_INSTRUMENT = FeeStatus.EXPIRED_INSTRUMENT.value


class Result(StrEnum):
    """What became of one request (the notice says it to the requester)."""

    NOTIFIED = "notified"  # Art. 32(2)
    DISCLOSED = "disclosed"  # Art. 33(1), 33(5)
    CORRECTED = "corrected"  # Art. 34
    USE_STOPPED = "use_stopped"  # Art. 35(1),(2)
    PROVISION_STOPPED = "provision_stopped"  # Art. 35(3)
    INFORMATION_PROVIDED = "information_provided"  # Art. 28(3); courtesy answers
    PARTIAL = "partial"
    REFUSED = "refused"
    ALTERNATIVE_MEASURE = "alternative_measure"
    NO_DATA = "no_data"
    FORWARDED = "forwarded"
    WITHDRAWN = "withdrawn"
    REJECTED_UNVERIFIABLE = "rejected_unverifiable"


# What doing what was asked means, per type.
_FULL: Mapping[RequestType, Result] = {
    RequestType.PURPOSE_NOTIFICATION: Result.NOTIFIED,
    RequestType.DISCLOSURE: Result.DISCLOSED,
    RequestType.THIRD_PARTY_RECORD_DISCLOSURE: Result.DISCLOSED,
    RequestType.CORRECTION: Result.CORRECTED,
    RequestType.SUSPENSION_OF_USE: Result.USE_STOPPED,
    RequestType.STOP_THIRD_PARTY_PROVISION: Result.PROVISION_STOPPED,
    RequestType.OVERSEAS_TRANSFER_INFO: Result.INFORMATION_PROVIDED,
    RequestType.DECEASED_COURTESY: Result.INFORMATION_PROVIDED,
}
_OTHER: Mapping[Outcome, Result] = {
    Outcome.PARTIAL: Result.PARTIAL,
    Outcome.REFUSAL: Result.REFUSED,
    Outcome.ALTERNATIVE_MEASURE: Result.ALTERNATIVE_MEASURE,
    Outcome.NO_DATA: Result.NO_DATA,
}
# Settling moves that give every open request its result without a decision.
_SETTLING: Mapping[State, Result] = {
    State.FORWARDED: Result.FORWARDED,
    State.WITHDRAWN: Result.WITHDRAWN,
    State.REJECTED: Result.REJECTED_UNVERIFIABLE,
}


class NoticeMethod(StrEnum):
    """How the result went to the requester (APPI Arts. 32(3), 33(3), 34(3), 35(7): "without delay")."""

    EMAIL = "email"
    POST = "post"
    REGISTERED_POST = "registered_post"  # 簡易書留, to the address on the identity document


# Every path that ends a request's handling produces a notice (docs/privacy-rules.md, JP-3).
NOTICE_STATES: frozenset[State] = frozenset({State.RESPONDED, State.REJECTED, State.FORWARDED})


def result_of(kind: RequestType, outcome: Outcome) -> Result:
    return _FULL[kind] if outcome is Outcome.FULL else _OTHER[outcome]


@dataclass(frozen=True, slots=True)
class TicketRequest:
    type: RequestType
    fee_yen: int = 0  # the desk's fee for the type when the request arrived (0: none may be charged)
    fee_instrument: str | None = None
    fee_state: FeeState = FeeState.NOT_REQUIRED
    result: Result | None = None
    id: int | None = None
    notice_method: NoticeMethod | None = None
    notice_sent_at: datetime | None = None

    @property
    def fee_required(self) -> bool:
        return self.fee_yen > 0


@dataclass(frozen=True, slots=True)
class FeePayment:
    amount_yen: int
    instrument: str
    received_on: date
    status: FeeStatus
    issued_on: date | None = None
    returned: bool = False  # goes back to the requester (not chargeable, wrong or expired instrument)
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Case:
    """The request workflow's records of one ticket, as a change reads and writes them."""

    requests: tuple[TicketRequest, ...] = ()
    documents: tuple[ReceivedDocument, ...] = ()
    payments: tuple[FeePayment, ...] = ()
    decisions: tuple[Decision, ...] = ()
    referrals: tuple[Referral, ...] = ()
    forwardings: tuple[Forwarding, ...] = ()
    incident: Incident | None = None  # on an incident ticket (domain/incidents.py)
    checklist: Checklist = field(default_factory=Checklist)  # derived: filled in by the service

    @property
    def fee_bearing(self) -> tuple[TicketRequest, ...]:
        return tuple(r for r in self.requests if r.fee_required)


def open_request(kind: RequestType, fee_yen: int, instrument: str | None) -> TicketRequest:
    """A request as it enters the case, with the desk's fee for its type (none unless Art. 38 allows it)."""
    charged = fee_yen if fee_allowed(kind) else 0
    state = FeeState.PENDING if charged else FeeState.NOT_REQUIRED
    return TicketRequest(kind, charged, instrument if charged else None, state)


def pay(case: Case, payment: Payment, received_on: date) -> FeeCheck:
    """Check a payment against the case's fee (per form: one fee covers the form's requests).

    A short payment stays with the desk and counts with the rest when it arrives (same instrument);
    once the fee is paid, more goes back as excess; a payment to a case with no fee-bearing request
    is not chargeable and goes back (Art. 38(1)).
    """
    bearing = case.fee_bearing
    if not bearing:
        return not_chargeable(payment)
    rule = max(bearing, key=lambda r: r.fee_yen)
    if all(r.fee_state is FeeState.OK for r in bearing):
        return FeeCheck(FeeStatus.OK, rule.fee_yen, excess_yen=payment.amount_yen)
    kept = sum(
        p.amount_yen
        for p in case.payments
        if p.status is FeeStatus.SHORT and not p.returned and p.instrument == payment.instrument.value
    )
    total = Payment(kept + payment.amount_yen, payment.instrument, payment.issued_on)
    return check_fee(rule.type, rule.fee_yen, rule.fee_instrument, total, received_on)


def with_fee_state(case: Case, status: FeeStatus) -> Case:
    state = FeeState(status.value) if status is not FeeStatus.NOT_CHARGEABLE else None
    if state is None:
        return case
    requests = tuple(replace(r, fee_state=state) if r.fee_required else r for r in case.requests)
    return replace(case, requests=requests)


def conforming(channel: Channel, types: Iterable[RequestType], rules: Mapping[RequestType, RequestTypeRule]) -> bool:
    """Art. 37(1): did the request come the way the desk fixed for each of its types?

    Tickets entered through the API by staff or an integration carry no channel of the requester's
    choosing and are taken as conforming; every other channel is judged against the desks file.
    """
    if channel is Channel.API:
        return True
    return all(t not in rules or channel in rules[t].channels for t in types)


def opening_requests(
    types: Iterable[RequestType], rules: Mapping[RequestType, RequestTypeRule]
) -> tuple[TicketRequest, ...]:
    """The requests a new ticket opens with, each with the desk's fee for its type."""
    out = []
    for kind in types:
        rule = rules.get(kind)
        out.append(open_request(kind, rule.fee_yen if rule else 0, rule.fee_instrument if rule else None))
    return tuple(out)


# Why a request ticket may not move yet (the staff pages translate these: web/locale).
NO_FEE_STEP = (
    "no request on this ticket bears a fee: APPI Art. 38 allows one only for notification of purpose and "
    "disclosure, so correction, suspension and stop-of-provision requests skip the fee step"
)
FORMAL_REQUEST_FIRST = (
    "the desk takes this request by post with its form (APPI Art. 37(1)): log the letter as the conforming "
    "request before work starts"
)
DOCUMENTS_INCOMPLETE = "the documents are not complete: record what arrived, or ask the requester for the rest"
FEE_NOT_PASSED = "the fee has not passed its check (APPI Art. 38)"
PROPOSE_INSTEAD = "propose the decision with its outcome and reason: that moves the ticket"
REJECTION_REASON = (
    "a request is not accepted only with the reason the requester will read (APPI Art. 36): write it in the note"
)
APPROVED_DECISION_FIRST = (
    "a request is answered on an approved decision: a manager who did not propose it approves it (four eyes)"
)


def move_refusal(case: Case, action: Action, new: State, *, awaiting_formal: bool) -> str | None:
    """Why a request ticket may not make this move now, or None; a ticket with no request is free."""
    if not case.requests:
        return None
    if action is Action.CHECK_FEE and not case.fee_bearing:
        return NO_FEE_STEP
    if new is State.IN_PROGRESS and action is Action.START_WORK:
        if awaiting_formal:
            return FORMAL_REQUEST_FIRST
        if not case.checklist.complete:
            return DOCUMENTS_INCOMPLETE
        if any(r.fee_state is not FeeState.OK for r in case.fee_bearing):
            return FEE_NOT_PASSED
    if action is Action.ASK_DECISION:
        return PROPOSE_INSTEAD
    if new is State.RESPONDED:
        decision = standing(case.decisions)
        if decision is None or decision.status is not DecisionStatus.APPROVED:
            return APPROVED_DECISION_FIRST
    return None


def needs_told_reason(case: Case, action: Action) -> bool:
    """Art. 36: a request ticket rejected (identity or authority not verifiable) tells the requester why."""
    return bool(case.requests) and action is Action.REJECT


def settle(case: Case, new: State) -> Case:
    """Results for the open requests when the ticket settles (responded on its decision, or otherwise)."""
    decision = standing(case.decisions)
    if new is State.RESPONDED and decision is not None and decision.status is DecisionStatus.APPROVED:
        results = {r.type: result_of(r.type, decision.outcome) for r in case.requests}
    elif new in _SETTLING:
        results = {r.type: _SETTLING[new] for r in case.requests}
    else:
        return case
    return replace(case, requests=tuple(r if r.result else replace(r, result=results[r.type]) for r in case.requests))


def record_notice(case: Case, method: NoticeMethod, at: datetime) -> Case:
    """The notice of the result, on every request that has its result and no notice yet."""
    requests = tuple(
        replace(r, notice_method=method, notice_sent_at=at) if r.result and r.notice_method is None else r
        for r in case.requests
    )
    return replace(case, requests=requests)


__all__ = [
    "NOTICE_STATES",
    "Case",
    "FeePayment",
    "FeeState",
    "NoticeMethod",
    "Result",
    "TicketRequest",
    "conforming",
    "move_refusal",
    "needs_told_reason",
    "open_request",
    "opening_requests",
    "pay",
    "record_notice",
    "result_of",
    "settle",
    "with_fee_state",
]
