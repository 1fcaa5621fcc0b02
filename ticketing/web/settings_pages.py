"""A staff user's own settings (/app/settings): the language of the staff pages, and signing out everywhere.

The chosen language is stored on the account (AccountService.set_language) and carried by the staff
pages' language cookie, which sign-in sets from the account (web/staff.py) and saving sets here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import CacheControlHeader, Cookie
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotAuthorizedException
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from ticketing.domain.desks import Desk
from ticketing.domain.errors import ValidationFailed
from ticketing.domain.staff import MANAGER_ROLES
from ticketing.services.accounts import AccountService
from ticketing.services.ports import Principal
from ticketing.web.auth import SESSION_COOKIE, page_principal, to_login
from ticketing.web.case_view import LANG_COOKIE, staff_language
from ticketing.web.deps import PageOptions, PrincipalDep
from ticketing.web.i18n import translations

LANGUAGE_REFUSED = "Choose 日本語, English or the browser's language."


def language_cookie(language: str, secure: bool) -> Cookie:
    """The staff pages' language; none chosen: the cookie goes, and the browser's language applies."""
    return Cookie(
        key=LANG_COOKIE,
        value=language,
        path="/app",
        samesite="lax",
        httponly=True,
        secure=secure,
        max_age=None if language else 0,
    )


def _page(
    request: Request[Any, Any, Any],
    principal: Principal,
    desks: Mapping[str, Desk],
    *,
    saved: bool = False,
    error: str | None = None,
) -> Template:
    lang = staff_language(request)
    gettext = translations(lang).gettext
    managed = [
        (slug, desks[slug].name)
        for slug, role in sorted(principal.roles.items())
        if role in MANAGER_ROLES and slug in desks
    ]
    context = {
        "_": gettext,
        "lang": lang,
        "principal": principal,
        "managed": managed,  # the desks whose settings and reports this user may open
        "current": principal.language,
        "saved": saved,
        "error": gettext(error) if error else None,
    }
    return Template("settings.html", context=context, status_code=400 if error else 200)


class SettingsPages(Controller):
    path = "/app/settings"
    include_in_schema = False
    dependencies = {"principal": Provide(page_principal)}
    exception_handlers = {NotAuthorizedException: to_login}
    cache_control = CacheControlHeader(no_store=True)

    @get("/")
    async def settings(
        self,
        request: Request[Any, Any, Any],
        principal: PrincipalDep,
        desks: NamedDependency[Mapping[str, Desk]],
        saved: FromQuery[str | None] = None,
    ) -> Template:
        return _page(request, principal, desks, saved=saved == "1")

    @post("/")
    async def save(
        self,
        request: Request[Any, Any, Any],
        accounts: NamedDependency[AccountService],
        options: NamedDependency[PageOptions],
        principal: PrincipalDep,
        desks: NamedDependency[Mapping[str, Desk]],
    ) -> Template | Redirect:
        choice = (await request.form()).get("language")
        try:
            if not isinstance(choice, str):  # no choice sent at all (the browser's language is "")
                raise ValidationFailed({"language": "required"})
            await accounts.set_language(principal, choice)
        except ValidationFailed:
            return _page(request, principal, desks, error=LANGUAGE_REFUSED)
        cookie = language_cookie(choice, options.secure_cookies)
        return Redirect("/app/settings?saved=1", status_code=303, cookies=[cookie])

    @post("/sign-out-everywhere")
    async def sign_out_everywhere(self, accounts: NamedDependency[AccountService], principal: PrincipalDep) -> Redirect:
        await accounts.end_sessions(principal)
        gone = Cookie(key=SESSION_COOKIE, value="", max_age=0, path="/")
        return Redirect("/login", status_code=303, cookies=[gone])
