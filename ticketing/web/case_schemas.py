"""JSON shapes of the request workflow (docs/privacy-rules.md; the paths are in web/case_api.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import msgspec
from msgspec import Meta

from ticketing.domain.decisions import Decision, DecisionStatus, Outcome
from ticketing.domain.documents import DocumentKind, Gap, ReceivedDocument
from ticketing.domain.fees import FeeCheck, FeeStatus, Instrument
from ticketing.domain.forwarding import Basis, Forwarding
from ticketing.domain.incidents import Duty, Incident, duties
from ticketing.domain.procedure import RequesterKind
from ticketing.domain.referrals import InquiryOutcome, Referral, ReferralKind
from ticketing.domain.requests import Case, FeeState, NoticeMethod, Result, TicketRequest
from ticketing.domain.tickets import Category, RequestType, State
from ticketing.services.requests import MAX_TEXT, LoggedChannel

Instant = Annotated[datetime, Meta(tz=True)]
ShortText = Annotated[str, Meta(max_length=300)]


class MessageLogIn(msgspec.Struct, forbid_unknown_fields=True):
    """A call, letter or visit on an existing ticket (or an internal note). `received_at` is when it
    actually came (a letter: the day it was delivered); a letter with `conforming_request` is the
    formal request a post-only desk waits for (APPI Art. 37(1))."""

    channel: LoggedChannel
    text: Annotated[str, Meta(min_length=1, max_length=MAX_TEXT)]
    received_at: Instant | None = None
    conforming_request: bool = False


class RequestsIn(msgspec.Struct, forbid_unknown_fields=True):
    """Triage: the statutory requests this contact holds (added to those already named) and who makes
    them. The ticket becomes a request ticket."""

    request_types: list[RequestType] = msgspec.field(default_factory=list)
    requester_kind: RequesterKind | None = None
    person_birth_date: date | None = None  # when a parent asks for a minor (of age at 18: 民法4条)


class ClassifiedOut(msgspec.Struct):
    reference: str
    category: Category
    request_types: list[RequestType]
    requester_kind: RequesterKind
    formal_request_at: datetime | None


class LoggedOut(msgspec.Struct):
    reference: str
    state: State
    formal_request_at: datetime | None


class DocumentIn(msgspec.Struct, forbid_unknown_fields=True):
    """A document that arrived. `received_on` defaults to today in the desk's zone; `issued_on` is
    needed where the desk accepts the document only if recently issued."""

    kind: DocumentKind
    issued_on: date | None = None
    valid_until: date | None = None
    masked: bool = False
    received_on: date | None = None


class ChecklistOut(msgspec.Struct):
    missing: list[Gap]
    stale: list[Gap]
    complete: bool


class DocumentOut(msgspec.Struct):
    id: int | None
    kind: DocumentKind
    received_on: date
    issued_on: date | None
    valid_until: date | None
    masked: bool

    @classmethod
    def of(cls, d: ReceivedDocument) -> DocumentOut:
        return cls(d.id, d.kind, d.received_on, d.issued_on, d.valid_until, d.masked)


class DocumentsOut(msgspec.Struct):
    checklist: ChecklistOut
    documents: list[DocumentOut]


class FeeIn(msgspec.Struct, forbid_unknown_fields=True):
    amount_yen: Annotated[int, Meta(ge=0, le=1_000_000)]
    instrument: Instrument
    issued_on: date | None = None  # a postal money order's issue date (valid six months)


class FeeOut(msgspec.Struct):
    status: FeeStatus
    due_yen: int
    shortfall_yen: int
    to_return_yen: int  # goes back to the requester: the whole payment, or what was paid over the fee

    @classmethod
    def of(cls, check: FeeCheck, amount_yen: int) -> FeeOut:
        back = amount_yen if check.returned else check.excess_yen
        return cls(check.status, check.due_yen, check.shortfall_yen, back)


class DecisionIn(msgspec.Struct, forbid_unknown_fields=True):
    """The decision on the ticket's requests; a refusal, partial action or alternative measure needs
    the reason the requester will be given (APPI Art. 36). It waits as pending for approval."""

    outcome: Outcome
    reason: Annotated[str, Meta(max_length=5000)] = ""


class SendBackIn(msgspec.Struct, forbid_unknown_fields=True):
    note: Annotated[str, Meta(min_length=1, max_length=2000)]


class DecisionOut(msgspec.Struct):
    id: int | None
    outcome: Outcome
    reason: str
    status: DecisionStatus
    proposed_at: datetime
    decided_at: datetime | None
    note: str

    @classmethod
    def of(cls, d: Decision) -> DecisionOut:
        return cls(d.id, d.outcome, d.reason, d.status, d.proposed_at, d.decided_at, d.note)


class DecisionCreated(msgspec.Struct):
    id: int
    reference: str
    status: DecisionStatus


class PendingDecisionOut(msgspec.Struct):
    id: int
    reference: str
    outcome: Outcome
    reason: str
    proposed_by: str
    proposed_at: datetime

    @classmethod
    def of(cls, row: dict[str, Any]) -> PendingDecisionOut:
        return cls(
            int(row["id"]),
            row["reference"],
            Outcome(row["outcome"]),
            row["reason"],
            row["proposed_by"],
            row["proposed_at"],
        )


class ReferralIn(msgspec.Struct, forbid_unknown_fields=True):
    """`informed`: the requester was told of the organisation. `inquiry`: the organisation asks for an
    explanation or materials (APPI Art. 53) by `due_at`; `materials` is what it asked for."""

    organisation: ShortText
    kind: ReferralKind
    received_at: Instant | None = None
    their_reference: ShortText = ""
    due_at: Instant | None = None
    materials: Annotated[list[ShortText], Meta(max_length=30)] = msgspec.field(default_factory=list)


class MaterialOut(msgspec.Struct):
    name: str
    sent_at: datetime | None


class ReferralOut(msgspec.Struct):
    id: int | None
    organisation: str
    kind: ReferralKind
    received_at: datetime
    their_reference: str
    due_at: datetime | None
    materials: list[MaterialOut]
    answered_at: datetime | None
    outcome: InquiryOutcome | None

    @classmethod
    def of(cls, r: Referral) -> ReferralOut:
        materials = [MaterialOut(m.name, m.sent_at) for m in r.materials]
        return cls(
            r.id,
            r.organisation,
            r.kind,
            r.received_at,
            r.their_reference,
            r.due_at,
            materials,
            r.answered_at,
            r.outcome,
        )


class ReferralUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Materials sent to the organisation (by name), the answer (it stops the inquiry's clock), and
    the outcome the organisation reported."""

    materials_sent: Annotated[list[ShortText], Meta(max_length=30)] = msgspec.field(default_factory=list)
    answered_at: Instant | None = None
    outcome: InquiryOutcome | None = None


