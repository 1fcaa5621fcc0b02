"""Staff pages of the request workflow: the forms on a ticket page (requests, contacts and letters,
documents, fees, decisions, moves, the accredited organisation) and the managers' approvals list.

Every form posts here with its CSRF token, calls one service, and answers 303 back to the ticket
(`#case`); a refusal shows the ticket page again with the reason, in the status the API would give.
Times typed into a form are read in the desk's zone.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get, post
from litestar.datastructures import CacheControlHeader, FormMultiDict
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotAuthorizedException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from ticketing.domain.desks import Desk
from ticketing.domain.errors import DomainError, NotFound, ValidationFailed
from ticketing.services.decisions import DecisionDesk
from ticketing.services.incidents import Incidents
from ticketing.services.notice_letters import NoticeLetters
from ticketing.services.ports import Principal
from ticketing.services.referrals import ReferralDesk
from ticketing.services.requests import RequestDesk
from ticketing.services.tickets import TicketQueries
from ticketing.services.workflow import TicketWorkflow
from ticketing.web.auth import page_principal, to_login
from ticketing.web.case_view import case_context, staff_language
from ticketing.web.deps import PrincipalDep
from ticketing.web.errors import STATUS
from ticketing.web.i18n import translations

Form = FormMultiDict


def _text(form: Form, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _day(form: Form, name: str) -> date | None:
    raw = _text(form, name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed({name: "not a date (YYYY-MM-DD)"}) from None


def _instant(form: Form, name: str, desk: Desk) -> datetime | None:
    """A `datetime-local` field, read in the desk's zone."""
    raw = _text(form, name)
    if not raw:
        return None
    try:
        at = datetime.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed({name: "not a date and time"}) from None
    return at if at.tzinfo is not None else at.replace(tzinfo=ZoneInfo(desk.timezone))


def _lines(form: Form, name: str) -> list[str]:
    return [line.strip() for line in _text(form, name).splitlines() if line.strip()]


