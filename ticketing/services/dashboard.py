"""The manager's SLA dashboard, "now": what is open, what is about to miss or has missed a deadline,
the statutory and outside clocks, and what waits on a manager, over the desks the caller manages.

The dashboard reads no personal data: references, desks, categories, states, counts and times
only (no requester name, address, subject or message), so unlike the queues (services/workspace.py)
a look at it is not written to the access log.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from ticketing.domain import dashboard as rules
from ticketing.domain.errors import Forbidden, NotFound
from ticketing.domain.staff import MANAGER_ROLES, Role
from ticketing.services.calendars import CalendarService
from ticketing.services.ports import Principal

MANAGERS_ONLY = "The dashboard is for the managers of a desk. Ask your privacy manager if you need it."


@dataclass(frozen=True, slots=True)
class DeadlineRow:
    """An open ticket with its next deadline, its running clocks and the rungs fired on them."""

    id: int
    reference: str
    desk: str
    category: str
    next_due_at: datetime | None
    clocks: tuple[rules.RunningClock, ...] = ()
    rungs: tuple[rules.Rung, ...] = ()


@dataclass(frozen=True, slots=True)
class ClockRow:
    """One running clock of the statutory watch or of the outside clocks."""

    reference: str
    desk: str
    category: str
    kind: str
    unit: str
    due_at: datetime | None  # None while paused


@dataclass(frozen=True, slots=True)
class NowData:
    """What the store reads for one look at the dashboard (the lists hold one row more than shown)."""

    open_counts: Mapping[tuple[str, str], int]  # (desk, state) -> open tickets
    at_risk_counts: Mapping[str, int]  # desk -> open tickets with a warning fired, deadline ahead
    breached_counts: Mapping[str, int]  # desk -> open tickets past their next deadline
    at_risk: Sequence[DeadlineRow]
    breached: Sequence[DeadlineRow]
    statutory: Sequence[ClockRow]
    outside: Sequence[ClockRow]
    pending_approvals: int
    quarantined: int
    outbox_failing: int
    outbox_oldest: datetime | None


class DashboardStore(Protocol):
    async def now(
        self, desks: Sequence[str], now: datetime, horizon: datetime, kinds: Sequence[str], list_size: int, watch: int
    ) -> NowData:
        """One look: the open counts, the next `list_size` + 1 at-risk and breached tickets, the
        running statutory clocks due by `horizon` and the running clocks of `kinds` (`watch` + 1
        each), the decisions pending, quarantined mail and outbox mail failing to send."""
        ...


@dataclass(frozen=True, slots=True)
class Listed:
    """A row of the at-risk or breached list, worded by the page."""

    reference: str
    desk: str
    category: str
    due_at: datetime | None
    kind: str | None  # the clock whose deadline it is
    span: rules.Span | None
    rung: str | None  # the rung that fired last


@dataclass(frozen=True, slots=True)
class Watched:
    """A row of the statutory watch or of the outside clocks."""

    reference: str
    desk: str
    category: str
    kind: str
    due_at: datetime | None
    span: rules.Span | None  # None while paused


@dataclass(frozen=True, slots=True)
class NowView:
    desks: tuple[str, ...]  # the desks shown
    all_managed: bool  # every desk the caller belongs to is shown (a link without desk= means these)
    now: datetime
    open_counts: Mapping[tuple[str, str], int]
    at_risk_counts: Mapping[str, int]
    breached_counts: Mapping[str, int]
    at_risk: tuple[Listed, ...]
    breached: tuple[Listed, ...]
    statutory: tuple[Watched, ...]
    outside: tuple[Watched, ...]
    pending_approvals: int
    quarantined: int
    outbox_failing: int
    outbox_oldest: datetime | None
    more: frozenset[str] = field(default_factory=frozenset)  # lists cut short: at_risk, breached, ...


class Dashboard:
    def __init__(self, store: DashboardStore, calendars: CalendarService) -> None:
        self.store = store
        self.calendars = calendars

    @staticmethod
    def desks(principal: Principal, desk: str | None) -> tuple[str, ...]:
        """The desks the caller manages, or the one asked for: an agent is refused (403), a desk that
        is not one of theirs is not found (404), as elsewhere."""
        managed = sorted(d for d, role in principal.roles.items() if Role(role) in MANAGER_ROLES)
        if not managed:
            raise Forbidden(MANAGERS_ONLY)
        if desk is None:
            return tuple(managed)
        if desk not in managed:
            raise NotFound("desk", desk[:40])
        return (desk,)

    def _span(self, desk: str, due_at: datetime | None, unit: str, now: datetime) -> rules.Span | None:
        if due_at is None:
            return None
        calendar = self.calendars.calendar(desk)
        return rules.remaining(calendar, due_at, now, calendar_days=rules.unit_is_calendar_days(unit))

    def _listed(self, row: DeadlineRow, now: datetime) -> Listed:
        clock = rules.deadline_clock(row.clocks, row.next_due_at)
        due = clock.due_at if clock else None
        span = self._span(row.desk, due, clock.unit, now) if clock else None
        rung = rules.last_rung(row.rungs, (c.id for c in row.clocks))
        return Listed(row.reference, row.desk, row.category, due, clock.kind if clock else None, span, rung)

    def _watched(self, row: ClockRow, now: datetime) -> Watched:
        span = self._span(row.desk, row.due_at, row.unit, now)
        return Watched(row.reference, row.desk, row.category, row.kind, row.due_at, span)

    async def now(self, principal: Principal, desk: str | None, now: datetime) -> NowView:
        desks = self.desks(principal, desk)
        horizons = {d: rules.watch_horizon(now, self.calendars.calendar(d).zone) for d in desks}
        kinds = [k.value for k in rules.OUTSIDE_CLOCKS]
        data = await self.store.now(desks, now, max(horizons.values()), kinds, rules.LIST_SIZE, rules.WATCH_SIZE)
        at_risk, more_risk = rules.more(data.at_risk, rules.LIST_SIZE)
        breached, more_breached = rules.more(data.breached, rules.LIST_SIZE)
        watched = [r for r in data.statutory if r.due_at is not None and r.due_at <= horizons[r.desk]]
        statutory, more_statutory = rules.more(rules.by_due(watched), rules.WATCH_SIZE)
        outside, more_outside = rules.more(rules.by_due(data.outside), rules.WATCH_SIZE)
        cut = {"at_risk": more_risk, "breached": more_breached, "statutory": more_statutory, "outside": more_outside}
        return NowView(
            desks=desks,
            all_managed=set(desks) == set(principal.desks),
            now=now,
            open_counts=data.open_counts,
            at_risk_counts=data.at_risk_counts,
            breached_counts=data.breached_counts,
            at_risk=tuple(self._listed(r, now) for r in at_risk),
            breached=tuple(self._listed(r, now) for r in breached),
            statutory=tuple(self._watched(r, now) for r in statutory),
            outside=tuple(self._watched(r, now) for r in outside),
            pending_approvals=data.pending_approvals,
            quarantined=data.quarantined,
            outbox_failing=data.outbox_failing,
            outbox_oldest=data.outbox_oldest,
            more=frozenset(name for name, cut_short in cut.items() if cut_short),
        )


__all__ = ["MANAGERS_ONLY", "ClockRow", "Dashboard", "DashboardStore", "DeadlineRow", "Listed", "NowData", "NowView"]
