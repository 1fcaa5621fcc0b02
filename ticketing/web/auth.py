"""Who is calling: bearer tokens for the API, a session cookie for the staff pages."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import quote

from litestar import Request
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException
from litestar.response import Redirect

from ticketing.services.accounts import AccountService
from ticketing.services.ports import Principal
from ticketing.web.refusals import remember_principal

SESSION_COOKIE = "ticketing_session"


async def api_principal(request: Request[Any, Any, Any], accounts: NamedDependency[AccountService]) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthorizedException("send an API token as 'Authorization: Bearer <token>'")
    principal = await accounts.principal_for_token(token.strip())
    if principal is None:
        raise NotAuthorizedException("invalid or revoked API token")
    return _seen(request, principal, "api")


async def page_principal(request: Request[Any, Any, Any], accounts: NamedDependency[AccountService]) -> Principal:
    token = request.cookies.get(SESSION_COOKIE)
    principal = await accounts.principal_for_session(token) if token else None
    if principal is None:
        raise NotAuthorizedException("sign in first")
    return _seen(request, principal, "web")


def client_address(request: Request[Any, Any, Any]) -> str:
    """The client as the app sees it (a trusted proxy's X-Forwarded-For already applied)."""
    return request.client.host if request.client else ""


def _seen(request: Request[Any, Any, Any], principal: Principal, via: str) -> Principal:
    """The principal with how and from where this request came; kept for the refusal log."""
    principal = replace(principal, via=via, client=client_address(request))
    remember_principal(request, principal)
    return principal


def to_login(request: Request[Any, Any, Any], exc: Exception) -> Redirect:
    """Staff pages answer a missing or expired session with the login page."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Redirect(f"/login?next={quote(target, safe='/')}", status_code=303)
