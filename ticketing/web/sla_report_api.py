"""JSON and CSV API of the monthly SLA report of a desk (domain/sla_report.py: what it counts, how)."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import msgspec
from litestar import Controller, Response, get
from litestar.di import NamedDependency, Provide
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath, QueryParameter

from ticketing.domain.reports import FIRST_YEAR
from ticketing.domain.sla_report import KindFigures, Month, MonthReport, Tally, Times
from ticketing.services.sla_reports import SlaReports
from ticketing.web.auth import api_principal
from ticketing.web.deps import PrincipalDep
from ticketing.web.openapi import READ
from ticketing.web.reports_api import BOM, CSV_MEDIA_TYPE, Format, ReportFormat, WithCsv

CSV_HEADER = ("desk", "month", "section", "kind", "item", "measure", "value")

MonthParam = Annotated[
    str, QueryParameter(description=f"YYYY-MM: a calendar month in the desk's time zone, {FIRST_YEAR}-01 to now")
]


class TallyOut(msgspec.Struct):
    met: int
    breached: int
    open: int
    compliance: float | None  # met / (met + breached), 0..1; null when none was met or breached yet

    @classmethod
    def of(cls, t: Tally) -> TallyOut:
        return cls(t.met, t.breached, t.open, t.compliance)


class KindOut(msgspec.Struct):
    met: int
    breached: int
    open: int
    compliance: float | None
    by_category: dict[str, TallyOut]  # every category, zeros included

    @classmethod
    def of(cls, k: KindFigures) -> KindOut:
        t = k.total
        return cls(t.met, t.breached, t.open, t.compliance, {c: TallyOut.of(v) for c, v in k.by_category.items()})


class TimesOut(msgspec.Struct):
    count: int  # stopped clocks measured
    median_business_minutes: int | None
    p90_business_minutes: int | None
    median_business_hours: float | None
    p90_business_hours: float | None

    @classmethod
    def of(cls, t: Times) -> TimesOut:
        return cls(
            t.count, t.median_business_minutes, t.p90_business_minutes, t.median_business_hours, t.p90_business_hours
        )


class SlaReportOut(msgspec.Struct):
    """The monthly SLA report: clocks due in the month by kind and category, business time used by
    first-response and resolution clocks, and why breaches happened. No personal data."""

    desk: str
    desk_name: str
    month: str  # YYYY-MM
    timezone: str
    period_start: datetime  # the 1st 00:00 in the desk's zone
    period_end: datetime  # the next month's 1st 00:00 (excluded)
    generated_at: datetime  # outcomes are as of this instant
    method: str  # the percentile method: nearest-rank
    by_kind: dict[str, KindOut]
    times: dict[str, dict[str, TimesOut]]  # first_response | resolution -> category | "all" -> figures
    breach_causes: dict[str, dict[str, int]]  # kind -> reopened | waiting_on_us | never_answered | answered_late

    @classmethod
    def of(cls, r: MonthReport) -> SlaReportOut:
        zone = ZoneInfo(r.timezone)
        return cls(
            r.desk,
            r.desk_name,
            str(r.month),
            r.timezone,
            r.period_start.astimezone(zone),
            r.period_end.astimezone(zone),
            r.generated_at.astimezone(zone),
            r.method,
            {k: KindOut.of(v) for k, v in r.by_kind.items()},
            {k: {c: TimesOut.of(t) for c, t in per.items()} for k, per in r.times.items()},
            {k: dict(v) for k, v in r.breach_causes.items()},
        )


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def csv_rows(r: SlaReportOut) -> list[tuple[str, str, str, str, object]]:
    """(section, kind, item, measure, value) rows in the JSON's order."""
    rows: list[tuple[str, str, str, str, object]] = [
        ("report", "", "desk_name", "", r.desk_name),
        ("report", "", "timezone", "", r.timezone),
        ("report", "", "period_start", "", r.period_start),
        ("report", "", "period_end", "", r.period_end),
        ("report", "", "generated_at", "", r.generated_at),
        ("report", "", "method", "", r.method),
    ]
    measures = ("met", "breached", "open", "compliance")
    for kind, figures in r.by_kind.items():
        rows += [("clocks", kind, "all", m, getattr(figures, m)) for m in measures]
        for category, t in figures.by_category.items():
            rows += [("clocks", kind, category, m, getattr(t, m)) for m in measures]
    for kind, per in r.times.items():
        for category, times in per.items():
            rows += [("times", kind, category, f, getattr(times, f)) for f in times.__struct_fields__]
    for kind, causes in r.breach_causes.items():
        rows += [("breach_causes", kind, cause, "count", n) for cause, n in causes.items()]
    return rows


