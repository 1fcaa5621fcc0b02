"""JSON API of the request workflow: contacts logged by agents, documents, fees, decisions under four
eyes, and the accredited organisation (paths as docs/architecture.md and the DESIGN contract say)."""

from __future__ import annotations

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath, JSONBody

from ticketing.domain.decisions import DecisionStatus
from ticketing.domain.tickets import State
from ticketing.services.decisions import DecisionDesk
from ticketing.services.incidents import Incidents
from ticketing.services.referrals import ReferralDesk
from ticketing.services.requests import RequestDesk
from ticketing.services.workflow import TicketWorkflow
from ticketing.web.auth import api_principal
from ticketing.web.case_schemas import (
    ClassifiedOut,
    DecisionCreated,
    DecisionIn,
    DocumentIn,
    DocumentOut,
    DocumentsOut,
    DutyIn,
    FeeIn,
    FeeOut,
    ForwardIn,
    ForwardingOut,
    IncidentCreated,
    IncidentIn,
    IncidentOut,
    LoggedOut,
    MessageLogIn,
    PartnerAnswerIn,
    PendingDecisionOut,
    ReferralCreated,
    ReferralIn,
    ReferralOut,
    ReferralUpdate,
    RequestsIn,
    SendBackIn,
    checklist_out,
)
from ticketing.web.deps import PrincipalDep
from ticketing.web.openapi import AUTH, CHANGE
from ticketing.web.sla_api import StateOut

DECIDE = [*CHANGE, PermissionDeniedException]


class CaseApi(Controller):
    path = "/api/v1/tickets/{reference:str}"
    tags = ["requests"]
    dependencies = {"principal": Provide(api_principal)}

    @post("/requests", status_code=201, summary="Name the statutory requests of the ticket (triage)", raises=CHANGE)
    async def classify(
        self,
        reference: FromPath[str],
        data: JSONBody[RequestsIn],
        requests: NamedDependency[RequestDesk],
        principal: PrincipalDep,
    ) -> ClassifiedOut:
        t = await requests.classify(
            principal,
            reference,
            request_types=[r.value for r in data.request_types],
            requester_kind=data.requester_kind.value if data.requester_kind else None,
            person_birth_date=data.person_birth_date,
        )
        return ClassifiedOut(t.reference, t.category, list(t.request_types), t.requester_kind, t.formal_request_at)

    @post("/messages", status_code=201, summary="Log a call, letter, visit or note on the ticket", raises=CHANGE)
    async def log(
        self,
        reference: FromPath[str],
        data: JSONBody[MessageLogIn],
        requests: NamedDependency[RequestDesk],
        principal: PrincipalDep,
    ) -> LoggedOut:
        ticket = await requests.log_contact(
            principal,
            reference,
            data.channel.value,
            data.received_at,
            data.text,
            conforming_request=data.conforming_request,
        )
        return LoggedOut(ticket.reference, State(ticket.state), ticket.formal_request_at)

    @post("/documents", status_code=201, summary="Record a document that arrived; answers the checklist", raises=CHANGE)
    async def document(
        self,
        reference: FromPath[str],
        data: JSONBody[DocumentIn],
        requests: NamedDependency[RequestDesk],
        principal: PrincipalDep,
    ) -> DocumentsOut:
        case = await requests.add_document(
            principal,
            reference,
            data.kind.value,
            issued_on=data.issued_on,
            valid_until=data.valid_until,
            masked=data.masked,
            received_on=data.received_on,
        )
        return DocumentsOut(checklist_out(case), [DocumentOut.of(d) for d in case.documents])

    @post("/fee", status_code=201, summary="Check a fee payment (APPI Art. 38)", raises=CHANGE)
    async def fee(
        self,
        reference: FromPath[str],
        data: JSONBody[FeeIn],
        requests: NamedDependency[RequestDesk],
        principal: PrincipalDep,
    ) -> FeeOut:
        check = await requests.record_fee(principal, reference, data.amount_yen, data.instrument.value, data.issued_on)
        return FeeOut.of(check, data.amount_yen)

    @post(
        "/decisions",
        status_code=201,
        summary="Propose the decision on the requests (waits for approval)",
        raises=CHANGE,
    )
    async def propose(
        self,
        reference: FromPath[str],
        data: JSONBody[DecisionIn],
        decisions: NamedDependency[DecisionDesk],
        principal: PrincipalDep,
    ) -> DecisionCreated:
        decision_id = await decisions.propose(principal, reference, data.outcome.value, data.reason)
        return DecisionCreated(decision_id, reference, DecisionStatus.PENDING)

    @post(
        "/referrals",
        status_code=201,
        summary="Record the accredited organisation: informed, or its inquiry",
        raises=CHANGE,
    )
    async def referral(
        self,
        reference: FromPath[str],
        data: JSONBody[ReferralIn],
        referrals: NamedDependency[ReferralDesk],
        principal: PrincipalDep,
    ) -> ReferralCreated:
        referral_id = await referrals.add_referral(
            principal,
            reference,
            data.organisation,
            data.kind.value,
            data.received_at,
            their_reference=data.their_reference,
            due_at=data.due_at,
            materials=data.materials,
        )
        return ReferralCreated(referral_id, reference)

    @patch(
        "/referrals/{referral_id:int}",
        summary="Materials sent, the answer (stops the inquiry's clock), the organisation's outcome",
        raises=CHANGE,
    )
    async def update_referral(
        self,
        reference: FromPath[str],
        referral_id: FromPath[int],
        data: JSONBody[ReferralUpdate],
        referrals: NamedDependency[ReferralDesk],
        principal: PrincipalDep,
    ) -> ReferralOut:
        updated = await referrals.update_referral(
            principal,
            reference,
            referral_id,
            materials_sent=data.materials_sent,
            answered_at=data.answered_at,
            outcome_raw=data.outcome.value if data.outcome else None,
        )
        return ReferralOut.of(updated)


