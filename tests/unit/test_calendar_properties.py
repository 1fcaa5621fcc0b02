"""Properties of due and elapsed that hold for any start and amount (docs/business-time.md).

Run on both seed desks (Asia/Tokyo, Japanese holidays, lunch break on relia) and on a Berlin desk
with daylight saving and no public holidays. Starts are drawn over three years, with extra weight
on the instants where the answers turn: openings, closings, the lunch break and the DST nights.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ticketing.container import load_desks
from ticketing.domain.calendar import MINUTE_US, BusinessCalendar, CalendarSpec, OpeningWindow, to_us
from ticketing.settings import BUNDLED_DESKS

DESKS = load_desks(BUNDLED_DESKS)
W = OpeningWindow
BERLIN = CalendarSpec(
    timezone="Europe/Berlin",
    hours={d: (W(time(8), time(12)), W(time(13), time(18))) for d in range(5)},
    holiday_country="",
)
CALENDARS = {
    "relia": BusinessCalendar(DESKS["relia"].calendar_spec()),
    "rext-cs": BusinessCalendar(DESKS["rext-cs"].calendar_spec()),
    "berlin": BusinessCalendar(BERLIN),
}
CASES = pytest.mark.parametrize("name", list(CALENDARS))
SETTINGS = settings(max_examples=200, deadline=None)
TICK = timedelta(microseconds=1)

# Instants near which the answers change: local openings/closings and the DST jumps of 2026.
EDGES = [
    datetime(2026, 6, 2, 0, 30, tzinfo=UTC),  # 09:30 Tokyo
    datetime(2026, 6, 2, 3, 0, tzinfo=UTC),  # 12:00 Tokyo
    datetime(2026, 6, 2, 8, 0, tzinfo=UTC),  # 17:00 Tokyo
    datetime(2026, 5, 1, 9, 0, tzinfo=UTC),  # 18:00 Tokyo before Golden Week
    datetime(2026, 12, 28, 9, 0, tzinfo=UTC),  # 18:00 Tokyo before the year-end closure
    datetime(2026, 3, 27, 17, 0, tzinfo=UTC),  # 18:00 Berlin, the Friday before spring forward
    datetime(2026, 3, 29, 1, 0, tzinfo=UTC),  # the jump to CEST
    datetime(2026, 10, 25, 1, 0, tzinfo=UTC),  # the jump back to CET
    datetime(2026, 10, 23, 16, 0, tzinfo=UTC),  # 18:00 Berlin, the Friday before fall back
]
starts = st.one_of(
    st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)),
    st.builds(
        lambda edge, minutes: edge + timedelta(minutes=minutes),
        st.sampled_from(EDGES),
        st.integers(min_value=-90, max_value=90),
    ),
)
minutes = st.integers(min_value=0, max_value=6_000)
days = st.integers(min_value=0, max_value=25)


def elapsed_us(cal: BusinessCalendar, a: datetime, b: datetime) -> int:
    return cal.elapsed_us(to_us(a), to_us(b), cal.local_date(a).toordinal())


@CASES
@SETTINGS
@given(start=starts, n=minutes)
def test_elapsed_until_due_is_the_amount(name: str, start: datetime, n: int) -> None:
    cal = CALENDARS[name]
    due = cal.due_business_minutes(start, n)
    assert due.tzinfo is UTC and due >= start
    assert elapsed_us(cal, start, due) == n * MINUTE_US
    assert cal.elapsed_minutes(start, due) == n


@CASES
@SETTINGS
@given(start=starts, n=minutes, more=st.integers(min_value=1, max_value=2_000))
def test_due_is_strictly_increasing_in_the_amount(name: str, start: datetime, n: int, more: int) -> None:
    cal = CALENDARS[name]
    assert cal.due_business_minutes(start, n) < cal.due_business_minutes(start, n + more)


@CASES
@SETTINGS
@given(start=starts, later=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)), n=minutes)
def test_due_is_monotonic_in_the_start(name: str, start: datetime, later: timedelta, n: int) -> None:
    cal = CALENDARS[name]
    assert cal.due_business_minutes(start, n) <= cal.due_business_minutes(start + later, n)


@CASES
@SETTINGS
@given(start=starts, later=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)), n=days)
def test_business_days_due_is_monotonic(name: str, start: datetime, later: timedelta, n: int) -> None:
    cal = CALENDARS[name]
    if n:
        assert cal.due_business_days(start, n) <= cal.due_business_days(start + later, n)
        assert cal.due_business_days(start, n) < cal.due_business_days(start, n + 1)


@CASES
@SETTINGS
@given(start=starts, n=minutes)
def test_due_lands_in_an_open_window_or_at_its_end(name: str, start: datetime, n: int) -> None:
    """n == 0: the start itself. Otherwise due is in (window start, window end] of some window."""
    cal = CALENDARS[name]
    due = cal.due_business_minutes(start, n)
    if n == 0:
        assert due == start
        return
    assert cal.is_open(due - TICK), cal.format(due)
    # and the last business minute before due was open time, so no closed span is counted
    assert elapsed_us(cal, due - timedelta(minutes=1), due) > 0


@CASES
@SETTINGS
@given(start=starts, n=st.integers(min_value=1, max_value=6_000))
def test_due_from_a_closed_start_is_due_from_the_next_opening(name: str, start: datetime, n: int) -> None:
    cal = CALENDARS[name]
    opening = cal.next_open(start)
    assert opening >= start and cal.is_open(opening)
    assert elapsed_us(cal, start, opening) == 0
    assert cal.due_business_minutes(start, n) == cal.due_business_minutes(opening, n)


@CASES
@SETTINGS
@given(start=starts, n=days)
def test_business_days_due_is_a_closing_time(name: str, start: datetime, n: int) -> None:
    cal = CALENDARS[name]
    due = cal.due_business_days(start, n)
    if n == 0:
        assert due == start
        return
    day = cal.local_date(due - TICK)
    closing = cal.local_windows(day)[-1].end
    assert due.astimezone(cal.zone).time() == closing
    assert cal.is_open(due - TICK) and not cal.is_open(due)
    # exactly n business days in (start's date, due's date], the start's date never counting
    first = cal.local_date(start)
    counted = [first + timedelta(days=i) for i in range(1, (day - first).days + 1)]
    assert sum(cal.is_business_day(d) for d in counted) == n
    assert cal.is_business_day(day)


@CASES
@SETTINGS
@given(
    a=starts,
    ab=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=15)),
    bc=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=15)),
)
def test_elapsed_is_additive(name: str, a: datetime, ab: timedelta, bc: timedelta) -> None:
    cal = CALENDARS[name]
    b, c = a + ab, a + ab + bc
    total = elapsed_us(cal, a, c)
    assert total == elapsed_us(cal, a, b) + elapsed_us(cal, b, c)
    assert 0 <= total <= to_us(c) - to_us(a)


@CASES
@SETTINGS
@given(start=starts, n=st.integers(min_value=0, max_value=40))
def test_calendar_days_due_is_end_of_local_day(name: str, start: datetime, n: int) -> None:
    cal = CALENDARS[name]
    due = cal.due_calendar_days(start, n)
    local = due.astimezone(cal.zone)
    assert local.time() == time(23, 59, 59)
    assert (local.date() - cal.local_date(start)).days == n
