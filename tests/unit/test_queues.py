"""domain/queues.py: the queue columns from a ticket's clocks, and the page cursor."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from ticketing.domain.clocks import ClockState
from ticketing.domain.queues import NO_DUE, Cursor, Risk, next_due, queue_columns, risk
from ticketing.domain.sla import ClockKind, Target, Unit
from ticketing.domain.tickets import State

T0 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


def clock(kind: ClockKind = ClockKind.FIRST_RESPONSE, hours: int = 4, **changes: object) -> ClockState:
    base = ClockState(
        kind=kind,
        target=Target(4, Unit.BUSINESS_MINUTES),
        stages=(),
        started_at=T0,
        budget_us=0,
        policy={},
        due_at=T0 + timedelta(hours=hours),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_the_next_deadline_is_the_earliest_running_clock():
    clocks = [clock(hours=8), clock(ClockKind.RESOLUTION, hours=3), clock(ClockKind.STATUTORY, hours=1, paused=True)]
    assert next_due(State.IN_PROGRESS, clocks) == T0 + timedelta(hours=3)
    assert next_due(State.IN_PROGRESS, [clock(stopped_at=T0)]) == NO_DUE  # open, nothing running
    assert next_due(State.IN_PROGRESS, []) == NO_DUE
    for settled in (State.CLOSED, State.RESPONDED, State.WITHDRAWN, State.REJECTED, State.FORWARDED):
        assert next_due(settled, clocks) is None


@pytest.mark.parametrize(
    ("clocks", "expected"),
    [
        ([clock()], Risk.NONE),
        ([clock(next_stage=1)], Risk.WARNED),
        ([clock(next_stage=3, breached_at=T0)], Risk.BREACHED),
        ([clock(next_stage=1, stopped_at=T0)], Risk.NONE),  # answered: no longer at risk
        ([clock(next_stage=1, paused=True)], Risk.NONE),  # waiting on the requester
        ([clock(next_stage=1), clock(ClockKind.RESOLUTION, breached_at=T0, next_stage=3)], Risk.BREACHED),
    ],
)
def test_risk_is_the_highest_rung_of_a_running_clock(clocks, expected):
    assert risk(clocks) is expected
    assert queue_columns(State.IN_PROGRESS, clocks)["risk"] == int(expected)


def test_a_cursor_survives_its_link_and_refuses_anything_else():
    at = datetime(2026, 11, 24, 6, 0, 0, 123456, tzinfo=UTC)
    assert Cursor.parse(Cursor(at, 42).token()) == Cursor(at, 42)
    assert Cursor.parse(Cursor(None, 7).token()) == Cursor(None, 7)
    for bad in ("", "42", "~", "x~1", "2026-11-24T06:00:00~1", "2026-11-24T06:00:00+00:00~-1", "a" * 100 + "~1"):
        assert Cursor.parse(bad) is None, bad


def test_the_waiting_queue_states_its_partial_index_condition_word_for_word():
    """Both engines use a partial index only when the query says its condition as the index does."""
    import importlib

    from ticketing.db.queues import WARNED, states_sql
    from ticketing.domain.queues import RULES, Queue

    migration = importlib.import_module("ticketing.migrations.ticketing_2026_12_06t04_50_00_000000")
    assert states_sql(RULES[Queue.WAITING].states) == migration.WAITING
    assert WARNED == migration.WARNED
