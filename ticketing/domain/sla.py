"""SLA policies, the escalation ladder and clock arithmetic with pauses (docs/business-time.md, SLA clocks).

A clock's budget is an amount of business time (or, for the statutory clock, wall time). A
stage of the ladder sits at a fraction of that budget; pauses (waiting on the requester) push
every later position back by the business time they cover. All of it is pure: the service
passes the calendar, the pauses and `now`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from ticketing.domain.calendar import MINUTE_US, BusinessCalendar, from_us, to_us
from ticketing.domain.errors import ConfigError
from ticketing.domain.tickets import Category


class ClockKind(StrEnum):
    FIRST_RESPONSE = "first_response"  # stops at the first human reply (not the acknowledgement)
    RESOLUTION = "resolution"  # stops when the ticket is responded, forwarded or ended
    STATUTORY = "statutory"  # APPI Art. 39: calendar days from arrival; never paused
    ACCREDITED_ORG = "accredited_org"  # APPI Art. 53: the accredited organisation's own due date; never paused
    PARTNER_ANSWER = "partner_answer"  # a forwarded request: the responsible company's answer (follow-up)
    PRELIMINARY_REPORT = "preliminary_report"  # APPI Art. 26, 規則8条1項: 速報 to the PPC
    FINAL_REPORT = "final_report"  # 規則8条2項: 確報 to the PPC
    INDIVIDUAL_NOTICE = "individual_notice"  # Art. 26(2): the people affected are told
    CLIENT_NOTICE = "client_notice"  # 規則9条: a processor tells the entrusting company


class Unit(StrEnum):
    BUSINESS_MINUTES = "business_minutes"
    BUSINESS_DAYS = "business_days"
    CALENDAR_DAYS = "calendar_days"


class Notify(StrEnum):
    ASSIGNEE = "assignee"  # or every agent of the desk while unassigned
    MANAGERS = "managers"  # the desk's privacy manager(s): members with the manager role
    SECOND_LEVEL = "second_level"  # the desk's escalation.second_level addresses, else its admins


@dataclass(frozen=True, slots=True)
class Target:
    amount: int
    unit: Unit

    def __str__(self) -> str:
        return f"{self.amount} {self.unit.value.replace('_', ' ')}"

    def as_json(self) -> dict[str, Any]:
        return {"amount": self.amount, "unit": self.unit.value}


@dataclass(frozen=True, slots=True)
class Stage:
    """One rung: at `fraction` of the budget, or `after_breach_days` business days after breach."""

    key: str
    notify: Notify
    fraction: float | None = None
    after_breach_days: int = 0

    @property
    def is_breach(self) -> bool:
        return self.fraction is None or self.fraction >= 1.0

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "notify": self.notify.value,
            "fraction": self.fraction,
            "after_breach_days": self.after_breach_days,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Stage:
        return cls(data["key"], Notify(data["notify"]), data.get("fraction"), int(data.get("after_breach_days", 0)))


@dataclass(frozen=True, slots=True)
class Escalation:
    stages: tuple[Stage, ...]
    second_level: tuple[str, ...] = ()


# Defaults when a desks file says nothing (the example policies; docs/privacy-rules.md).
DEFAULT_POLICIES: dict[Category, dict[ClockKind, Target]] = {
    Category.INQUIRY: {
        ClockKind.FIRST_RESPONSE: Target(1, Unit.BUSINESS_DAYS),
        ClockKind.RESOLUTION: Target(5, Unit.BUSINESS_DAYS),
    },
    Category.COMPLAINT: {
        ClockKind.FIRST_RESPONSE: Target(240, Unit.BUSINESS_MINUTES),
        ClockKind.RESOLUTION: Target(10, Unit.BUSINESS_DAYS),
    },
    Category.REQUEST: {
        ClockKind.FIRST_RESPONSE: Target(1, Unit.BUSINESS_DAYS),
        ClockKind.RESOLUTION: Target(10, Unit.BUSINESS_DAYS),
        ClockKind.STATUTORY: Target(14, Unit.CALENDAR_DAYS),  # APPI Art. 39(1)
    },
    Category.ACCREDITED_ORG_INQUIRY: {  # Art. 53(3): no statutory days; answer the org promptly
        ClockKind.FIRST_RESPONSE: Target(1, Unit.BUSINESS_DAYS),
        ClockKind.RESOLUTION: Target(5, Unit.BUSINESS_DAYS),
    },
    Category.INCIDENT: {  # a leak: the PPC preliminary report is expected within about 3-5 days
        ClockKind.FIRST_RESPONSE: Target(60, Unit.BUSINESS_MINUTES),
        ClockKind.RESOLUTION: Target(3, Unit.BUSINESS_DAYS),
    },
}
DEFAULT_STAGES: tuple[Stage, ...] = (
    Stage("50%", Notify.ASSIGNEE, fraction=0.5),
    Stage("80%", Notify.ASSIGNEE, fraction=0.8),
    Stage("100%", Notify.MANAGERS, fraction=1.0),
    Stage("breach+1bd", Notify.SECOND_LEVEL, after_breach_days=1),
)

TARGET_RE = re.compile(r"^\s*(\d+)\s+(business|calendar)\s+(minutes?|hours?|days?)\s*$")
ALLOWED_UNITS: dict[ClockKind, frozenset[Unit]] = {
    ClockKind.FIRST_RESPONSE: frozenset({Unit.BUSINESS_MINUTES, Unit.BUSINESS_DAYS}),
    ClockKind.RESOLUTION: frozenset({Unit.BUSINESS_MINUTES, Unit.BUSINESS_DAYS}),
    ClockKind.STATUTORY: frozenset({Unit.CALENDAR_DAYS}),
    ClockKind.ACCREDITED_ORG: frozenset(),  # set by the organisation per inquiry, never by a desk
    # Started by a forwarding or an incident with targets of their own (domain/forwarding.py,
    # domain/incidents.py), not by a category's policy.
    ClockKind.PARTNER_ANSWER: frozenset(),
    ClockKind.PRELIMINARY_REPORT: frozenset(),
    ClockKind.FINAL_REPORT: frozenset(),
    ClockKind.INDIVIDUAL_NOTICE: frozenset(),
    ClockKind.CLIENT_NOTICE: frozenset(),
}


def parse_target(raw: Any, where: str) -> Target:
    """'240 business minutes', '4 business hours', '10 business days', '14 calendar days'."""
    match = TARGET_RE.match(raw) if isinstance(raw, str) else None
    if match is None:
        raise ConfigError(
            where, f'{raw!r}: write e.g. "240 business minutes", "10 business days" or "14 calendar days"'
        )
    amount, kind, unit = int(match.group(1)), match.group(2), match.group(3).rstrip("s")
    if amount <= 0:
        raise ConfigError(where, f"{raw!r}: the amount must be at least 1")
    if kind == "calendar":
        if unit != "day":
            raise ConfigError(where, f"{raw!r}: calendar targets are counted in days")
        return Target(amount, Unit.CALENDAR_DAYS)
    if unit == "day":
        return Target(amount, Unit.BUSINESS_DAYS)
    return Target(amount * 60 if unit == "hour" else amount, Unit.BUSINESS_MINUTES)


def parse_policies(table: Any, where: str) -> dict[Category, dict[ClockKind, Target]]:
    """`[desks.X.policies.<category>]` tables of clock = "target"; missing categories get defaults."""
    result = {category: dict(targets) for category, targets in DEFAULT_POLICIES.items()}
    if table is None:
        return result
    if not isinstance(table, Mapping):
        raise ConfigError(where, "must be a table keyed by category")
    for key, clocks in table.items():
        here = f"{where}.{key}"
        try:
            category = Category(key)
        except ValueError:
            raise ConfigError(here, f"unknown category; use one of {', '.join(Category)}") from None
        if not isinstance(clocks, Mapping):
            raise ConfigError(here, 'must be a table of clock = "target"')
        targets: dict[ClockKind, Target] = {}
        for clock_key, raw in clocks.items():
            try:
                kind = ClockKind(clock_key)
            except ValueError:
                raise ConfigError(f"{here}.{clock_key}", f"unknown clock; use one of {', '.join(ClockKind)}") from None
            target = parse_target(raw, f"{here}.{clock_key}")
            if target.unit not in ALLOWED_UNITS[kind]:
                problem = f"{raw!r}: a {kind.value} clock cannot use {target.unit.value}"
                raise ConfigError(f"{here}.{clock_key}", problem)
            targets[kind] = target
        if category is Category.REQUEST and ClockKind.STATUTORY not in targets:
            # APPI Art. 39: a desk cannot switch the pre-suit period off (it starts only for the types
            # Art. 39 names: tickets.PRE_SUIT_PERIOD).
            targets[ClockKind.STATUTORY] = DEFAULT_POLICIES[Category.REQUEST][ClockKind.STATUTORY]
        result[category] = targets
    return result


def parse_escalation(table: Any, where: str) -> Escalation:
    """`[desks.X.escalation]`: `second_level = [...]` and `[[...stages]]` with `at` or `after_breach`."""
    if table is None:
        return Escalation(DEFAULT_STAGES)
    if not isinstance(table, Mapping):
        raise ConfigError(where, "must be a table")
    second = table.get("second_level", [])
    if not isinstance(second, list) or not all(isinstance(a, str) and "@" in a for a in second):
        raise ConfigError(f"{where}.second_level", "must be a list of e-mail addresses")
    raw_stages = table.get("stages")
    if raw_stages is None:
        return Escalation(DEFAULT_STAGES, tuple(second))
    if not isinstance(raw_stages, list) or not raw_stages:
        raise ConfigError(f"{where}.stages", "must be a non-empty array of tables")
    stages: list[Stage] = []
    for i, raw in enumerate(raw_stages):
        here = f"{where}.stages[{i}]"
        if not isinstance(raw, Mapping):
            raise ConfigError(here, "must be a table with `at` or `after_breach`, and `notify`")
        try:
            notify = Notify(raw.get("notify", ""))
        except ValueError:
            raise ConfigError(f"{here}.notify", f"use one of {', '.join(Notify)}") from None
        if ("at" in raw) == ("after_breach" in raw):
            raise ConfigError(here, 'give exactly one of `at` ("80%") or `after_breach` ("1 business day")')
        if "at" in raw:
            m = re.fullmatch(r"(\d{1,3})%", str(raw["at"]).strip())
            if m is None or not 0 < int(m.group(1)) <= 100:
                raise ConfigError(f"{here}.at", f"{raw['at']!r}: write a percentage from 1% to 100%")
            stages.append(Stage(f"{int(m.group(1))}%", notify, fraction=int(m.group(1)) / 100))
        else:
            target = parse_target(raw["after_breach"], f"{here}.after_breach")
            if target.unit is not Unit.BUSINESS_DAYS:
                raise ConfigError(f"{here}.after_breach", 'count it in business days, e.g. "1 business day"')
            stages.append(Stage(f"breach+{target.amount}bd", notify, after_breach_days=target.amount))
    order = [(s.fraction if s.fraction is not None else 1.0 + s.after_breach_days) for s in stages]
    if order != sorted(order) or len(set(order)) != len(order):
        raise ConfigError(f"{where}.stages", "stages must be in increasing order, each at a different point")
    return Escalation(tuple(stages), tuple(second))


# --- clock arithmetic ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Pause:
    start: datetime
    end: datetime | None  # None: still paused
    reason: str = ""


def budget_us(calendar: BusinessCalendar, target: Target, start: datetime) -> int:
    """The clock's whole allowance, in business (or, for calendar days, wall) microseconds."""
    if target.unit is Unit.BUSINESS_MINUTES:
        return target.amount * MINUTE_US
    if target.unit is Unit.BUSINESS_DAYS:
        due = calendar.due_business_days(start, target.amount)
        return calendar.elapsed_us(to_us(start), to_us(due), calendar.local_date(start).toordinal())
    return to_us(calendar.due_calendar_days(start, target.amount)) - to_us(start)


