"""JSON and CSV API of the annual records report of a desk (domain/reports.py: what it counts, how)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import msgspec
from litestar import Controller, Response, get
from litestar.di import NamedDependency, Provide
from litestar.exceptions import PermissionDeniedException
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Operation, Schema
from litestar.params import FromPath, QueryParameter

from ticketing.domain.reports import FIRST_YEAR, METHOD, OVERALL, AnnualReport, RequestFigures, ResponseTimes
from ticketing.services.reports import Reports
from ticketing.web.auth import api_principal
from ticketing.web.deps import PrincipalDep
from ticketing.web.openapi import READ

CSV_MEDIA_TYPE = "text/csv"  # Litestar adds "; charset=utf-8" to a text type
CSV_HEADER = ("desk", "year", "section", "item", "measure", "value")
BOM = "\ufeff"  # Excel reads a UTF-8 CSV as UTF-8 (and its Japanese as Japanese) only after a BOM


class ReportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"


Year = Annotated[
    int, QueryParameter(description=f"the calendar year in the desk's time zone, {FIRST_YEAR} to the current one")
]
Format = Annotated[
    ReportFormat,
    QueryParameter(description="json, or csv: UTF-8 with a BOM, one figure a row, as a download"),
]


class TicketsOut(msgspec.Struct):
    total: int
    by_category: dict[str, int]
    by_channel: dict[str, int]
    by_state: dict[str, int]  # the state each ticket is in now
    outcome_by_category: dict[str, dict[str, int]]  # category -> state -> count (the states that occur)


class RequestTypeOut(msgspec.Struct):
    total: int
    by_result: dict[str, int]  # the results that occur
    open: int  # no result yet

    @classmethod
    def of(cls, r: RequestFigures) -> RequestTypeOut:
        return cls(r.total, dict(r.by_result), r.open)


class RequestsOut(msgspec.Struct):
    total: int
    by_type: dict[str, RequestTypeOut]


class ResponseTimeOut(msgspec.Struct):
    count: int  # tickets with a first response
    unanswered: int  # tickets without one yet
    median_business_days: float | None  # null: no ticket answered
    p90_business_days: float | None
    median_business_minutes: int | None
    p90_business_minutes: int | None

    @classmethod
    def of(cls, t: ResponseTimes) -> ResponseTimeOut:
        return cls(
            t.count,
            t.unanswered,
            t.median_business_days,
            t.p90_business_days,
            t.median_business_minutes,
            t.p90_business_minutes,
        )


class TimeToRespondOut(msgspec.Struct):
    method: str  # the percentile method: nearest-rank
    business_day_minutes: int  # the desk's standard business day
    overall: ResponseTimeOut
    by_category: dict[str, ResponseTimeOut]


class AccreditedOrgOut(msgspec.Struct):
    organisation: str | None  # the desk's accredited organisation (JUAS for rext-cs), null: none
    informed: int  # requesters told of the organisation
    inquiries: int  # its inquiries (APPI Art. 53)
    inquiries_answered: int


class IncidentsOut(msgspec.Struct):
    total: int
    open: int


class AnnualReportOut(msgspec.Struct):
    """The annual records report; every key of a vocabulary is listed, with 0 where nothing occurred,
    except `by_result` and `outcome_by_category`, which list what occurred."""

    desk: str
    desk_name: str
    year: int
    timezone: str
    period_start: datetime  # 1 January 00:00 in the desk's zone
    period_end: datetime  # the next 1 January 00:00 (excluded)
    generated_at: datetime  # states, results and answers are as of this instant
    tickets: TicketsOut
    requests: RequestsOut
    time_to_respond: TimeToRespondOut
    accredited_org: AccreditedOrgOut
    incidents: IncidentsOut

    @classmethod
    def of(cls, r: AnnualReport) -> AnnualReportOut:
        zone = ZoneInfo(r.timezone)
        t = r.tickets
        by_type = {k: RequestTypeOut.of(v) for k, v in r.requests.items()}
        times = {k: ResponseTimeOut.of(v) for k, v in r.time_to_respond.items() if k != OVERALL}
        return cls(
            r.desk,
            r.desk_name,
            r.year,
            r.timezone,
            r.period_start.astimezone(zone),
            r.period_end.astimezone(zone),
            r.generated_at.astimezone(zone),
            TicketsOut(t.total, t.by_category, t.by_channel, t.by_state, t.outcome_by_category),
            RequestsOut(sum(v.total for v in by_type.values()), by_type),
            TimeToRespondOut(METHOD, r.business_day_minutes, ResponseTimeOut.of(r.time_to_respond[OVERALL]), times),
            AccreditedOrgOut(r.organisation, **r.accredited_org),
            IncidentsOut(**r.incidents),
        )


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def csv_rows(r: AnnualReportOut) -> list[tuple[str, str, str, object]]:
    """The JSON report as (section, item, measure, value) rows, in the JSON's order."""
    rows: list[tuple[str, str, str, object]] = [
        ("report", "desk_name", "", r.desk_name),
        ("report", "timezone", "", r.timezone),
        ("report", "period_start", "", r.period_start),
        ("report", "period_end", "", r.period_end),
        ("report", "generated_at", "", r.generated_at),
        ("tickets", "total", "count", r.tickets.total),
    ]
    for section in ("by_category", "by_channel", "by_state"):
        counts: dict[str, int] = getattr(r.tickets, section)
        rows += [(f"tickets.{section}", key, "count", n) for key, n in counts.items()]
    for category, states in r.tickets.outcome_by_category.items():
        rows += [("tickets.outcome_by_category", category, state, n) for state, n in states.items()]
    rows.append(("requests", "total", "count", r.requests.total))
    for type_, figures in r.requests.by_type.items():
        rows += [("requests.by_type", type_, "total", figures.total), ("requests.by_type", type_, "open", figures.open)]
        rows += [("requests.by_result", type_, result, n) for result, n in figures.by_result.items()]
    ttr = r.time_to_respond
    rows += [
        ("time_to_respond", "method", "", ttr.method),
        ("time_to_respond", "business_day_minutes", "", ttr.business_day_minutes),
    ]
    for category, times in [*ttr.by_category.items(), (OVERALL, ttr.overall)]:
        rows += [("time_to_respond", category, field, getattr(times, field)) for field in times.__struct_fields__]
    org = r.accredited_org
    rows.append(("accredited_org", "organisation", "", org.organisation))
    rows += [
        ("accredited_org", field, "count", getattr(org, field))
        for field in ("informed", "inquiries", "inquiries_answered")
    ]
    rows += [("incidents", "total", "count", r.incidents.total), ("incidents", "open", "count", r.incidents.open)]
    return rows


