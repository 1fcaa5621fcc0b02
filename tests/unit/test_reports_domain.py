"""The arithmetic of the annual records report (domain/reports.py), table by table.

Every expected figure was worked out by hand: relia opens 09:30-12:00 and 13:00-17:00 Mon-Fri (390
minutes a day), rext-cs 10:00-18:00 Mon-Fri (480), both in Asia/Tokyo, closed 12/29-1/3 and on
national holidays (2026-11-23 Labour Thanksgiving Day is a Monday).
"""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ticketing.container import load_desks
from ticketing.domain.calendar import BusinessCalendar, OpeningWindow
from ticketing.domain.errors import ValidationFailed
from ticketing.domain.reports import (
    OVERALL,
    FirstResponse,
    ReferralCount,
    RequestCount,
    TicketCount,
    YearFacts,
    annual_report,
    business_days,
    nearest_rank,
    standard_day_minutes,
    window_minutes,
    year_period,
)
from ticketing.settings import BUNDLED_DESKS

DESKS = load_desks(BUNDLED_DESKS)
RELIA = BusinessCalendar(DESKS["relia"].calendar_spec())
NOW = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)  # Tue 10:00 JST


def jst(text: str) -> datetime:
    return datetime.fromisoformat(text + "+09:00")


def w(start: str, end: str) -> OpeningWindow:
    return OpeningWindow(time.fromisoformat(start), time.max if end == "24:00" else time.fromisoformat(end))


@pytest.mark.parametrize(
    ("values", "median", "p90"),
    [
        pytest.param([], None, None, id="none"),
        pytest.param([7], 7, 7, id="one"),
        pytest.param([1, 2], 1, 2, id="two: the lower middle; rank ceil(1.8) = 2"),
        pytest.param([3, 1, 2], 2, 3, id="unsorted three"),
        pytest.param(list(range(1, 11)), 5, 9, id="1..10: ranks 5 and 9"),
        pytest.param(list(range(1, 12)), 6, 10, id="1..11: ranks ceil(5.5) = 6 and ceil(9.9) = 10"),
        pytest.param(list(range(1, 21)), 10, 18, id="1..20: ranks 10 and 18"),
        pytest.param([0, 0, 0, 0, 100], 0, 100, id="one slow ticket shows in p90 only"),
        pytest.param([5, 5, 5, 5], 5, 5, id="ties"),
    ],
)
def test_median_and_p90_by_nearest_rank(values: list[int], median: int | None, p90: int | None) -> None:
    assert nearest_rank(values, 50) == median
    assert nearest_rank(values, 90) == p90


@pytest.mark.parametrize("percent", [0, -1, 101])
def test_a_percentile_outside_1_to_100_is_refused(percent: int) -> None:
    with pytest.raises(ValueError, match="percent"):
        nearest_rank([1, 2, 3], percent)


@given(st.lists(st.integers(min_value=0, max_value=10**6), min_size=1), st.integers(min_value=1, max_value=100))
def test_nearest_rank_is_a_value_that_occurred_with_p_percent_at_or_below_it(values: list[int], percent: int) -> None:
    found = nearest_rank(values, percent)
    assert found in values
    n = len(values)
    assert sum(v <= found for v in values) * 100 >= percent * n  # at least p % are at or below
    assert sum(v < found for v in values) * 100 < percent * n  # and fewer than p % below


@pytest.mark.parametrize(
    ("windows", "minutes"),
    [
        pytest.param([w("09:30", "12:00")], 150, id="morning"),
        pytest.param([w("13:00", "17:00")], 240, id="afternoon"),
        pytest.param([w("22:00", "24:00")], 120, id="to midnight"),
        pytest.param([w("00:00", "24:00")], 1440, id="all day"),
    ],
)
def test_window_minutes(windows: list[OpeningWindow], minutes: int) -> None:
    assert sum(window_minutes(x) for x in windows) == minutes


WEEKDAYS_RELIA = {d: (w("09:30", "12:00"), w("13:00", "17:00")) for d in range(5)}


