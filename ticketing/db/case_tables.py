"""Piccolo tables of the request workflow (domain/requests.py); dates are ISO 'YYYY-MM-DD' text,
the same on both engines."""

from __future__ import annotations

from piccolo.columns import JSON, Boolean, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from ticketing.db.tables import StaffUser, Ticket
from ticketing.domain.decisions import DecisionStatus, Outcome
from ticketing.domain.documents import DocumentKind
from ticketing.domain.fees import FeeStatus
from ticketing.domain.forwarding import Basis
from ticketing.domain.referrals import InquiryOutcome, ReferralKind
from ticketing.domain.requests import FeeState, NoticeMethod, Result
from ticketing.domain.tickets import RequestType


class TicketRequest(Table, tablename="ticket_request"):
    """One statutory request inside a ticket, with its own fee and result."""

    id = Serial(primary_key=True)
    ticket = ForeignKey(references=Ticket, on_delete=OnDelete.restrict, null=False, index=True)
    type = Varchar(length=40, choices=RequestType)
    fee_yen = Integer(default=0)  # the desk's fee for the type when the request arrived
    fee_instrument = Varchar(length=30, null=True, default=None)
    fee_state = Varchar(length=30, choices=FeeState)
    result = Varchar(length=30, null=True, default=None, choices=Result)
    notice_method = Varchar(length=20, null=True, default=None, choices=NoticeMethod)
    notice_sent_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class RequestDocument(Table, tablename="request_document"):
    """A document the requester sent (the checklist is derived from these and the desk's rules)."""

    id = Serial(primary_key=True)
    ticket = ForeignKey(references=Ticket, on_delete=OnDelete.restrict, null=False, index=True)
    kind = Varchar(length=40, choices=DocumentKind)
    received_on = Varchar(length=10)
    issued_on = Varchar(length=10, null=True, default=None)
    valid_until = Varchar(length=10, null=True, default=None)
    masked = Boolean(default=False)
    recorded_by = ForeignKey(references=StaffUser, on_delete=OnDelete.set_null, null=True, default=None)
    created_at = Timestamptz()


class FeePayment(Table, tablename="fee_payment"):
    """A fee as it arrived, and what its check found (APPI Art. 38)."""

    id = Serial(primary_key=True)
    ticket = ForeignKey(references=Ticket, on_delete=OnDelete.restrict, null=False, index=True)
    amount_yen = Integer()
    instrument = Varchar(length=30)
    issued_on = Varchar(length=10, null=True, default=None)
    received_on = Varchar(length=10)
    status = Varchar(length=30, choices=FeeStatus)
    returned = Boolean(default=False)
    recorded_by = ForeignKey(references=StaffUser, on_delete=OnDelete.set_null, null=True, default=None)
    created_at = Timestamptz()


class Decision(Table, tablename="decision"):
    """A proposed decision on a ticket's requests and its approval by another manager (four eyes)."""

    id = Serial(primary_key=True)
    ticket = ForeignKey(references=Ticket, on_delete=OnDelete.restrict, null=False, index=True)
    outcome = Varchar(length=30, choices=Outcome)
    reason = Text(default="")
    status = Varchar(length=20, index=True, choices=DecisionStatus)
    proposed_by = ForeignKey(references=StaffUser, on_delete=OnDelete.restrict, null=False)
    proposed_at = Timestamptz()
    decided_by = ForeignKey(references=StaffUser, on_delete=OnDelete.restrict, null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    note = Text(default="")


class Referral(Table, tablename="referral"):
    """The accredited organisation: the requester was told of it, or it sent an inquiry (Art. 53)."""

    id = Serial(primary_key=True)
    ticket = ForeignKey(references=Ticket, on_delete=OnDelete.restrict, null=False, index=True)
    organisation = Varchar(length=40)
    kind = Varchar(length=20, choices=ReferralKind)
    received_at = Timestamptz()
    their_reference = Varchar(length=300, default="")
    due_at = Timestamptz(null=True, default=None, index=True)
    materials = JSON(default=[])  # [{"name", "sent_at"}]
    answered_at = Timestamptz(null=True, default=None)
    outcome = Varchar(length=20, null=True, default=None, choices=InquiryOutcome)
    recorded_by = ForeignKey(references=StaffUser, on_delete=OnDelete.set_null, null=True, default=None)
    created_at = Timestamptz()


class Forwarding(Table, tablename="forwarding"):
    """A request sent on to the company responsible (an entrusting client, the joint-use company)."""

    id = Serial(primary_key=True)
    ticket = ForeignKey(references=Ticket, on_delete=OnDelete.restrict, null=False, index=True)
    basis = Varchar(length=20, choices=Basis)
    partner = Varchar(length=200)
    partner_email = Varchar(length=254, default="")
    summary = Text()  # what was sent
    sent_at = Timestamptz()
    answered_at = Timestamptz(null=True, default=None)
    answer = Text(default="")
    recorded_by = ForeignKey(references=StaffUser, on_delete=OnDelete.set_null, null=True, default=None)
    created_at = Timestamptz()


class IncidentRecord(Table, tablename="incident"):
    """A leak or suspected leak (APPI Art. 26) on its incident ticket; `done` maps each duty to when."""

    id = Serial(primary_key=True)
    ticket = ForeignKey(references=Ticket, on_delete=OnDelete.restrict, null=False, unique=True)
    known_at = Timestamptz()
    summary = Text()
    improper_purpose = Boolean(default=False)
    processor = Boolean(default=False)
    persons_affected = Integer(null=True, default=None)
    done = JSON(default={})
    created_at = Timestamptz()


CASE_TABLES: list[type[Table]] = [
    TicketRequest,
    RequestDocument,
    FeePayment,
    Decision,
    Referral,
    Forwarding,
    IncidentRecord,
]
