"""The agent's ticket page, `/app/tickets/{reference}`: where a ticket is worked.

It shows the ticket (header, clocks with their reasons, one timeline) and takes the acting forms:
reply (with the desk's templates), internal note, assignment, waiting on the requester, participants,
and a ticket opened by hand for a call, a letter or a visit (`/app/tickets/new`). The request
workflow's forms are web/case_pages.py's. Every form carries the ticket's version: a change sent
from an older page is refused with 409 and the page shows the ticket as it is now, with what was
typed kept. A small fragment, polled by htmx, says who else has the page open.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotAuthorizedException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from ticketing.domain.desks import Desk
from ticketing.domain.errors import NotFound, ValidationFailed
from ticketing.domain.presence import presence_mode
from ticketing.domain.tickets import Category, Channel, Language, RequestType
from ticketing.services.attachments import AttachmentFiles
from ticketing.services.intake import IntakeService
from ticketing.services.participants import Participants
from ticketing.services.ports import Principal
from ticketing.services.presence import Presence
from ticketing.services.ticket_workspace import TicketWorkspace
from ticketing.services.workflow import TicketWorkflow
from ticketing.web import forms
from ticketing.web.auth import page_principal, to_login
from ticketing.web.case_view import staff_language
from ticketing.web.contact import error_page
from ticketing.web.deps import PrincipalDep
from ticketing.web.i18n import translations
from ticketing.web.refusals import refusal_task
from ticketing.web.ticket_view import run_form, ticket_page

TICKET_NOT_FOUND = "No such ticket on your desks."
UNKNOWN_TEMPLATE = "This desk has no such reply template."
NOT_YOUR_DESK = "Choose one of your desks."
# Walk-ins: the ticket vocabulary has no visit (domain.tickets.Channel), so a visit opens a ticket as
# one entered by staff (`api`) and a note on it says the requester came in person.
MANUAL_CHANNELS = ("phone", "post", "walk_in")
WALK_IN_NOTE = "The requester came to the desk in person (a visit, received %(at)s)."


def _not_found(request: Request[Any, Any, Any], exc: Exception) -> Template:
    """The same answer for another desk's ticket and a missing one (no hint which), logged as refused."""
    page = error_page(request, 404, TICKET_NOT_FOUND, languages=(staff_language(request),), back="/app")
    page.background = refusal_task(request, 404)
    return page


def _quiet_unauthorized(request: Request[Any, Any, Any], exc: Exception) -> Response[str]:
    """A poll after the session ended: nothing to swap in (htmx leaves the page as it is)."""
    return Response("", status_code=401, media_type="text/plain")


def content_disposition(filename: str) -> str:
    """RFC 6266: always an attachment (never shown inline); an ASCII name for old clients and the real
    one in `filename*` (RFC 8187, UTF-8), so a Japanese file name arrives as it was sent."""
    plain = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    plain = "".join(ch if ch.isprintable() and ch not in '"\\;' else "_" for ch in plain).strip() or "attachment"
    if plain.startswith(".") or set(plain) <= {"_", ".", " "}:
        plain = "attachment" + ("." + filename.rsplit(".", 1)[1] if "." in filename else "")
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"


