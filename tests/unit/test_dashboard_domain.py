"""The dashboard's rules (domain/dashboard.py): time left or over in the desk's open minutes, its
words, the rungs in words, the clock a deadline belongs to, the statutory watch window, the order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ticketing.container import load_desks
from ticketing.domain import dashboard as d
from ticketing.domain.calendar import BusinessCalendar
from ticketing.settings import BUNDLED_DESKS

RELIA = BusinessCalendar(load_desks(BUNDLED_DESKS)["relia"].calendar_spec())  # 09:30-12:00, 13:00-17:00
TOKYO = ZoneInfo("Asia/Tokyo")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text + "+09:00")


@pytest.mark.parametrize(
    ("now", "due", "calendar_days", "minutes", "over"),
    [
        ("2026-11-24T13:40", "2026-11-24T15:00", False, 80, False),  # 1 h 20 min of open time left
        ("2026-11-24T11:30", "2026-11-24T13:30", False, 60, False),  # lunch does not count
        ("2026-11-24T18:00", "2026-11-24T15:00", False, 120, True),  # after closing: 15:00-17:00 over
        ("2026-11-25T09:00", "2026-11-24T15:00", False, 120, True),  # the night adds nothing
        ("2026-11-27T16:00", "2026-11-30T10:00", False, 90, False),  # Fri 16:00 to Mon 10:00: 60 + 30
        ("2026-11-24T18:00", "2026-11-24T15:00", True, 180, True),  # a calendar-day clock: wall time
        ("2026-11-24T15:00", "2026-11-24T15:00", False, 0, True),  # due now is over (as the queues say)
    ],
)
def test_remaining_counts_the_desks_open_minutes(now, due, calendar_days, minutes, over) -> None:
    span = d.remaining(RELIA, at(due), at(now), calendar_days=calendar_days)
    assert (span.minutes, span.over) == (minutes, over)


@pytest.mark.parametrize(
    ("minutes", "calendar_days", "over", "said"),
    [
        (80, False, False, "1 h 20 min left"),
        (180, False, True, "3 h over"),
        (45, False, False, "45 min left"),
        (0, False, False, "0 min left"),
        (61 * 60, False, True, "61 h over"),  # business hours stay hours
        (61 * 60, True, False, "2 d 13 h left"),  # calendar days past two days read in days
        (72 * 60, True, True, "3 d over"),
        (47 * 60 + 5, True, False, "47 h 5 min left"),
    ],
)
def test_the_span_in_words(minutes: int, calendar_days: bool, over: bool, said: str) -> None:
    span = d.Span(minutes, over, calendar_days)
    inner = d.span_phrase(span)
    outer = d.left_or_over(span)
    assert outer.msgid % {"time": inner.msgid % dict(inner.values)} == said


@given(st.integers(min_value=0, max_value=10**6), st.booleans(), st.booleans())
def test_every_span_has_words(minutes: int, over: bool, days: bool) -> None:
    phrase = d.span_phrase(d.Span(minutes, over, days))
    assert phrase.msgid % dict(phrase.values)


@pytest.mark.parametrize(
    ("stage", "said"),
    [
        ("50%", "warning at 50%"),
        ("80%", "warning at 80%"),
        ("100%", "breach notice"),
        ("breach+1bd", "escalated 1 business days after the breach"),
        ("odd", "odd"),  # a rung from a desks file this code does not know: shown as it is
    ],
)
def test_rungs_in_words(stage: str, said: str) -> None:
    phrase = d.rung_phrase(stage)
    assert phrase.msgid % dict(phrase.values) == said if phrase.values else phrase.msgid == said


def test_the_deadline_is_the_running_clock_due_first_and_the_last_rung_of_a_running_clock() -> None:
    first = d.RunningClock(1, "first_response", "business_minutes", at("2026-11-24T15:00"))
    resolution = d.RunningClock(2, "resolution", "business_days", at("2026-12-01T17:00"))
    paused = d.RunningClock(3, "statutory", "calendar_days", None)
    assert d.deadline_clock([resolution, paused, first], at("2026-11-24T15:00")) == first
    assert d.deadline_clock([resolution, paused], None) == resolution
    assert d.deadline_clock([paused], None) is None
    rungs = [
        d.Rung(1, "50%", at("2026-11-24T13:00")),
        d.Rung(1, "80%", at("2026-11-24T14:12")),
        d.Rung(9, "100%", at("2026-11-24T16:00")),  # a stopped clock's: history
    ]
    assert d.last_rung(rungs, [1, 2]) == "80%"
    assert d.last_rung(rungs, [2]) is None


@pytest.mark.parametrize(
    ("now", "horizon"),
    [
        ("2026-11-24T10:00", "2026-11-27T23:59:59"),
        ("2026-11-24T23:30", "2026-11-27T23:59:59"),
        ("2026-11-24T00:10", "2026-11-27T23:59:59"),  # 15:10 UTC the day before: Tokyo's date counts
        ("2026-12-30T12:00", "2027-01-02T23:59:59"),  # calendar days: closures and holidays count too
    ],
)
def test_the_statutory_watch_ends_with_the_third_calendar_day_from_today(now: str, horizon: str) -> None:
    assert d.STATUTORY_WATCH_DAYS == 3 and d.STATUTORY_CITATION == "APPI Art. 39"
    assert d.watch_horizon(at(now), TOKYO) == at(horizon)


@dataclass(frozen=True)
class Row:
    reference: str
    due_at: datetime | None


def test_lists_go_by_due_then_reference_and_paused_last() -> None:
    base = at("2026-11-24T10:00")
    rows = [Row("C", None), Row("B", base), Row("A", base), Row("D", base - timedelta(days=1))]
    assert [r.reference for r in d.by_due(rows)] == ["D", "A", "B", "C"]
    shown, more = d.more(list(range(21)), d.LIST_SIZE)
    assert len(shown) == 20 and more
    assert d.more([1, 2], 20) == ((1, 2), False)


def test_the_outside_clocks_are_the_organisations_and_the_incidents() -> None:
    assert [k.value for k in d.OUTSIDE_CLOCKS] == [
        "accredited_org",
        "preliminary_report",
        "final_report",
        "individual_notice",
        "client_notice",
    ]
