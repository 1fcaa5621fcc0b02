"""Staff pages: `/`, login, the minimal /app home, a ticket page and the dev mail viewer."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import CacheControlHeader, Cookie
from litestar.di import NamedDependency, Provide
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from ticketing.domain.errors import AuthenticationFailed, NotFound, Throttled
from ticketing.services.accounts import AccountService
from ticketing.services.mail_log import MailLog
from ticketing.services.outbox_view import OutboxView
from ticketing.services.ports import Principal
from ticketing.web.auth import SESSION_COOKIE, client_address, page_principal, to_login
from ticketing.web.case_view import LANG_COOKIE, staff_language
from ticketing.web.contact import error_page
from ticketing.web.deps import PageOptions, PrincipalDep
from ticketing.web.i18n import translations
from ticketing.web.refusals import refusal_task

TICKET_NOT_FOUND = "No such ticket on your desks."
SIGN_IN_EXPIRED = "The sign-in form has expired. Please reload the page and sign in again."
TOO_MANY_SIGN_INS = "Too many failed sign-in attempts. Please wait 15 minutes and try again."


def _ctx(principal: Principal | None, lang: str = "en", **extra: Any) -> dict[str, Any]:
    return {"_": translations(lang).gettext, "lang": lang, "principal": principal, **extra}


def _safe_next(target: object) -> str:
    """Only paths of the staff UI: never an open redirect (//host, /\\host, schemes, header tricks)."""
    if not isinstance(target, str) or "//" in target or any(ch in target for ch in "\\\r\n\t"):
        return "/app"
    return target if target == "/app" or target.startswith(("/app/", "/app?")) else "/app"


def _staff_not_found(request: Request[Any, Any, Any], exc: Exception) -> Template:
    page = error_page(request, 404, TICKET_NOT_FOUND, languages=(staff_language(request),), back="/app")
    page.background = refusal_task(request, 404)
    return page


def _login_error(request: Request[Any, Any, Any], exc: Exception) -> Template:
    """CSRF refusals and the rate limit on /login and /logout, as pages."""
    status = exc.status_code if isinstance(exc, HTTPException) else 400
    message = {403: SIGN_IN_EXPIRED, 429: TOO_MANY_SIGN_INS}.get(status, "Your request could not be processed.")
    headers = exc.headers if isinstance(exc, HTTPException) else None
    return error_page(request, status, message, languages=(staff_language(request),), back="/login", headers=headers)


class LoginPages(Controller):
    include_in_schema = False
    exception_handlers = {HTTPException: _login_error}

    @get("/login")
    async def login_form(self, request: Request[Any, Any, Any], next: FromQuery[str | None] = None) -> Template:
        lang = staff_language(request)
        return Template("login.html", context=_ctx(None, lang, next=_safe_next(next), error=None, email=""))

    @get("/", cache_control=CacheControlHeader(no_store=True))
    async def root(self, request: Request[Any, Any, Any], accounts: NamedDependency[AccountService]) -> Redirect:
        """`/` is the staff entrance: the app when signed in, else the sign-in page."""
        token = request.cookies.get(SESSION_COOKIE)
        signed_in = token is not None and await accounts.principal_for_session(token) is not None
        return Redirect("/app" if signed_in else "/login", status_code=303)

    @post("/login")
    async def login(
        self,
        request: Request[Any, Any, Any],
        accounts: NamedDependency[AccountService],
        options: NamedDependency[PageOptions],
    ) -> Template | Redirect:
        form = await request.form()
        target = _safe_next(form.get("next"))
        email, password = form.get("email", ""), form.get("password", "")
        try:
            principal = await accounts.sign_in(
                email if isinstance(email, str) else "",
                password if isinstance(password, str) else "",
                client_address(request),
            )
        except AuthenticationFailed:
            typed = email if isinstance(email, str) else ""
            lang = staff_language(request)
            error = translations(lang).gettext("Wrong e-mail or password.")
            return Template(
                "login.html", status_code=401, context=_ctx(None, lang, next=target, error=error, email=typed[:254])
            )
        except Throttled as exc:
            return error_page(
                request,
                429,
                TOO_MANY_SIGN_INS,
                languages=(staff_language(request),),
                back="/login",
                headers={"Retry-After": str(exc.retry_after_seconds)},
            )
        token = await accounts.open_session(principal)
        cookie = Cookie(
            key=SESSION_COOKIE,
            value=token,
            httponly=True,
            samesite="lax",
            path="/",
            secure=options.secure_cookies,
            max_age=12 * 3600,
        )
        # The user's language setting is the staff pages' language (web/settings_pages.py); with none
        # chosen, a language left by an earlier ?lang= switch goes, and the browser's applies.
        language = Cookie(
            key=LANG_COOKIE,
            value=principal.language,
            path="/app",
            samesite="lax",
            httponly=True,
            secure=options.secure_cookies,
            max_age=None if principal.language else 0,
        )
        return Redirect(target, status_code=303, cookies=[cookie, language])

    @post("/logout")
    async def logout(self, request: Request[Any, Any, Any], accounts: NamedDependency[AccountService]) -> Redirect:
        if token := request.cookies.get(SESSION_COOKIE):
            await accounts.close_session(token)
        return Redirect("/login", status_code=303, cookies=[Cookie(key=SESSION_COOKIE, value="", max_age=0, path="/")])


class StaffPages(Controller):
    path = "/app"
    include_in_schema = False
    dependencies = {"principal": Provide(page_principal)}
    exception_handlers = {NotAuthorizedException: to_login, NotFound: _staff_not_found}
    cache_control = CacheControlHeader(no_store=True)  # pages with personal data: never cached

    @get("/mail")
    async def mail_log(
        self, request: Request[Any, Any, Any], mail_log: NamedDependency[MailLog], principal: PrincipalDep
    ) -> Template:
        """Quarantined and ignored inbound mail of the desks this user manages."""
        managed = mail_log.managed_desks(principal)
        rows = await mail_log.list(principal) if managed else []
        lang = staff_language(request)
        return Template("mail_log.html", context=_ctx(principal, lang, rows=rows, managed=managed))

    @get("/outbox")
    async def outbox(
        self,
        request: Request[Any, Any, Any],
        outbox_view: NamedDependency[OutboxView],
        options: NamedDependency[PageOptions],
        principal: PrincipalDep,
    ) -> Template:
        """The dev mail viewer: with no SMTP relay configured, mail waits here."""
        rows = await outbox_view.recent(principal)
        lang = staff_language(request)
        return Template("outbox.html", context=_ctx(principal, lang, rows=rows, smtp=options.mail_relay))