@pytest.mark.parametrize(
    ("hours", "minutes"),
    [
        pytest.param(DESKS["relia"].hours, 390, id="relia seed: 150 + 240"),
        pytest.param(DESKS["rext-cs"].hours, 480, id="rext-cs seed: 10-18"),
        pytest.param({**WEEKDAYS_RELIA, 5: (w("10:00", "12:00"),)}, 390, id="a short Saturday does not count"),
        pytest.param({0: (w("09:00", "17:00"),), 1: (w("09:00", "13:00"),)}, 480, id="a tie goes to the longer day"),
        pytest.param(
            {0: (w("09:00", "12:00"),), 1: (w("09:00", "12:00"),), 2: (w("09:00", "18:00"),)}, 180, id="most days"
        ),
        pytest.param({0: (), 1: (w("09:00", "17:00"),)}, 480, id="a closed weekday has no length"),
        pytest.param({d: (w("00:00", "24:00"),) for d in range(7)}, 1440, id="always open"),
    ],
)
def test_the_standard_business_day(hours: dict[int, tuple[OpeningWindow, ...]], minutes: int) -> None:
    assert standard_day_minutes(hours) == minutes


def test_a_desk_that_never_opens_has_no_business_day() -> None:
    with pytest.raises(ValueError, match="no weekday"):
        standard_day_minutes({0: ()})


@pytest.mark.parametrize(
    ("minutes", "day", "days"),
    [
        pytest.param(0, 390, 0.0, id="zero"),
        pytest.param(60, 390, 0.15, id="60/390 = 0.1538"),
        pytest.param(390, 390, 1.0, id="one day"),
        pytest.param(2010, 390, 5.15, id="2010/390 = 5.1538"),
        pytest.param(195, 390, 0.5, id="half"),
        pytest.param(2, 400, 0.01, id="2/400 = 0.005: half up, not to even"),
        pytest.param(10, 400, 0.03, id="10/400 = 0.025: half up, not to even"),
        pytest.param(18, 480, 0.04, id="18/480 = 0.0375"),
        pytest.param(2, 480, 0.0, id="2/480 = 0.0042"),
        pytest.param(4800, 480, 10.0, id="ten rext-cs days"),
    ],
)
def test_business_minutes_as_business_days(minutes: int, day: int, days: float) -> None:
    assert business_days(minutes, day) == days


@pytest.mark.parametrize(
    ("year", "start", "end"),
    [
        (2026, "2025-12-31T15:00:00+00:00", "2026-12-31T15:00:00+00:00"),
        (2005, "2004-12-31T15:00:00+00:00", "2005-12-31T15:00:00+00:00"),
        (2024, "2023-12-31T15:00:00+00:00", "2024-12-31T15:00:00+00:00"),
    ],
)
def test_the_year_is_the_desks_local_calendar_year(year: int, start: str, end: str) -> None:
    assert year_period(year, "Asia/Tokyo", NOW) == (datetime.fromisoformat(start), datetime.fromisoformat(end))


def test_the_year_follows_the_zone_across_daylight_saving() -> None:
    start, end = year_period(2025, "Europe/Berlin", NOW)
    assert (start.isoformat(), end.isoformat()) == ("2024-12-31T23:00:00+00:00", "2025-12-31T23:00:00+00:00")


@pytest.mark.parametrize(
    ("year", "now"),
    [
        pytest.param(2004, NOW, id="before the APPI records"),
        pytest.param(0, NOW, id="zero"),
        pytest.param(-2026, NOW, id="negative"),
        pytest.param(2027, NOW, id="not begun"),
        pytest.param(10_000, NOW, id="far future"),
        pytest.param(2027, datetime(2026, 12, 31, 14, 59, tzinfo=UTC), id="23:59 JST on new year's eve"),
    ],
)
def test_a_bad_year_is_refused(year: int, now: datetime) -> None:
    with pytest.raises(ValidationFailed) as refused:
        year_period(year, "Asia/Tokyo", now)
    assert "year" in refused.value.errors


def test_the_next_year_begins_at_local_midnight() -> None:
    assert year_period(2027, "Asia/Tokyo", datetime(2026, 12, 31, 15, 0, tzinfo=UTC))[0].year == 2026


def response(category: str, received: str, responded: str) -> FirstResponse:
    return FirstResponse(category, jst(received), jst(responded))


