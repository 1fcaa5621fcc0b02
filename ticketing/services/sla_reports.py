"""The monthly SLA report and the 12-month compliance trend of a desk (domain/sla_report.py says what
they count and how): for the desk's managers and admins, on the dashboard, the report API and the
printable page.

The trend of the months already over is kept in memory for `TREND_TTL` (ten minutes): a clock due
last month can still change (a late stop, a sweep), but a dashboard polled every few seconds need
not count a year of clocks each time. The current month is always counted afresh.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from ticketing.domain.desks import Desk
from ticketing.domain.errors import Forbidden, NotFound
from ticketing.domain.sla import Pause
from ticketing.domain.sla_report import (
    ClockFact,
    Month,
    MonthReport,
    Tally,
    month_period,
    month_report,
    trend_months,
)
from ticketing.domain.staff import MANAGER_ROLES
from ticketing.services.calendars import CalendarService
from ticketing.services.ports import Clock, Principal

TREND_TTL = timedelta(minutes=10)


class SlaReportStore(Protocol):
    async def month_facts(
        self, desk: str, start: datetime, end: datetime
    ) -> tuple[list[ClockFact], dict[int, list[Pause]]]:
        """The desk's clocks due in [start, end) (or stopped then, when paused with no due instant),
        and the pauses of their tickets (no personal data)."""
        ...

    async def trend(self, desk: str, boundaries: Sequence[datetime], now: datetime) -> list[dict[str, Tally]]:
        """Per month between consecutive boundaries: clock kind -> met, breached and open."""
        ...


@dataclass(frozen=True, slots=True)
class TrendPoint:
    month: Month
    by_kind: dict[str, Tally]


class SlaReports:
    def __init__(
        self, *, desks: Mapping[str, Desk], calendars: CalendarService, store: SlaReportStore, clock: Clock
    ) -> None:
        self.desks = desks
        self.calendars = calendars
        self.store = store
        self.clock = clock
        self._past: dict[tuple[str, Month], tuple[datetime, list[dict[str, Tally]]]] = {}

    def desk_for(self, principal: Principal, desk_slug: str) -> Desk:
        """NotFound for an unknown desk or one the caller is not a member of (they may not learn that
        it exists); Forbidden for a member who is no manager or admin there."""
        desk = self.desks.get(desk_slug)
        if desk is None or desk_slug not in principal.desks:
            raise NotFound("desk", desk_slug)
        if principal.roles[desk_slug] not in MANAGER_ROLES:
            raise Forbidden("only managers and admins of the desk read its SLA report")
        return desk

    def current_month(self, desk_slug: str) -> Month:
        return Month.of(self.clock.now(), self.desks[desk_slug].timezone)

    async def month(self, principal: Principal, desk_slug: str, month: Month) -> MonthReport:
        """The desk's report of `month` in its own zone, as of now; ValidationFailed for a month not
        yet begun or before the APPI records began."""
        desk = self.desk_for(principal, desk_slug)
        now = self.clock.now()
        period = month_period(month, desk.timezone, now)
        facts, pauses = await self.store.month_facts(desk.slug, *period)
        return month_report(
            desk=desk.slug,
            desk_name=desk.name,
            timezone=desk.timezone,
            month=month,
            period=period,
            facts=facts,
            pauses=pauses,
            calendar=self.calendars.calendar(desk.slug),
            now=now,
        )

    async def trend(self, principal: Principal, desk_slug: str, last: Month) -> list[TrendPoint]:
        """Met, breached and open per clock kind for the 12 months ending with `last`, oldest first."""
        desk = self.desk_for(principal, desk_slug)
        now = self.clock.now()
        month_period(last, desk.timezone, now)  # refuses a month not yet begun
        months = trend_months(last)
        current = Month.of(now, desk.timezone)
        past = [m for m in months if m < current]
        cached = self._past.get((desk.slug, last))
        if cached is not None and now - cached[0] < TREND_TTL and len(cached[1]) == len(past):
            counted = cached[1]
        else:
            counted = await self._count(desk, past, now) if past else []
            self._past[(desk.slug, last)] = (now, counted)
        if current in months:
            counted = [*counted, *(await self._count(desk, [current], now))]
        return [TrendPoint(m, figures) for m, figures in zip(months, counted, strict=True)]

    async def _count(self, desk: Desk, months: Sequence[Month], now: datetime) -> list[dict[str, Tally]]:
        boundaries = [m.start(desk.timezone) for m in months] + [months[-1].shift(1).start(desk.timezone)]
        return await self.store.trend(desk.slug, boundaries, now)


__all__ = ["TREND_TTL", "SlaReportStore", "SlaReports", "TrendPoint"]