def _closed_pauses(pauses: Sequence[Pause], start_us: int) -> list[tuple[int, int | None]]:
    spans = sorted((to_us(p.start), None if p.end is None else to_us(p.end)) for p in pauses)
    return [(s, e) for s, e in spans if e is None or e > start_us]


def advance(calendar: BusinessCalendar, start: datetime, amount_us: int, pauses: Sequence[Pause]) -> datetime | None:
    """The instant at which `amount_us` of unpaused business time has passed since `start`.

    None when an open pause begins before that point (the clock is stopped there for now).
    """
    cursor, left = to_us(start), amount_us
    for p_start, p_end in _closed_pauses(pauses, cursor):
        if p_start > cursor:
            ordinal = calendar.local_date(from_us(cursor)).toordinal()
            reached = calendar.due_business_us(cursor, left, ordinal)
            if reached <= p_start:
                return from_us(reached)
            left -= calendar.elapsed_us(cursor, p_start, ordinal)
        if p_end is None:
            return None
        cursor = max(cursor, p_end)
    return from_us(calendar.due_business_us(cursor, left, calendar.local_date(from_us(cursor)).toordinal()))


def used_us(calendar: BusinessCalendar, start: datetime, at: datetime, pauses: Sequence[Pause]) -> int:
    """Unpaused business time from `start` to `at`."""
    a, b = to_us(start), to_us(at)
    ordinal = calendar.local_date(start).toordinal()
    total = calendar.elapsed_us(a, b, ordinal)
    for p_start, p_end in _closed_pauses(pauses, a):
        lo, hi = max(p_start, a), min(b if p_end is None else p_end, b)
        if hi > lo:
            total -= calendar.elapsed_us(lo, hi, calendar.local_date(from_us(lo)).toordinal())
    return total


