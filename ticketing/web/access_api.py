"""JSON API of a ticket's access log, for the managers (and admins) of its desk (the page: web/access_pages.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter
from msgspec import Meta

from ticketing.domain.access import AccessKind
from ticketing.services.access import MAX_PAGE_SIZE, PAGE_SIZE, AccessLog, LoggedAccess, TicketAccessPage
from ticketing.web.auth import api_principal
from ticketing.web.deps import PrincipalDep
from ticketing.web.openapi import READ
from ticketing.web.schemas import openapi

Via = Annotated[str, Meta(extra_json_schema=openapi(enum=["api", "web"]))]
Before = Annotated[
    int | None,
    QueryParameter(
        ge=1, description="the `next_before` of the previous page: entries older than that one (default: the newest)"
    ),
]
Limit = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE, description=f"entries per page, 1 to {MAX_PAGE_SIZE}")]


class AccessEntryOut(msgspec.Struct):
    id: int
    at: datetime  # UTC
    user: str  # the staff user's e-mail
    via: Via
    what: AccessKind
    target: str  # what was asked for (a reference, a mail id); for a refusal, the request ("GET /api/v1/...")
    client: str  # the client address as the service saw it
    allowed: bool  # false: refused (another desk's ticket, or the access log by a non-manager)
    rows_shown: int

    @classmethod
    def of(cls, e: LoggedAccess) -> AccessEntryOut:
        return cls(e.id, e.at, e.user_email, e.via, e.what, e.target, e.client, e.allowed, e.rows_shown)


class AccessLogOut(msgspec.Struct):
    reference: str
    desk: str
    entries: list[AccessEntryOut]  # newest first
    next_before: int | None  # pass as ?before= for the next (older) page; null on the last page

    @classmethod
    def of(cls, page: TicketAccessPage) -> AccessLogOut:
        return cls(page.reference, page.desk, [AccessEntryOut.of(e) for e in page.entries], page.before)


class AccessLogApi(Controller):
    path = "/api/v1/tickets/{reference:str}/access"
    tags = ["tickets"]
    dependencies = {"principal": Provide(api_principal)}

    @get(
        "/",
        summary="Who read this ticket, and refused attempts, newest first (managers of its desk; the read is logged)",
        description="An agent of the desk, like anyone outside it, gets 404 as for a ticket that does not exist.",
        raises=READ,
    )
    async def access_log(
        self,
        reference: FromPath[str],
        access: NamedDependency[AccessLog],
        principal: PrincipalDep,
        before: Before = None,
        limit: Limit = PAGE_SIZE,
    ) -> AccessLogOut:
        return AccessLogOut.of(await access.of_ticket(principal, reference, before=before, limit=limit))