class TicketPages(Controller):
    path = "/app"
    include_in_schema = False
    dependencies = {"principal": Provide(page_principal)}
    exception_handlers = {NotAuthorizedException: to_login, NotFound: _not_found}
    cache_control = CacheControlHeader(no_store=True)  # pages with personal data: never cached

    @get("/tickets/{reference:str}")
    async def ticket(
        self,
        request: Request[Any, Any, Any],
        reference: FromPath[str],
        ticket_workspace: NamedDependency[TicketWorkspace],
        principal: PrincipalDep,
        template: FromQuery[str | None] = None,
    ) -> Template:
        """The page. `?template=KEY` puts that reply template in the reply box (the composer without
        JavaScript); an unknown key is refused with the page and the reason."""
        if template:
            desk = await ticket_workspace.desk_of(principal, reference)
            if not any(t.key == template for t in desk.reply_templates):
                error = ValidationFailed({"template": UNKNOWN_TEMPLATE})
                return await ticket_page(request, principal, reference, ticket_workspace, error=error)
        return await ticket_page(request, principal, reference, ticket_workspace, template_key=template or "")

    @get(
        "/tickets/{reference:str}/presence",
        exception_handlers={NotAuthorizedException: _quiet_unauthorized, NotFound: _not_found},
    )
    async def presence(
        self,
        request: Request[Any, Any, Any],
        reference: FromPath[str],
        presence: NamedDependency[Presence],
        principal: PrincipalDep,
        mode: FromQuery[str | None] = None,
        version: FromQuery[str | None] = None,
    ) -> Template:
        """The presence notice, polled by the open page: records the caller, names the others."""
        pulse = await presence.beat(principal, reference, presence_mode(mode))
        lang = staff_language(request)
        shown = int(version) if version and version.isdigit() and len(version) <= 10 else None
        context = {
            "_": translations(lang).gettext,
            "lang": lang,
            "others": pulse.others,
            "changed": shown is not None and pulse.version != shown,
            "reference": reference,
        }
        return Template("_ticket_presence_list.html", context=context)

    @get("/tickets/{reference:str}/attachments/{attachment_id:int}")
    async def attachment(
        self,
        reference: FromPath[str],
        attachment_id: FromPath[int],
        attachments: NamedDependency[AttachmentFiles],
        principal: PrincipalDep,
    ) -> Response[bytes]:
        """An attachment, always as a download: never rendered by the browser (nosniff, attachment)."""
        found, data = await attachments.download(principal, reference, attachment_id)
        return Response(
            data,
            media_type=found.content_type or "application/octet-stream",
            headers={
                "Content-Disposition": content_disposition(found.filename),
                "X-Content-Type-Options": "nosniff",
                "Content-Security-Policy": "default-src 'none'; sandbox",
            },
        )

    @post("/tickets/{reference:str}/replies")
    async def reply(
        self,
        request: Request[Any, Any, Any],
        reference: FromPath[str],
        workflow: NamedDependency[TicketWorkflow],
        ticket_workspace: NamedDependency[TicketWorkspace],
        principal: PrincipalDep,
    ) -> Template | Redirect:
        async def act(form: forms.Form, desk: Desk, version: int | None) -> None:
            await workflow.reply(principal, reference, forms.text(form, "text"), expected_version=version)

        return await run_form(request, principal, reference, ticket_workspace, act, form_name="reply", anchor="reply")

    @post("/tickets/{reference:str}/notes")
    async def note(
        self,
        request: Request[Any, Any, Any],
        reference: FromPath[str],
        workflow: NamedDependency[TicketWorkflow],
        ticket_workspace: NamedDependency[TicketWorkspace],
        principal: PrincipalDep,
    ) -> Template | Redirect:
        async def act(form: forms.Form, desk: Desk, version: int | None) -> None:
            await workflow.note(principal, reference, forms.text(form, "text"), expected_version=version)

        return await run_form(request, principal, reference, ticket_workspace, act, form_name="note", anchor="note")

    @post("/tickets/{reference:str}/assignee")
    async def assign(
        self,
        request: Request[Any, Any, Any],
        reference: FromPath[str],
        workflow: NamedDependency[TicketWorkflow],
        ticket_workspace: NamedDependency[TicketWorkspace],
        principal: PrincipalDep,
    ) -> Template | Redirect:
        """Assign to a member of the desk ("me" is the caller), or unassign (the button of that name)."""

        async def act(form: forms.Form, desk: Desk, version: int | None) -> None:
            assignee = None if form.get("unassign") else forms.text(form, "assignee")
            if assignee == "":
                raise ValidationFailed({"assignee": "choose whom to assign the ticket to"})
            await workflow.assign(principal, reference, assignee, expected_version=version)

        return await run_form(request, principal, reference, ticket_workspace, act, form_name="assign", anchor="assign")

    @post("/tickets/{reference:str}/pause")
    async def pause(
        self,
        request: Request[Any, Any, Any],
        reference: FromPath[str],
        workflow: NamedDependency[TicketWorkflow],
        ticket_workspace: NamedDependency[TicketWorkspace],
        principal: PrincipalDep,
    ) -> Template | Redirect:
        """Wait on the requester: the business clocks pause (the only pause the rules know)."""

        async def act(form: forms.Form, desk: Desk, version: int | None) -> None:
            await workflow.pause(
                principal,
                reference,
                forms.text(form, "action"),
                forms.text(form, "reason"),
                note=forms.text(form, "note"),
                expected_version=version,
            )

        return await run_form(request, principal, reference, ticket_workspace, act, form_name="pause", anchor="pause")

    @post("/tickets/{reference:str}/participants")
    async def add_participant(
        self,
        request: Request[Any, Any, Any],
        reference: FromPath[str],
        participants: NamedDependency[Participants],
        ticket_workspace: NamedDependency[TicketWorkspace],
        principal: PrincipalDep,
    ) -> Template | Redirect:
        """Someone whose mail may join the ticket (a representative, a relative who writes for them)."""

        async def act(form: forms.Form, desk: Desk, version: int | None) -> None:
            await ticket_workspace.expect(principal, reference, version)
            await participants.add(principal, reference, forms.text(form, "email"), forms.text(form, "name"))

        return await run_form(
            request, principal, reference, ticket_workspace, act, form_name="participants", anchor="participants"
        )

    # --- a ticket opened by hand --------------------------------------------------------------

    @get("/tickets/new")
    async def new_ticket(
        self,
        request: Request[Any, Any, Any],
        desks: NamedDependency[Mapping[str, Desk]],
        principal: PrincipalDep,
        channel: FromQuery[str | None] = None,
    ) -> Template:
        """A call, a letter or a visit that is no ticket yet."""
        values = {"channel": channel if channel in MANUAL_CHANNELS else "phone"}
        return _new_page(request, principal, desks, values, {})

    @post("/tickets/new")
    async def create_ticket(
        self,
        request: Request[Any, Any, Any],
        intake: NamedDependency[IntakeService],
        workflow: NamedDependency[TicketWorkflow],
        desks: NamedDependency[Mapping[str, Desk]],
        now: NamedDependency[datetime],
        principal: PrincipalDep,
    ) -> Template | Redirect:
        """Through intake as the API's POST /api/v1/tickets, with the agent as the actor."""
        form = await request.form()
        values = forms.typed(form)
        values["request_types"] = ",".join(t for t in form.getall("request_types", []) if isinstance(t, str))
        slug = forms.text(form, "desk")
        channel = forms.text(form, "channel")
        errors: dict[str, str] = {}
        if slug not in desks or slug not in principal.desks:
            errors["desk"] = NOT_YOUR_DESK
        if channel not in MANUAL_CHANNELS:
            errors["channel"] = "Choose one of the listed options."
        if errors:
            return _new_page(request, principal, desks, values, errors, status_code=400)
        desk = desks[slug]
        try:
            received = forms.instant(form, "received_at", desk)
            uploads = await forms.uploads(form, "attachments", intake.limits.max_attachment_bytes)
            data = {
                "category": forms.text(form, "category") or None,
                "request_types": [t for t in form.getall("request_types", []) if isinstance(t, str)],
                "subject": forms.text(form, "subject"),
                "message": forms.text(form, "message"),
                "language": forms.text(form, "language") or None,
                "requester": {k: forms.text(form, k) or None for k in ("name", "email", "phone", "postal_address")},
                "received_at": received.isoformat() if received else None,
            }
            ticket_channel = Channel.API if channel == "walk_in" else Channel(channel)
            created = await intake.open_ticket(
                slug,
                data,
                channel=ticket_channel,
                uploads=uploads,
                staff_user_id=principal.user_id,
                staff_label=principal.email,
            )
        except ValidationFailed as exc:
            found = {key.removeprefix("requester."): message for key, message in exc.errors.items()}
            return _new_page(request, principal, desks, values, found, status_code=400)
        if channel == "walk_in":
            at = (received or now).astimezone(ZoneInfo(desk.timezone)).strftime("%Y-%m-%d %H:%M")
            note = translations(desk.language.value).gettext(WALK_IN_NOTE) % {"at": at}
            await workflow.note(principal, created.reference, note)
        return Redirect(f"/app/tickets/{created.reference}", status_code=303)


def _new_page(
    request: Request[Any, Any, Any],
    principal: Principal,
    desks: Mapping[str, Desk],
    values: Mapping[str, str],
    errors: Mapping[str, str],
    *,
    status_code: int = 200,
) -> Template:
    lang = staff_language(request)
    gettext = translations(lang).gettext
    mine = [desks[s] for s in sorted(principal.desks) if s in desks]
    # The requester's language starts as the first desk's (a ja desk's callers mostly speak Japanese).
    values = {"language": mine[0].language.value if mine else "ja", **values}
    context = {
        "_": gettext,
        "lang": lang,
        "principal": principal,
        "desks": mine,
        "values": values,
        "chosen_types": set(values.get("request_types", "").split(",")),
        "errors": {k: gettext(v) for k, v in errors.items()},
        "channels": MANUAL_CHANNELS,
        "categories": [c.value for c in Category if c is not Category.INCIDENT],  # opened from a complaint
        "request_types": [r.value for r in RequestType],
        "languages": [language.value for language in Language],
    }
    return Template("ticket_new.html", context=context, status_code=status_code)


__all__ = ["TicketPages", "content_disposition"]
