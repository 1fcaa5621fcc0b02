"""Decisions on statutory requests (domain/decisions.py): the reason Art. 36 calls for, the alternative
measure of Art. 35(2),(4), and four eyes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from ticketing.domain.decisions import (
    ALTERNATIVE_ALLOWED,
    NEEDS_REASON,
    Decision,
    DecisionStatus,
    Outcome,
    approve,
    propose,
    send_back,
    standing,
)
from ticketing.domain.errors import Conflict, ValidationFailed
from ticketing.domain.tickets import RequestType

OC, R = Outcome, RequestType
T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
PROPOSER, MANAGER = 7, 9
WHY = "Art. 33(2)(ii): the records would seriously hinder the business"


def test_the_outcomes_that_differ_from_the_request_need_a_reason() -> None:
    # Art. 36: refusing all or part, or acting differently, is explained; a full answer or "no data" is not.
    assert frozenset({OC.PARTIAL, OC.REFUSAL, OC.ALTERNATIVE_MEASURE}) == NEEDS_REASON
    # Art. 35(2),(4) provisos (and 35(6)): only suspension/erasure and a stop of provision.
    assert frozenset({R.SUSPENSION_OF_USE, R.STOP_THIRD_PARTY_PROVISION}) == ALTERNATIVE_ALLOWED


@pytest.mark.parametrize(
    ("outcome", "reason", "types", "field", "words"),
    [
        # Art. 36: no refusal, partial answer or alternative measure without its reason.
        (OC.REFUSAL, "", [R.DISCLOSURE], "reason", "APPI Art. 36"),
        (OC.REFUSAL, "  \n ", [R.CORRECTION], "reason", "APPI Art. 36"),  # blank is no reason
        (OC.PARTIAL, "", [R.DISCLOSURE], "reason", "APPI Art. 36"),
        (OC.ALTERNATIVE_MEASURE, "", [R.SUSPENSION_OF_USE], "reason", "APPI Art. 36"),
        (OC.REFUSAL, "x" * 5001, [R.DISCLOSURE], "reason", "5000"),
        # Art. 35(2),(4) proviso: an alternative measure replaces suspension, erasure or stop of provision.
        (OC.ALTERNATIVE_MEASURE, WHY, [R.CORRECTION], "outcome", "APPI Art. 35(2),(4)"),
        (OC.ALTERNATIVE_MEASURE, WHY, [R.DISCLOSURE], "outcome", "APPI Art. 35(2),(4)"),
        (OC.ALTERNATIVE_MEASURE, WHY, [R.PURPOSE_NOTIFICATION], "outcome", "APPI Art. 35(2),(4)"),
        (OC.ALTERNATIVE_MEASURE, WHY, [], "outcome", "APPI Art. 35(2),(4)"),
    ],
)
def test_proposals_the_law_does_not_allow_are_refused(
    outcome: Outcome, reason: str, types: Sequence[RequestType], field: str, words: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        propose(outcome, reason, types, PROPOSER, T0)
    assert list(refused.value.errors) == [field]
    assert words in refused.value.errors[field]


@pytest.mark.parametrize(
    ("outcome", "reason", "types"),
    [
        (OC.FULL, "", [R.DISCLOSURE]),  # doing what was asked needs no reason
        (OC.NO_DATA, "", [R.DISCLOSURE]),  # Art. 33(1),(3): saying no data is held is a disclosure
        (OC.NO_DATA, "", [R.THIRD_PARTY_RECORD_DISCLOSURE]),  # Art. 27(5): no record for joint use
        (OC.REFUSAL, WHY, [R.DISCLOSURE]),
        (OC.PARTIAL, "the rating is an opinion, not a fact to correct", [R.CORRECTION]),  # Art. 34
        (OC.ALTERNATIVE_MEASURE, "erasure from backups is very costly", [R.SUSPENSION_OF_USE]),  # 35(2) proviso
        (OC.ALTERNATIVE_MEASURE, "the partner cannot be stopped in time", [R.STOP_THIRD_PARTY_PROVISION]),  # 35(4)
        (OC.REFUSAL, "x" * 5000, [R.CORRECTION]),
    ],
)
def test_lawful_proposals_wait_for_approval(outcome: Outcome, reason: str, types: Sequence[RequestType]) -> None:
    decision = propose(outcome, f"  {reason}  ", types, PROPOSER, T0)
    assert decision == Decision(outcome, reason, PROPOSER, T0)  # the reason is kept trimmed
    assert decision.status is DecisionStatus.PENDING and decision.decided_by is None


def test_an_alternative_measure_is_refused_when_the_case_holds_another_type() -> None:
    # Art. 35(2),(4) provisos replace suspension/erasure and stop of provision only; the decision's outcome
    # is given to every request of the case when it settles, the disclosure included.
    with pytest.raises(ValidationFailed):
        propose(OC.ALTERNATIVE_MEASURE, "erasure is very costly", [R.DISCLOSURE, R.SUSPENSION_OF_USE], PROPOSER, T0)


PENDING = propose(OC.REFUSAL, WHY, [R.DISCLOSURE], PROPOSER, T0)
APPROVED = approve(PENDING, MANAGER, T0 + timedelta(hours=1))
SENT_BACK = send_back(PENDING, MANAGER, T0 + timedelta(hours=1), "cite the harm to the third party")


def test_another_manager_approves() -> None:
    assert APPROVED.status is DecisionStatus.APPROVED
    assert (APPROVED.decided_by, APPROVED.decided_at) == (MANAGER, T0 + timedelta(hours=1))
    assert (APPROVED.outcome, APPROVED.reason, APPROVED.proposed_by) == (OC.REFUSAL, WHY, PROPOSER)


@pytest.mark.parametrize(
    ("decision", "approver", "words"),
    [
        (PENDING, PROPOSER, "four eyes"),  # the proposer never approves their own decision
        (APPROVED, MANAGER, "already approved or sent back"),  # approved twice
        (APPROVED, 11, "already approved or sent back"),
        (SENT_BACK, MANAGER, "already approved or sent back"),  # a sent-back decision is proposed again, not approved
    ],
)
def test_approval_is_refused(decision: Decision, approver: int, words: str) -> None:
    with pytest.raises(Conflict, match=words):
        approve(decision, approver, T0 + timedelta(hours=2))


def test_sending_back_keeps_the_note_for_the_proposer() -> None:
    assert SENT_BACK.status is DecisionStatus.SENT_BACK
    assert (SENT_BACK.decided_by, SENT_BACK.note) == (MANAGER, "cite the harm to the third party")
    assert len(send_back(PENDING, MANAGER, T0, "n" * 2500).note) == 2000


@pytest.mark.parametrize("note", ["", "   ", "\n\t"])
def test_sending_back_needs_a_note(note: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        send_back(PENDING, MANAGER, T0, note)
    assert list(refused.value.errors) == ["note"]


@pytest.mark.parametrize("decision", [APPROVED, SENT_BACK])
def test_only_a_pending_decision_is_sent_back(decision: Decision) -> None:
    with pytest.raises(Conflict, match="already"):
        send_back(decision, MANAGER, T0, "no")


NEWER = replace(propose(OC.FULL, "", [R.DISCLOSURE], PROPOSER, T0 + timedelta(days=1)), id=2)
NEWER_BACK = send_back(NEWER, MANAGER, T0 + timedelta(days=2), "not yet")


@pytest.mark.parametrize(
    ("decisions", "expected"),
    [
        ((), None),
        ((SENT_BACK,), None),  # a sent-back decision never counts
        ((PENDING,), PENDING),
        ((APPROVED, NEWER_BACK), APPROVED),  # the newer one went back: the approved one stands
        ((SENT_BACK, NEWER), NEWER),
        ((APPROVED, NEWER), NEWER),  # the newest that was not sent back, approved or not
    ],
)
def test_the_standing_decision_ignores_sent_back_ones(
    decisions: tuple[Decision, ...], expected: Decision | None
) -> None:
    assert standing(decisions) == expected