class CasePages(Controller):
    path = "/app"
    include_in_schema = False
    dependencies = {"principal": Provide(page_principal)}
    exception_handlers = {NotAuthorizedException: to_login}
    cache_control = CacheControlHeader(no_store=True)

    async def _act(
        self,
        request: Request[Any, Any, Any],
        reference: str,
        principal: Principal,
        queries: TicketQueries,
        desks: Mapping[str, Desk],
        act: Callable[[Form, Desk], Awaitable[Any]],
    ) -> Template | Redirect:
        """Run one form's change; on a refusal, the ticket page again with the reason."""
        desk = desks[await queries.desk_for_staff(principal, reference)]  # 404 for another desk's ticket
        try:
            await act(await request.form(), desk)
        except (ValidationFailed, DomainError) as exc:
            if isinstance(exc, NotFound) and exc.kind == "ticket":
                raise
            lang = staff_language(request)
            detail = await queries.detail_for_staff(principal, reference)
            context = case_context(detail, desk, principal, lang, error=exc)
            status = next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 400)
            return Template("ticket.html", context=context, status_code=status)
        return Redirect(f"/app/tickets/{reference}#case", status_code=303)

    @post("/tickets/{reference:str}/requests")
    async def classify(
        self,
        request: Request[Any, Any, Any],
        reference: FromPath[str],
        requests: NamedDependency[RequestDesk],
        queries: NamedDependency[TicketQueries],
        desks: NamedDependency[Mapping[str, Desk]],
        principal: PrincipalDep,
    ) -> Template | Redirect:
        async def act(form: Form, desk: Desk) -> None:
            types = [t for t in form.getall("request_type", []) if isinstance(t, str)]
            kind = _text(form, "requester_kind") or None
            birth = _day(form, "person_birth_date")
            await requests.classify(
                principal, reference, request_types=types, requester_kind=kind, person_birth_date=birth
            )

        return await self._act(request, reference, principal, queries, desks, act)

    @post("/tickets/{reference:str}/contacts")
    async def log_contact(
        self,
        request: Request[Any, Any, Any],
        reference: FromPath[str],
        requests: NamedDependency[RequestDesk],
        queries: NamedDependency[TicketQueries],
        desks: NamedDependency[Mapping[str, Desk]],
        principal: PrincipalDep,
    ) -> Template | Redirect:
        async def act(form: Form, desk: Desk) -> None:
            await requests.log_contact(
                principal,
                reference,
                _text(form, "channel"),
                _instant(form, "received_at", desk),
                _text(form, "text"),
                conforming_request=form.get("conforming_request") == "yes",
            )

        return await self._act(request, reference, principal, queries, desks, act)

    @post("/tickets/{reference:str}/documents")
    async def document(
        self,
        request: Request[Any, Any, Any],
        reference: FromPath[str],
        requests: NamedDependency[RequestDesk],
        queries: NamedDependency[TicketQueries],
        desks: NamedDependency[Mapping[str, Desk]],
        principal: PrincipalDep,
    ) -> Template | Redirect:
        async def act(form: Form, desk: Desk) -> None:
            await requests.add_document(
                principal,
                reference,
                _text(form, "kind"),
                issued_on=_day(form, "issued_on"),
                valid_until=_day(form, "valid_until"),
                masked=form.get("masked") == "yes",
                received_on=_day(form, "received_on"),
            )

        return await self._act(request, reference, principal, queries, desks, act)

    @post("/tickets/{reference:str}/fee")
    async def fee(
        self,
        request: Request[Any, Any, Any],
        reference: FromPath[str],
        requests: NamedDependency[RequestDesk],
        queries: NamedDependency[TicketQueries],
        desks: NamedDependency[Mapping[str, Desk]],
        principal: PrincipalDep,
    ) -> Template | Redirect:
        async def act(form: Form, desk: Desk) -> None:
            raw = _text(form, "amount_yen").replace(",", "")
            if not raw.isdigit():
                raise ValidationFailed({"amount_yen": "a whole number of yen"})
            await requests.record_fee(
                principal, reference, int(raw), _text(form, "instrument"), _day(form, "issued_on")
            )

        return await self._act(request, reference, principal, queries, desks, act)

    @post("/tickets/{reference:str}/decisions")
    async def propose(
        self,
        request: Request[Any, Any, Any],
        reference: FromPath[str],
        decisions: NamedDependency[DecisionDesk],
        queries: NamedDependency[TicketQueries],
        desks: NamedDependency[Mapping[str, Desk]],
        principal: PrincipalDep,
    ) -> Template | Redirect:
        async def act(form: Form, desk: Desk) -> None:
            await decisions.propose(principal, reference, _text(form, "outcome"), _text(form, "reason"))

        return await self._act(request, reference, principal, queries, desks, act)

    @post("/tickets/{reference:str}/decisions/{decision_id:int}")
    async def review(
        self,
        request: Request[Any, Any, Any],
        reference: FromPath[str],
        decision_id: FromPath[int],
        decisions: NamedDependency[DecisionDesk],
        queries: NamedDependency[TicketQueries],
        desks: NamedDependency[Mapping[str, Desk]],
        principal: PrincipalDep,
    ) -> Template | Redirect:
        async def act(form: Form, desk: Desk) -> None:
            approve = form.get("verdict") == "approve"
            await decisions.review(principal, decision_id, approve=approve, note=_text(form, "note"))

        return await self._act(request, reference, principal, queries, desks, act)

    @post("/tickets/{reference:str}/transitions")
    async def transition(
        self,
        request: Request[Any, Any, Any],
        reference: FromPath[str],
        workflow: NamedDependency[TicketWorkflow],
        queries: NamedDependency[TicketQueries],
        desks: NamedDependency[Mapping[str, Desk]],
        principal: PrincipalDep,
    ) -> Template | Redirect:
        async def act(form: Form, desk: Desk) -> None:
            await workflow.transition(
                principal,
                reference,
                _text(form, "action"),
                _text(form, "reason"),
                note=_text(form, "note"),
                notice_method=_text(form, "notice_method") or None,
                notice_sent_at=_instant(form, "notice_sent_at", desk),
            )

        return await self._act(request, reference, principal, queries, desks, act)

    @post("/tickets/{reference:str}/referrals")
    async def referral(
        self,
        request: Request[Any, Any, Any],
        reference: FromPath[str],
        referrals: NamedDependency[ReferralDesk],
        queries: NamedDependency[TicketQueries],
        desks: NamedDependency[Mapping[str, Desk]],
        principal: PrincipalDep,
    ) -> Template | Redirect:
        async def act(form: Form, desk: Desk) -> None:
            org = desk.accredited_org.short_name if desk.accredited_org else ""
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

        return await self._act(request, reference, principal, queries, desks, act)

    @post("/tickets/{reference:str}/referrals/{referral_id:int}")
    async def update_referral(
        self,
        request: Request[Any, Any, Any],
        reference: FromPath[str],
        referral_id: FromPath[int],
        referrals: NamedDependency[ReferralDesk],
        queries: NamedDependency[TicketQueries],
        desks: NamedDependency[Mapping[str, Desk]],
        principal: PrincipalDep,
    ) -> Template | Redirect:
        async def act(form: Form, desk: Desk) -> None:
            await referrals.update_referral(
                principal,
                reference,
                referral_id,
                materials_sent=[m for m in form.getall("material", []) if isinstance(m, str)],
                answered_at=_instant(form, "answered_at", desk),
                outcome_raw=_text(form, "outcome") or None,
            )

        return await self._act(request, reference, principal, queries, desks, act)

    @post("/tickets/{reference:str}/forwardings")
    async def forward(
        self,
        request: Request[Any, Any, Any],
        reference: FromPath[str],
        workflow: NamedDependency[TicketWorkflow],
        queries: NamedDependency[TicketQueries],
        desks: NamedDependency[Mapping[str, Desk]],
        principal: PrincipalDep,
    ) -> Template | Redirect:
        async def act(form: Form, desk: Desk) -> None:
            await workflow.forward(
                principal,
                reference,
                _text(form, "basis"),
                partner=_text(form, "partner"),
                partner_email=_text(form, "partner_email"),
                summary=_text(form, "summary"),
                sent_at=None,
                note=_text(form, "note"),
            )

        return await self._act(request, reference, principal, queries, desks, act)

    @post("/tickets/{reference:str}/forwardings/{forwarding_id:int}")
    async def partner_answer(
        self,
        request: Request[Any, Any, Any],
        reference: FromPath[str],
        forwarding_id: FromPath[int],
        referrals: NamedDependency[ReferralDesk],
        queries: NamedDependency[TicketQueries],
        desks: NamedDependency[Mapping[str, Desk]],
        principal: PrincipalDep,
    ) -> Template | Redirect:
        async def act(form: Form, desk: Desk) -> None:
            at = _instant(form, "answered_at", desk)
            await referrals.partner_answered(principal, reference, forwarding_id, at, _text(form, "answer"))

        return await self._act(request, reference, principal, queries, desks, act)

    @post("/tickets/{reference:str}/incidents")
    async def open_incident(
        self,
        request: Request[Any, Any, Any],
        reference: FromPath[str],
        incidents: NamedDependency[Incidents],
        queries: NamedDependency[TicketQueries],
        desks: NamedDependency[Mapping[str, Desk]],
        principal: PrincipalDep,
    ) -> Template | Redirect:
        opened: list[str] = []

        async def act(form: Form, desk: Desk) -> None:
            raw = _text(form, "persons_affected")
            if raw and not raw.isdigit():
                raise ValidationFailed({"persons_affected": "a whole number"})
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

        answer = await self._act(request, reference, principal, queries, desks, act)
        return Redirect(f"/app/tickets/{opened[0]}#case", status_code=303) if opened else answer

    @post("/tickets/{reference:str}/incident")
    async def duty_done(
        self,
        request: Request[Any, Any, Any],
        reference: FromPath[str],
        incidents: NamedDependency[Incidents],
        queries: NamedDependency[TicketQueries],
        desks: NamedDependency[Mapping[str, Desk]],
        principal: PrincipalDep,
    ) -> Template | Redirect:
        async def act(form: Form, desk: Desk) -> None:
            await incidents.fulfil(principal, reference, _text(form, "duty"), _instant(form, "at", desk))

        return await self._act(request, reference, principal, queries, desks, act)

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