def csv_file(r: AnnualReportOut) -> bytes:
    """UTF-8 with a BOM, CRLF line ends (the csv module's Excel dialect), one header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for section, item, measure, value in csv_rows(r):
        writer.writerow((r.desk, r.year, section, item, measure, _cell(value)))
    return (BOM + buffer.getvalue()).encode("utf-8")


def _csv_response(r: AnnualReportOut) -> Response[Any]:
    return Response(
        csv_file(r),
        media_type=CSV_MEDIA_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{r.desk}-annual-report-{r.year}.csv"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@dataclass
class WithCsv(Operation):
    """The operation's 200 answer in both forms: JSON, and the CSV download of `?format=csv`."""

    def __post_init__(self) -> None:
        ok = (self.responses or {}).get("200")
        if isinstance(ok, OpenAPIResponse) and ok.content is not None:
            ok.content["text/csv"] = OpenAPIMediaType(
                schema=Schema(type=OpenAPIType.STRING, description="; ".join(CSV_HEADER) + ", one figure a row")
            )


class ReportsApi(Controller):
    path = "/api/v1/desks/{slug:str}/reports"
    tags = ["reports"]
    dependencies = {"principal": Provide(api_principal)}

    @get(
        "/annual",
        summary="The desk's annual records report (managers and admins of the desk)",
        raises=[*READ, PermissionDeniedException],
        operation_class=WithCsv,
    )
    async def annual(
        self,
        slug: FromPath[str],
        year: Year,
        reports: NamedDependency[Reports],
        principal: PrincipalDep,
        format: Format = ReportFormat.JSON,  # the query's name (an error names it); no builtin is needed here
    ) -> Response[AnnualReportOut]:
        """Counts of the desk's tickets received in `year` (its own time zone) by category, channel and
        state; statutory requests by type and result; time to first response per category in business
        days (median and 90th percentile, nearest rank; a business day is the desk's standard opening
        day, `business_day_minutes`); the accredited organisation's records; incidents. No personal data.
        States, results and answers are as of `generated_at`. JSON (`AnnualReportOut`):

            {"desk", "desk_name", "year", "timezone", "period_start", "period_end", "generated_at",
             "tickets": {"total", "by_category": {category: n}, "by_channel": {channel: n},
                         "by_state": {state: n}, "outcome_by_category": {category: {state: n}}},
             "requests": {"total", "by_type": {type: {"total", "by_result": {result: n}, "open"}}},
             "time_to_respond": {"method": "nearest-rank", "business_day_minutes", "overall": T,
                                 "by_category": {category: T}},
             "accredited_org": {"organisation", "informed", "inquiries", "inquiries_answered"},
             "incidents": {"total", "open"}}
            T = {"count", "unanswered", "median_business_days", "p90_business_days",
                 "median_business_minutes", "p90_business_minutes"}  (null medians: nothing answered)

        `format=csv`: the same figures, one a row under the header `desk, year, section, item, measure,
        value` (e.g. `relia,2026,tickets.by_category,complaint,count,3`), UTF-8 with a BOM for Excel, as
        an attachment. 404 for a desk you are not a member of; 403 for a member who is no manager or
        admin there; 400 for a year before 2005 or not yet begun.
        """
        report = AnnualReportOut.of(await reports.annual(principal, slug, year))
        if format is ReportFormat.CSV:
            return _csv_response(report)
        return Response(report)


__all__ = ["AnnualReportOut", "ReportFormat", "ReportsApi", "csv_file", "csv_rows"]
