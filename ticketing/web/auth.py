"""Who is calling: bearer tokens for the API, a session cookie for the staff pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Request
from litestar.exceptions import NotAuthorizedException
from litestar.response import Redirect

from ticketing.services.ports import Principal
from ticketing.web.deps import ContainerDep

SESSION_COOKIE = "ticketing_session"


async def api_principal(request: Request[Any, Any, Any], container: ContainerDep) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthorizedException("send an API token as 'Authorization: Bearer <token>'")
    principal = await container.accounts.principal_for_token(token.strip())
    if principal is None:
        raise NotAuthorizedException("invalid or revoked API token")
    return principal


async def page_principal(request: Request[Any, Any, Any], container: ContainerDep) -> Principal:
    token = request.cookies.get(SESSION_COOKIE)
    principal = await container.accounts.principal_for_session(token) if token else None
    if principal is None:
        raise NotAuthorizedException("sign in first")
    return principal


def to_login(request: Request[Any, Any, Any], exc: Exception) -> Redirect:
    """Staff pages answer a missing or expired session with the login page."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Redirect(f"/login?next={quote(target, safe='/')}", status_code=303)
