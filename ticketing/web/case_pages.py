"""Staff pages of the request workflow: the forms on a ticket page (requests, contacts and letters,
documents, fees, decisions, moves, the accredited organisation) and the managers' approvals list.

Every form posts here with its CSRF token, calls one service, and answers 303 back to the ticket
(`#case`); a refusal shows the ticket page again with the reason, in the status the API would give.
Times typed into a form are read in the desk's zone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotAuthorizedException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from ticketing.domain.desks import Desk
from ticketing.domain.errors import ValidationFailed
from ticketing.services.decisions import DecisionDesk
from ticketing.services.incidents import Incidents
from ticketing.services.notice_letters import NoticeLetters
from ticketing.services.referrals import ReferralDesk
from ticketing.services.requests import RequestDesk
from ticketing.services.ticket_workspace import TicketWorkspace
from ticketing.services.workflow import TicketWorkflow
from ticketing.web import forms
from ticketing.web.auth import page_principal, to_login
from ticketing.web.case_view import staff_language
from ticketing.web.deps import PrincipalDep
from ticketing.web.i18n import translations
from ticketing.web.ticket_view import FormAct, run_form

Form = forms.Form
_text, _day, _instant, _lines = forms.text, forms.day, forms.instant, forms.lines
# The form's version of the ticket, checked by the service under its lock (workflow, requests), or
# just before the change for the services that take none (decisions, referrals, incidents).
Act = FormAct


class CasePages(Controller):
    path = "/app"
    include_in_schema = False
    dependencies = {"principal": Provide(page_principal)}
    exception_handlers = {NotAuthorizedException: to_login}
    cache_control = CacheControlHeader(no_store=True)

    @post("/tickets/{reference:str}/requests")
    async def classify(
        self,
        request: Request[Any, Any, Any],
        reference: FromPath[str],
        requests: NamedDependency[RequestDesk],
        ticket_workspace: NamedDependency[TicketWorkspace],
        principal: PrincipalDep,
    ) -> Template | Redirect:
        async def act(form: Form, desk: Desk, version: int | None) -> None:
            types = [t for t in form.getall("request_type", []) if isinstance(t, str)]
            kind = _text(form, "requester_kind") or None
            birth = _day(form, "person_birth_date")
            await requests.classify(
                principal,
                reference,
                request_types=types,
                requester_kind=kind,
                person_birth_date=birth,
                expected_version=version,
            )

        return await run_form(request, principal, reference, ticket_workspace, act, form_name="case", anchor="case")

    @post("/tickets/{reference:str}/contacts")
    async def log_contact(
        self,
        request: Request[Any, Any, Any],
        reference: FromPath[str],
        requests: NamedDependency[RequestDesk],
        ticket_workspace: NamedDependency[TicketWorkspace],
        principal: PrincipalDep,
    ) -> Template | Redirect:
        async def act(form: Form, desk: Desk, version: int | None) -> None:
            await requests.log_contact(
                principal,
                reference,
                _text(form, "channel"),
                _instant(form, "received_at", desk),
                _text(form, "text"),
                conforming_request=form.get("conforming_request") == "yes",
                uploads=await forms.uploads(form, "attachments", requests.limits.max_attachment_bytes),
                expected_version=version,
            )

        return await run_form(request, principal, reference, ticket_workspace, act, form_name="contact", anchor="case")

    @post("/tickets/{reference:str}/documents")
    async def document(
        self,
        request: Request[Any, Any, Any],
        reference: FromPath[str],
        requests: NamedDependency[RequestDesk],
        ticket_workspace: NamedDependency[TicketWorkspace],
        principal: PrincipalDep,
    ) -> Template | Redirect:
        async def act(form: Form, desk: Desk, version: int | None) -> None:
            await requests.add_document(
                principal,
                reference,
                _text(form, "kind"),
                issued_on=_day(form, "issued_on"),
                valid_until=_day(form, "valid_until"),
                masked=form.get("masked") == "yes",
                received_on=_day(form, "received_on"),
                expected_version=version,
            )

        return await run_form(request, principal, reference, ticket_workspace, act, form_name="case", anchor="case")

    @post("/tickets/{reference:str}/fee")
    async def fee(
        self,
        request: Request[Any, Any, Any],
        reference: FromPath[str],
        requests: NamedDependency[RequestDesk],
        ticket_workspace: NamedDependency[TicketWorkspace],
        principal: PrincipalDep,
    ) -> Template | Redirect:
        async def act(form: Form, desk: Desk, version: int | None) -> None:
            raw = _text(form, "amount_yen").replace(",", "")
            if not raw.isdigit():
                raise ValidationFailed({"amount_yen": "a whole number of yen"})
            await requests.record_fee(
                principal,
                reference,
                int(raw),
                _text(form, "instrument"),
                _day(form, "issued_on"),
                expected_version=version,
            )

        return await run_form(request, principal, reference, ticket_workspace, act, form_name="case", anchor="case")

    @post("/tickets/{reference:str}/decisions")
    async def propose(
        self,
        request: Request[Any, Any, Any],
        reference: FromPath[str],
        decisions: NamedDependency[DecisionDesk],
        ticket_workspace: NamedDependency[TicketWorkspace],
        principal: PrincipalDep,
    ) -> Template | Redirect:
        async def act(form: Form, desk: Desk, version: int | None) -> None:
            await ticket_workspace.expect(principal, reference, version)
            await decisions.propose(principal, reference, _text(form, "outcome"), _text(form, "reason"))

        return await run_form(request, principal, reference, ticket_workspace, act, form_name="decision", anchor="case")

    @post("/tickets/{reference:str}/decisions/{decision_id:int}")
    async def review(
        self,
        request: Request[Any, Any, Any],
        reference: FromPath[str],
        decision_id: FromPath[int],
        decisions: NamedDependency[DecisionDesk],
        ticket_workspace: NamedDependency[TicketWorkspace],
        principal: PrincipalDep,
    ) -> Template | Redirect:
        async def act(form: Form, desk: Desk, version: int | None) -> None:
            approve = form.get("verdict") == "approve"
            await ticket_workspace.expect(principal, reference, version)
            await decisions.review(principal, decision_id, approve=approve, note=_text(form, "note"))

        return await run_form(request, principal, reference, ticket_workspace, act, form_name="case", anchor="case")

    @post("/tickets/{reference:str}/transitions")
    async def transition(
        self,
        request: Request[Any, Any, Any],
        reference: FromPath[str],
        workflow: NamedDependency[TicketWorkflow],
        ticket_workspace: NamedDependency[TicketWorkspace],
        principal: PrincipalDep,
    ) -> Template | Redirect:
        async def act(form: Form, desk: Desk, version: int | None) -> None:
            await workflow.transition(
                principal,
                reference,
                _text(form, "action"),
                _text(form, "reason"),
                note=_text(form, "note"),
                notice_method=_text(form, "notice_method") or None,
                notice_sent_at=_instant(form, "notice_sent_at", desk),
                expected_version=version,
            )

        return await run_form(request, principal, reference, ticket_workspace, act, form_name="move", anchor="case")

    @post("/tickets/{reference:str}/referrals")
    async def referral(
        self,
        request: Request[Any, Any, Any],
        reference: FromPath[str],
        referrals: NamedDependency[ReferralDesk],
        ticket_workspace: NamedDependency[TicketWorkspace],
        principal: PrincipalDep,
    ) -> Template | Redirect:
        async def act(form: Form, desk: Desk, version: int | None) -> None:
            org = desk.accredited_org.short_name if desk.accredited_org else ""
            await ticket_workspace.expect(principal, reference, version)
            await referrals.add_referral(
                principal,
                reference,
                org,
                _text(form, "kind"),
                _instant(form, "received_at", desk),
                their_reference=_text(form, "their_reference"),
                due_at=_instant(form, "due_at", desk),
                materials=_lines(form, "materials"),
            )

        return await run_form(request, principal, reference, ticket_workspace, act, form_name="case", anchor="case")

    @post("/tickets/{reference:str}/referrals/{referral_id:int}")
    async def update_referral(
        self,
        request: Request[Any, Any, Any],
        reference: FromPath[str],
        referral_id: FromPath[int],
        referrals: NamedDependency[ReferralDesk],
        ticket_workspace: NamedDependency[TicketWorkspace],
        principal: PrincipalDep,
    ) -> Template | Redirect:
        async def act(form: Form, desk: Desk, version: int | None) -> None:
            await ticket_workspace.expect(principal, reference, version)
            await referrals.update_referral(
                principal,
                reference,
                referral_id,
                materials_sent=[m for m in form.getall("material", []) if isinstance(m, str)],
                answered_at=_instant(form, "answered_at", desk),
                outcome_raw=_text(form, "outcome") or None,
            )

        return await run_form(request, principal, reference, ticket_workspace, act, form_name="case", anchor="case")

    @post("/tickets/{reference:str}/forwardings")
    async def forward(
        self,
        request: Request[Any, Any, Any],
        reference: FromPath[str],
        workflow: NamedDependency[TicketWorkflow],
        ticket_workspace: NamedDependency[TicketWorkspace],
        principal: PrincipalDep,
    ) -> Template | Redirect:
        async def act(form: Form, desk: Desk, version: int | None) -> None:
            await workflow.forward(
                principal,
                reference,
                _text(form, "basis"),
                partner=_text(form, "partner"),
                partner_email=_text(form, "partner_email"),
                summary=_text(form, "summary"),
                sent_at=None,
                note=_text(form, "note"),
                expected_version=version,
            )

        return await run_form(request, principal, reference, ticket_workspace, act, form_name="forward", anchor="case")

    @post("/tickets/{reference:str}/forwardings/{forwarding_id:int}")
    async def partner_answer(
        self,
        request: Request[Any, Any, Any],
        reference: FromPath[str],
        forwarding_id: FromPath[int],
        referrals: NamedDependency[ReferralDesk],
        ticket_workspace: NamedDependency[TicketWorkspace],
        principal: PrincipalDep,
    ) -> Template | Redirect:
        async def act(form: Form, desk: Desk, version: int | None) -> None:
            at = _instant(form, "answered_at", desk)
            await ticket_workspace.expect(principal, reference, version)
            await referrals.partner_answered(principal, reference, forwarding_id, at, _text(form, "answer"))

        return await run_form(request, principal, reference, ticket_workspace, act, form_name="case", anchor="case")

    @post("/tickets/{reference:str}/incidents")
    async def open_incident(
        self,
        request: Request[Any, Any, Any],
        reference: FromPath[str],
        incidents: NamedDependency[Incidents],
        ticket_workspace: NamedDependency[TicketWorkspace],
        principal: PrincipalDep,
    ) -> Template | Redirect:
        opened: list[str] = []

        async def act(form: Form, desk: Desk, version: int | None) -> None:
            raw = _text(form, "persons_affected")
            if raw and not raw.isdigit():
                raise ValidationFailed({"persons_affected": "a whole number"})
            await ticket_workspace.expect(principal, reference, version)
            created = await incidents.open(
                principal,
                reference,
                known_at=_instant(form, "known_at", desk),
                summary=_text(form, "summary"),
                improper_purpose=form.get("improper_purpose") == "yes",
                processor=form.get("processor") == "yes",
                persons_affected=int(raw) if raw else None,
            )
            opened.append(created)

        answer = await run_form(
            request, principal, reference, ticket_workspace, act, form_name="incident", anchor="case"
        )
        return Redirect(f"/app/tickets/{opened[0]}#case", status_code=303) if opened else answer

    @post("/tickets/{reference:str}/incident")
    async def duty_done(
        self,
        request: Request[Any, Any, Any],
        reference: FromPath[str],
        incidents: NamedDependency[Incidents],
        ticket_workspace: NamedDependency[TicketWorkspace],
        principal: PrincipalDep,
    ) -> Template | Redirect:
        async def act(form: Form, desk: Desk, version: int | None) -> None:
            await ticket_workspace.expect(principal, reference, version)
            await incidents.fulfil(principal, reference, _text(form, "duty"), _instant(form, "at", desk))

        return await run_form(request, principal, reference, ticket_workspace, act, form_name="case", anchor="case")

    @get("/tickets/{reference:str}/notice")
    async def notice_letter(
        self,
        request: Request[Any, Any, Any],
        reference: FromPath[str],
        letters: NamedDependency[NoticeLetters],
        desks: NamedDependency[Mapping[str, Desk]],
        principal: PrincipalDep,
    ) -> Template:
        """The notice of the result as a letter to print (a notice by post), in the requester's language."""
        detail, letter = await letters.letter(principal, reference)
        lang = staff_language(request)
        context = {"_": translations(lang).gettext, "lang": lang, "principal": principal}
        context |= {"t": detail, "letter": letter, "desk": desks[detail.summary.desk]}
        return Template("notice_letter.html", context=context)

    @get("/decisions")
    async def approvals(
        self, request: Request[Any, Any, Any], decisions: NamedDependency[DecisionDesk], principal: PrincipalDep
    ) -> Template:
        """Decisions waiting for a manager's approval, oldest first."""
        lang = staff_language(request)
        rows = await decisions.pending_decisions(principal)
        context = {"_": translations(lang).gettext, "lang": lang, "principal": principal, "rows": rows}
        return Template("decisions.html", context=context)


__all__ = ["CasePages"]
