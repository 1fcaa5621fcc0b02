"""Closures and openings from a desks file, the holiday range guard, and a calendar never open.

Desks are built through `parse_desks`, so the `closures`, `closed_dates`, `open_dates` and
`holidays` keys are read exactly as a desks file would give them. Expected values by hand.
"""

from __future__ import annotations

import time as clock
from datetime import date, datetime, time
from typing import Any

import pytest

from ticketing.container import load_desks
from ticketing.domain.calendar import BusinessCalendar, CalendarSpec, OpeningWindow, RecurringClosure
from ticketing.domain.desks import parse_desks
from ticketing.domain.errors import CalendarRangeError, ConfigError, DomainError, NoOpening
from ticketing.settings import BUNDLED_DESKS

W = OpeningWindow
WEEKDAYS_9_TO_5 = {day: ["09:00-17:00"] for day in ("mon", "tue", "wed", "thu", "fri")}


def desk_calendar(**keys: Any) -> BusinessCalendar:
    table: dict[str, Any] = {
        "name": "Desk",
        "language": "en",
        "timezone": "Asia/Tokyo",
        "reference_prefix": "DSK",
        "inbox": "privacy@desk.test",
        "manager_title": "CPO",
        "hours": WEEKDAYS_9_TO_5,
    } | keys
    return BusinessCalendar(parse_desks({"desks": {"d": table}}, "x.toml")["d"].calendar_spec())


def at(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


def due_minutes(cal: BusinessCalendar, start: str, n: int) -> str:
    return cal.format(cal.due_business_minutes(at(start), n))


def due_days(cal: BusinessCalendar, start: str, n: int) -> str:
    return cal.format(cal.due_business_days(at(start), n))


# --- one-off closures and openings -------------------------------------------------------------


def test_closed_dates_ranges_and_single_days() -> None:
    cal = desk_calendar(closed_dates=["2026-08-13..2026-08-15", "2026-06-01"])
    # 08-11 is Mountain Day, 08-13 Thu and 08-14 Fri closed, 08-15/16 weekend
    assert [cal.is_business_day(date(2026, 8, d)) for d in range(10, 18)] == [
        True,
        False,
        True,
        False,
        False,
        False,
        False,
        True,
    ]
    assert due_days(cal, "2026-08-12T10:00:00+09:00", 1) == "2026-08-17T17:00:00+09:00"
    assert due_minutes(cal, "2026-08-12T16:30:00+09:00", 60) == "2026-08-17T09:30:00+09:00"
    assert due_minutes(cal, "2026-05-29T16:00:00+09:00", 120) == "2026-06-02T10:00:00+09:00"
    assert cal.is_business_day(date(2027, 6, 1))  # one-off: 2026 only (2027-06-01 is a Tuesday)


def test_open_dates_win_over_closures_holidays_weekends_and_closed_dates() -> None:
    cal = desk_calendar(
        closed_dates=["2026-06-06"],
        open_dates={
            "2026-12-29": ["10:00-12:00"],  # inside the year-end closure
            "2026-05-04": ["13:00-15:00"],  # Greenery Day
            "2026-06-06": ["09:00-10:00"],  # a Saturday, also listed as closed
            "2026-06-02": ["10:00-11:00"],  # shorter hours on a normal Tuesday
            "2026-06-03": [],  # no hours at all: closed
        },
    )
    assert cal.local_windows(date(2026, 12, 29)) == (W(time(10), time(12)),)
    assert cal.local_windows(date(2026, 12, 30)) == ()
    assert due_minutes(cal, "2026-12-28T16:30:00+09:00", 60) == "2026-12-29T10:30:00+09:00"
    assert due_days(cal, "2026-12-28T10:00:00+09:00", 1) == "2026-12-29T12:00:00+09:00"
    assert due_days(cal, "2026-12-28T10:00:00+09:00", 2) == "2027-01-04T17:00:00+09:00"
    assert due_minutes(cal, "2026-05-01T16:30:00+09:00", 60) == "2026-05-04T13:30:00+09:00"
    assert due_minutes(cal, "2026-06-05T16:30:00+09:00", 60) == "2026-06-06T09:30:00+09:00"
    assert cal.elapsed_minutes(at("2026-06-02T00:00:00+09:00"), at("2026-06-04T00:00:00+09:00")) == 60
    assert not cal.is_business_day(date(2026, 6, 3))


def test_twenty_four_hour_end_is_accepted() -> None:
    cal = desk_calendar(hours={"sat": ["00:00-24:00"]}, holidays="")
    assert cal.local_windows(date(2026, 6, 6)) == (W(time(0), time.max),)
    assert cal.elapsed_minutes(at("2026-06-05T12:00:00+09:00"), at("2026-06-08T12:00:00+09:00")) == 1440
    assert due_days(cal, "2026-06-01T10:00:00+09:00", 1) == "2026-06-07T00:00:00+09:00"


# --- recurring closures ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "covered"),
    [
        ("2026-12-28", False),
        ("2026-12-29", True),
        ("2026-12-31", True),
        ("2027-01-01", True),
        ("2027-01-03", True),
        ("2027-01-04", False),
        ("2026-06-15", False),
    ],
)
def test_year_end_closure_wraps_over_the_new_year(day: str, covered: bool) -> None:
    assert RecurringClosure((12, 29), (1, 3)).covers(date.fromisoformat(day)) is covered


