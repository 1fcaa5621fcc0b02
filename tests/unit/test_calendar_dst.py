"""A desk in a zone with daylight saving: Europe/Berlin across both 2026 changes.

2026-03-29 (Sunday): 02:00 CET (+01:00) jumps to 03:00 CEST (+02:00) at 01:00 UTC; the day is 23 h.
2026-10-25 (Sunday): 03:00 CEST falls back to 02:00 CET at 01:00 UTC; 02:00-03:00 happens twice; 25 h.
Expected values worked out by hand.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

import pytest

from ticketing.domain.calendar import BusinessCalendar, CalendarSpec, OpeningWindow

W = OpeningWindow
ZONE = "Europe/Berlin"
SPRING, AUTUMN = date(2026, 3, 29), date(2026, 10, 25)

ALWAYS = BusinessCalendar(CalendarSpec(ZONE, {d: (W(time(0), time.max),) for d in range(7)}, holiday_country=""))
SUNDAY_NIGHTS = BusinessCalendar(CalendarSpec(ZONE, {6: (W(time(1), time(4)),)}, holiday_country=""))
OFFICE = BusinessCalendar(
    CalendarSpec(ZONE, {d: (W(time(8), time(12)), W(time(13), time(18))) for d in range(5)}, holiday_country="")
)


def at(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


@pytest.mark.parametrize(
    ("start", "end", "minutes"),
    [
        pytest.param("2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00", 23 * 60, id="short-day-23h"),
        pytest.param("2026-10-25T00:00:00+02:00", "2026-10-26T00:00:00+01:00", 25 * 60, id="long-day-25h"),
        pytest.param("2026-06-01T00:00:00+02:00", "2026-06-02T00:00:00+02:00", 24 * 60, id="summer-day-24h"),
        pytest.param("2026-03-29T01:59:00+01:00", "2026-03-29T03:01:00+02:00", 2, id="across-the-gap"),
        pytest.param("2026-10-25T02:59:00+02:00", "2026-10-25T02:01:00+01:00", 2, id="across-the-fold"),
        pytest.param("2026-03-28T00:00:00+01:00", "2026-04-01T00:00:00+02:00", 4 * 1440 - 60, id="spring-week"),
    ],
)
def test_elapsed_on_a_calendar_open_round_the_clock(start: str, end: str, minutes: int) -> None:
    assert ALWAYS.elapsed_minutes(at(start), at(end)) == minutes


@pytest.mark.parametrize(
    ("cal", "start", "n", "expected"),
    [
        pytest.param(ALWAYS, "2026-03-29T01:30:00+01:00", 60, "2026-03-29T03:30:00+02:00", id="always-spring"),
        pytest.param(ALWAYS, "2026-03-28T23:00:00+01:00", 1440, "2026-03-30T00:00:00+02:00", id="always-24h"),
        pytest.param(ALWAYS, "2026-10-25T02:30:00+02:00", 60, "2026-10-25T02:30:00+01:00", id="always-fold"),
        pytest.param(ALWAYS, "2026-10-25T01:00:00+02:00", 180, "2026-10-25T03:00:00+01:00", id="always-fold-3h"),
        # Sundays 01:00-04:00: 120 minutes on the spring day, 240 on the autumn day
        pytest.param(SUNDAY_NIGHTS, "2026-03-28T12:00:00+01:00", 59, "2026-03-29T01:59:00+01:00", id="sun-59"),
        pytest.param(SUNDAY_NIGHTS, "2026-03-28T12:00:00+01:00", 60, "2026-03-29T03:00:00+02:00", id="sun-60"),
        pytest.param(SUNDAY_NIGHTS, "2026-03-28T12:00:00+01:00", 120, "2026-03-29T04:00:00+02:00", id="sun-close"),
        pytest.param(SUNDAY_NIGHTS, "2026-03-28T12:00:00+01:00", 121, "2026-04-05T01:01:00+02:00", id="sun-next"),
        pytest.param(SUNDAY_NIGHTS, "2026-10-24T12:00:00+02:00", 90, "2026-10-25T02:30:00+02:00", id="sun-fold-1st"),
        pytest.param(SUNDAY_NIGHTS, "2026-10-24T12:00:00+02:00", 150, "2026-10-25T02:30:00+01:00", id="sun-fold-2nd"),
        pytest.param(SUNDAY_NIGHTS, "2026-10-24T12:00:00+02:00", 240, "2026-10-25T04:00:00+01:00", id="sun-fold-close"),
        pytest.param(SUNDAY_NIGHTS, "2026-10-24T12:00:00+02:00", 241, "2026-11-01T01:01:00+01:00", id="sun-fold-next"),
        # an office week either side of a change
        pytest.param(OFFICE, "2026-03-27T17:30:00+01:00", 60, "2026-03-30T08:30:00+02:00", id="office-spring"),
        pytest.param(OFFICE, "2026-10-23T17:30:00+02:00", 60, "2026-10-26T08:30:00+01:00", id="office-autumn"),
        pytest.param(OFFICE, "2026-03-27T11:30:00+01:00", 60, "2026-03-27T13:30:00+01:00", id="office-lunch"),
    ],
)
def test_due_minutes_print_the_offset_of_the_day(cal: BusinessCalendar, start: str, n: int, expected: str) -> None:
    due = cal.due_business_minutes(at(start), n)
    assert due.tzinfo is UTC
    assert cal.format(due) == expected


def test_sunday_window_lengths_follow_the_clock_change() -> None:
    def day(d: date) -> datetime:
        return datetime.combine(d, time(0), tzinfo=UTC) - timedelta(hours=6)

    assert SUNDAY_NIGHTS.elapsed_minutes(day(SPRING), day(SPRING) + timedelta(days=1, hours=12)) == 120
    assert SUNDAY_NIGHTS.elapsed_minutes(day(AUTUMN), day(AUTUMN) + timedelta(days=1, hours=12)) == 240
    assert SUNDAY_NIGHTS.is_open(at("2026-10-25T02:30:00+01:00"))
    assert SUNDAY_NIGHTS.is_open(at("2026-10-25T02:30:00+02:00"))
    assert not SUNDAY_NIGHTS.is_open(at("2026-03-29T04:00:00+02:00"))


@pytest.mark.parametrize(
    ("cal", "start", "n", "expected"),
    [
        pytest.param(OFFICE, "2026-03-26T10:00:00+01:00", 2, "2026-03-30T18:00:00+02:00", id="office-spring"),
        pytest.param(OFFICE, "2026-10-22T10:00:00+02:00", 2, "2026-10-26T18:00:00+01:00", id="office-autumn"),
        pytest.param(SUNDAY_NIGHTS, "2026-03-28T12:00:00+01:00", 1, "2026-03-29T04:00:00+02:00", id="sun-spring"),
        pytest.param(SUNDAY_NIGHTS, "2026-10-24T12:00:00+02:00", 1, "2026-10-25T04:00:00+01:00", id="sun-autumn"),
        pytest.param(ALWAYS, "2026-03-28T12:00:00+01:00", 1, "2026-03-30T00:00:00+02:00", id="always-24:00"),
    ],
)
def test_due_business_days_across_changes(cal: BusinessCalendar, start: str, n: int, expected: str) -> None:
    assert cal.format(cal.due_business_days(at(start), n)) == expected


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        pytest.param("2026-03-20T12:00:00+01:00", 14, "2026-04-03T23:59:59+02:00", id="into-summer-time"),
        pytest.param("2026-10-20T12:00:00+02:00", 14, "2026-11-03T23:59:59+01:00", id="into-winter-time"),
        pytest.param("2026-03-28T23:30:00+01:00", 1, "2026-03-29T23:59:59+02:00", id="over-the-short-day"),
    ],
)
def test_calendar_days_across_changes(start: str, n: int, expected: str) -> None:
    assert OFFICE.format(OFFICE.due_calendar_days(at(start), n)) == expected


@pytest.mark.parametrize(
    ("instant", "printed"),
    [
        ("2026-03-29T00:59:59+00:00", "2026-03-29T01:59:59+01:00"),
        ("2026-03-29T01:00:00+00:00", "2026-03-29T03:00:00+02:00"),
        ("2026-10-25T00:30:00+00:00", "2026-10-25T02:30:00+02:00"),
        ("2026-10-25T01:30:00+00:00", "2026-10-25T02:30:00+01:00"),
    ],
)
def test_format_uses_the_offset_at_that_instant(instant: str, printed: str) -> None:
    assert OFFICE.format(at(instant)) == printed


def one_off(day: date, *windows: tuple[time, time]) -> BusinessCalendar:
    """A desk closed except for the given local windows on `day`."""
    return BusinessCalendar(CalendarSpec(ZONE, {}, open_dates={day: tuple(W(*w) for w in windows)}, holiday_country=""))


def test_window_ending_inside_the_spring_gap_is_not_counted_twice() -> None:
    # 00:00-02:30 really ends at the jump (03:00 CEST): 120 min; 03:00-05:00 CEST: 120 min.
    cal = one_off(SPRING, (time(0), time(2, 30)), (time(3), time(5)))
    saturday = at("2026-03-28T12:00:00+01:00")
    assert cal.elapsed_minutes(saturday, at("2026-03-30T12:00:00+02:00")) == 240
    assert cal.format(cal.due_business_minutes(saturday, 120)) == "2026-03-29T03:00:00+02:00"
    assert cal.format(cal.due_business_minutes(saturday, 121)) == "2026-03-29T03:01:00+02:00"
    assert cal.format(cal.due_business_minutes(saturday, 240)) == "2026-03-29T05:00:00+02:00"
    windows = cal.windows(SPRING.toordinal())
    assert all(e1 <= s2 for (_, e1), (s2, _) in pairwise(windows))


def test_window_starting_inside_the_spring_gap_opens_at_the_jump() -> None:
    cal = one_off(SPRING, (time(2, 30), time(5)))
    saturday = at("2026-03-28T12:00:00+01:00")
    assert cal.format(cal.next_open(saturday)) == "2026-03-29T03:00:00+02:00"
    assert cal.elapsed_minutes(saturday, at("2026-03-30T12:00:00+02:00")) == 120


def test_window_inside_the_spring_gap_does_not_make_a_business_day() -> None:
    cal = BusinessCalendar(
        CalendarSpec(
            ZONE, {0: (W(time(9), time(10)),)}, open_dates={SPRING: (W(time(2, 15), time(2, 45)),)}, holiday_country=""
        )
    )
    assert not cal.is_business_day(SPRING)
    assert cal.format(cal.due_business_days(at("2026-03-28T12:00:00+01:00"), 1)) == "2026-03-30T10:00:00+02:00"


def test_window_over_the_autumn_fold_lasts_two_hours() -> None:
    cal = one_off(AUTUMN, (time(2), time(3)))
    saturday = at("2026-10-24T12:00:00+02:00")
    assert cal.elapsed_minutes(saturday, at("2026-10-26T12:00:00+01:00")) == 120
    assert cal.format(cal.due_business_minutes(saturday, 60)) == "2026-10-25T02:00:00+01:00"


@pytest.mark.parametrize("method", ["due_business_minutes", "due_business_days", "due_calendar_days"])
def test_naive_datetimes_are_refused(method: str) -> None:
    with pytest.raises(ValueError, match="aware"):
        getattr(OFFICE, method)(datetime(2026, 6, 1, 10, 0), 1)
    with pytest.raises(ValueError, match="aware"):
        OFFICE.elapsed_minutes(datetime(2026, 6, 1, 10, 0), datetime(2026, 6, 2, 10, 0, tzinfo=UTC))
