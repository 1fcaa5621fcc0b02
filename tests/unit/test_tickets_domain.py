"""The state transition table and references."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from ticketing.domain.tickets import (
    OPEN_STATES,
    TRANSITIONS,
    Action,
    Reference,
    State,
    next_state,
)


def test_every_pair_is_either_in_the_table_or_refused() -> None:
    allowed = refused = 0
    for state, action in itertools.product(State, Action):
        target = next_state(state, action)
        if (state, action) in TRANSITIONS:
            assert target is TRANSITIONS[(state, action)]
            allowed += 1
        else:
            assert target is None
            refused += 1
    assert allowed == len(TRANSITIONS) and refused > allowed


def test_terminal_states_only_reopen() -> None:
    for state in (State.CLOSED, State.REJECTED, State.WITHDRAWN):
        actions = {a for (s, a) in TRANSITIONS if s is state}
        assert actions <= {Action.REOPEN}, (state, actions)
    assert next_state(State.WITHDRAWN, Action.REOPEN) is None


def test_every_open_state_can_be_withdrawn_and_every_state_is_reachable() -> None:
    for state in OPEN_STATES:
        assert next_state(state, Action.WITHDRAW) is State.WITHDRAWN
    reachable = {State.RECEIVED}
    frontier = [State.RECEIVED]
    while frontier:
        here = frontier.pop()
        for (s, _), target in TRANSITIONS.items():
            if s is here and target not in reachable:
                reachable.add(target)
                frontier.append(target)
    assert reachable == set(State)


def test_responding_needs_work_first() -> None:
    assert next_state(State.RECEIVED, Action.RESPOND) is None
    assert next_state(State.AWAITING_DOCUMENTS, Action.RESPOND) is None
    assert next_state(State.IN_PROGRESS, Action.RESPOND) is State.RESPONDED


@given(st.sampled_from(["REL", "RCS", "ABCDEF"]), st.integers(2000, 2099), st.integers(1, 9_999_999))
def test_reference_round_trip(prefix: str, year: int, seq: int) -> None:
    ref = Reference(prefix, year, seq)
    assert Reference.parse(str(ref)) == ref
    assert str(ref).startswith(f"{prefix}-{year}-")


def test_reference_format() -> None:
    assert str(Reference("REL", 2026, 123)) == "REL-2026-000123"
    assert Reference.parse("rel-2026-000123") is None
    assert Reference.parse("REL-2026-12") is None
