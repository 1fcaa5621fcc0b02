"""domain.ticket.apply: the transition table written out by hand, every refused pair, and what a move
does to clocks, pauses and requester notices."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from ticketing.container import load_desks
from ticketing.domain.calendar import BusinessCalendar
from ticketing.domain.clocks import start_clocks
from ticketing.domain.errors import InvalidTransition
from ticketing.domain.sla import DEFAULT_STAGES, ClockKind, Target, Unit
from ticketing.domain.ticket import EventAction, Ticket, apply, assign, receive, reply
from ticketing.domain.tickets import Action, Category, Language, State
from ticketing.settings import BUNDLED_DESKS

CAL = BusinessCalendar(load_desks(BUNDLED_DESKS)["relia"].calendar_spec())
T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # Tuesday 10:00 in Tokyo

S, A = State, Action
# Written out from docs/privacy-rules.md, ticket states, not derived from the code's table.
EXPECTED: dict[tuple[State, Action], State] = {
    (S.RECEIVED, A.TRIAGE): S.TRIAGE,
    (S.TRIAGE, A.REQUEST_FORMAL_REQUEST): S.AWAITING_FORMAL_REQUEST,
    (S.TRIAGE, A.REQUEST_DOCUMENTS): S.AWAITING_DOCUMENTS,
    (S.TRIAGE, A.VERIFY_IDENTITY): S.IDENTITY_VERIFICATION,
    (S.TRIAGE, A.START_WORK): S.IN_PROGRESS,
    (S.TRIAGE, A.FORWARD): S.FORWARDED,
    (S.TRIAGE, A.RESPOND): S.RESPONDED,
    (S.AWAITING_FORMAL_REQUEST, A.REQUESTER_REPLIED): S.TRIAGE,
    (S.AWAITING_DOCUMENTS, A.REQUESTER_REPLIED): S.IDENTITY_VERIFICATION,
    (S.AWAITING_DOCUMENTS, A.REJECT): S.REJECTED,
    (S.IDENTITY_VERIFICATION, A.CHECK_FEE): S.FEE_CHECK,
    (S.IDENTITY_VERIFICATION, A.REQUEST_DOCUMENTS): S.AWAITING_DOCUMENTS,
    (S.IDENTITY_VERIFICATION, A.START_WORK): S.IN_PROGRESS,
    (S.IDENTITY_VERIFICATION, A.REJECT): S.REJECTED,
    (S.FEE_CHECK, A.START_WORK): S.IN_PROGRESS,
    (S.FEE_CHECK, A.REQUEST_DOCUMENTS): S.AWAITING_DOCUMENTS,
    (S.IN_PROGRESS, A.ASK_DECISION): S.DECISION_PENDING,
    (S.IN_PROGRESS, A.RESPOND): S.RESPONDED,
    (S.IN_PROGRESS, A.FORWARD): S.FORWARDED,
    (S.DECISION_PENDING, A.RESPOND): S.RESPONDED,
    (S.DECISION_PENDING, A.START_WORK): S.IN_PROGRESS,
    (S.RESPONDED, A.CLOSE): S.CLOSED,
    (S.RESPONDED, A.REOPEN): S.IN_PROGRESS,
    (S.FORWARDED, A.CLOSE): S.CLOSED,
    (S.REJECTED, A.REOPEN): S.TRIAGE,
    (S.CLOSED, A.REOPEN): S.TRIAGE,
}
for _s in set(State) - {S.CLOSED, S.WITHDRAWN, S.REJECTED}:
    EXPECTED[(_s, A.WITHDRAW)] = S.WITHDRAWN  # a requester may withdraw from any open state
    if _s not in (S.RESPONDED, S.FORWARDED):
        EXPECTED[(_s, A.CLOSE)] = S.CLOSED  # spam or duplicate


def ticket(state: State = State.RECEIVED) -> Ticket:
    clocks = start_clocks(
        CAL,
        desk="relia",
        category="inquiry",
        at=T0,
        stages=DEFAULT_STAGES,
        targets={
            ClockKind.FIRST_RESPONSE: Target(240, Unit.BUSINESS_MINUTES),
            ClockKind.RESOLUTION: Target(5, Unit.BUSINESS_DAYS),
        },
    )
    clocks = [replace(c, id=i + 1) for i, c in enumerate(clocks)]
    return Ticket(
        id=1,
        reference="REL-2026-000001",
        desk="relia",
        state=state,
        category=Category.INQUIRY,
        language=Language.EN,
        subject="s",
        clocks=tuple(clocks),
    )


@pytest.mark.parametrize(("state", "action"), list(itertools.product(State, Action)))
def test_every_pair_moves_as_written_or_is_refused(state: State, action: Action) -> None:
    now = T0 + timedelta(hours=1)
    if (state, action) in EXPECTED:
        moved = apply(ticket(state), action, now, CAL)
        assert moved.ticket.state is EXPECTED[(state, action)]
        assert [e.action for e in moved.events] == [EventAction(action.value)]
        assert (moved.events[0].from_state, moved.events[0].to_state) == (state, EXPECTED[(state, action)])
    else:
        with pytest.raises(InvalidTransition):
            apply(ticket(state), action, now, CAL)


def test_the_table_has_exactly_the_written_pairs() -> None:
    allowed = [(s, a) for s, a in itertools.product(State, Action) if (s, a) in EXPECTED]
    assert len(allowed) == len(EXPECTED) == 44


def test_waiting_on_the_requester_pauses_and_their_reply_resumes() -> None:
    waiting = apply(ticket(State.TRIAGE), Action.REQUEST_DOCUMENTS, T0 + timedelta(hours=1), CAL)
    assert waiting.notices == ("awaiting-documents",)
    assert all(c.paused for c in waiting.ticket.clocks)
    assert waiting.ticket.pauses[-1].end is None
    back = receive(waiting.ticket, T0 + timedelta(days=1), CAL, automatic=False)
    assert back.ticket.state is State.IDENTITY_VERIFICATION
    assert back.ticket.pauses[-1].end == T0 + timedelta(days=1)
    assert not any(c.paused for c in back.ticket.clocks)
    # a day paused: the resolution clock is due a business day later than before
    before = {c.kind: c.due_at for c in ticket().clocks}
    after = {c.kind: c.due_at for c in back.ticket.clocks}
    assert after[ClockKind.RESOLUTION] > before[ClockKind.RESOLUTION]  # type: ignore[operator]
    assert back.notices == ()  # no status mail for their own reply


def test_settling_stops_clocks_and_reopening_does_not_count_the_settled_time() -> None:
    done = apply(ticket(State.IN_PROGRESS), Action.RESPOND, T0 + timedelta(hours=2), CAL)
    assert done.notices == ("ticket-resolved",)
    assert done.ticket.closed_at == T0 + timedelta(hours=2)
    assert all(c.stopped_at == T0 + timedelta(hours=2) for c in done.ticket.clocks)
    again = apply(done.ticket, Action.REOPEN, T0 + timedelta(days=3), CAL)
    gap = again.ticket.pauses[-1]
    assert (gap.start, gap.end, gap.reason) == (
        T0 + timedelta(hours=2),
        T0 + timedelta(days=3),
        "settled, then reopened",
    )
    resolution = next(c for c in again.ticket.clocks if c.kind is ClockKind.RESOLUTION)
    first = next(c for c in again.ticket.clocks if c.kind is ClockKind.FIRST_RESPONSE)
    assert resolution.stopped_at is None and first.stopped_at is not None


def test_internal_steps_tell_the_requester_nothing_and_closing_a_responded_ticket_neither() -> None:
    assert apply(ticket(State.RECEIVED), Action.TRIAGE, T0, CAL).notices == ()
    assert apply(ticket(State.IN_PROGRESS), Action.ASK_DECISION, T0, CAL).notices == ()
    assert apply(ticket(State.RESPONDED), Action.CLOSE, T0, CAL).notices == ()
    assert apply(ticket(State.TRIAGE), Action.CLOSE, T0, CAL).notices == ("ticket-resolved",)


def test_reply_stops_first_response_once_and_assign_records_who() -> None:
    first = reply(ticket(), T0 + timedelta(minutes=30))
    again = reply(first.ticket, T0 + timedelta(hours=3))
    assert again.ticket.first_responded_at == T0 + timedelta(minutes=30)
    fr = next(c for c in again.ticket.clocks if c.kind is ClockKind.FIRST_RESPONSE)
    assert fr.stopped_at == T0 + timedelta(minutes=30)
    moved = assign(ticket(), 7, "agent@example.test")
    assert moved.ticket.assignee_id == 7 and moved.events[0].data == {"assignee": "agent@example.test"}


def test_mail_after_settling_needs_attention_and_robots_change_nothing() -> None:
    settled = apply(ticket(State.IN_PROGRESS), Action.RESPOND, T0, CAL).ticket
    assert "needs_attention" in receive(settled, T0, CAL, automatic=False).ticket.flags
    robot = receive(settled, T0, CAL, automatic=True)
    assert robot.ticket == settled and robot.events[0].action is EventAction.AUTO_MAIL_RECEIVED
