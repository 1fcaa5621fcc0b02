"""The audit log page, `/app/admin/log`: administrative changes on the caller's desks, and the
desk-less ones they made or that concern their desks' users (services/audit.py), newest first,
an older page at a time (keyset), each time in its desk's zone."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Controller, Request, get
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotAuthorizedException
from litestar.params import FromQuery
from litestar.response import Template

from ticketing.domain.desks import Desk
from ticketing.domain.errors import Forbidden, NotFound
from ticketing.services.audit import AuditLog
from ticketing.web.admin_view import base_context, page, refused_page
from ticketing.web.auth import page_principal
from ticketing.web.deps import PrincipalDep


class AdminLogPage(Controller):
    path = "/app/admin/log"
    include_in_schema = False
    dependencies = {"principal": Provide(page_principal)}
    exception_handlers = {NotAuthorizedException: refused_page, Forbidden: refused_page, NotFound: refused_page}
    cache_control = CacheControlHeader(no_store=True)

    @get("/")
    async def log(
        self,
        request: Request[Any, Any, Any],
        audit: NamedDependency[AuditLog],
        desks: NamedDependency[Mapping[str, Desk]],
        principal: PrincipalDep,
        desk: FromQuery[str | None] = None,
        before: FromQuery[int | None] = None,
    ) -> Template:
        found = await audit.list(principal, desk=desk or None, before=before)
        context = base_context(request, principal, desks, None)
        gettext = context["_"]

        def action_name(code: str) -> str:
            """An action in words: the catalog's "action:<code>", else the code (desk settings' own)."""
            key = f"action:{code}"
            said = gettext(key)
            return said if said != key else code.replace("_", " ")

        def detail_name(key: str) -> str:
            said = gettext(f"detail:{key}")
            return said if said != f"detail:{key}" else key.replace("_", " ")

        context |= {"page": found, "before": before, "action_name": action_name, "detail_name": detail_name}
        return page("admin_log.html", context)


__all__ = ["AdminLogPage"]
