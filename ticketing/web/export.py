"""GET /app/export.csv: the queue page's list (same queue and filters), every ticket of it, as a CSV
ticket register for the managers and admins of its desks (services/export.py says which columns and
why no requester data; docs/export.md).

Excel-friendly: UTF-8 with a BOM first (Excel reads the desk names as Japanese only then), the csv
module's excel dialect (CRLF rows, quotes where needed), a header row, instants in ISO 8601 with the
desk's UTC offset (2026-11-02T09:30:00+09:00), an empty cell for none. Streamed: the header goes out
at once, then each keyset chunk as it is read and encoded; the file is never whole in memory.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator, Iterable, Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotAuthorizedException
from litestar.response import Stream, Template

from ticketing.domain.desks import Desk
from ticketing.domain.errors import Forbidden, ValidationFailed
from ticketing.domain.queues import Queue, Risk
from ticketing.services.export import ONLY_MANAGERS, ExportRow, TicketExport, TicketList
from ticketing.web.auth import page_principal, to_login
from ticketing.web.case_view import staff_language
from ticketing.web.contact import error_page
from ticketing.web.deps import PrincipalDep
from ticketing.web.i18n import translations
from ticketing.web.refusals import refusal_task
from ticketing.web.workspace import parse_filters

CSV_MEDIA_TYPE = "text/csv"  # Litestar adds "; charset=utf-8" to a text type
BOM = "\ufeff"
HEADER = (
    "reference",
    "desk",
    "desk_name",
    "category",
    "channel",
    "state",
    "received_at",
    "first_responded_at",
    "closed_at",
    "first_response_due_at",
    "resolution_due_at",
    "statutory_due_at",
    "risk",
    "assignee",
)
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection"); the
# free-text cells (a staff e-mail, a desk's name from the desks file) get a leading apostrophe then.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
RISK_WORDS = {risk: risk.name.lower() for risk in Risk}  # none | warned | breached
BAD_FILTER = "This export cannot be made: %(fields)s not valid. Go back to the queue and choose the filters again."


def parse_queue(value: str | None) -> Queue:
    """The queue of an export link: none is All open (as on /app); an unknown one is a 400 here, since
    the export is a file, not a page to be missing."""
    if not value:
        return Queue.OPEN
    if value not in {q.value for q in Queue}:
        raise ValidationFailed({"queue": "not a known value"})
    return Queue(value)


def _at(value: datetime | None, zone: tzinfo) -> str:
    """ISO 8601 to the second with the desk's UTC offset; "" for none."""
    return "" if value is None else value.astimezone(zone).isoformat(timespec="seconds")


def _text(value: str | None) -> str:
    if not value:
        return ""
    return "'" + value if value.startswith(FORMULA_START) else value


class CsvEncoder:
    """Rows of the register as CSV bytes, chunk by chunk (one buffer, reused)."""

    def __init__(self, desks: Mapping[str, Desk]) -> None:
        self.zones: dict[str, tzinfo] = {slug: ZoneInfo(d.timezone) for slug, d in desks.items()}
        self.names = {slug: _text(d.name) for slug, d in desks.items()}
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, dialect="excel")

    def _take(self) -> bytes:
        out = self.buffer.getvalue().encode("utf-8")
        self.buffer.seek(0)
        self.buffer.truncate()
        return out

    def header(self) -> bytes:
        self.buffer.write(BOM)
        self.writer.writerow(HEADER)
        return self._take()

    def rows(self, rows: Iterable[ExportRow]) -> bytes:
        zones, names, write = self.zones, self.names, self.writer.writerow
        for r in rows:
            zone = zones.get(r.desk, UTC)
            write(
                (
                    r.reference,
                    r.desk,
                    names.get(r.desk, ""),
                    r.category,
                    r.channel,
                    r.state,
                    _at(r.received_at, zone),
                    _at(r.first_responded_at, zone),
                    _at(r.closed_at, zone),
                    _at(r.first_response_due_at, zone),
                    _at(r.resolution_due_at, zone),
                    _at(r.statutory_due_at, zone),
                    RISK_WORDS[r.risk],
                    _text(r.assignee_email),
                )
            )
        return self._take()


async def csv_body(export: TicketExport, ticket_list: TicketList, encoder: CsvEncoder) -> AsyncIterator[bytes]:
    """The file: the BOM and header at once, then one piece per chunk read."""
    yield encoder.header()
    async for chunk in export.chunks(ticket_list):
        # Encoding a chunk is tens of milliseconds of CPU: in a worker thread, the event loop keeps
        # answering other requests meanwhile (bench/export.py measures how long they wait).
        yield await asyncio.to_thread(encoder.rows, chunk)


def filename(ticket_list: TicketList, desks: Mapping[str, Desk]) -> str:
    """tickets-<queue>-<YYYYMMDD>.csv, the date in the (first) exported desk's zone."""
    first = desks.get(ticket_list.desks[0]) if ticket_list.desks else None
    zone = ZoneInfo(first.timezone) if first is not None else UTC
    return f"tickets-{ticket_list.queue.value}-{ticket_list.now.astimezone(zone):%Y%m%d}.csv"


def _forbidden(request: Request[Any, Any, Any], exc: Exception) -> Template:
    """An agent (or a manager asking for a desk where they are an agent): 403, said plainly, and logged
    as a refused request like any other refusal of the staff pages."""
    page = error_page(request, 403, ONLY_MANAGERS, languages=(staff_language(request),), back="/app")
    page.background = refusal_task(request, 403)
    return page


def _bad_filter(request: Request[Any, Any, Any], exc: Exception) -> Template:
    lang = staff_language(request)
    fields = ", ".join(sorted(exc.errors)) if isinstance(exc, ValidationFailed) else "a filter"
    message = translations(lang).gettext(BAD_FILTER) % {"fields": fields}
    return error_page(request, 400, message, languages=(lang,), back="/app")


class ExportPages(Controller):
    path = "/app"
    include_in_schema = False
    dependencies = {"principal": Provide(page_principal)}
    exception_handlers = {NotAuthorizedException: to_login, Forbidden: _forbidden, ValidationFailed: _bad_filter}
    cache_control = CacheControlHeader(no_store=True)  # a register of the desk's tickets: never cached

    @get("/export.csv")
    async def export_csv(
        self,
        request: Request[Any, Any, Any],
        ticket_export: NamedDependency[TicketExport],
        desks: NamedDependency[Mapping[str, Desk]],
        principal: PrincipalDep,
        now: NamedDependency[datetime],
    ) -> Stream:
        """Every ticket of `/app?queue=...&desk=...&category=...&channel=...&state=...&assignee=...` as
        CSV. 403 for someone who manages none of the desks asked for; 400 for a filter that is not known."""
        params = request.query_params
        queue = parse_queue(params.get("queue"))
        ticket_list = await ticket_export.begin(principal, queue, parse_filters(params), now)
        return Stream(
            csv_body(ticket_export, ticket_list, CsvEncoder(desks)),
            media_type=CSV_MEDIA_TYPE,
            headers={
                "Content-Disposition": f'attachment; filename="{filename(ticket_list, desks)}"',
                "X-Content-Type-Options": "nosniff",
            },
        )


__all__ = ["HEADER", "CsvEncoder", "ExportPages", "csv_body", "parse_queue"]
