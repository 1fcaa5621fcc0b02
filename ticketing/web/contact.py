"""The public web form of a desk: /desks/{slug}/contact (CSRF-protected, honeypot, rate-limited)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from ticketing.container import Container
from ticketing.web.deps import ContainerDep
from ticketing.domain.desks import Desk
from ticketing.domain.errors import ValidationFailed
from ticketing.domain.intake import STAFF_ONLY_CATEGORIES
from ticketing.domain.tickets import Category, Channel, RequestType
from ticketing.services.intake import Upload
from ticketing.web.i18n import pick_language, translations

HONEYPOT = "website"  # hidden from people by CSS; bots fill it in
TEXT_FIELDS = ("name", "email", "phone", "postal_address", "category", "subject", "message")


def page_context(desk: Desk, lang: str, **extra: Any) -> dict[str, Any]:
    t = translations(lang)
    return {
        "_": t.gettext,
        "lang": lang,
        "other_lang": "en" if lang == "ja" else "ja",
        "desk": desk,
        "categories": [c.value for c in Category if c not in STAFF_ONLY_CATEGORIES],
        "request_types": [r.value for r in (desk.request_types or RequestType)],
        **extra,
    }


class ContactForm(Controller):
    path = "/desks/{slug:str}/contact"
    include_in_schema = False

    @get("/")
    async def show(self, slug: FromPath[str], container: ContainerDep, lang: FromQuery[str | None] = None) -> Template:
        desk = container.intake.desk(slug)
        language = pick_language(lang, None, desk.language.value)
        return Template("contact.html", context=page_context(desk, language, values={}, errors={}))

    @post("/")
    async def submit(self, slug: FromPath[str], request: Request[Any, Any, Any], container: ContainerDep) -> Template:
        desk = container.intake.desk(slug)
        form = await request.form()
        language = pick_language(form.get("lang"), None, desk.language.value)
        values = {k: str(form.get(k) or "") for k in TEXT_FIELDS}
        values["request_types"] = [str(v) for v in form.getall("request_types", [])]
        if form.get(HONEYPOT):
            errors = {"form": "Your message could not be sent. Please try again."}
            return Template("contact.html", context=page_context(desk, language, values=values, errors=errors),
                            status_code=400)
        uploads = []
        for item in form.getall("attachments", []):
            if isinstance(item, UploadFile) and item.filename:
                uploads.append(Upload(item.filename, item.content_type or "", await item.read()))
        data = {
            "category": values["category"] or None,
            "request_types": values["request_types"],
            "subject": values["subject"],
            "message": values["message"],
            "language": language,
            "requester": {k: values[k] or None for k in ("name", "email", "phone", "postal_address")},
        }
        try:
            created = await container.intake.open_ticket(slug, data, channel=Channel.WEB, uploads=uploads)
        except ValidationFailed as exc:
            errors = {key.removeprefix("requester."): msg for key, msg in exc.errors.items()}
            return Template("contact.html", context=page_context(desk, language, values=values, errors=errors),
                            status_code=400)
        return Template(
            "contact_done.html",
            context=page_context(desk, language, reference=created.reference, email=values["email"]),
            status_code=201,
        )
