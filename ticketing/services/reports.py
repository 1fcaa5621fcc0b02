"""The annual records report of a desk (domain/reports.py says what it counts and how): for the
desk's managers and admins, who send it to the accredited organisation and show it at P-mark and
ISMS audits."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from ticketing.domain.desks import Desk
from ticketing.domain.errors import Forbidden, NotFound
from ticketing.domain.reports import AnnualReport, YearFacts, annual_report, year_period
from ticketing.domain.staff import MANAGER_ROLES
from ticketing.services.calendars import CalendarService
from ticketing.services.ports import Clock, Principal


class ReportStore(Protocol):
    async def year_facts(self, desk: str, start: datetime, end: datetime) -> YearFacts:
        """The grouped rows of the desk's tickets received in [start, end) (no personal data)."""
        ...


class Reports:
    def __init__(
        self, *, desks: Mapping[str, Desk], calendars: CalendarService, store: ReportStore, clock: Clock
    ) -> None:
        self.desks = desks
        self.calendars = calendars
        self.store = store
        self.clock = clock

    async def annual(self, principal: Principal, desk_slug: str, year: int) -> AnnualReport:
        """The desk's report for the calendar year `year` in its own zone, as of now.

        NotFound for an unknown desk or one the caller is not a member of (they may not learn that it
        exists); Forbidden for a member who is no manager or admin there; ValidationFailed for a year
        before the APPI records began or not yet begun.
        """
        desk = self.desks.get(desk_slug)
        if desk is None or desk_slug not in principal.desks:
            raise NotFound("desk", desk_slug)
        if principal.roles[desk_slug] not in MANAGER_ROLES:
            raise Forbidden("only managers and admins of the desk read its annual report")
        now = self.clock.now()
        period = year_period(year, desk.timezone, now)
        facts = await self.store.year_facts(desk.slug, *period)
        return annual_report(desk, year, period, facts, self.calendars.calendar(desk.slug), now)


__all__ = ["ReportStore", "Reports"]
