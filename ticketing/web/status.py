"""A requester's private status page, reached by the link in their mail, with a form to reply."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from babel.numbers import format_decimal
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from ticketing.domain.errors import NotFound, Throttled, ValidationFailed
from ticketing.services.intake import Upload
from ticketing.services.requester_portal import RequesterPortal, StatusView
from ticketing.web.contact import ERROR_MESSAGES, NOT_PROCESSED, PAGE_NOT_FOUND, error_page, human_size
from ticketing.web.errors import unexpected_error_handler
from ticketing.web.i18n import translations

LOCALES = {"ja": "ja_JP", "en": "en"}  # "2026年11月25日", "November 25, 2026"
# The path carries the secret: keep it out of caches and out of Referer headers, found or not.
PRIVATE_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
REPLIES_THROTTLED = "Many messages were sent from this page in the last hour. Please try again later."


def status_not_found(request: Request[Any, Any, Any], exc: Exception) -> Template:
    """One answer for every link that does not work: wrong, truncated, re-issued, expired or missing."""
    return error_page(request, 404, PAGE_NOT_FOUND, headers=PRIVATE_HEADERS)


def status_error_page(request: Request[Any, Any, Any], exc: Exception) -> Template:
    """What stops a reply before its ticket is known (a refused CSRF token, an oversized or unreadable
    body, the per-client rate limit): a page in both languages, back to the status page."""
    status = exc.status_code if isinstance(exc, HTTPException) else 400
    if status == 404:
        return status_not_found(request, exc)
    headers = {**(exc.headers if isinstance(exc, HTTPException) and exc.headers else {}), **PRIVATE_HEADERS}
    back = request.url.path if status in (400, 403, 413, 429) else None
    return error_page(request, status, ERROR_MESSAGES.get(status, NOT_PROCESSED), back=back, headers=headers)


def status_server_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A failure on our side: the app's 500 page, kept private like every answer on this path."""
    response = unexpected_error_handler(request, exc)
    response.headers.update(PRIVATE_HEADERS)
    return response


def page(
    view: StatusView,
    token: str,
    *,
    status_code: int = 200,
    errors: Mapping[str, str] | None = None,
    message: str = "",
    sent: bool = False,
) -> Template:
    lang = view.ticket.language if view.ticket.language in LOCALES else view.desk.language.value
    zone, locale = ZoneInfo(view.desk.timezone), LOCALES.get(lang, "en")

    # Dates as the requester and the desk see them (stored in UTC: 08:00 in Tokyo is the day before).
    def day(at: datetime) -> str:
        return format_date(at.astimezone(zone).date(), "long", locale=locale)

    def when(at: datetime) -> str:
        local = at.astimezone(zone)
        return f"{format_date(local.date(), 'long', locale=locale)} {format_time(local.time(), 'short', locale=locale)}"

    context = {
        "_": translations(lang).gettext,
        "lang": lang,
        "view": view,
        "t": view.ticket,
        "desk": view.desk,
        "waiting": view.waiting,
        "action": f"/status/{token}",
        "day": day,
        "when": when,
        "number": lambda n: format_decimal(n, locale=locale),
        "received_on": day(view.ticket.created_at),
        "changed_on": day(view.ticket.updated_at),
        "max_attachments": view.limits.max_attachments,
        "max_attachment_size": human_size(view.limits.max_attachment_bytes),
        "errors": dict(errors or {}),
        "message": message,
        "sent": sent,
    }
    return Template("status.html", context=context, status_code=status_code, headers=PRIVATE_HEADERS)


class StatusPage(Controller):
    path = "/status/{token:str}"
    include_in_schema = False
    exception_handlers = {
        NotFound: status_not_found,
        HTTPException: status_error_page,
        Exception: status_server_error,
    }

    @get("/")
    async def show(
        self, token: FromPath[str], portal: NamedDependency[RequesterPortal], sent: FromQuery[str | None] = None
    ) -> Template:
        return page(await portal.view(token), token, sent=sent == "1")

    @post("/", status_code=303)
    async def send(
        self, token: FromPath[str], request: Request[Any, Any, Any], portal: NamedDependency[RequesterPortal]
    ) -> Template | Redirect:
        form = await request.form()
        text = _text(form.get("message"))
        limits = portal.limits
        files = [item for item in form.getall("attachments", []) if isinstance(item, UploadFile) and item.filename]
        uploads = []
        try:
            # One file over the count is enough to refuse (a desk's limit is never above the service's);
            # read no further than a byte over the size limit.
            for item in files[: limits.max_attachments + 1]:
                content = await item.read(limits.max_attachment_bytes + 1)
                uploads.append(Upload(item.filename or "", item.content_type or "", content))
        finally:
            for item in files:
                await item.close()
        try:
            await portal.reply(token, text, uploads)
        except ValidationFailed as exc:
            return page(await portal.view(token), token, status_code=400, errors=exc.errors, message=text)
        except Throttled as exc:
            view = await portal.view(token)
            refused = page(view, token, status_code=429, errors={"form": REPLIES_THROTTLED}, message=text)
            refused.headers["Retry-After"] = str(exc.retry_after_seconds)
            return refused
        return Redirect(f"/status/{token}?sent=1", status_code=303, headers=PRIVATE_HEADERS)


def _text(value: object) -> str:
    """A form value as text: a file sent where text belongs counts as empty."""
    return value if isinstance(value, str) else ""