class ReferralCreated(msgspec.Struct):
    id: int
    reference: str


class ForwardIn(msgspec.Struct, forbid_unknown_fields=True):
    """Forward the request to the company responsible: an entrusting client (委託元) or, for jointly
    used data, the company the desk's file names (Art. 27(5)(iii); the default partner then).
    The ticket moves to `forwarded`; the requester gets the guidance (the status mail) unless the
    notice went by post; a follow-up clock runs on the partner's answer."""

    basis: Basis
    summary: Annotated[str, Meta(min_length=1, max_length=5000)]
    partner: Annotated[str, Meta(max_length=200)] = ""
    partner_email: Annotated[str, Meta(max_length=254)] = ""
    sent_at: Instant | None = None
    note: Annotated[str, Meta(max_length=5000)] = ""
    notice_method: NoticeMethod | None = None
    notice_sent_at: Instant | None = None


class PartnerAnswerIn(msgspec.Struct, forbid_unknown_fields=True):
    answer: Annotated[str, Meta(min_length=1, max_length=5000)]
    answered_at: Instant | None = None


class ForwardingOut(msgspec.Struct):
    id: int | None
    basis: Basis
    partner: str
    partner_email: str
    summary: str
    sent_at: datetime
    answered_at: datetime | None
    answer: str

    @classmethod
    def of(cls, f: Forwarding) -> ForwardingOut:
        return cls(f.id, f.basis, f.partner, f.partner_email, f.summary, f.sent_at, f.answered_at, f.answer)


class IncidentIn(msgspec.Struct, forbid_unknown_fields=True):
    """A leak or suspected leak this complaint revealed (APPI Art. 26): an incident ticket linked to it,
    with clocks for the PPC reports (preliminary about 3 days, final 30 days or 60 for an improper
    purpose), the notice to the people affected and, as a processor, to the entrusting company."""

    summary: Annotated[str, Meta(min_length=1, max_length=5000)]
    known_at: Instant | None = None
    improper_purpose: bool = False
    processor: bool = False
    persons_affected: Annotated[int, Meta(ge=0, le=100_000_000)] | None = None


class IncidentCreated(msgspec.Struct):
    reference: str  # the incident ticket
    linked_ticket: str


class DutyIn(msgspec.Struct, forbid_unknown_fields=True):
    duty: Duty
    at: Instant | None = None


class IncidentOut(msgspec.Struct):
    known_at: datetime
    summary: str
    improper_purpose: bool
    processor: bool
    persons_affected: int | None
    duties: list[Duty]
    done: dict[str, datetime]

    @classmethod
    def of(cls, i: Incident) -> IncidentOut:
        done = {d.value: at for d, at in (i.done or {}).items()}
        return cls(i.known_at, i.summary, i.improper_purpose, i.processor, i.persons_affected, list(duties(i)), done)


class RequestOut(msgspec.Struct):
    id: int | None
    type: RequestType
    fee_required: bool
    fee_yen: int
    fee_status: FeeState
    result: Result | None
    notice_method: NoticeMethod | None  # how the result went to the requester
    notice_sent_at: datetime | None

    @classmethod
    def of(cls, r: TicketRequest) -> RequestOut:
        return cls(r.id, r.type, r.fee_required, r.fee_yen, r.fee_state, r.result, r.notice_method, r.notice_sent_at)


def checklist_out(case: Case) -> ChecklistOut:
    c = case.checklist
    return ChecklistOut(list(c.missing), list(c.stale), c.complete)


__all__ = [
    "ChecklistOut",
    "ClassifiedOut",
    "DecisionCreated",
    "DecisionIn",
    "DecisionOut",
    "DocumentIn",
    "DocumentOut",
    "DocumentsOut",
    "DutyIn",
    "FeeIn",
    "FeeOut",
    "ForwardIn",
    "ForwardingOut",
    "IncidentCreated",
    "IncidentIn",
    "IncidentOut",
    "LoggedOut",
    "MessageLogIn",
    "PartnerAnswerIn",
    "PendingDecisionOut",
    "ReferralCreated",
    "ReferralIn",
    "ReferralOut",
    "ReferralUpdate",
    "RequestOut",
    "RequestsIn",
    "SendBackIn",
    "checklist_out",
]