class HandOverApi(Controller):
    """Forwarding to the company responsible, and incidents (their own use cases)."""

    path = "/api/v1/tickets/{reference:str}"
    tags = ["requests"]
    dependencies = {"principal": Provide(api_principal)}

    @post("/forwardings", status_code=201, summary="Forward the request to the company responsible", raises=CHANGE)
    async def forward(
        self,
        reference: FromPath[str],
        data: JSONBody[ForwardIn],
        workflow: NamedDependency[TicketWorkflow],
        principal: PrincipalDep,
    ) -> StateOut:
        state = await workflow.forward(
            principal,
            reference,
            data.basis.value,
            partner=data.partner,
            partner_email=data.partner_email,
            summary=data.summary,
            sent_at=data.sent_at,
            note=data.note,
            notice_method=data.notice_method.value if data.notice_method else None,
            notice_sent_at=data.notice_sent_at,
        )
        return StateOut(reference, State(state))

    @patch(
        "/forwardings/{forwarding_id:int}",
        summary="Record the partner's answer (stops the follow-up clock)",
        raises=CHANGE,
    )
    async def partner_answer(
        self,
        reference: FromPath[str],
        forwarding_id: FromPath[int],
        data: JSONBody[PartnerAnswerIn],
        referrals: NamedDependency[ReferralDesk],
        principal: PrincipalDep,
    ) -> ForwardingOut:
        done = await referrals.partner_answered(principal, reference, forwarding_id, data.answered_at, data.answer)
        return ForwardingOut.of(done)

    @post("/incidents", status_code=201, summary="Open the incident this ticket revealed (APPI Art. 26)", raises=CHANGE)
    async def open_incident(
        self,
        reference: FromPath[str],
        data: JSONBody[IncidentIn],
        incidents: NamedDependency[Incidents],
        principal: PrincipalDep,
    ) -> IncidentCreated:
        created = await incidents.open(
            principal,
            reference,
            known_at=data.known_at,
            summary=data.summary,
            improper_purpose=data.improper_purpose,
            processor=data.processor,
            persons_affected=data.persons_affected,
        )
        return IncidentCreated(created, reference)

    @post(
        "/incident/duties", status_code=200, summary="Record an incident duty as done (stops its clock)", raises=CHANGE
    )
    async def duty_done(
        self,
        reference: FromPath[str],
        data: JSONBody[DutyIn],
        incidents: NamedDependency[Incidents],
        principal: PrincipalDep,
    ) -> IncidentOut:
        return IncidentOut.of(await incidents.fulfil(principal, reference, data.duty.value, data.at))


class DecisionApi(Controller):
    path = "/api/v1/decisions"
    tags = ["requests"]
    dependencies = {"principal": Provide(api_principal)}

    @get(
        "/", summary="Decisions waiting for approval on the desks you manage", raises=[*AUTH, PermissionDeniedException]
    )
    async def pending(
        self, decisions: NamedDependency[DecisionDesk], principal: PrincipalDep
    ) -> list[PendingDecisionOut]:
        return [PendingDecisionOut.of(r) for r in await decisions.pending_decisions(principal)]

    @post(
        "/{decision_id:int}/approve",
        status_code=200,
        summary="Approve a decision (not your own: four eyes)",
        raises=DECIDE,
    )
    async def approve(
        self, decision_id: FromPath[int], decisions: NamedDependency[DecisionDesk], principal: PrincipalDep
    ) -> DecisionCreated:
        reference = await decisions.review(principal, decision_id, approve=True)
        return DecisionCreated(decision_id, reference, DecisionStatus.APPROVED)

    @post(
        "/{decision_id:int}/send-back", status_code=200, summary="Send a decision back to its proposer", raises=DECIDE
    )
    async def send_back(
        self,
        decision_id: FromPath[int],
        data: JSONBody[SendBackIn],
        decisions: NamedDependency[DecisionDesk],
        principal: PrincipalDep,
    ) -> DecisionCreated:
        reference = await decisions.review(principal, decision_id, approve=False, note=data.note)
        return DecisionCreated(decision_id, reference, DecisionStatus.SENT_BACK)


__all__ = ["CaseApi", "DecisionApi", "HandOverApi"]
