"""Tickets: vocabularies, references and the state transition table."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from ticketing.domain.mail import MailKind


class Language(StrEnum):
    JA = "ja"
    EN = "en"


class Channel(StrEnum):
    WEB = "web"
    EMAIL = "email"
    PHONE = "phone"
    POST = "post"
    API = "api"


class Category(StrEnum):
    INQUIRY = "inquiry"
    COMPLAINT = "complaint"
    REQUEST = "request"  # a statutory request (APPI Arts. 32-35) with one or more request types
    ACCREDITED_ORG_INQUIRY = "accredited_org_inquiry"  # APPI Art. 53: JUAS asks for an explanation
    INCIDENT = "incident"  # a leak or suspected leak (APPI Art. 26)


class RequestType(StrEnum):
    """Statutory request types (docs/privacy-rules.md, request types)."""

    PURPOSE_NOTIFICATION = "purpose_notification"  # Art. 32(2)
    DISCLOSURE = "disclosure"  # Art. 33(1)
    THIRD_PARTY_RECORD_DISCLOSURE = "third_party_record_disclosure"  # Art. 33(5)
    CORRECTION = "correction"  # Art. 34
    SUSPENSION_OF_USE = "suspension_of_use"  # Art. 35(1),(2)
    STOP_THIRD_PARTY_PROVISION = "stop_third_party_provision"  # Art. 35(3)
    OVERSEAS_TRANSFER_INFO = "overseas_transfer_info"  # Art. 28(3), 規則18条3項: no fee in Art. 38
    # A deceased person's data: APPI protects the living only (Art. 2(1)), so an heir's request is a
    # courtesy the desk extends, with no statutory clock and no fee.
    DECEASED_COURTESY = "deceased_courtesy"


# APPI Art. 39(1): a suit over a request under Art. 33(1) (33(5) applies it to third-party provision
# records), 34(1) or 35(1), (3), (5) may be brought only two weeks after the request reached the
# business. Notification of purpose (32(2)) is not among them. The two weeks are a pre-suit period,
# not a deadline to answer: the duty to answer is "without delay" (遅滞なく) throughout.
PRE_SUIT_PERIOD: frozenset[RequestType] = frozenset(
    {
        RequestType.DISCLOSURE,
        RequestType.THIRD_PARTY_RECORD_DISCLOSURE,
        RequestType.CORRECTION,
        RequestType.SUSPENSION_OF_USE,
        RequestType.STOP_THIRD_PARTY_PROVISION,
    }
)


def pre_suit_period_applies(request_types: Iterable[RequestType]) -> bool:
    """Art. 39's two weeks run for a ticket when any of its requests is of a type Art. 39 names."""
    return any(t in PRE_SUIT_PERIOD for t in request_types)


# APPI Art. 38(1): a fee may be charged only for notification of purpose and disclosure.
FEE_ALLOWED: frozenset[RequestType] = frozenset(
    {RequestType.PURPOSE_NOTIFICATION, RequestType.DISCLOSURE, RequestType.THIRD_PARTY_RECORD_DISCLOSURE}
)


class State(StrEnum):
    """Privacy-desk states (docs/privacy-rules.md, ticket states)."""

    RECEIVED = "received"
    TRIAGE = "triage"
    AWAITING_FORMAL_REQUEST = "awaiting_formal_request"
    AWAITING_DOCUMENTS = "awaiting_documents"
    IDENTITY_VERIFICATION = "identity_verification"
    FEE_CHECK = "fee_check"
    IN_PROGRESS = "in_progress"
    DECISION_PENDING = "decision_pending"
    RESPONDED = "responded"
    FORWARDED = "forwarded"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"
    REJECTED = "rejected"


class Action(StrEnum):
    TRIAGE = "triage"
    REQUEST_FORMAL_REQUEST = "request_formal_request"
    REQUEST_DOCUMENTS = "request_documents"
    VERIFY_IDENTITY = "verify_identity"
    CHECK_FEE = "check_fee"
    START_WORK = "start_work"
    ASK_DECISION = "ask_decision"
    RESPOND = "respond"
    FORWARD = "forward"
    CLOSE = "close"
    WITHDRAW = "withdraw"
    REJECT = "reject"
    REOPEN = "reopen"
    REQUESTER_REPLIED = "requester_replied"


OPEN_STATES: frozenset[State] = frozenset(State) - {State.CLOSED, State.WITHDRAWN, State.REJECTED}
# While in these states the desk waits on the requester: business clocks pause (docs/business-time.md, SLA clocks).
WAITING_ON_REQUESTER: frozenset[State] = frozenset({State.AWAITING_FORMAL_REQUEST, State.AWAITING_DOCUMENTS})
# The desk's work is done in these states: the resolution and statutory clocks stop.
SETTLED: frozenset[State] = frozenset({State.RESPONDED, State.FORWARDED, State.CLOSED, State.WITHDRAWN, State.REJECTED})

