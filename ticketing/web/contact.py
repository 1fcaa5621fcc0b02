"""The public web form of a desk: /desks/{slug}/contact (CSRF-protected, honeypot, rate-limited)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from ticketing.domain.desks import Desk
from ticketing.domain.errors import NotFound, Throttled, ValidationFailed
from ticketing.domain.intake import STAFF_ONLY_CATEGORIES, IntakeLimits
from ticketing.domain.tickets import Category, Channel, RequestType
from ticketing.services.intake import IntakeService, Upload
from ticketing.web.auth import client_address
from ticketing.web.i18n import LANGUAGES, pick_language, translations

HONEYPOT = "website"  # hidden from people by CSS; bots fill it in
TEXT_FIELDS = ("name", "email", "phone", "postal_address", "category", "subject", "message")
HONEYPOT_MESSAGE = "Your message could not be sent. Please try again."

# Error pages for requests that never reach a handler with a known desk and language (an unknown
# desk, a bad status link, a refused CSRF token, the rate limit, an oversized body). Their texts
# are msgids of the page catalogs; the page shows them in both languages.
PAGE_NOT_FOUND = "This page does not exist. Please check the address or the link in your e-mail."
FORM_EXPIRED = "This form has expired. Please go back, reload the page and send it again."
TOO_MANY_REQUESTS = "Too many messages were sent from your connection. Please wait a minute and try again."
BODY_TOO_LARGE = "The attachments are too large. Please go back and send fewer or smaller files."
NOT_PROCESSED = "Your request could not be processed."
FORM_THROTTLED = (
    "Several messages were sent from your connection in the last hour. "
    "Please try again later, or write to us by e-mail or post."
)
# The visible label of each field (msgids), for the error summary's links.
FIELD_LABELS = {
    "category": "What is it about?",
    "request_types": "If it is a request: what do you ask for?",
    "name": "Your name",
    "email": "E-mail address",
    "phone": "Phone number",
    "postal_address": "Postal address",
    "subject": "Subject",
    "message": "Message",
    "attachments": "Attachments",
}
ERROR_MESSAGES = {403: FORM_EXPIRED, 404: PAGE_NOT_FOUND, 413: BODY_TOO_LARGE, 429: TOO_MANY_REQUESTS}


def human_size(size: int) -> str:
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            return f"{round(size / factor, 1):g} {unit}"
    return f"{size} bytes"


def page_context(desk: Desk, lang: str, limits: IntakeLimits | None = None, **extra: Any) -> dict[str, Any]:
    t = translations(lang)
    limits = limits or IntakeLimits()
    return {
        "_": t.gettext,
        "lang": lang,
        "other_lang": "en" if lang == "ja" else "ja",
        "desk": desk,
        "categories": [c.value for c in Category if c not in STAFF_ONLY_CATEGORIES],
        "request_types": [r.value for r in (desk.request_types or RequestType)],
        "max_attachments": limits.max_attachments,
        "max_attachment_size": human_size(limits.max_attachment_bytes),
        "field_labels": FIELD_LABELS,
        **extra,
    }


def error_page(
    request: Request[Any, Any, Any],
    status_code: int,
    message: str,
    *,
    languages: Sequence[str] | None = None,
    back: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Template:
    """A small HTML error page. With no known language it speaks both, the browser's first."""
    if languages is None:
        prefers_ja = request.headers.get("accept-language", "").strip().lower().startswith("ja")
        languages = ("ja", "en") if prefers_ja else ("en", "ja")
    texts = [{"lang": lang, "text": translations(lang).gettext(message)} for lang in languages if lang in LANGUAGES]
    back_label = [translations(lang).gettext("Back") for lang in languages]
    context = {"lang": languages[0], "messages": texts, "back": back, "back_label": " / ".join(back_label)}
    return Template("error.html", context=context, status_code=status_code, headers=dict(headers or {}))


def contact_error_page(request: Request[Any, Any, Any], exc: Exception) -> Template:
    """Errors on the form's path (also those raised by the CSRF and rate-limit middleware) as pages."""
    if isinstance(exc, NotFound):
        return error_page(request, 404, PAGE_NOT_FOUND)
    status = exc.status_code if isinstance(exc, HTTPException) else 400
    headers = exc.headers if isinstance(exc, HTTPException) else None
    slug = request.path_params.get("slug")
    back = f"/desks/{slug}/contact" if slug and status in (403, 413) else None
    return error_page(request, status, ERROR_MESSAGES.get(status, NOT_PROCESSED), back=back, headers=headers)


class ContactForm(Controller):
    path = "/desks/{slug:str}/contact"
    include_in_schema = False
    exception_handlers = {NotFound: contact_error_page, HTTPException: contact_error_page}

    @get("/")
    async def show(
        self, slug: FromPath[str], intake: NamedDependency[IntakeService], lang: FromQuery[str | None] = None
    ) -> Template:
        desk = intake.desk(slug)
        language = pick_language(lang, None, desk.language.value)
        context = page_context(desk, language, intake.limits, values={}, errors={})
        return Template("contact.html", context=context)

    @post("/")
    async def submit(
        self, slug: FromPath[str], request: Request[Any, Any, Any], intake: NamedDependency[IntakeService]
    ) -> Template:
        desk = intake.desk(slug)
        limits = intake.limits
        form = await request.form()
        language = pick_language(_text(form.get("lang")), None, desk.language.value)
        values: dict[str, Any] = {k: _text(form.get(k)) for k in TEXT_FIELDS}
        values["request_types"] = [_text(v) for v in form.getall("request_types", [])]

        def form_page(errors: dict[str, str]) -> Template:
            context = page_context(desk, language, limits, values=values, errors=errors)
            return Template("contact.html", context=context, status_code=400)

        if form.get(HONEYPOT):
            return form_page({"form": HONEYPOT_MESSAGE})
        files = [item for item in form.getall("attachments", []) if isinstance(item, UploadFile) and item.filename]
        try:
            uploads = []
            for item in files:
                # Read no further than one byte over the limit: the size check needs no more.
                content = await item.read(limits.max_attachment_bytes + 1)
                uploads.append(Upload(item.filename, item.content_type or "", content))
        finally:
            for item in files:
                await item.close()
        data = {
            "category": values["category"] or None,
            "request_types": values["request_types"],
            "subject": values["subject"],
            "message": values["message"],
            "language": language,
            "requester": {k: values[k] or None for k in ("name", "email", "phone", "postal_address")},
        }
        try:
            created = await intake.open_ticket(
                slug, data, channel=Channel.WEB, uploads=uploads, client=client_address(request)
            )
        except ValidationFailed as exc:
            return form_page({key.removeprefix("requester."): msg for key, msg in exc.errors.items()})
        except Throttled as exc:
            page = form_page({"form": FORM_THROTTLED})  # what they typed stays in the form
            page.status_code = 429
            page.headers["Retry-After"] = str(exc.retry_after_seconds)
            return page
        return Template(
            "contact_done.html",
            context=page_context(desk, language, limits, reference=created.reference, email=values["email"]),
            status_code=201,
        )


def _text(value: object) -> str:
    """A form value as text: a file sent where text belongs counts as empty."""
    return value if isinstance(value, str) else ""
