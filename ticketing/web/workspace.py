"""The agent's workspace at /app: the queues with their counts and filters, and search.

Plain links and GET forms, so every page works without JavaScript and from the keyboard; htmx
(static/vendor/htmx) swaps only the results when a filter changes (`hx-select` takes them from the
same full page, so there is one template and one handler per view).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotAuthorizedException
from litestar.response import Template

from ticketing.domain.desks import Desk
from ticketing.domain.errors import NotFound, ValidationFailed
from ticketing.domain.queues import COUNT_CAP, Cursor, Queue, QueueFilter
from ticketing.domain.tickets import Category, Channel, State
from ticketing.services.ports import Principal
from ticketing.services.workspace import QueuePage, Workspace
from ticketing.web.auth import page_principal, to_login
from ticketing.web.case_view import staff_language
from ticketing.web.deps import PrincipalDep
from ticketing.web.i18n import translations

# The navigation's words; the English ones are the accessible names outside checks use (DESIGN §3).
QUEUE_LABELS: dict[Queue, str] = {
    Queue.MINE: "Mine",
    Queue.UNASSIGNED: "Unassigned",
    Queue.WAITING: "Waiting on requester",
    Queue.AT_RISK: "At risk",
    Queue.BREACHED: "Breached",
    Queue.OPEN: "All open",
    Queue.CLOSED: "Recently closed",
}
FILTERS = ("desk", "category", "channel", "state", "assignee")


def _choice(value: str | None, allowed: type[Any], name: str) -> str | None:
    if not value:
        return None
    if value not in {m.value for m in allowed}:
        raise ValidationFailed({name: "not a known value"})
    return value


def parse_filters(params: Mapping[str, str]) -> QueueFilter:
    """The filters of a queue link or form; an unknown value is a 400 with the field named."""
    assignee = params.get("assignee") or None
    if assignee is not None and not (assignee == "none" or (assignee.isdigit() and len(assignee) < 10)):
        raise ValidationFailed({"assignee": "not a known value"})
    return QueueFilter(
        desk=params.get("desk") or None,
        category=_choice(params.get("category"), Category, "category"),
        channel=_choice(params.get("channel"), Channel, "channel"),
        state=_choice(params.get("state"), State, "state"),
        assignee=None if assignee is None else (0 if assignee == "none" else int(assignee)),
    )


def _filter_params(filters: QueueFilter) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in FILTERS:
        value = getattr(filters, name)
        if value is not None:
            out[name] = "none" if name == "assignee" and value == 0 else str(value)
    return out


def _cursor(params: Mapping[str, str]) -> Cursor | None:
    token = params.get("after")
    if not token:
        return None
    cursor = Cursor.parse(token)
    if cursor is None:
        raise ValidationFailed({"after": "this page link is broken; start from the first page"})
    return cursor


def _context(
    request: Request[Any, Any, Any], principal: Principal, page: QueuePage, desks: Mapping[str, Desk], now: datetime
) -> dict[str, Any]:
    lang = staff_language(request)
    gettext = translations(lang).gettext

    def label(kind: str, value: object) -> str:
        key = f"{kind}:{value}"
        said = gettext(key)
        return said if said != key else str(value).replace("_", " ")

    def local(at: datetime | None, desk: str) -> str:
        if at is None:
            return ""
        zone = ZoneInfo(desks[desk].timezone) if desk in desks else None
        return at.astimezone(zone).strftime("%m-%d %H:%M")

    def count(queue: Queue) -> str:
        n = page.counts.get(queue, 0)
        return f"{COUNT_CAP}+" if n > COUNT_CAP else str(n)

    base = {"queue": page.queue.value} if page.queue else {"q": page.query}
    here = {**base, **_filter_params(page.filters)}
    path = "/app" if page.queue else "/app/search"
    return {
        "_": gettext,
        "lang": lang,
        "label": label,
        "local": local,
        "count": count,
        "principal": principal,
        "page": page,
        "desks": desks,
        "now": now,
        "queues": list(Queue),
        "queue_labels": QUEUE_LABELS,
        "categories": [c.value for c in Category],
        "channels": [c.value for c in Channel],
        "states": [s.value for s in State],
        "next_url": f"{path}?{urlencode({**here, 'after': page.next.token()})}" if page.next else None,
        "first_url": f"{path}?{urlencode(here)}",
        "paged": "after" in request.query_params,
    }


class WorkspacePages(Controller):
    path = "/app"
    include_in_schema = False
    dependencies = {"principal": Provide(page_principal)}
    exception_handlers = {NotAuthorizedException: to_login}
    cache_control = CacheControlHeader(no_store=True)  # pages with personal data: never cached

    @get("/")
    async def queue(
        self,
        request: Request[Any, Any, Any],
        workspace: NamedDependency[Workspace],
        desks: NamedDependency[Mapping[str, Desk]],
        principal: PrincipalDep,
        now: NamedDependency[datetime],
    ) -> Template:
        params = request.query_params
        name = params.get("queue") or Queue.OPEN.value
        if name not in {q.value for q in Queue}:
            raise NotFound("queue", name[:40])
        page = await workspace.queue(principal, Queue(name), parse_filters(params), _cursor(params), now)
        return Template("queue.html", context=_context(request, principal, page, desks, now))

    @get("/search")
    async def search(
        self,
        request: Request[Any, Any, Any],
        workspace: NamedDependency[Workspace],
        desks: NamedDependency[Mapping[str, Desk]],
        principal: PrincipalDep,
        now: NamedDependency[datetime],
    ) -> Template:
        params = request.query_params
        page = await workspace.search(principal, params.get("q", ""), params.get("desk") or None, _cursor(params))
        return Template("queue.html", context=_context(request, principal, page, desks, now))


__all__ = ["QUEUE_LABELS", "WorkspacePages", "parse_filters"]