FACTS = YearFacts(
    tickets=(
        TicketCount("complaint", "web", "responded", 2),
        TicketCount("complaint", "email", "triage", 1),
        TicketCount("inquiry", "phone", "closed", 2),
        TicketCount("request", "post", "in_progress", 1),
        TicketCount("incident", "api", "received", 1),
        TicketCount("incident", "api", "closed", 1),
    ),
    requests=(
        RequestCount("disclosure", None, 1),
        RequestCount("disclosure", "withdrawn", 2),
        RequestCount("disclosure", "disclosed", 1),
        RequestCount("correction", "corrected", 1),
    ),
    referrals=(ReferralCount("informed", 2, 0), ReferralCount("inquiry", 3, 1)),
    responses=(
        # Tue 10:00 -> 11:00: 60 minutes.
        response("complaint", "2026-11-24T10:00:00", "2026-11-24T11:00:00"),
        # Tue 09:00 (before opening) -> 11:00: from 09:30, 90 minutes.
        response("complaint", "2026-11-24T09:00:00", "2026-11-24T11:00:00"),
        # Mon 11-16 10:00 -> Tue 11-24 11:00: 120 + 240, Tue-Fri 4 x 390, Mon 11-23 a holiday, 90 = 2010.
        response("inquiry", "2026-11-16T10:00:00", "2026-11-24T11:00:00"),
        # Fri 11:50 -> Fri 13:10: the lunch break does not count, 10 + 10 = 20.
        response("inquiry", "2026-11-20T11:50:00", "2026-11-20T13:10:00"),
    ),
)


def test_the_report_from_its_grouped_rows() -> None:
    period = year_period(2026, "Asia/Tokyo", NOW)
    report = annual_report(DESKS["relia"], 2026, period, FACTS, RELIA, NOW)
    t = report.tickets
    assert t.total == 8
    assert t.by_category == {
        "inquiry": 2,
        "complaint": 3,
        "request": 1,
        "accredited_org_inquiry": 0,
        "incident": 2,
    }
    assert t.by_channel == {"web": 2, "email": 1, "phone": 2, "post": 1, "api": 2}
    assert t.by_state["closed"] == 3 and t.by_state["withdrawn"] == 0 and sum(t.by_state.values()) == 8
    assert list(t.outcome_by_category["complaint"].items()) == [("triage", 1), ("responded", 2)]  # states' order
    assert t.outcome_by_category["accredited_org_inquiry"] == {}

    disclosure = report.requests["disclosure"]
    assert (disclosure.total, disclosure.open) == (4, 1)
    assert list(disclosure.by_result.items()) == [("disclosed", 1), ("withdrawn", 2)]  # in the results' order
    assert report.requests["correction"].by_result == {"corrected": 1}
    assert report.requests["purpose_notification"].total == 0 and len(report.requests) == 8

    assert report.business_day_minutes == 390
    complaint = report.time_to_respond["complaint"]
    assert (complaint.count, complaint.unanswered) == (2, 1)
    assert (complaint.median_business_minutes, complaint.p90_business_minutes) == (60, 90)
    assert (complaint.median_business_days, complaint.p90_business_days) == (0.15, 0.23)  # 60/390, 90/390
    inquiry = report.time_to_respond["inquiry"]
    assert (inquiry.median_business_minutes, inquiry.p90_business_minutes) == (20, 2010)
    assert (inquiry.median_business_days, inquiry.p90_business_days) == (0.05, 5.15)
    none = report.time_to_respond["incident"]
    assert (none.count, none.unanswered, none.median_business_days, none.p90_business_days) == (0, 2, None, None)
    overall = report.time_to_respond[OVERALL]
    # 20, 60, 90, 2010: median rank 2, p90 rank ceil(3.6) = 4.
    assert (overall.count, overall.unanswered, overall.median_business_minutes, overall.p90_business_minutes) == (
        4,
        4,
        60,
        2010,
    )

    assert report.accredited_org == {"informed": 2, "inquiries": 3, "inquiries_answered": 1}
    assert report.organisation is None  # relia names no accredited organisation
    assert report.incidents == {"total": 2, "open": 1}
    assert (report.desk, report.year, report.timezone, report.generated_at) == ("relia", 2026, "Asia/Tokyo", NOW)
    assert report.period_start == jst("2026-01-01T00:00:00")


def test_an_empty_year() -> None:
    period = year_period(2025, "Asia/Tokyo", NOW)
    cal = BusinessCalendar(DESKS["rext-cs"].calendar_spec())
    report = annual_report(DESKS["rext-cs"], 2025, period, YearFacts(), cal, NOW)
    assert report.tickets.total == 0 and set(report.tickets.by_category.values()) == {0}
    assert report.business_day_minutes == 480
    assert report.organisation == "JUAS"
    assert report.accredited_org == {"informed": 0, "inquiries": 0, "inquiries_answered": 0}
    assert report.time_to_respond[OVERALL].median_business_days is None
    assert all(r.total == 0 and r.by_result == {} for r in report.requests.values())