@dataclass(frozen=True, slots=True)
class ClockPlan:
    """Where a clock stands: its due instant and the nominal instant of each stage."""

    due_at: datetime | None  # None while paused
    stage_at: tuple[datetime | None, ...]


def plan(
    calendar: BusinessCalendar,
    target: Target,
    start: datetime,
    budget: int,
    stages: Sequence[Stage],
    pauses: Sequence[Pause],
) -> ClockPlan:
    if target.unit is Unit.CALENDAR_DAYS:  # APPI Art. 39: wall time, never paused
        start_us = to_us(start)
        due = from_us(start_us + budget)
        positions: list[datetime | None] = []
        for stage in stages:
            if stage.fraction is not None:
                positions.append(from_us(start_us + round(budget * stage.fraction)))
            else:
                positions.append(calendar.due_business_days(due, stage.after_breach_days))
        return ClockPlan(due, tuple(positions))
    due_at = advance(calendar, start, budget, pauses)
    positions = []
    for stage in stages:
        if stage.fraction is not None:
            positions.append(advance(calendar, start, round(budget * stage.fraction), pauses))
        else:
            positions.append(None if due_at is None else calendar.due_business_days(due_at, stage.after_breach_days))
    return ClockPlan(due_at, tuple(positions))


__all__ = [
    "DEFAULT_POLICIES",
    "DEFAULT_STAGES",
    "ClockKind",
    "ClockPlan",
    "Escalation",
    "Notify",
    "Pause",
    "Stage",
    "Target",
    "Unit",
    "advance",
    "budget_us",
    "parse_escalation",
    "parse_policies",
    "parse_target",
    "plan",
    "used_us",
]
