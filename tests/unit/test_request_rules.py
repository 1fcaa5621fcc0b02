"""Statutory requests inside a ticket (domain/requests.py): Art. 38 fees per form, the gates on a
request ticket's moves (Arts. 36-38), the results when it settles and Art. 37(1) conforming channels."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from ticketing.desks_file import load_desks
from ticketing.domain.decisions import Decision, Outcome, approve, propose, send_back
from ticketing.domain.desks import RequestTypeRule
from ticketing.domain.documents import Checklist, Gap
from ticketing.domain.fees import FeeStatus, Instrument, Payment
from ticketing.domain.requests import (
    Case,
    FeePayment,
    FeeState,
    Result,
    TicketRequest,
    conforming,
    move_refusal,
    open_request,
    opening_requests,
    pay,
    result_of,
    settle,
    with_fee_state,
)
from ticketing.domain.tickets import TRANSITIONS, Action, Channel, RequestType, State
from ticketing.settings import BUNDLED_DESKS

R, S, A, OC = RequestType, State, Action, Outcome
DESKS = load_desks(BUNDLED_DESKS)
RCS, REL = DESKS["rext-cs"].request_types, DESKS["relia"].request_types
ON = date(2026, 12, 1)
T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
STAMPS, ORDER = Instrument.POSTAGE_STAMPS, Instrument.POSTAL_MONEY_ORDER
ISSUED = date(2026, 11, 20)
Rules = Mapping[RequestType, RequestTypeRule]


@pytest.mark.parametrize(
    ("kind", "fee", "instrument", "expected"),
    [
        (R.PURPOSE_NOTIFICATION, 1000, "postage_stamps", (1000, "postage_stamps", FeeState.PENDING)),  # 38 + 32(2)
        (R.DISCLOSURE, 1500, "postal_money_order", (1500, "postal_money_order", FeeState.PENDING)),  # 38 + 33(1)
        (R.THIRD_PARTY_RECORD_DISCLOSURE, 1500, None, (1500, None, FeeState.PENDING)),  # 38 through 33(5)
        (R.DISCLOSURE, 0, None, (0, None, FeeState.NOT_REQUIRED)),  # the desk charges nothing
        # Art. 38(1): no fee for these even where a desk rule names one.
        (R.CORRECTION, 1000, "postage_stamps", (0, None, FeeState.NOT_REQUIRED)),  # Art. 34
        (R.SUSPENSION_OF_USE, 1000, "postage_stamps", (0, None, FeeState.NOT_REQUIRED)),  # Art. 35(1)
        (R.STOP_THIRD_PARTY_PROVISION, 1000, "postage_stamps", (0, None, FeeState.NOT_REQUIRED)),  # Art. 35(3)
        (R.OVERSEAS_TRANSFER_INFO, 500, "postage_stamps", (0, None, FeeState.NOT_REQUIRED)),  # Art. 28(3)
        (R.DECEASED_COURTESY, 500, "postage_stamps", (0, None, FeeState.NOT_REQUIRED)),  # not a statutory request
    ],
)
def test_a_request_opens_with_a_fee_only_where_art_38_allows_one(
    kind: RequestType, fee: int, instrument: str | None, expected: tuple[int, str | None, FeeState]
) -> None:
    got = open_request(kind, fee, instrument)
    assert (got.fee_yen, got.fee_instrument, got.fee_state) == expected
    assert got.fee_required is (expected[0] > 0)


def test_opening_requests_take_the_desk_fee_of_each_type() -> None:
    got = opening_requests([R.DISCLOSURE, R.CORRECTION], RCS)
    assert [(r.type, r.fee_yen, r.fee_state) for r in got] == [
        (R.DISCLOSURE, 1500, FeeState.PENDING),
        (R.CORRECTION, 0, FeeState.NOT_REQUIRED),
    ]
    # relia's file does not offer third-party record disclosure: no rule, so no fee.
    assert opening_requests([R.THIRD_PARTY_RECORD_DISCLOSURE], REL)[0].fee_yen == 0


def _case(types: Sequence[RequestType], rules: Rules, *kept: FeePayment) -> Case:
    return Case(requests=opening_requests(types, rules), payments=kept)


def _kept(amount: int, instrument: str = "postal_money_order", *, returned: bool = False) -> FeePayment:
    return FeePayment(amount, instrument, ON - timedelta(days=5), FeeStatus.SHORT, ISSUED, returned)


MIXED = {
    R.PURPOSE_NOTIFICATION: RequestTypeRule(frozenset({Channel.POST}), 800, "postage_stamps"),
    R.DISCLOSURE: RequestTypeRule(frozenset({Channel.POST}), 1000, "postage_stamps"),
}


@pytest.mark.parametrize(
    ("case", "payment", "expected"),
    [
        # One fee per form: the highest fee among the fee-bearing requests covers them all.
        (_case([R.PURPOSE_NOTIFICATION, R.DISCLOSURE], REL), Payment(1000, STAMPS), (FeeStatus.OK, 1000, 0, 0, False)),
        (
            _case([R.PURPOSE_NOTIFICATION, R.DISCLOSURE], MIXED),
            Payment(800, STAMPS),
            (FeeStatus.SHORT, 1000, 200, 0, False),
        ),
        (_case([R.DISCLOSURE, R.CORRECTION], RCS), Payment(1500, ORDER, ISSUED), (FeeStatus.OK, 1500, 0, 0, False)),
        (_case([R.DISCLOSURE], RCS), Payment(1500, STAMPS), (FeeStatus.WRONG_INSTRUMENT, 1500, 0, 0, True)),
        # Kept payments of the same instrument add up (a short payment stays until the rest arrives).
        (_case([R.DISCLOSURE], RCS, _kept(1000)), Payment(500, ORDER, ISSUED), (FeeStatus.OK, 1500, 0, 0, False)),
        (_case([R.DISCLOSURE], RCS, _kept(1000)), Payment(1000, ORDER, ISSUED), (FeeStatus.OK, 1500, 0, 500, False)),
        (
            _case([R.DISCLOSURE], RCS, _kept(500), _kept(500)),
            Payment(500, ORDER, ISSUED),
            (FeeStatus.OK, 1500, 0, 0, False),
        ),
        (_case([R.DISCLOSURE], RCS, _kept(1000)), Payment(200, ORDER, ISSUED), (FeeStatus.SHORT, 1500, 300, 0, False)),
        # Returned payments, and payments in another instrument, do not count.
        (
            _case([R.DISCLOSURE], RCS, _kept(1000, returned=True)),
            Payment(500, ORDER, ISSUED),
            (FeeStatus.SHORT, 1500, 1000, 0, False),
        ),
        (
            _case([R.DISCLOSURE], RCS, _kept(1000, "postage_stamps")),
            Payment(1000, ORDER, ISSUED),
            (FeeStatus.SHORT, 1500, 500, 0, False),
        ),
        (
            _case([R.DISCLOSURE], RCS, _kept(1000)),
            Payment(500, ORDER, date(2026, 5, 31)),  # 定額小為替 six months old
            (FeeStatus.EXPIRED_INSTRUMENT, 1500, 0, 0, True),
        ),
        # Art. 38(1): with no fee-bearing request nothing is charged and what came goes back.
        (_case([R.CORRECTION], RCS), Payment(1500, ORDER, ISSUED), (FeeStatus.NOT_CHARGEABLE, 0, 0, 0, True)),
        (
            _case([R.SUSPENSION_OF_USE, R.STOP_THIRD_PARTY_PROVISION], REL),
            Payment(1000, STAMPS),
            (FeeStatus.NOT_CHARGEABLE, 0, 0, 0, True),
        ),
        (_case([R.CORRECTION], REL), Payment(0, STAMPS), (FeeStatus.NOT_CHARGEABLE, 0, 0, 0, False)),
        (Case(), Payment(1000, STAMPS), (FeeStatus.NOT_CHARGEABLE, 0, 0, 0, True)),  # no request yet
        (_case([R.DISCLOSURE], {}), Payment(1000, STAMPS), (FeeStatus.NOT_CHARGEABLE, 0, 0, 0, True)),  # no desk fee
    ],
)
def test_a_payment_against_the_case(case: Case, payment: Payment, expected: tuple) -> None:  # type: ignore[type-arg]
    got = pay(case, payment, ON)
    assert (got.status, got.due_yen, got.shortfall_yen, got.excess_yen, got.returned) == expected


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (FeeStatus.OK, FeeState.OK),
        (FeeStatus.SHORT, FeeState.SHORT),
        (FeeStatus.WRONG_INSTRUMENT, FeeState.WRONG_INSTRUMENT),
        (FeeStatus.EXPIRED_INSTRUMENT, FeeState.EXPIRED_INSTRUMENT),
        (FeeStatus.NOT_CHARGEABLE, FeeState.PENDING),  # nothing changes
    ],
)
def test_the_fee_state_goes_to_the_fee_bearing_requests_only(status: FeeStatus, expected: FeeState) -> None:
    case = with_fee_state(_case([R.DISCLOSURE, R.CORRECTION], RCS), status)
    assert [r.fee_state for r in case.requests] == [expected, FeeState.NOT_REQUIRED]


# --- move_refusal: the whole table, for three cases --------------------------------------------------------

FEE_STEP = "APPI Art. 38 allows one only for notification of purpose and disclosure"
UNPAID = "the fee has not passed its check (APPI Art. 38)"
PROPOSE = "propose the decision with its outcome and reason"
ON_APPROVED = "a request is answered on an approved decision"
RESPONDS = {(S.TRIAGE, A.RESPOND), (S.IN_PROGRESS, A.RESPOND), (S.DECISION_PENDING, A.RESPOND)}
STARTS = {(S.TRIAGE, A.START_WORK), (S.IDENTITY_VERIFICATION, A.START_WORK)}
STARTS |= {(S.FEE_CHECK, A.START_WORK), (S.DECISION_PENDING, A.START_WORK)}
# Written out from the module's docstring and docs/privacy-rules.md, not derived from the code.
REFUSED: dict[str, dict[tuple[State, Action], str]] = {
    "correction": {
        (S.IDENTITY_VERIFICATION, A.CHECK_FEE): FEE_STEP,  # Art. 38: no fee step without a fee
        (S.IN_PROGRESS, A.ASK_DECISION): PROPOSE,  # decisions are proposed, not asked for
        **dict.fromkeys(RESPONDS, ON_APPROVED),  # Art. 36 and four eyes
    },
    "disclosure": {
        **dict.fromkeys(STARTS, UNPAID),  # Art. 38: the fee is pending
        (S.IN_PROGRESS, A.ASK_DECISION): PROPOSE,
        **dict.fromkeys(RESPONDS, ON_APPROVED),
    },
    "none": {},  # an inquiry or complaint: the request rules do not apply
}
CASES = {
    "correction": Case(requests=(open_request(R.CORRECTION, 0, None),)),
    "disclosure": Case(requests=(open_request(R.DISCLOSURE, 1500, "postal_money_order"),)),
    "none": Case(),
}


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize(("state", "action"), list(TRANSITIONS))
def test_every_move_of_the_table_is_allowed_or_refused_as_written(name: str, state: State, action: Action) -> None:
    why = move_refusal(CASES[name], action, TRANSITIONS[(state, action)], awaiting_formal=False)
    expected = REFUSED[name].get((state, action))
    if expected is None:
        assert why is None
    else:
        assert why is not None and expected in why


def test_the_written_refusals_are_moves_of_the_table() -> None:
    assert all(pair in TRANSITIONS for refused in REFUSED.values() for pair in refused)


def _disclosure(fee: FeeState, *extra: TicketRequest) -> tuple[TicketRequest, ...]:
    return (TicketRequest(R.DISCLOSURE, 1500, "postal_money_order", fee), *extra)


CORRECTION = open_request(R.CORRECTION, 0, None)
GAPS = Checklist(missing=(Gap.ID_MISSING,), stale=(Gap.SEAL_CERT_STALE,))


@pytest.mark.parametrize(
    ("requests", "checklist", "awaiting", "expected"),
    [
        # Art. 37(1): a request that came another way waits for the conforming one; checked first.
        (_disclosure(FeeState.OK), Checklist(), True, "APPI Art. 37(1)"),
        ((CORRECTION,), GAPS, True, "APPI Art. 37(1)"),
        # Art. 37(1),(3): the documents are complete (the checklist beside the refusal names the gaps).
        ((CORRECTION,), GAPS, False, "the documents are not complete"),
        (_disclosure(FeeState.OK), Checklist(stale=(Gap.ID_EXPIRED,)), False, "the documents are not complete"),
        # Art. 38: each fee-bearing request's fee passed its check.
        (_disclosure(FeeState.PENDING), Checklist(), False, UNPAID),
        (_disclosure(FeeState.SHORT), Checklist(), False, UNPAID),
        (_disclosure(FeeState.WRONG_INSTRUMENT), Checklist(), False, UNPAID),
        (_disclosure(FeeState.EXPIRED_INSTRUMENT), Checklist(), False, UNPAID),
        (_disclosure(FeeState.PENDING, CORRECTION), Checklist(), False, UNPAID),
        # All met: work starts.
        (_disclosure(FeeState.OK), Checklist(), False, None),
        (_disclosure(FeeState.OK, CORRECTION), Checklist(), False, None),
        ((CORRECTION,), Checklist(), False, None),  # no fee to wait for
        ((), GAPS, True, None),  # a ticket with no request is free
    ],
)
def test_work_starts_on_a_conforming_complete_and_paid_request(
    requests: tuple[TicketRequest, ...], checklist: Checklist, awaiting: bool, expected: str | None
) -> None:
    case = Case(requests=requests, checklist=checklist)
    for state in (S.TRIAGE, S.IDENTITY_VERIFICATION, S.FEE_CHECK):
        why = move_refusal(case, A.START_WORK, TRANSITIONS[(state, A.START_WORK)], awaiting_formal=awaiting)
        assert why is None if expected is None else why is not None and expected in why


PROPOSED = propose(OC.REFUSAL, "Art. 33(2)(ii)", [R.DISCLOSURE], 7, T0)
APPROVED = approve(PROPOSED, 9, T0 + timedelta(hours=1))
SENT_BACK = send_back(PROPOSED, 9, T0 + timedelta(hours=1), "cite the harm")
LATER = propose(OC.FULL, "", [R.DISCLOSURE], 7, T0 + timedelta(days=1))


@pytest.mark.parametrize(
    ("decisions", "allowed"),
    [
        ((), False),
        ((PROPOSED,), False),  # four eyes: not yet approved
        ((SENT_BACK,), False),
        ((APPROVED,), True),
        ((APPROVED, send_back(LATER, 9, T0 + timedelta(days=2), "no")), True),  # the sent-back one is ignored
        ((APPROVED, LATER), False),  # a newer proposal waits for approval
    ],
)
def test_a_request_is_answered_on_an_approved_standing_decision(decisions: tuple[Decision, ...], allowed: bool) -> None:
    case = Case(requests=_disclosure(FeeState.OK), decisions=decisions)
    for state, action in sorted(RESPONDS):
        why = move_refusal(case, action, TRANSITIONS[(state, action)], awaiting_formal=False)
        assert why is None if allowed else why is not None and ON_APPROVED in why


# --- settle ------------------------------------------------------------------------------------------------

ALL_TYPES = list(RequestType)


@pytest.mark.parametrize(
    ("kind", "result"),
    [
        (R.PURPOSE_NOTIFICATION, Result.NOTIFIED),  # Art. 32(2)
        (R.DISCLOSURE, Result.DISCLOSED),  # Art. 33(1)
        (R.THIRD_PARTY_RECORD_DISCLOSURE, Result.DISCLOSED),  # Art. 33(5)
        (R.CORRECTION, Result.CORRECTED),  # Art. 34
        (R.SUSPENSION_OF_USE, Result.USE_STOPPED),  # Art. 35(1),(2)
        (R.STOP_THIRD_PARTY_PROVISION, Result.PROVISION_STOPPED),  # Art. 35(3),(4)
        (R.OVERSEAS_TRANSFER_INFO, Result.INFORMATION_PROVIDED),  # Art. 28(3)
        (R.DECEASED_COURTESY, Result.INFORMATION_PROVIDED),
    ],
)
def test_the_result_of_doing_what_was_asked(kind: RequestType, result: Result) -> None:
    assert result_of(kind, OC.FULL) is result


@pytest.mark.parametrize(
    ("outcome", "result"),
    [
        (OC.PARTIAL, Result.PARTIAL),
        (OC.REFUSAL, Result.REFUSED),
        (OC.ALTERNATIVE_MEASURE, Result.ALTERNATIVE_MEASURE),
        (OC.NO_DATA, Result.NO_DATA),
    ],
)
def test_the_result_of_any_other_outcome_is_the_same_for_every_type(outcome: Outcome, result: Result) -> None:
    assert {result_of(kind, outcome) for kind in ALL_TYPES} == {result}


def _approved(outcome: Outcome, types: Sequence[RequestType]) -> Decision:
    reason = "" if outcome in (OC.FULL, OC.NO_DATA) else "because"
    return approve(propose(outcome, reason, types, 7, T0), 9, T0)


FULL_RESULTS = [
    Result.NOTIFIED,
    Result.DISCLOSED,
    Result.DISCLOSED,
    Result.CORRECTED,
    Result.USE_STOPPED,
    Result.PROVISION_STOPPED,
]
FULL_CASE = Case(requests=opening_requests(ALL_TYPES[:6], RCS), decisions=(_approved(OC.FULL, ALL_TYPES[:6]),))


@pytest.mark.parametrize(
    ("case", "new", "expected"),
    [
        (
            FULL_CASE,
            S.RESPONDED,
            FULL_RESULTS,
        ),
        (
            Case(requests=(CORRECTION,), decisions=(_approved(OC.REFUSAL, [R.CORRECTION]),)),
            S.RESPONDED,
            [Result.REFUSED],
        ),
        (
            Case(requests=_disclosure(FeeState.OK), decisions=(_approved(OC.NO_DATA, [R.DISCLOSURE]),)),
            S.RESPONDED,
            [Result.NO_DATA],
        ),
        # Settling without a decision: the state gives the result.
        (Case(requests=(CORRECTION, *_disclosure(FeeState.OK))), S.FORWARDED, [Result.FORWARDED] * 2),
        (Case(requests=(CORRECTION,)), S.WITHDRAWN, [Result.WITHDRAWN]),
        (Case(requests=(CORRECTION,)), S.REJECTED, [Result.REJECTED_UNVERIFIABLE]),
        (FULL_CASE, S.FORWARDED, [Result.FORWARDED] * 6),  # the move decides, not the decision
        # No result: responded without an approved decision, or closed (spam, duplicate).
        (Case(requests=(CORRECTION,), decisions=(PROPOSED,)), S.RESPONDED, [None]),
        (Case(requests=(CORRECTION,)), S.CLOSED, [None]),
    ],
)
def test_settling_gives_each_open_request_its_result(case: Case, new: State, expected: list[Result | None]) -> None:
    assert [r.result for r in settle(case, new).requests] == expected


def test_a_result_already_given_is_kept() -> None:
    withdrawn = TicketRequest(R.CORRECTION, result=Result.WITHDRAWN)
    case = Case(requests=(withdrawn, *_disclosure(FeeState.OK)), decisions=(_approved(OC.PARTIAL, [R.DISCLOSURE]),))
    assert [r.result for r in settle(case, S.RESPONDED).requests] == [Result.WITHDRAWN, Result.PARTIAL]


# --- conforming (Art. 37(1)) ------------------------------------------------------------------------------

EITHER = {R.DISCLOSURE: RequestTypeRule(frozenset({Channel.POST, Channel.EMAIL}), 1000, "postage_stamps")}


@pytest.mark.parametrize(
    ("channel", "types", "rules", "expected"),
    [
        (Channel.API, [R.DISCLOSURE, R.CORRECTION], RCS, True),  # staff or an integration: always conforming
        (Channel.POST, [R.DISCLOSURE, R.CORRECTION], RCS, True),  # the seed desks take requests by post
        (Channel.EMAIL, [R.DISCLOSURE], RCS, False),
        (Channel.WEB, [R.CORRECTION], REL, False),
        (Channel.PHONE, [R.SUSPENSION_OF_USE], REL, False),
        (Channel.EMAIL, [R.OVERSEAS_TRANSFER_INFO], RCS, True),  # no rule for the type: free
        (Channel.EMAIL, [R.THIRD_PARTY_RECORD_DISCLOSURE], REL, True),  # relia does not list it
        (Channel.EMAIL, [R.OVERSEAS_TRANSFER_INFO, R.DISCLOSURE], RCS, False),  # every type must conform
        (Channel.EMAIL, [], RCS, True),
        (Channel.EMAIL, [R.DISCLOSURE], EITHER, True),
        (Channel.WEB, [R.DISCLOSURE], EITHER, False),
    ],
)
def test_a_request_conforms_when_each_type_came_the_way_the_desk_fixed(
    channel: Channel,
    types: Sequence[RequestType],
    rules: Rules,
    expected: bool,
) -> None:
    assert conforming(channel, types, rules) is expected


def test_once_the_fee_is_paid_more_goes_back_whole() -> None:
    """A second payment after the fee passed is all excess, whatever the first one's own excess was."""
    paid = with_fee_state(_case([R.DISCLOSURE], RCS), FeeStatus.OK)
    first = FeePayment(2000, "postal_money_order", ON, FeeStatus.OK, ISSUED)
    got = pay(replace(paid, payments=(first,)), Payment(100, ORDER, ISSUED), ON)
    assert (got.status, got.excess_yen, got.returned) == (FeeStatus.OK, 100, False)
