"""A requester's private status page, reached by the link in their mail."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from ticketing.domain.desks import Desk
from ticketing.domain.errors import NotFound
from ticketing.services.tickets import TicketQueries
from ticketing.web.contact import PAGE_NOT_FOUND, error_page
from ticketing.web.i18n import translations

LOCALES = {"ja": "ja_JP", "en": "en"}  # "2026年11月25日", "November 25, 2026"
# The path carries the secret: keep it out of caches and out of Referer headers, found or not.
PRIVATE_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def status_not_found(request: Request[Any, Any, Any], exc: Exception) -> Template:
    return error_page(request, 404, PAGE_NOT_FOUND, headers=PRIVATE_HEADERS)


@get("/status/{token:str}", include_in_schema=False, exception_handlers={NotFound: status_not_found})
async def status_page(
    token: FromPath[str], queries: NamedDependency[TicketQueries], desks: NamedDependency[Mapping[str, Desk]]
) -> Template:
    summary = await queries.status_for_requester(token)
    desk = desks[summary.desk]
    lang = summary.language
    # Dates as the requester and the desk see them (stored in UTC: 08:00 in Tokyo is the day before).
    zone = ZoneInfo(desk.timezone)
    context = {
        "_": translations(lang).gettext,
        "lang": lang,
        "t": summary,
        "desk": desk,
        "received_on": format_date(summary.created_at.astimezone(zone).date(), "long", locale=LOCALES.get(lang, "en")),
        "changed_on": format_date(summary.updated_at.astimezone(zone).date(), "long", locale=LOCALES.get(lang, "en")),
    }
    return Template("status.html", context=context, headers=PRIVATE_HEADERS)
