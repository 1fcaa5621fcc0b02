"""Business time on the two seed desks, case by case (docs/business-time.md).

Every expected value below was worked out by hand from the desk hours and the Japanese holiday
calendar; none is computed with the code under test. relia: 09:30-12:00 + 13:00-17:00 Mon-Fri
(390 min a day); rext-cs: 10:00-18:00 Mon-Fri (480 min a day); both Asia/Tokyo (+09:00, no DST),
closed 12/29-1/3 and on national holidays.

Holidays used: 2026-01-01, 01-12 (Coming of Age), 04-29 (Showa), 05-03..05-06 (05-06 substitute for
Sunday 05-03), 08-11, 09-21 (Respect for the Aged), 09-22 (citizens' holiday), 09-23 (equinox);
substitute holidays 2024-02-12, 2025-02-24, 2027-03-22.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from ticketing.container import load_desks
from ticketing.domain.calendar import BusinessCalendar, OpeningWindow
from ticketing.settings import BUNDLED_DESKS

DESKS = load_desks(BUNDLED_DESKS)
CAL = {slug: BusinessCalendar(desk.calendar_spec()) for slug, desk in DESKS.items()}


def at(iso: str) -> datetime:
    value = datetime.fromisoformat(iso)
    assert value.tzinfo is not None, "cases give explicit offsets"
    return value


def case(desk: str, start: str, n: int, expected: str, name: str) -> object:
    return pytest.param(desk, start, n, expected, id=f"{desk}:{name}")


MINUTES = [
    # lunch
    case("relia", "2026-06-02T11:50:00+09:00", 20, "2026-06-02T13:10:00+09:00", "11:50+20-skips-lunch"),
    case("relia", "2026-06-02T12:30:00+09:00", 30, "2026-06-02T13:30:00+09:00", "start-in-lunch-counts-from-13"),
    case("relia", "2026-06-02T12:00:00+09:00", 1, "2026-06-02T13:01:00+09:00", "start-at-12:00"),
    case("relia", "2026-06-02T11:30:00+09:00", 30, "2026-06-02T12:00:00+09:00", "completes-at-12:00-is-due-12:00"),
    case("rext-cs", "2026-06-02T11:50:00+09:00", 20, "2026-06-02T12:10:00+09:00", "no-lunch-break"),
    # closing time
    case("relia", "2026-06-02T16:59:00+09:00", 1, "2026-06-02T17:00:00+09:00", "16:59+1"),
    case("relia", "2026-06-02T16:00:00+09:00", 60, "2026-06-02T17:00:00+09:00", "completes-at-17:00"),
    case("relia", "2026-06-02T16:00:00+09:00", 61, "2026-06-03T09:31:00+09:00", "one-past-closing"),
    case("relia", "2026-06-02T17:00:00+09:00", 1, "2026-06-03T09:31:00+09:00", "start-at-closing"),
    case("relia", "2026-06-02T09:30:00+09:00", 390, "2026-06-02T17:00:00+09:00", "whole-day"),
    case("relia", "2026-06-02T09:30:00+09:00", 391, "2026-06-03T09:31:00+09:00", "whole-day-plus-1"),
    case("rext-cs", "2026-06-02T17:59:00+09:00", 1, "2026-06-02T18:00:00+09:00", "17:59+1"),
    case("rext-cs", "2026-06-02T09:00:00+09:00", 480, "2026-06-02T18:00:00+09:00", "whole-day"),
    case("rext-cs", "2026-06-02T09:00:00+09:00", 481, "2026-06-03T10:01:00+09:00", "whole-day-plus-1"),
    case("relia", "2026-06-02T09:30:30+09:00", 1, "2026-06-02T09:31:30+09:00", "seconds-are-kept"),
    # nights and weekends
    case("relia", "2026-06-02T08:00:00+09:00", 10, "2026-06-02T09:40:00+09:00", "early-morning"),
    case("relia", "2026-06-02T22:00:00+09:00", 30, "2026-06-03T10:00:00+09:00", "night"),
    case("relia", "2026-06-05T16:30:00+09:00", 60, "2026-06-08T10:00:00+09:00", "friday-over-weekend"),
    case("relia", "2026-06-06T10:00:00+09:00", 1, "2026-06-08T09:31:00+09:00", "saturday"),
    case("relia", "2026-06-07T23:59:00+09:00", 150, "2026-06-08T12:00:00+09:00", "sunday-night"),
    case("rext-cs", "2026-06-05T17:30:00+09:00", 60, "2026-06-08T10:30:00+09:00", "friday-over-weekend"),
    case("rext-cs", "2026-06-01T23:30:00+00:00", 30, "2026-06-02T10:30:00+09:00", "utc-input-tokyo-morning"),
    # Golden Week 2026
    case("relia", "2026-04-28T16:00:00+09:00", 120, "2026-04-30T10:30:00+09:00", "gw-showa-day"),
    case("relia", "2026-05-01T16:30:00+09:00", 60, "2026-05-07T10:00:00+09:00", "gw-to-0507"),
    case("rext-cs", "2026-05-01T17:00:00+09:00", 120, "2026-05-07T11:00:00+09:00", "gw-to-0507"),
    case("rext-cs", "2026-05-06T10:00:00+09:00", 60, "2026-05-07T11:00:00+09:00", "start-on-substitute-0506"),
    # Silver Week 2026
    case("relia", "2026-09-18T16:00:00+09:00", 90, "2026-09-24T10:00:00+09:00", "silver-week"),
    case("relia", "2026-09-22T10:00:00+09:00", 30, "2026-09-24T10:00:00+09:00", "start-on-citizens-holiday"),
    case("rext-cs", "2026-09-18T17:30:00+09:00", 60, "2026-09-24T10:30:00+09:00", "silver-week"),
    # year end
    case("relia", "2026-12-28T16:30:00+09:00", 60, "2027-01-04T10:00:00+09:00", "year-end-closure"),
    case("rext-cs", "2026-12-25T17:00:00+09:00", 120, "2026-12-28T11:00:00+09:00", "12-28-is-open"),
    case("rext-cs", "2026-01-01T10:00:00+09:00", 60, "2026-01-05T11:00:00+09:00", "start-on-new-year"),
    # substitute holidays
    case("relia", "2025-02-21T16:00:00+09:00", 120, "2025-02-25T10:30:00+09:00", "substitute-2025-02-24"),
    case("rext-cs", "2024-02-09T17:30:00+09:00", 60, "2024-02-13T10:30:00+09:00", "substitute-2024-02-12"),
    case("relia", "2027-03-19T16:30:00+09:00", 60, "2027-03-23T10:00:00+09:00", "substitute-2027-03-22"),
    # n == 0: due is the start itself, open or not
    case("relia", "2026-06-06T03:00:00+09:00", 0, "2026-06-06T03:00:00+09:00", "zero-at-night"),
    case("relia", "2026-06-02T12:30:00+09:00", 0, "2026-06-02T12:30:00+09:00", "zero-at-lunch"),
    case("rext-cs", "2026-05-04T10:00:00+09:00", 0, "2026-05-04T10:00:00+09:00", "zero-on-holiday"),
]


@pytest.mark.parametrize(("desk", "start", "n", "expected"), MINUTES)
def test_due_business_minutes(desk: str, start: str, n: int, expected: str) -> None:
    due = CAL[desk].due_business_minutes(at(start), n)
    assert due.tzinfo is UTC
    assert CAL[desk].format(due) == expected
    assert due == at(expected)


DAYS = [
    # the start's own date never counts, whatever the hour
    case("relia", "2026-06-02T08:00:00+09:00", 1, "2026-06-03T17:00:00+09:00", "before-opening"),
    case("relia", "2026-06-02T10:00:00+09:00", 1, "2026-06-03T17:00:00+09:00", "open-hours"),
    case("relia", "2026-06-02T23:59:00+09:00", 1, "2026-06-03T17:00:00+09:00", "late-night"),
    case("rext-cs", "2026-06-01T23:30:00+00:00", 1, "2026-06-03T18:00:00+09:00", "utc-input-local-date-0602"),
    case("relia", "2026-06-06T10:00:00+09:00", 1, "2026-06-08T17:00:00+09:00", "saturday"),
    case("relia", "2026-06-05T10:00:00+09:00", 1, "2026-06-08T17:00:00+09:00", "friday"),
    case("relia", "2026-06-05T10:00:00+09:00", 5, "2026-06-12T17:00:00+09:00", "a-week"),
    case("rext-cs", "2026-06-05T10:00:00+09:00", 5, "2026-06-12T18:00:00+09:00", "a-week"),
    case("relia", "2026-05-04T10:00:00+09:00", 1, "2026-05-07T17:00:00+09:00", "start-on-holiday"),
    # Golden Week, Silver Week
    case("relia", "2026-04-28T10:00:00+09:00", 1, "2026-04-30T17:00:00+09:00", "gw-showa-day"),
    case("relia", "2026-04-28T10:00:00+09:00", 3, "2026-05-07T17:00:00+09:00", "gw-3-days"),
    case("rext-cs", "2026-05-01T10:00:00+09:00", 1, "2026-05-07T18:00:00+09:00", "gw"),
    case("relia", "2026-09-18T10:00:00+09:00", 1, "2026-09-24T17:00:00+09:00", "silver-week"),
    case("rext-cs", "2026-09-18T10:00:00+09:00", 2, "2026-09-25T18:00:00+09:00", "silver-week-2"),
    # year end (2026-01-12 is Coming of Age Day)
    case("relia", "2025-12-24T10:00:00+09:00", 10, "2026-01-15T17:00:00+09:00", "2025-12-24-plus-10"),
    case("rext-cs", "2026-12-28T10:00:00+09:00", 1, "2027-01-04T18:00:00+09:00", "year-end"),
    case("rext-cs", "2026-12-25T10:00:00+09:00", 1, "2026-12-28T18:00:00+09:00", "12-28-counts"),
    # substitute holidays
    case("relia", "2025-02-21T10:00:00+09:00", 1, "2025-02-25T17:00:00+09:00", "substitute-2025-02-24"),
    case("relia", "2024-02-09T10:00:00+09:00", 1, "2024-02-13T17:00:00+09:00", "substitute-2024-02-12"),
    case("rext-cs", "2027-03-19T10:00:00+09:00", 1, "2027-03-23T18:00:00+09:00", "substitute-2027-03-22"),
    # n == 0
    case("relia", "2026-06-02T08:00:00+09:00", 0, "2026-06-02T08:00:00+09:00", "zero"),
]


@pytest.mark.parametrize(("desk", "start", "n", "expected"), DAYS)
def test_due_business_days(desk: str, start: str, n: int, expected: str) -> None:
    due = CAL[desk].due_business_days(at(start), n)
    assert due.tzinfo is UTC
    assert CAL[desk].format(due) == expected


CALENDAR_DAYS = [
    # APPI Art. 39: arrival day D, the period ends at the end of D+14; holidays do not pause it.
    case("relia", "2026-06-02T10:00:00+09:00", 14, "2026-06-16T23:59:59+09:00", "plain"),
    case("rext-cs", "2026-04-28T23:30:00+09:00", 14, "2026-05-12T23:59:59+09:00", "through-golden-week"),
    case("relia", "2026-12-25T10:00:00+09:00", 14, "2027-01-08T23:59:59+09:00", "through-year-end"),
    case("relia", "2026-06-06T10:00:00+09:00", 14, "2026-06-20T23:59:59+09:00", "arrives-saturday"),
    case("rext-cs", "2026-06-01T16:00:00+00:00", 14, "2026-06-16T23:59:59+09:00", "utc-input-tokyo-0602"),
    case("relia", "2028-02-20T10:00:00+09:00", 14, "2028-03-05T23:59:59+09:00", "leap-february"),
    case("relia", "2026-06-02T10:00:00+09:00", 0, "2026-06-02T23:59:59+09:00", "zero-is-end-of-day"),
]


@pytest.mark.parametrize(("desk", "start", "n", "expected"), CALENDAR_DAYS)
def test_due_calendar_days(desk: str, start: str, n: int, expected: str) -> None:
    due = CAL[desk].due_calendar_days(at(start), n)
    assert due.tzinfo is UTC
    assert CAL[desk].format(due) == expected


ELAPSED = [
    pytest.param("relia", "2026-06-02T09:00:00+09:00", "2026-06-02T18:00:00+09:00", 390, id="relia:whole-day"),
    pytest.param("relia", "2026-06-02T11:00:00+09:00", "2026-06-02T13:30:00+09:00", 90, id="relia:over-lunch"),
    pytest.param("relia", "2026-06-02T12:10:00+09:00", "2026-06-02T12:50:00+09:00", 0, id="relia:inside-lunch"),
    pytest.param("relia", "2026-06-02T09:30:00+09:00", "2026-06-02T09:31:00+09:00", 1, id="relia:first-minute"),
    pytest.param("relia", "2026-06-02T16:59:00+09:00", "2026-06-02T17:00:00+09:00", 1, id="relia:last-minute"),
    pytest.param("relia", "2026-06-02T09:30:00+09:00", "2026-06-02T09:31:59+09:00", 1, id="relia:whole-minutes-only"),
    pytest.param("relia", "2026-06-02T16:30:00+09:00", "2026-06-03T09:45:00+09:00", 45, id="relia:over-night"),
    pytest.param("relia", "2026-06-05T16:00:00+09:00", "2026-06-08T10:00:00+09:00", 90, id="relia:over-weekend"),
    pytest.param("relia", "2026-06-02T00:30:00+00:00", "2026-06-02T03:00:00+00:00", 150, id="relia:utc-input"),
    pytest.param("relia", "2026-04-28T09:30:00+09:00", "2026-05-08T09:30:00+09:00", 1560, id="relia:golden-week"),
    pytest.param("relia", "2026-05-01T17:00:00+09:00", "2026-05-07T09:30:00+09:00", 0, id="relia:golden-week-closed"),
    pytest.param("rext-cs", "2026-09-18T00:00:00+09:00", "2026-09-25T00:00:00+09:00", 960, id="rext-cs:silver-week"),
    pytest.param("rext-cs", "2026-12-24T00:00:00+09:00", "2027-01-05T00:00:00+09:00", 1920, id="rext-cs:year-end"),
    pytest.param("relia", "2026-12-28T17:00:00+09:00", "2027-01-04T09:30:00+09:00", 0, id="relia:year-end-closed"),
    pytest.param("rext-cs", "2025-02-21T10:00:00+09:00", "2025-02-26T10:00:00+09:00", 960, id="rext-cs:substitute"),
    pytest.param("relia", "2026-06-03T10:00:00+09:00", "2026-06-02T10:00:00+09:00", 0, id="relia:end-before-start"),
    pytest.param("relia", "2026-06-02T10:00:00+09:00", "2026-06-02T10:00:00+09:00", 0, id="relia:empty"),
]


@pytest.mark.parametrize(("desk", "start", "end", "minutes"), ELAPSED)
def test_elapsed_minutes(desk: str, start: str, end: str, minutes: int) -> None:
    assert CAL[desk].elapsed_minutes(at(start), at(end)) == minutes


@pytest.mark.parametrize(
    ("desk", "instant", "is_open", "next_open"),
    [
        pytest.param("relia", "2026-06-02T09:30:00+09:00", True, "2026-06-02T09:30:00+09:00", id="relia-opening"),
        pytest.param("relia", "2026-06-02T11:59:59+09:00", True, "2026-06-02T11:59:59+09:00", id="relia-11:59:59"),
        pytest.param("relia", "2026-06-02T12:00:00+09:00", False, "2026-06-02T13:00:00+09:00", id="relia-lunch"),
        pytest.param("relia", "2026-06-02T17:00:00+09:00", False, "2026-06-03T09:30:00+09:00", id="relia-closing"),
        pytest.param("relia", "2026-05-01T17:00:00+09:00", False, "2026-05-07T09:30:00+09:00", id="relia-gw"),
        pytest.param("rext-cs", "2026-12-28T18:00:00+09:00", False, "2027-01-04T10:00:00+09:00", id="rcs-year-end"),
        pytest.param("rext-cs", "2026-09-21T11:00:00+09:00", False, "2026-09-24T10:00:00+09:00", id="rcs-silver"),
        pytest.param("rext-cs", "2026-06-02T01:00:00+00:00", True, "2026-06-02T10:00:00+09:00", id="rcs-utc-input"),
    ],
)
def test_is_open_and_next_open(desk: str, instant: str, is_open: bool, next_open: str) -> None:
    cal = CAL[desk]
    assert cal.is_open(at(instant)) is is_open
    assert cal.format(cal.next_open(at(instant))) == next_open


@pytest.mark.parametrize(
    ("day", "business"),
    [
        ("2026-04-28", True),
        ("2026-04-29", False),
        ("2026-04-30", True),
        ("2026-05-01", True),
        ("2026-05-04", False),
        ("2026-05-05", False),
        ("2026-05-06", False),
        ("2026-05-07", True),
        ("2026-09-21", False),
        ("2026-09-22", False),
        ("2026-09-23", False),
        ("2026-09-24", True),
        ("2026-12-28", True),
        ("2026-12-29", False),
        ("2026-12-31", False),
        ("2027-01-01", False),
        ("2027-01-03", False),
        ("2027-01-04", True),
        ("2026-01-12", False),
        ("2026-06-06", False),
        ("2024-02-12", False),
        ("2025-02-24", False),
        ("2027-03-22", False),
        ("2025-11-24", False),
    ],
)
def test_business_days_of_both_desks(day: str, business: bool) -> None:
    for cal in CAL.values():
        assert cal.is_business_day(date.fromisoformat(day)) is business, day


def test_local_windows_and_format() -> None:
    relia, rcs = CAL["relia"], CAL["rext-cs"]
    assert relia.local_windows(date(2026, 6, 2)) == (
        OpeningWindow(time(9, 30), time(12)),
        OpeningWindow(time(13), time(17)),
    )
    assert rcs.local_windows(date(2026, 6, 2)) == (OpeningWindow(time(10), time(18)),)
    assert relia.local_windows(date(2026, 5, 5)) == () and rcs.local_windows(date(2026, 6, 7)) == ()
    assert relia.format(datetime(2026, 6, 2, 8, 0, tzinfo=UTC)) == "2026-06-02T17:00:00+09:00"