def test_recurring_closures_every_year() -> None:
    cal = desk_calendar(closures=["12-29..01-03", "08-13..08-16"])
    # 2027: 08-11 Mountain Day (Wed), 08-12 Thu open, 08-13 Fri and 08-16 Mon closed
    assert due_days(cal, "2027-08-12T10:00:00+09:00", 1) == "2027-08-17T17:00:00+09:00"
    assert due_days(cal, "2026-08-12T10:00:00+09:00", 1) == "2026-08-17T17:00:00+09:00"
    assert due_days(cal, "2026-12-28T10:00:00+09:00", 1) == "2027-01-04T17:00:00+09:00"


def test_no_closures_and_default_closure() -> None:
    none = desk_calendar(closures=[])
    assert due_days(none, "2026-12-28T10:00:00+09:00", 1) == "2026-12-29T17:00:00+09:00"
    assert not none.is_business_day(date(2027, 1, 1))  # New Year's Day is still a holiday
    assert none.is_business_day(date(2026, 12, 31))
    default = desk_calendar()  # no closures key: the 12/29-1/3 closure of docs/business-time.md
    assert due_days(default, "2026-12-28T10:00:00+09:00", 1) == "2027-01-04T17:00:00+09:00"


# --- holidays = "" -----------------------------------------------------------------------------


def test_desk_without_public_holidays() -> None:
    cal = desk_calendar(holidays="")
    assert cal.is_business_day(date(2026, 5, 4)) and cal.is_business_day(date(2026, 9, 22))
    assert not cal.is_business_day(date(2026, 12, 30))  # the company closure still applies
    assert due_minutes(cal, "2026-05-01T16:30:00+09:00", 60) == "2026-05-04T09:30:00+09:00"
    # no holiday data, so no range guard: 2100-01-04 is a Monday
    assert due_minutes(cal, "2100-01-04T09:00:00+09:00", 30) == "2100-01-04T09:30:00+09:00"
    assert desk_calendar(holidays="jp").spec.holiday_country == "JP"


# --- parsing errors name the key ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("keys", "where", "needle"),
    [
        ({"closed_dates": ["2026-13-01"]}, "desks.d.closed_dates", "2026-13-01"),
        ({"closed_dates": ["2026-08-15..2026-08-13"]}, "desks.d.closed_dates", "2026-08-15..2026-08-13"),
        ({"closed_dates": ["2026-08-13.."]}, "desks.d.closed_dates", "2026-08-13.."),
        ({"closed_dates": ["2026-01-01..2027-06-01"]}, "desks.d.closed_dates", "at most a year"),
        ({"closed_dates": [20260813]}, "desks.d.closed_dates", "YYYY-MM-DD"),
        ({"closed_dates": "2026-08-13"}, "desks.d.closed_dates", "list"),
        ({"open_dates": {"2026-02-30": ["09:00-10:00"]}}, "desks.d.open_dates.2026-02-30", "2026-02-30"),
        ({"open_dates": {"2026-06-06": "09:00-10:00"}}, "desks.d.open_dates.2026-06-06", "list"),
        ({"open_dates": {"2026-06-06": ["10:00-09:00"]}}, "desks.d.open_dates.2026-06-06", "ends before"),
        ({"open_dates": ["2026-06-06"]}, "desks.d.open_dates", "table"),
        ({"hours": {"mon": ["09:00-12:00\n"]}}, "desks.d.hours.mon", "HH:MM-HH:MM"),
        ({"hours": {"mon": ["24:00-24:00"]}}, "desks.d.hours.mon", "ends before"),
        ({"holidays": "XX"}, "desks.d.holidays", "XX"),
        ({"holidays": False}, "desks.d.holidays", "False"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_malformed_calendar_keys_name_the_key(keys: dict[str, Any], where: str, needle: str) -> None:
    with pytest.raises(ConfigError) as info:
        desk_calendar(**keys)
    assert info.value.where == f"x.toml: {where}", str(info.value)
    assert needle in info.value.problem


# --- the 1949-2099 range of the holiday data -------------------------------------------------

RELIA = BusinessCalendar(load_desks(BUNDLED_DESKS)["relia"].calendar_spec())


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: RELIA.due_business_minutes(at("2100-01-04T10:00:00+09:00"), 1), id="minutes-2100"),
        pytest.param(lambda: RELIA.due_business_minutes(at("1948-12-28T10:00:00+09:00"), 1), id="minutes-1948"),
        pytest.param(lambda: RELIA.due_business_days(at("2099-12-28T10:00:00+09:00"), 1), id="days-into-2100"),
        pytest.param(lambda: RELIA.due_business_minutes(at("2099-12-28T16:30:00+09:00"), 60), id="minutes-into-2100"),
        pytest.param(
            lambda: RELIA.elapsed_minutes(at("2099-12-28T10:00:00+09:00"), at("2100-01-05T10:00:00+09:00")),
            id="elapsed-into-2100",
        ),
        pytest.param(lambda: RELIA.is_open(at("2100-01-04T10:00:00+09:00")), id="is-open-2100"),
    ],
)
def test_outside_the_holiday_range_is_refused(call: Any) -> None:
    with pytest.raises(CalendarRangeError) as info:
        call()
    assert isinstance(info.value, DomainError)
    assert (info.value.first_year, info.value.last_year, info.value.country) == (1949, 2099, "JP")
    message = str(info.value)
    assert "JP holidays are known for 1949-2099 only" in message and info.value.day in message


