"""The access log of one ticket, for the managers (and admins) of its desk: who read it, when, how,
from where, and every refused attempt at it. Anyone else gets the page a missing ticket gets."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotAuthorizedException
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from ticketing.domain.access import AccessKind
from ticketing.domain.desks import Desk
from ticketing.domain.errors import NotFound
from ticketing.services.access import AccessLog, LoggedAccess
from ticketing.web.auth import page_principal, to_login
from ticketing.web.case_view import staff_language
from ticketing.web.contact import error_page
from ticketing.web.deps import PrincipalDep
from ticketing.web.i18n import translations
from ticketing.web.refusals import refusal_task
from ticketing.web.staff import TICKET_NOT_FOUND

# What was read, in words (msgids of the page catalogs); a kind missing here is shown as it is stored.
WHAT: dict[AccessKind, str] = {
    AccessKind.TICKET: "Ticket page",
    AccessKind.SLA: "Deadlines (SLA clocks)",
    AccessKind.PARTICIPANTS: "Participants",
    AccessKind.MAIL: "Inbound mail record",
    AccessKind.MAIL_RAW: "Raw mail download",
    AccessKind.ATTACHMENT: "Attachment download",
    AccessKind.ACCESS_LOG: "This access log",
    AccessKind.REFUSED: "Refused request",
}
API_READ = "Ticket read through the API"
HOW = {"web": "Web page", "api": "API"}


def _not_found(request: Request[Any, Any, Any], exc: Exception) -> Template:
    """The same page (and refusal log entry) as a ticket of another desk or none (web/staff.py)."""
    page = error_page(request, 404, TICKET_NOT_FOUND, languages=(staff_language(request),), back="/app")
    page.background = refusal_task(request, 404)
    return page


class AccessLogPages(Controller):
    path = "/app/tickets/{reference:str}/access"
    include_in_schema = False
    dependencies = {"principal": Provide(page_principal)}
    exception_handlers = {NotAuthorizedException: to_login, NotFound: _not_found}
    cache_control = CacheControlHeader(no_store=True)  # e-mail and client addresses of staff

    @get("/")
    async def access_log(
        self,
        request: Request[Any, Any, Any],
        reference: FromPath[str],
        access: NamedDependency[AccessLog],
        desks: NamedDependency[Mapping[str, Desk]],
        principal: PrincipalDep,
        before: FromQuery[int | None] = None,
    ) -> Template:
        page = await access.of_ticket(principal, reference, before=before)
        lang = staff_language(request)
        gettext = translations(lang).gettext
        desk = desks.get(page.desk)
        zone_name = desk.timezone if desk is not None else "UTC"  # a desk since taken out of the desks file
        zone = ZoneInfo(zone_name)

        def local(at: datetime) -> str:
            return at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")

        def what(entry: LoggedAccess) -> str:
            if entry.what is AccessKind.TICKET and entry.via == "api":
                return gettext(API_READ)
            return gettext(WHAT[entry.what]) if entry.what in WHAT else entry.what.value

        def how(entry: LoggedAccess) -> str:
            return gettext(HOW[entry.via]) if entry.via in HOW else entry.via

        context = {
            "_": gettext,
            "lang": lang,
            "principal": principal,
            "page": page,
            "before": before,
            "zone": zone_name,
            "local": local,
            "what": what,
            "how": how,
        }
        return Template("access_log.html", context=context)
