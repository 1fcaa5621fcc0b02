"""The admin pages, `/app/admin/users`: the users of the desks the caller administers, adding a user,
and on one user's page their memberships and roles, activation and display name (API tokens:
web/admin_tokens.py; the audit log: web/admin_log.py; the rules: domain/admin.py).

Every form posts with the CSRF token and answers 303 back to the page with a note of what was done;
a refused change is the same page again with the message and the typed values (400 or 409).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotAuthorizedException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from ticketing.domain.desks import Desk
from ticketing.domain.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from ticketing.services.admin import AdminService
from ticketing.services.ports import Principal
from ticketing.web import forms
from ticketing.web.admin_view import base_context, page, refused_page
from ticketing.web.auth import page_principal
from ticketing.web.deps import PrincipalDep

USERS = "/app/admin/users"


def user_url(user_id: int, done: str) -> str:
    return f"{USERS}/{user_id}?done={done}"


async def users_page(
    request: Request[Any, Any, Any],
    admin: AdminService,
    desks: Mapping[str, Desk],
    principal: Principal,
    *,
    done: str | None = None,
    error: DomainError | None = None,
    values: Mapping[str, str] | None = None,
) -> Template:
    admin_desks, users = await admin.users(principal)
    context = base_context(request, principal, desks, done)
    names = ", ".join(context["desk_name"](d) for d in admin_desks)
    context |= {"admin_desks": admin_desks, "admin_desk_names": names, "users": users, "values": dict(values or {})}
    return page("admin_users.html", context, error)


async def user_page(
    request: Request[Any, Any, Any],
    admin: AdminService,
    desks: Mapping[str, Desk],
    principal: Principal,
    user_id: int,
    *,
    done: str | None = None,
    error: DomainError | None = None,
    values: Mapping[str, str] | None = None,
) -> Template:
    detail = await admin.user(principal, user_id)
    context = base_context(request, principal, desks, done)
    context |= {"detail": detail, "user": detail.user, "values": dict(values or {})}
    return page("admin_user.html", context, error)


class AdminPages(Controller):
    path = "/app/admin"
    include_in_schema = False
    dependencies = {"principal": Provide(page_principal)}
    exception_handlers = {NotAuthorizedException: refused_page, Forbidden: refused_page, NotFound: refused_page}
    cache_control = CacheControlHeader(no_store=True)  # staff e-mail addresses and roles

    @get("/")
    async def home(self, admin: NamedDependency[AdminService], principal: PrincipalDep) -> Redirect:
        admin.admin_desks(principal)  # 403 before any redirect for a non-admin
        return Redirect(USERS, status_code=303)

    @get("/users")
    async def users(
        self,
        request: Request[Any, Any, Any],
        admin: NamedDependency[AdminService],
        desks: NamedDependency[Mapping[str, Desk]],
        principal: PrincipalDep,
        done: FromQuery[str | None] = None,
    ) -> Template:
        return await users_page(request, admin, desks, principal, done=done)

    @post("/users")
    async def add_user(
        self,
        request: Request[Any, Any, Any],
        admin: NamedDependency[AdminService],
        desks: NamedDependency[Mapping[str, Desk]],
        principal: PrincipalDep,
    ) -> Template | Redirect:
        form = await request.form()
        values = {k: forms.text(form, k) for k in ("email", "display_name", "desk", "role")}  # never the password
        password = form.get("password", "")
        try:
            added = await admin.add_user(
                principal,
                values["email"],
                values["display_name"],
                password if isinstance(password, str) else "",
                values["desk"],
                values["role"],
            )
        except (ValidationFailed, Conflict) as exc:
            return await users_page(request, admin, desks, principal, error=exc, values=values)
        return Redirect(user_url(added.user_id, "added" if added.created else "attached"), status_code=303)

    @get("/users/{user_id:int}")
    async def user(
        self,
        request: Request[Any, Any, Any],
        user_id: FromPath[int],
        admin: NamedDependency[AdminService],
        desks: NamedDependency[Mapping[str, Desk]],
        principal: PrincipalDep,
        done: FromQuery[str | None] = None,
    ) -> Template:
        return await user_page(request, admin, desks, principal, user_id, done=done)

    @post("/users/{user_id:int}/memberships")
    async def add_membership(
        self,
        request: Request[Any, Any, Any],
        user_id: FromPath[int],
        admin: NamedDependency[AdminService],
        desks: NamedDependency[Mapping[str, Desk]],
        principal: PrincipalDep,
    ) -> Template | Redirect:
        form = await request.form()
        values = {"desk": forms.text(form, "desk"), "role": forms.text(form, "role")}
        try:
            await admin.add_membership(principal, user_id, values["desk"], values["role"])
        except (ValidationFailed, Conflict) as exc:
            return await user_page(request, admin, desks, principal, user_id, error=exc, values=values)
        return Redirect(user_url(user_id, "member"), status_code=303)

    @post("/users/{user_id:int}/memberships/{desk:str}/role")
    async def change_role(
        self,
        request: Request[Any, Any, Any],
        user_id: FromPath[int],
        desk: FromPath[str],
        admin: NamedDependency[AdminService],
        desks: NamedDependency[Mapping[str, Desk]],
        principal: PrincipalDep,
    ) -> Template | Redirect:
        role = forms.text(await request.form(), "role")
        try:
            await admin.change_role(principal, user_id, desk, role)
        except (ValidationFailed, Conflict) as exc:
            return await user_page(request, admin, desks, principal, user_id, error=exc)
        return Redirect(user_url(user_id, "role"), status_code=303)

    @post("/users/{user_id:int}/memberships/{desk:str}/remove")
    async def remove_membership(
        self,
        request: Request[Any, Any, Any],
        user_id: FromPath[int],
        desk: FromPath[str],
        admin: NamedDependency[AdminService],
        desks: NamedDependency[Mapping[str, Desk]],
        principal: PrincipalDep,
    ) -> Template | Redirect:
        try:
            await admin.remove_membership(principal, user_id, desk)
        except (ValidationFailed, Conflict) as exc:
            return await user_page(request, admin, desks, principal, user_id, error=exc)
        try:
            await admin.user(principal, user_id)
        except NotFound:  # no longer on any of the caller's desks: back to the list
            return Redirect(f"{USERS}?done=removed", status_code=303)
        return Redirect(user_url(user_id, "removed"), status_code=303)

    @post("/users/{user_id:int}/active")
    async def set_active(
        self,
        request: Request[Any, Any, Any],
        user_id: FromPath[int],
        admin: NamedDependency[AdminService],
        desks: NamedDependency[Mapping[str, Desk]],
        principal: PrincipalDep,
    ) -> Template | Redirect:
        wanted = forms.text(await request.form(), "active")
        try:
            if wanted not in ("0", "1"):
                raise ValidationFailed({"active": "Choose to deactivate or to reactivate the account."})
            await admin.set_active(principal, user_id, wanted == "1")
        except (ValidationFailed, Conflict) as exc:
            return await user_page(request, admin, desks, principal, user_id, error=exc)
        return Redirect(user_url(user_id, "reactivated" if wanted == "1" else "deactivated"), status_code=303)

    @post("/users/{user_id:int}/name")
    async def set_name(
        self,
        request: Request[Any, Any, Any],
        user_id: FromPath[int],
        admin: NamedDependency[AdminService],
        desks: NamedDependency[Mapping[str, Desk]],
        principal: PrincipalDep,
    ) -> Template | Redirect:
        form = await request.form()
        raw = form.get("display_name", "")
        name = raw if isinstance(raw, str) else ""
        try:
            await admin.set_display_name(principal, user_id, name)
        except (ValidationFailed, Conflict) as exc:
            values = {"display_name": name}
            return await user_page(request, admin, desks, principal, user_id, error=exc, values=values)
        return Redirect(user_url(user_id, "named"), status_code=303)


__all__ = ["AdminPages", "user_page", "users_page"]