def csv_file(r: SlaReportOut) -> bytes:
    """UTF-8 with a BOM, CRLF line ends (the csv module's Excel dialect), one header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for section, kind, item, measure, value in csv_rows(r):
        writer.writerow((r.desk, r.month, section, kind, item, measure, _cell(value)))
    return (BOM + buffer.getvalue()).encode("utf-8")


class SlaReportApi(Controller):
    path = "/api/v1/desks/{slug:str}/reports"
    tags = ["reports"]
    dependencies = {"principal": Provide(api_principal)}

    @get(
        "/sla",
        summary="The desk's monthly SLA report (managers and admins of the desk)",
        raises=[*READ, PermissionDeniedException],
        operation_class=WithCsv,
    )
    async def sla(
        self,
        slug: FromPath[str],
        month: MonthParam,
        sla_reports: NamedDependency[SlaReports],
        principal: PrincipalDep,
        format: Format = ReportFormat.JSON,  # the query's name (an error names it)
    ) -> Response[Any]:
        """The desk's clocks due in `month` (its own time zone; a clock stopped while paused counts in
        the month it stopped) per clock kind (`first_response`, `resolution`, `statutory`, and
        `accredited_org`, `partner_answer` or the incident kinds when they occur) and category: `met`,
        `breached`, `open` and `compliance` = met / (met + breached), 0..1 (null: none decided yet).
        `times`: business time used by the stopped first-response and resolution clocks, pauses taken
        out, median and 90th percentile (nearest rank) in business minutes and hours. `breach_causes`:
        each breached clock once, as `reopened`, `waiting_on_us` (the requester had answered),
        `never_answered` or `answered_late`. Outcomes are as of `generated_at`. JSON (`SlaReportOut`):

            {"desk", "desk_name", "month", "timezone", "period_start", "period_end", "generated_at",
             "method": "nearest-rank",
             "by_kind": {kind: {"met", "breached", "open", "compliance",
                                "by_category": {category: {"met", "breached", "open", "compliance"}}}},
             "times": {"first_response"|"resolution": {category|"all": {"count",
                       "median_business_minutes", "p90_business_minutes",
                       "median_business_hours", "p90_business_hours"}}},
             "breach_causes": {kind: {"reopened", "waiting_on_us", "never_answered", "answered_late"}}}

        `format=csv`: one figure a row under `desk, month, section, kind, item, measure, value`
        (e.g. `relia,2026-11,clocks,first_response,complaint,met,3`), UTF-8 with a BOM, as an
        attachment. 404 for a desk you are not a member of; 403 for a member who is no manager or admin
        there; 400 for a month not in YYYY-MM form, before 2005 or not yet begun.
        """
        report = SlaReportOut.of(await sla_reports.month(principal, slug, Month.parse(month)))
        if format is ReportFormat.CSV:
            return Response(
                csv_file(report),
                media_type=CSV_MEDIA_TYPE,
                headers={
                    "Content-Disposition": f'attachment; filename="{report.desk}-sla-report-{report.month}.csv"',
                    "X-Content-Type-Options": "nosniff",
                },
            )
        return Response(report)


__all__ = ["CSV_HEADER", "SlaReportApi", "SlaReportOut", "csv_file", "csv_rows"]
