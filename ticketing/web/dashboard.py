"""The manager's SLA dashboard at /app/dashboard, and its "now" section at /app/dashboard/now.

The page reads no personal data (references, desks, categories, states, counts and times only;
services/dashboard.py), and every number links to the workspace queue it counts.

The "now" section keeps itself current by polling: htmx asks /app/dashboard/now every 5 s
(`hx-trigger="every 5s"`, `hx-swap="outerHTML"`) and the answer replaces the section. Polling
rather than server-sent events, because:

- several `ticketing serve` processes share one database (SQLite, or PostgreSQL to scale out) and
  a change made in one process has no feed that reaches the others: an event stream would itself
  have to poll the database, once per open stream, and hold a worker's connection all the while;
- one poll is a handful of indexed queries (db/dashboard.py), well under the 5 s between two;
- a plain GET goes through every proxy and load balancer, needs no sticky sessions and no
  long-lived connections, and is refused like any other page when the session ends;
- it stops by itself when the tab closes (and htmx stops it when the section leaves the page).

Each poll carries a digest of the figures it last showed (`seen`); when nothing changed the answer
is 204 and htmx swaps nothing, so a link the keyboard is on keeps its focus. When something
changed, the status line above the section (a polite live region, outside what is swapped) says
"Updated 10:32:05" in the desk's zone, so a screen reader hears one short line, not the section.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotAuthorizedException
from litestar.response import Template

from ticketing.domain import dashboard as rules
from ticketing.domain.desks import Desk
from ticketing.domain.errors import Forbidden, NotFound
from ticketing.domain.queues import Queue
from ticketing.domain.sla_report import Month
from ticketing.domain.tickets import SETTLED, State
from ticketing.services.dashboard import MANAGERS_ONLY, Dashboard, NowView
from ticketing.web.auth import page_principal, to_login
from ticketing.web.case_view import staff_language
from ticketing.web.contact import error_page
from ticketing.web.deps import PrincipalDep
from ticketing.web.i18n import translations
from ticketing.web.refusals import refusal_task

POLL = "every 5s"
NO_SUCH_DESK = "No such desk among the desks you manage."
SIGNED_OUT = "You were signed out. Reload the page to sign in again."
OPEN_STATES = tuple(s.value for s in State if s not in SETTLED)
STOP_POLLING = 286  # htmx stops polling an element answered with 286


def _refused(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """An agent (403) or a desk that is not one of the caller's (404), as a page in their language;
    a signed-out poll stops polling and says so in the section."""
    if isinstance(exc, NotAuthorizedException):
        if request.url.path.endswith("/now"):
            gettext = translations(staff_language(request)).gettext
            body = f'<section id="now" class="now"><p class="alert">{gettext(SIGNED_OUT)}</p></section>'
            return Response(body, status_code=STOP_POLLING, media_type="text/html")
        return to_login(request, exc)
    status, message = (403, MANAGERS_ONLY) if isinstance(exc, Forbidden) else (404, NO_SUCH_DESK)
    page = error_page(request, status, message, languages=(staff_language(request),), back="/app")
    page.background = refusal_task(request, status)
    return page


def _queue_link(queue: Queue, view: NowView, desk: str | None = None, **filters: str) -> str | None:
    """The workspace queue a number counts; None when no queue holds exactly those tickets (a total
    over some but not all of the caller's desks: the queues filter by one desk or by all)."""
    if desk is None and len(view.desks) == 1:
        desk = view.desks[0]
    if desk is None and not view.all_managed:
        return None
    params = {"queue": queue.value, **({"desk": desk} if desk else {}), **filters}
    return "/app?" + urlencode(params)


def digest(view: NowView) -> str:
    """What the section shows, in 12 hex digits: the same figures give the same digest."""
    parts = [
        sorted(view.open_counts.items()),
        sorted(view.at_risk_counts.items()),
        sorted(view.breached_counts.items()),
        view.at_risk,
        view.breached,
        view.statutory,
        view.outside,
        view.pending_approvals,
        view.quarantined,
        view.outbox_failing,
        view.outbox_oldest,
        sorted(view.more),
    ]
    return hashlib.blake2s(repr(parts).encode(), digest_size=6).hexdigest()


def _context(
    request: Request[Any, Any, Any], view: NowView, desks: Mapping[str, Desk], desk: str | None
) -> dict[str, Any]:
    lang = staff_language(request)
    gettext = translations(lang).gettext

    def say(phrase: rules.Phrase, **more: str) -> str:
        values = {**phrase.values, **more}
        return gettext(phrase.msgid) % values if values else gettext(phrase.msgid)

    def span(value: rules.Span | None) -> str:
        if value is None:
            return gettext("paused")
        return say(rules.left_or_over(value), time=say(rules.span_phrase(value)))

    def zone(slug: str) -> ZoneInfo | None:
        return ZoneInfo(desks[slug].timezone) if slug in desks else None

    def local(at: datetime | None, slug: str, fmt: str = "%Y-%m-%d %H:%M") -> str:
        return at.astimezone(zone(slug)).strftime(fmt) if at else ""

    def label(kind: str, value: object) -> str:
        key = f"{kind}:{value}"
        said = gettext(key)
        return said if said != key else str(value).replace("_", " ")

    def total(counts: Mapping[str, int]) -> int:
        return sum(counts.get(d, 0) for d in view.desks)

    seen = digest(view)
    first = view.desks[0]
    zones = {desks[d].timezone for d in view.desks if d in desks}
    updated = local(view.now, first, "%H:%M:%S" if len(zones) <= 1 else "%H:%M:%S %Z")
    oldest = None
    if view.outbox_oldest is not None:
        oldest = say(rules.span_phrase(rules.Span(int((view.now - view.outbox_oldest).total_seconds() // 60), True)))
    return {
        "_": gettext,
        "lang": lang,
        "view": view,
        "desks": desks,
        "desk": desk,
        "states": OPEN_STATES,
        "queue": Queue,
        "link": lambda queue, desk=None, **f: _queue_link(queue, view, desk, **f),
        "span": span,
        "rung": lambda key: say(rules.rung_phrase(key)) if key else "",
        "local": local,
        "label": label,
        "total": total,
        "updated": updated,
        "oldest": oldest,
        "watch_days": rules.STATUTORY_WATCH_DAYS,
        "citation": rules.STATUTORY_CITATION,
        "poll": POLL,
        "poll_url": "/app/dashboard/now?" + urlencode({**({"desk": desk} if desk else {}), "seen": seen}),
    }


class DashboardPages(Controller):
    path = "/app/dashboard"
    include_in_schema = False
    dependencies = {"principal": Provide(page_principal)}
    exception_handlers = {NotAuthorizedException: _refused, Forbidden: _refused, NotFound: _refused}
    cache_control = CacheControlHeader(no_store=True)

    @get("/")
    async def page(
        self,
        request: Request[Any, Any, Any],
        dashboard: NamedDependency[Dashboard],
        desks: NamedDependency[Mapping[str, Desk]],
        principal: PrincipalDep,
        now: NamedDependency[datetime],
    ) -> Template:
        """The dashboard of the desks the caller manages (`?desk=slug`: one of them)."""
        desk = request.query_params.get("desk") or None
        view = await dashboard.now(principal, desk, now)
        month = request.query_params.get("month") or None
        context = _context(request, view, desks, desk) | {
            "principal": principal,
            "managed": dashboard.desks(principal, None),
            # "How we did" per desk shown, fetched after the page (web/sla_pages.py HowWeDidFragment).
            "how": {"desks": list(view.desks), "month": str(Month.parse(month)) if month else None},
        }
        return Template("dashboard.html", context=context)

    @get("/now")
    async def now_section(
        self,
        request: Request[Any, Any, Any],
        dashboard: NamedDependency[Dashboard],
        desks: NamedDependency[Mapping[str, Desk]],
        principal: PrincipalDep,
        now: NamedDependency[datetime],
    ) -> Response[Any]:
        """The "now" section alone, for htmx's poll: 204 when the figures are those it showed (`seen`)."""
        desk = request.query_params.get("desk") or None
        view = await dashboard.now(principal, desk, now)
        if request.query_params.get("seen") == digest(view):
            return Response(b"", status_code=204)
        context = _context(request, view, desks, desk) | {"principal": principal, "oob": True}
        return Template("_dashboard_now.html", context=context)


__all__ = ["DashboardPages", "digest"]
