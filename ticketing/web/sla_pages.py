""" "How we did": the monthly SLA report as pages. A section of the managers' dashboard (the desk and
month chosen there) and a printable page of its own, `/app/desks/{slug}/reports/sla?month=YYYY-MM`,
in Japanese or English (`lang=ja|en` prints the other language than the one the manager reads in).

The figures are those of `GET /api/v1/desks/{slug}/reports/sla` (domain/sla_report.py), with the
compliance trend of the 12 months up to the month shown; each chart has its table beside it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotAuthorizedException
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from ticketing.domain.errors import ValidationFailed
from ticketing.domain.sla import ClockKind
from ticketing.domain.sla_report import ALL, TIMED_KINDS, Cause, Month, MonthReport, Outcome
from ticketing.domain.staff import MANAGER_ROLES
from ticketing.domain.tickets import Category
from ticketing.services.ports import Principal
from ticketing.services.sla_reports import SlaReports, TrendPoint
from ticketing.web.auth import page_principal, to_login
from ticketing.web.case_view import staff_language
from ticketing.web.charts import Chart, counts_bar, percent_trend
from ticketing.web.deps import PrincipalDep
from ticketing.web.i18n import translations

CAUSE_WORDS = {
    Cause.REOPENED: "Reopened after it was settled",
    Cause.WAITING_ON_US: "Waiting on us after the requester replied",
    Cause.NEVER_ANSWERED: "Never answered",
    Cause.ANSWERED_LATE: "Answered late",
}
CAUSE_SHORT = {  # the chart's axis (the table beside it has the words above)
    Cause.REOPENED: "cause:reopened",
    Cause.WAITING_ON_US: "cause:waiting_on_us",
    Cause.NEVER_ANSWERED: "cause:never_answered",
    Cause.ANSWERED_LATE: "cause:answered_late",
}
TREND_KINDS = ("first_response", "resolution", "statutory")


@dataclass(frozen=True, slots=True)
class HowWeDid:
    """What the templates `_dashboard_how.html` and `sla_report.html` show."""

    desk: str
    desk_name: str
    month: str
    previous: str
    following: str | None  # None: the month shown is the current one
    report: MonthReport
    trend: list[TrendPoint]
    compliance_chart: Chart
    causes_chart: Chart
    timed_kinds: tuple[str, ...]
    trend_kinds: tuple[str, ...]
    causes: dict[str, str]  # cause code -> words (translated)
    generated_at: str  # in the desk's zone


def manager_desks(principal: Principal) -> list[str]:
    return sorted(d for d, role in principal.roles.items() if role in MANAGER_ROLES)


async def how_we_did(
    sla_reports: SlaReports, principal: Principal, desk: str, month: Month | None, gettext: Callable[[str], str]
) -> HowWeDid:
    """The section's figures for `desk` and `month` (default: the current month in the desk's zone)."""
    sla_reports.desk_for(principal, desk)  # NotFound or Forbidden before anything is read
    current = sla_reports.current_month(desk)
    shown = month or current
    report = await sla_reports.month(principal, desk, shown)
    trend = await sla_reports.trend(principal, desk, shown)
    labels = [str(p.month) for p in trend]
    compliance = percent_trend(
        gettext("SLA compliance by month"),
        labels,
        {
            gettext(f"clock:{k}"): [p.by_kind[k].compliance if k in p.by_kind else None for p in trend]
            for k in TREND_KINDS
        },
    )
    causes = {c.value: gettext(CAUSE_WORDS[c]) for c in Cause}
    bars = counts_bar(
        gettext("Breaches by cause"),
        [gettext(CAUSE_SHORT[c]) for c in Cause],
        {gettext(f"clock:{k}"): [report.breach_causes.get(k, {}).get(c, 0) for c in causes] for k in report.by_kind},
    )
    zone = ZoneInfo(report.timezone)
    return HowWeDid(
        desk=report.desk,
        desk_name=report.desk_name,
        month=str(shown),
        previous=str(shown.shift(-1)),
        following=None if shown >= current else str(shown.shift(1)),
        report=report,
        trend=trend,
        compliance_chart=compliance,
        causes_chart=bars,
        timed_kinds=tuple(k.value for k in TIMED_KINDS),
        trend_kinds=TREND_KINDS,
        causes=causes,
        generated_at=_local(report.generated_at, zone),
    )


def _local(at: datetime, zone: ZoneInfo) -> str:
    return at.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def percent(value: float | None) -> str:
    """0..1 as a percentage with one decimal; an en dash for none (nothing met or breached yet)."""
    return "–" if value is None else f"{value * 100:.1f} %"


def hours(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


class SlaReportPage(Controller):
    path = "/app/desks/{slug:str}/reports/sla"
    include_in_schema = False
    dependencies = {"principal": Provide(page_principal)}
    exception_handlers = {NotAuthorizedException: to_login}
    cache_control = CacheControlHeader(no_store=True)

    @get("/")
    async def printable(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        sla_reports: NamedDependency[SlaReports],
        principal: PrincipalDep,
        month: FromQuery[str | None] = None,
        lang: FromQuery[str | None] = None,
    ) -> Template:
        """The monthly report to print or save as PDF (the browser's print), in the language asked."""
        language = lang if lang in ("ja", "en") else staff_language(request)
        gettext = translations(language).gettext
        shown = Month.parse(month) if month else None
        how = await how_we_did(sla_reports, principal, slug, shown, gettext)
        context = {"_": gettext, "lang": language, "principal": principal, "how": how, "percent": percent,
                   "hours": hours, "printable": True}  # fmt: skip
        context["drill"] = drill_link(how.desk, how.month)
        return Template("sla_report.html", context=context)

    @get("/clocks")
    async def clocks(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        sla_reports: NamedDependency[SlaReports],
        principal: PrincipalDep,
        month: FromQuery[str],
        kind: FromQuery[str | None] = None,
        category: FromQuery[str | None] = None,
        outcome: FromQuery[str | None] = None,
        cause: FromQuery[str | None] = None,
    ) -> Template:
        """The clocks behind one figure of the report: each a link to its ticket's page."""
        language = staff_language(request)
        gettext = translations(language).gettext
        shown = Month.parse(month)
        rows = await sla_reports.clocks(
            principal,
            slug,
            shown,
            kind=_choice(kind, ClockKind, "kind"),
            category=_choice(category, Category, "category"),
            result=_choice(outcome, Outcome, "outcome"),
            why=_choice(cause, Cause, "cause"),
        )
        zone = ZoneInfo(sla_reports.desks[slug].timezone)
        context = {
            "_": gettext,
            "lang": language,
            "principal": principal,
            "desk": sla_reports.desks[slug],
            "month": str(shown),
            "rows": rows,
            "filters": {"kind": kind, "category": category, "outcome": outcome, "cause": cause},
            "causes": {c.value: gettext(CAUSE_WORDS[c]) for c in Cause},
            "local": lambda at: "—" if at is None else _local(at, zone),
            "hours": lambda minutes: hours(None if minutes is None else round(minutes / 60, 2)),
        }
        return Template("sla_clocks.html", context=context)


def drill_link(desk: str, month: str) -> Callable[..., str]:
    """The link of a figure to the clocks behind it (`SlaReportPage.clocks`)."""

    def link(kind: str, category: str | None = None, outcome: str | None = None, cause: str | None = None) -> str:
        params = {"month": month, "kind": kind, "category": category, "outcome": outcome, "cause": cause}
        query = "&".join(f"{k}={v}" for k, v in params.items() if v and v != ALL)
        return f"/app/desks/{desk}/reports/sla/clocks?{query}"

    return link


def _choice(value: str | None, vocabulary: type[StrEnum], name: str) -> Any:
    if not value:
        return None
    try:
        return vocabulary(value)
    except ValueError:
        raise ValidationFailed({name: f"use one of {', '.join(v.value for v in vocabulary)}"}) from None


class HowWeDidFragment(Controller):
    """The dashboard's "How we did" section of one desk, fetched by htmx after the page loaded."""

    path = "/app/dashboard/how"
    include_in_schema = False
    dependencies = {"principal": Provide(page_principal)}
    exception_handlers = {NotAuthorizedException: to_login}
    cache_control = CacheControlHeader(no_store=True)

    @get("/")
    async def fragment(
        self,
        request: Request[Any, Any, Any],
        sla_reports: NamedDependency[SlaReports],
        principal: PrincipalDep,
        desk: FromQuery[str],
        month: FromQuery[str | None] = None,
    ) -> Template:
        language = staff_language(request)
        gettext = translations(language).gettext
        how = await how_we_did(sla_reports, principal, desk, Month.parse(month) if month else None, gettext)
        context = {"_": gettext, "lang": language, "how": how, "percent": percent, "hours": hours,
                   "printable": False, "drill": drill_link(how.desk, how.month)}  # fmt: skip
        return Template("_sla_month.html", context=context)


__all__ = ["HowWeDid", "HowWeDidFragment", "SlaReportPage", "hours", "how_we_did", "manager_desks", "percent"]
