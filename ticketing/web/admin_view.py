"""What the admin pages share: their context, refusals as pages, and the notes shown after a change.

A refused change comes back as the page it was made on, with the message announced (role="alert")
and what was typed kept: 400 for bad input, 409 for a rule (the last admin of a desk). A caller who
administers no desk gets 403, and a user or token outside the caller's desks 404 (another desk's
user and no user look alike), both as the staff error page.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request
from litestar.exceptions import NotAuthorizedException
from litestar.response import Redirect, Template

from ticketing.domain import admin as rules
from ticketing.domain.admin import AdminRefused
from ticketing.domain.desks import Desk
from ticketing.domain.errors import DomainError, Forbidden, ValidationFailed
from ticketing.domain.staff import Role
from ticketing.services.ports import Principal
from ticketing.web.auth import to_login
from ticketing.web.case_view import staff_language
from ticketing.web.contact import error_page
from ticketing.web.i18n import translations
from ticketing.web.refusals import refusal_task

ROLES = tuple(r.value for r in Role)
NOT_YOUR_USER = rules.NOT_YOUR_USER
# ?done= codes after a change (303 back to the page), each a msgid: no text travels in the URL.
DONE: dict[str, str] = {
    "added": "The user is added.",
    "attached": "This e-mail address already had an account: it was added to the desk instead. "
    "Its password and display name were not changed.",
    "member": "The membership is added.",
    "role": "The role is changed.",
    "removed": "The membership is removed.",
    "deactivated": "The account is deactivated: its sessions have ended and its API tokens no longer work.",
    "reactivated": "The account is active again.",
    "named": "The display name is saved.",
    "revoked": "The API token is revoked.",
}


def refused_page(request: Request[Any, Any, Any], exc: Exception) -> Template | Redirect:
    """Not signed in: the login page; not an admin (403) or not one of the caller's users (404): a page."""
    if isinstance(exc, NotAuthorizedException):
        return to_login(request, exc)
    if isinstance(exc, Forbidden):
        status, message = 403, exc.what
    else:
        status, message = 404, NOT_YOUR_USER
    page = error_page(request, status, message, languages=(staff_language(request),), back="/app/admin/users")
    page.background = refusal_task(request, status)
    return page


def messages(error: DomainError | None, gettext: Any) -> list[str]:
    """A refusal in the page's language: each field's message, or the rule's with its parameters."""
    if error is None:
        return []
    if isinstance(error, ValidationFailed):
        return [gettext(text) for text in error.errors.values()]
    if isinstance(error, AdminRefused):
        return [gettext(error.what) % dict(error.params) if error.params else gettext(error.what)]
    return [gettext(str(error))]


def status_of(error: DomainError | None) -> int:
    return 409 if isinstance(error, AdminRefused) else 400 if error is not None else 200


def base_context(
    request: Request[Any, Any, Any], principal: Principal, desks: Mapping[str, Desk], done: str | None
) -> dict[str, Any]:
    lang = staff_language(request)
    gettext = translations(lang).gettext

    def desk_name(slug: str | None) -> str:
        desk = desks.get(slug) if slug else None
        return desk.name if desk is not None else (slug or "")

    def role_name(role: str) -> str:
        return gettext(f"role:{role}") if role in ROLES else role

    def local(at: datetime | None, slug: str | None = None) -> str:
        """An instant in the desk's zone (the caller's first desk's for a desk-less one)."""
        if at is None:
            return "—"
        desk = desks.get(slug) if slug else None
        if desk is None:
            desk = next((desks[d] for d in sorted(principal.roles) if d in desks), None)
        zone = ZoneInfo(desk.timezone) if desk is not None else ZoneInfo("UTC")
        return at.astimezone(zone).strftime("%Y-%m-%d %H:%M")

    return {
        "_": gettext,
        "lang": lang,
        "principal": principal,
        "roles": ROLES,
        "desk_name": desk_name,
        "role_name": role_name,
        "local": local,
        "done": gettext(DONE[done]) if done in DONE else None,
    }


def page(name: str, context: dict[str, Any], error: DomainError | None = None) -> Template:
    context["errors"] = messages(error, context["_"])
    fields = error.errors if isinstance(error, ValidationFailed) else {}
    context["field_errors"] = {k: context["_"](v) for k, v in fields.items()}
    return Template(name, context=context, status_code=status_of(error))


__all__ = ["DONE", "base_context", "messages", "page", "refused_page", "status_of"]
