"""The life of one SLA clock: start, pause, resume, stop, and which rungs are due (docs/business-time.md, SLA clocks).

Pure functions over an immutable `ClockState`; the service persists the result. A clock keeps
its policy snapshot (target, stages, calendar version) from the moment it started, so editing
the desks file later never rewrites an open ticket's promises.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from ticketing.domain.calendar import BusinessCalendar
from ticketing.domain.sla import ClockKind, Pause, Stage, Target, Unit, budget_us, plan, used_us


@dataclass(frozen=True, slots=True)
class ClockState:
    kind: ClockKind
    target: Target
    stages: tuple[Stage, ...]
    started_at: datetime
    budget_us: int
    policy: Mapping[str, Any]  # the snapshot as stored (desk, category, target, calendar version, stages)
    due_at: datetime | None
    paused: bool = False
    stopped_at: datetime | None = None
    breached_at: datetime | None = None
    next_stage: int = 0
    next_fire_at: datetime | None = None
    id: int | None = None
    # Business (calendar-days clocks: wall) microseconds used when it stopped, pauses taken out; kept so
    # reports need no calendar arithmetic. None while running, or for a stop that was given no calendar.
    used_us: int | None = None

    @property
    def pausable(self) -> bool:
        return self.target.unit is not Unit.CALENDAR_DAYS  # APPI Art. 39 never pauses

    @property
    def running(self) -> bool:
        return self.stopped_at is None and not self.paused


@dataclass(frozen=True, slots=True)
class Firing:
    stage: Stage
    nominal_at: datetime  # where the rung sits on the clock
    notify: bool = True  # False when a later rung fired in the same sweep (no mail storm on late sweeps)


@dataclass(frozen=True, slots=True)
class Fired:
    clock: ClockState
    firings: tuple[Firing, ...] = field(default_factory=tuple)


def policy_snapshot(
    desk: str, category: str, kind: ClockKind, target: Target, stages: Sequence[Stage], calendar: BusinessCalendar
) -> dict[str, Any]:
    return {
        "desk": desk,
        "category": category,
        "clock": kind.value,
        "target": target.as_json(),
        "calendar_version": calendar.version,
        "timezone": calendar.spec.timezone,
        "stages": [s.as_json() for s in stages],
    }


def start_clocks(
    calendar: BusinessCalendar,
    *,
    desk: str,
    category: str,
    targets: Mapping[ClockKind, Target],
    stages: Sequence[Stage],
    at: datetime,
) -> list[ClockState]:
    """Every clock the category's policy asks for, started at arrival (`at`)."""
    clocks = []
    for kind, target in targets.items():
        budget = budget_us(calendar, target, at)
        clock = ClockState(
            kind=kind,
            target=target,
            stages=tuple(stages),
            started_at=at,
            budget_us=budget,
            policy=policy_snapshot(desk, category, kind, target, stages, calendar),
            due_at=None,
        )
        clocks.append(schedule(calendar, clock, ()))
    return clocks


def schedule(calendar: BusinessCalendar, clock: ClockState, pauses: Sequence[Pause]) -> ClockState:
    """Recompute the due instant and the next firing time from the clock's state and pauses."""
    effective = pauses if clock.pausable else ()
    where = plan(calendar, clock.target, clock.started_at, clock.budget_us, clock.stages, effective)
    due_at = where.due_at if not (clock.paused and clock.pausable) else None
    if clock.stopped_at is not None or (clock.paused and clock.pausable):
        return replace(clock, due_at=due_at if clock.stopped_at is None else clock.due_at, next_fire_at=None)
    next_fire = None
    if clock.next_stage < len(clock.stages):
        nominal = where.stage_at[clock.next_stage]
        # Notifications wait for the desk to be open (a rung that falls at night fires at opening).
        next_fire = calendar.next_open(nominal) if nominal is not None else None
    return replace(clock, due_at=due_at, next_fire_at=next_fire)


def fire_due(calendar: BusinessCalendar, clock: ClockState, pauses: Sequence[Pause], now: datetime) -> Fired:
    """The rungs whose time has come; none while the desk is closed (they wait for the opening)."""
    if not clock.running:
        return Fired(schedule(calendar, clock, pauses))
    if not calendar.is_open(now):
        return Fired(replace(clock, next_fire_at=calendar.next_open(now)))
    effective = pauses if clock.pausable else ()
    where = plan(calendar, clock.target, clock.started_at, clock.budget_us, clock.stages, effective)
    index, firings = clock.next_stage, []
    while index < len(clock.stages):
        nominal = where.stage_at[index]
        if nominal is None or nominal > now:
            break
        firings.append(Firing(clock.stages[index], nominal))
        index += 1
    breached_at = clock.breached_at
    if breached_at is None and where.due_at is not None and where.due_at <= now:
        breached_at = where.due_at
    # Only the last of several rungs due at once sends mail; the earlier ones are still recorded.
    firings = [replace(f, notify=(i == len(firings) - 1)) for i, f in enumerate(firings)]
    updated = schedule(calendar, replace(clock, next_stage=index, breached_at=breached_at), pauses)
    return Fired(updated, tuple(firings))


def pause(clock: ClockState) -> ClockState:
    if not clock.pausable or clock.stopped_at is not None:
        return clock
    return replace(clock, paused=True, due_at=None, next_fire_at=None)


def resume(calendar: BusinessCalendar, clock: ClockState, pauses: Sequence[Pause]) -> ClockState:
    """After the pause interval was closed: due instants move by the paused business time."""
    return schedule(calendar, replace(clock, paused=False), pauses)


def stop(
    clock: ClockState, at: datetime, calendar: BusinessCalendar | None = None, pauses: Sequence[Pause] = ()
) -> ClockState:
    """The clock stopped at `at`, with the time it used (business time needs the `calendar` and the
    ticket's `pauses`; a calendar-days clock's is wall time)."""
    if clock.stopped_at is not None:
        return clock
    breached = clock.breached_at
    if breached is None and clock.due_at is not None and clock.due_at < at:
        breached = clock.due_at
    used: int | None = None
    if not clock.pausable:
        used = max(0, int((at - clock.started_at).total_seconds() * 1_000_000))
    elif calendar is not None:
        used = used_us(calendar, clock.started_at, at, pauses)
    return replace(clock, stopped_at=at, breached_at=breached, next_fire_at=None, used_us=used)


def restart(calendar: BusinessCalendar, clock: ClockState, pauses: Sequence[Pause]) -> ClockState:
    """A reopened ticket: the clock runs on from where it stopped (the gap is paused by the caller)."""
    return schedule(calendar, replace(clock, stopped_at=None, paused=False, used_us=None), pauses)


@dataclass(frozen=True, slots=True)
class ClockReport:
    """What `GET .../sla` shows for one clock."""

    used_us: int
    left_us: int
    met: bool | None  # None while running


def report(calendar: BusinessCalendar, clock: ClockState, pauses: Sequence[Pause], now: datetime) -> ClockReport:
    end = clock.stopped_at or now
    effective = pauses if clock.pausable else ()
    if clock.pausable:
        used = used_us(calendar, clock.started_at, end, effective)
    else:
        used = max(0, int((end - clock.started_at).total_seconds() * 1_000_000))
    met = None
    if clock.stopped_at is not None:
        met = clock.breached_at is None
    return ClockReport(used, clock.budget_us - used, met)


__all__ = [
    "ClockReport",
    "ClockState",
    "Fired",
    "Firing",
    "fire_due",
    "pause",
    "policy_snapshot",
    "report",
    "restart",
    "resume",
    "schedule",
    "start_clocks",
    "stop",
]