S, A = State, Action
TRANSITIONS: dict[tuple[State, Action], State] = {
    (S.RECEIVED, A.TRIAGE): S.TRIAGE,
    (S.TRIAGE, A.REQUEST_FORMAL_REQUEST): S.AWAITING_FORMAL_REQUEST,
    (S.TRIAGE, A.REQUEST_DOCUMENTS): S.AWAITING_DOCUMENTS,
    (S.TRIAGE, A.VERIFY_IDENTITY): S.IDENTITY_VERIFICATION,
    (S.TRIAGE, A.START_WORK): S.IN_PROGRESS,
    (S.TRIAGE, A.FORWARD): S.FORWARDED,
    (S.TRIAGE, A.RESPOND): S.RESPONDED,  # a simple inquiry answered straight away
    (S.AWAITING_FORMAL_REQUEST, A.REQUESTER_REPLIED): S.TRIAGE,
    (S.AWAITING_DOCUMENTS, A.REQUESTER_REPLIED): S.IDENTITY_VERIFICATION,
    (S.AWAITING_DOCUMENTS, A.REJECT): S.REJECTED,
    (S.IDENTITY_VERIFICATION, A.CHECK_FEE): S.FEE_CHECK,
    (S.IDENTITY_VERIFICATION, A.REQUEST_DOCUMENTS): S.AWAITING_DOCUMENTS,
    (S.IDENTITY_VERIFICATION, A.START_WORK): S.IN_PROGRESS,
    (S.IDENTITY_VERIFICATION, A.REJECT): S.REJECTED,
    (S.FEE_CHECK, A.START_WORK): S.IN_PROGRESS,
    (S.FEE_CHECK, A.REQUEST_DOCUMENTS): S.AWAITING_DOCUMENTS,
    (S.IN_PROGRESS, A.ASK_DECISION): S.DECISION_PENDING,
    (S.IN_PROGRESS, A.RESPOND): S.RESPONDED,
    (S.IN_PROGRESS, A.FORWARD): S.FORWARDED,
    (S.DECISION_PENDING, A.RESPOND): S.RESPONDED,
    (S.DECISION_PENDING, A.START_WORK): S.IN_PROGRESS,
    (S.RESPONDED, A.CLOSE): S.CLOSED,
    (S.RESPONDED, A.REOPEN): S.IN_PROGRESS,
    (S.FORWARDED, A.CLOSE): S.CLOSED,
    (S.REJECTED, A.REOPEN): S.TRIAGE,
    (S.CLOSED, A.REOPEN): S.TRIAGE,
}
# A requester may withdraw, and an agent may close a ticket as spam/duplicate, from any open state.
for _state in OPEN_STATES:
    TRANSITIONS.setdefault((_state, A.WITHDRAW), S.WITHDRAWN)
    if _state is not S.RESPONDED and _state is not S.FORWARDED:
        TRANSITIONS.setdefault((_state, A.CLOSE), S.CLOSED)
del _state


def next_state(state: State, action: Action) -> State | None:
    """The state `action` leads to from `state`, or None when the table refuses it."""
    return TRANSITIONS.get((state, action))


REFERENCE_RE = re.compile(r"\b([A-Z]{2,6})-(\d{4})-(\d{6,})\b")


@dataclass(frozen=True, slots=True)
class Reference:
    """A ticket reference such as REL-2026-000123 (desk prefix, year, sequence)."""

    prefix: str
    year: int
    sequence: int

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year:04d}-{self.sequence:06d}"

    @classmethod
    def parse(cls, text: str) -> Reference | None:
        match = REFERENCE_RE.fullmatch(text.strip())
        if match is None:
            return None
        return cls(match.group(1), int(match.group(2)), int(match.group(3)))


# What a requester is told when their ticket moves (the emails/ kind), from the states they care about.
# Internal steps (triage, identity verification, fee check, decision pending) send nothing.
_TOLD_IN_PROGRESS_FROM = frozenset(
    {
        State.RECEIVED,
        State.TRIAGE,
        State.AWAITING_FORMAL_REQUEST,
        State.AWAITING_DOCUMENTS,
        State.IDENTITY_VERIFICATION,
        State.FEE_CHECK,
        State.RESPONDED,
    }
)


def requester_notice(old: State, new: State) -> MailKind | None:
    """The status mail for a move from `old` to `new`, or None when the requester need not hear of it."""
    if new in WAITING_ON_REQUESTER:
        return MailKind.AWAITING_DOCUMENTS
    if new is State.IN_PROGRESS:
        return MailKind.STATUS_CHANGED if old in _TOLD_IN_PROGRESS_FROM else None
    if new in (State.FORWARDED, State.WITHDRAWN, State.REJECTED):
        return MailKind.STATUS_CHANGED
    if new is State.RESPONDED:
        return MailKind.TICKET_RESOLVED
    if new is State.CLOSED:
        # A responded or forwarded ticket was already announced; closing it says nothing new.
        return None if old in (State.RESPONDED, State.FORWARDED) else MailKind.TICKET_RESOLVED
    if new is State.TRIAGE and old in (State.CLOSED, State.REJECTED):
        return MailKind.STATUS_CHANGED  # reopened
    return None
