"""The monthly SLA report's rules (domain/sla_report.py) on hand-made clocks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ticketing.domain.errors import ValidationFailed
from ticketing.domain.sla import Pause
from ticketing.domain.sla_report import (
    Cause,
    ClockFact,
    Month,
    Outcome,
    Tally,
    cause,
    hours,
    month_period,
    outcome,
    trend_months,
)

T = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)  # Tue 10:00 in Tokyo
H = timedelta(hours=1)


def fact(**kw: object) -> ClockFact:
    base: dict[str, object] = {
        "ticket": 1,
        "kind": "first_response",
        "category": "complaint",
        "started_at": T,
        "due_at": T + 4 * H,
        "paused": False,
        "stopped_at": None,
        "breached_at": None,
        "first_responded_at": None,
    }
    base.update(kw)
    return ClockFact(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({}, Outcome.OPEN),
        ({"stopped_at": T + H}, Outcome.MET),
        ({"stopped_at": T + 5 * H, "breached_at": T + 4 * H}, Outcome.BREACHED),
        ({"breached_at": T + 4 * H}, Outcome.BREACHED),  # recorded by the sweep, still running
        ({"due_at": T - H}, Outcome.BREACHED),  # past due; the sweep has not come round yet
        ({"due_at": None, "paused": True}, Outcome.OPEN),
        ({"due_at": None, "paused": True, "stopped_at": T}, Outcome.MET),  # stopped while paused
    ],
)
def test_outcome(kw: dict[str, object], expected: Outcome) -> None:
    assert outcome(fact(**kw), T) is expected


def test_causes_are_checked_in_order() -> None:
    late = fact(breached_at=T + 4 * H, stopped_at=T + 5 * H, first_responded_at=T + 5 * H)
    assert cause(late, ()) is Cause.ANSWERED_LATE
    assert cause(fact(breached_at=T + 4 * H), ()) is Cause.NEVER_ANSWERED
    answered_question = Pause(T, T + H, "waiting on requester: awaiting_documents")
    assert cause(late, [answered_question]) is Cause.WAITING_ON_US
    still_waiting = Pause(T + 2 * H, None, "waiting on requester: awaiting_documents")
    assert cause(late, [still_waiting]) is Cause.ANSWERED_LATE  # never came back before the breach
    after = Pause(T + 6 * H, T + 7 * H, "waiting on requester: awaiting_documents")
    assert cause(late, [after]) is Cause.ANSWERED_LATE  # a pause after the breach explains nothing
    reopened = Pause(T, T + H, "settled, then reopened")
    assert cause(late, [answered_question, reopened]) is Cause.REOPENED


def test_compliance_and_hours_round_half_up() -> None:
    assert Tally(1, 2, 5).compliance == 0.3333
    assert Tally(2, 1).compliance == 0.6667
    assert Tally(0, 0, 3).compliance is None
    assert Tally(0, 1).compliance == 0.0
    assert hours(2010) == 33.5
    assert hours(1) == 0.02  # 0.01666... rounds up
    assert hours(None) is None


def test_months() -> None:
    assert Month.parse("2026-01").shift(-1) == Month(2025, 12)
    assert Month(2026, 12).shift(1) == Month(2027, 1)
    assert [str(m) for m in trend_months(Month(2026, 3), 4)] == ["2025-12", "2026-01", "2026-02", "2026-03"]
    start, end = month_period(Month(2026, 11), "Asia/Tokyo", T)
    assert (start, end) == (datetime(2026, 10, 31, 15, tzinfo=UTC), datetime(2026, 11, 30, 15, tzinfo=UTC))
    for bad in ("2026-00", "26-11", "2026/11", "2026-11-01", "２０２６-１１", ""):
        with pytest.raises(ValidationFailed):
            Month.parse(bad)
    with pytest.raises(ValidationFailed):
        month_period(Month(2026, 12), "Asia/Tokyo", T)  # not yet begun in Tokyo
    assert month_period(Month(2026, 12), "Asia/Tokyo", datetime(2026, 11, 30, 15, tzinfo=UTC))  # 00:00 JST 12-01


def test_percentiles_of_counted_values_are_the_nearest_rank_of_the_values() -> None:
    from ticketing.domain.reports import nearest_rank
    from ticketing.domain.sla_report import rank_of, times_of_minutes

    values = [30, 30, 30, 60, 120, 2010]
    counts = {30: 3, 60: 1, 120: 1, 2010: 1}
    for percent in (1, 10, 50, 51, 90, 99, 100):
        assert rank_of(counts, percent) == nearest_rank(values, percent)
    assert rank_of({}, 50) is None
    timed = times_of_minutes([("first_response", "complaint", 30, 3), ("first_response", "incident", 60, 1)])
    assert timed["first_response"]["all"].count == 4
    assert (
        timed["first_response"]["all"].median_business_minutes,
        timed["first_response"]["all"].p90_business_minutes,
    ) == (30, 60)
    assert timed["resolution"] == {}
