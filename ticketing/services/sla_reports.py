"""The monthly SLA report and the 12-month compliance trend of a desk (domain/sla_report.py says what
they count and how): for the desk's managers and admins, on the dashboard, the report API and the
printable page.

The trend of the months already over is kept in memory for `TREND_TTL` (ten minutes): a clock due
last month can still change (a late stop, a sweep), but a dashboard polled every few seconds need
not count a year of clocks each time. The current month is always counted afresh.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from ticketing.domain.clocks import ClockState, stop
from ticketing.domain.desks import Desk
from ticketing.domain.errors import Forbidden, NotFound
from ticketing.domain.sla import Pause
from ticketing.domain.sla_month_facts import ClockRow, clock_rows, times_of
from ticketing.domain.sla_report import (
    Cause,
    ClockFact,
    Month,
    MonthReport,
    Outcome,
    OutcomeCount,
    Tally,
    month_period,
    month_report,
    times_of_minutes,
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

    async def stopped_without_use(self, after: int, limit: int) -> list[tuple[str, ClockState, list[Pause]]]:
        """Stopped clocks with no stored use, id > after in id order: (desk, clock, its ticket's pauses)."""
        ...

    async def store_use(self, used: Sequence[tuple[int, int]]) -> None: ...

    async def month_figures(
        self, desk: str, start: datetime, end: datetime, now: datetime
    ) -> tuple[list[OutcomeCount], list[tuple[str, str, int, int]], int]:
        """Outcomes grouped by kind, category, outcome and cause; the stopped timed clocks by whole
        business minutes used (kind, category, minutes, how many); how many such clocks stored none."""
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
        yet begun or before the APPI records began.

        The database groups the outcomes and picks the percentiles from the use each clock stored when
        it stopped; while some stopped clocks of the month have none (stopped before it was kept, until
        `ticketing sla fill-used`), the times are worked out clock by clock instead.
        """
        desk = self.desk_for(principal, desk_slug)
        now = self.clock.now()
        period = month_period(month, desk.timezone, now)
        counts, uses, missing = await self.store.month_figures(desk.slug, *period, now)
        if missing:
            facts, pauses = await self.store.month_facts(desk.slug, *period)
            timed = times_of(facts, pauses, self.calendars.calendar(desk.slug))
        else:
            timed = times_of_minutes(uses)
        return month_report(
            desk=desk.slug,
            desk_name=desk.name,
            timezone=desk.timezone,
            month=month,
            period=period,
            now=now,
            counts=counts,
            timed=timed,
        )

    async def clocks(
        self,
        principal: Principal,
        desk_slug: str,
        month: Month,
        *,
        kind: str | None = None,
        category: str | None = None,
        result: Outcome | None = None,
        why: Cause | None = None,
    ) -> list[ClockRow]:
        """The clocks behind one figure of the month's report, earliest due first (references, categories
        and instants: no personal data)."""
        desk = self.desk_for(principal, desk_slug)
        now = self.clock.now()
        facts, pauses = await self.store.month_facts(desk.slug, *month_period(month, desk.timezone, now))
        calendar = self.calendars.calendar(desk.slug)
        return clock_rows(facts, pauses, calendar, now, kind=kind, category=category, result=result, why=why)

    async def fill_used(self, batch: int = 2000) -> int:
        """Store the time used by clocks stopped before it was kept (`ticketing sla fill-used`): worked
        out as the stop works it out now (domain/clocks.py stop). Returns how many were filled."""
        after, filled = 0, 0
        while True:
            rows = await self.store.stopped_without_use(after, batch)
            if not rows:
                return filled
            used = []
            for desk, clock, pauses in rows:
                calendar = self.calendars.calendar(desk) if desk in self.desks else None
                again = stop(replace(clock, stopped_at=None), clock.stopped_at or self.clock.now(), calendar, pauses)
                if again.used_us is not None and clock.id is not None:
                    used.append((clock.id, again.used_us))
            await self.store.store_use(used)
            filled += len(used)
            after = max(c.id or 0 for _, c, _ in rows)

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
