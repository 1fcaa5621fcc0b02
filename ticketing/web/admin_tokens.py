"""API tokens of a user on the admin pages: create one (shown once, on the answer to the form, never
again: only its SHA-256 is stored) and revoke one. Listing is on the user's page (web/admin_pages.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Controller, Request, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotAuthorizedException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from ticketing.domain.desks import Desk
from ticketing.domain.errors import Conflict, Forbidden, NotFound
from ticketing.services.admin import AdminService
from ticketing.web.admin_pages import user_page, user_url
from ticketing.web.admin_view import base_context, page, refused_page
from ticketing.web.auth import page_principal
from ticketing.web.deps import PrincipalDep


class AdminTokenPages(Controller):
    path = "/app/admin/users/{user_id:int}/tokens"
    include_in_schema = False
    dependencies = {"principal": Provide(page_principal)}
    exception_handlers = {NotAuthorizedException: refused_page, Forbidden: refused_page, NotFound: refused_page}
    cache_control = CacheControlHeader(no_store=True)  # the new token is on the page: no cache may keep it

    @post("/")
    async def create(
        self,
        request: Request[Any, Any, Any],
        user_id: FromPath[int],
        admin: NamedDependency[AdminService],
        desks: NamedDependency[Mapping[str, Desk]],
        principal: PrincipalDep,
    ) -> Template:
        try:
            token = await admin.create_token(principal, user_id)
        except Conflict as exc:
            return await user_page(request, admin, desks, principal, user_id, error=exc)
        detail = await admin.user(principal, user_id)
        context = base_context(request, principal, desks, None)
        context |= {"user": detail.user, "token": token}
        return page("admin_token.html", context)

    @post("/{token_id:int}/revoke")
    async def revoke(
        self,
        request: Request[Any, Any, Any],
        user_id: FromPath[int],
        token_id: FromPath[int],
        admin: NamedDependency[AdminService],
        desks: NamedDependency[Mapping[str, Desk]],
        principal: PrincipalDep,
    ) -> Template | Redirect:
        try:
            await admin.revoke_token(principal, user_id, token_id)
        except Conflict as exc:
            return await user_page(request, admin, desks, principal, user_id, error=exc)
        return Redirect(user_url(user_id, "revoked"), status_code=303)


__all__ = ["AdminTokenPages"]