def test_range_edges_still_compute() -> None:
    # 2099-12-28 is a Monday; 1949-01-04 a Tuesday (01-01..01-03 closed)
    assert due_minutes(RELIA, "2099-12-28T16:30:00+09:00", 30) == "2099-12-28T17:00:00+09:00"
    assert due_minutes(RELIA, "1949-01-04T09:00:00+09:00", 30) == "1949-01-04T10:00:00+09:00"
    # business days never look at the start's own date, so a 1948 start is fine when 1949 is enough
    assert due_days(RELIA, "1948-12-28T10:00:00+09:00", 1) == "1949-01-04T17:00:00+09:00"
    assert RELIA.format(RELIA.due_calendar_days(at("2100-06-01T10:00:00+09:00"), 14)) == "2100-06-15T23:59:59+09:00"


# --- a calendar that never opens ---------------------------------------------------------------

NEVER = [
    pytest.param(CalendarSpec("Asia/Tokyo", {}, holiday_country=""), id="no-hours"),
    pytest.param(
        CalendarSpec(
            "Asia/Tokyo", {d: (W(time(9), time(17)),) for d in range(5)}, closures=(RecurringClosure((1, 1), (12, 31)),)
        ),
        id="closed-all-year",
    ),
]


@pytest.mark.parametrize("spec", NEVER)
def test_never_open_raises_no_opening_instead_of_looping(spec: CalendarSpec) -> None:
    cal = BusinessCalendar(spec)
    start = at("2026-06-02T10:00:00+09:00")
    began = clock.perf_counter()
    for call in (
        lambda: cal.due_business_minutes(start, 1),
        lambda: cal.due_business_days(start, 1000),
        lambda: cal.next_open(start),
    ):
        with pytest.raises(NoOpening, match="no opening"):
            call()
    assert cal.elapsed_minutes(start, at("2027-06-02T10:00:00+09:00")) == 0
    assert clock.perf_counter() - began < 10  # a search bounded in days, not an endless loop


def test_long_gaps_between_openings_are_fine_but_the_last_one_ends_the_search() -> None:
    cal = BusinessCalendar(
        CalendarSpec(
            "Asia/Tokyo",
            {},
            open_dates={date(2026, 6, 2): (W(time(10), time(11)),), date(2028, 6, 2): (W(time(10), time(11)),)},
            holiday_country="",
        )
    )
    start = at("2026-01-05T10:00:00+09:00")
    assert due_minutes(cal, "2026-01-05T10:00:00+09:00", 30) == "2026-06-02T10:30:00+09:00"
    assert due_minutes(cal, "2026-01-05T10:00:00+09:00", 90) == "2028-06-02T10:30:00+09:00"
    assert due_days(cal, "2026-01-05T10:00:00+09:00", 2) == "2028-06-02T11:00:00+09:00"
    with pytest.raises(NoOpening):
        cal.due_business_minutes(start, 121)
    with pytest.raises(NoOpening):
        cal.due_business_days(start, 3)
