"""Who is calling: bearer tokens for the API, a session cookie for the staff pages."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import NotAuthorizedException

from ticketing.container import Container
from ticketing.services.ports import Principal

SESSION_COOKIE = "ticketing_session"


async def api_principal(request: Request[Any, Any, Any], container: Container) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthorizedException("send an API token as 'Authorization: Bearer <token>'")
    principal = await container.accounts.principal_for_token(token.strip())
    if principal is None:
        raise NotAuthorizedException("invalid or revoked API token")
    return principal


async def page_principal(request: Request[Any, Any, Any], container: Container) -> Principal | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    return await container.accounts.principal_for_session(token)
