"""APPI Art. 38 fees and the check of a payment, table by table (domain/fees.py)."""

from __future__ import annotations

from datetime import date

import pytest

from ticketing.container import load_desks
from ticketing.domain.errors import ValidationFailed
from ticketing.domain.fees import FeeStatus, Instrument, Payment, check_fee, fee_allowed, money_order_valid_until
from ticketing.domain.tickets import RequestType
from ticketing.settings import BUNDLED_DESKS

R = RequestType
DESKS = load_desks(BUNDLED_DESKS)
RECEIVED = date(2026, 12, 1)
STAMPS, ORDER = Instrument.POSTAGE_STAMPS, Instrument.POSTAL_MONEY_ORDER


@pytest.mark.parametrize(
    ("kind", "allowed"),
    [
        (R.PURPOSE_NOTIFICATION, True),  # Art. 38(1) with 32(2)
        (R.DISCLOSURE, True),  # Art. 38(1) with 33(1)
        (R.THIRD_PARTY_RECORD_DISCLOSURE, True),  # Art. 38(1) through 33(5)
        (R.CORRECTION, False),  # Art. 34: not in Art. 38(1)
        (R.SUSPENSION_OF_USE, False),  # Art. 35(1),(2)
        (R.STOP_THIRD_PARTY_PROVISION, False),  # Art. 35(3)
    ],
)
def test_only_notification_of_purpose_and_disclosure_bear_a_fee(kind: RequestType, allowed: bool) -> None:
    assert fee_allowed(kind) is allowed


def _desk_check(desk: str, kind: RequestType, payment: Payment) -> tuple[FeeStatus, int, int, int, bool]:
    rule = DESKS[desk].request_types.get(kind)
    fee, instrument = (rule.fee_yen, rule.fee_instrument) if rule else (0, None)
    got = check_fee(kind, fee, instrument, payment, RECEIVED)
    return got.status, got.due_yen, got.shortfall_yen, got.excess_yen, got.returned


@pytest.mark.parametrize(
    ("desk", "kind", "payment", "expected"),
    [
        # relia: 1,000 yen in postage stamps for notification of purpose and disclosure.
        ("relia", R.DISCLOSURE, Payment(1000, STAMPS), (FeeStatus.OK, 1000, 0, 0, False)),
        ("relia", R.DISCLOSURE, Payment(1200, STAMPS), (FeeStatus.OK, 1000, 0, 200, False)),
        ("relia", R.PURPOSE_NOTIFICATION, Payment(800, STAMPS), (FeeStatus.SHORT, 1000, 200, 0, False)),
        (
            "relia",
            R.DISCLOSURE,
            Payment(1000, ORDER, date(2026, 11, 1)),
            (FeeStatus.WRONG_INSTRUMENT, 1000, 0, 0, True),
        ),
        (
            "relia",
            R.DISCLOSURE,
            Payment(1000, STAMPS, date(2016, 1, 1)),
            (FeeStatus.OK, 1000, 0, 0, False),
        ),  # no expiry
        # rext-cs: 1,500 yen by 定額小為替, valid six months from issue.
        ("rext-cs", R.DISCLOSURE, Payment(1500, ORDER, date(2026, 6, 1)), (FeeStatus.OK, 1500, 0, 0, False)),
        (
            "rext-cs",
            R.DISCLOSURE,
            Payment(1500, ORDER, date(2026, 5, 31)),
            (FeeStatus.EXPIRED_INSTRUMENT, 1500, 0, 0, True),
        ),
        (
            "rext-cs",
            R.THIRD_PARTY_RECORD_DISCLOSURE,
            Payment(1000, ORDER, date(2026, 11, 20)),
            (FeeStatus.SHORT, 1500, 500, 0, False),
        ),
        ("rext-cs", R.PURPOSE_NOTIFICATION, Payment(1500, STAMPS), (FeeStatus.WRONG_INSTRUMENT, 1500, 0, 0, True)),
        # Art. 38(1): no fee for correction, suspension or stopping provision; what was sent goes back.
        ("rext-cs", R.CORRECTION, Payment(1500, ORDER, date(2026, 11, 20)), (FeeStatus.NOT_CHARGEABLE, 0, 0, 0, True)),
        ("relia", R.SUSPENSION_OF_USE, Payment(1000, STAMPS), (FeeStatus.NOT_CHARGEABLE, 0, 0, 0, True)),
        ("relia", R.STOP_THIRD_PARTY_PROVISION, Payment(0, STAMPS), (FeeStatus.NOT_CHARGEABLE, 0, 0, 0, False)),
    ],
)
def test_a_payment_against_the_desk_fee(desk: str, kind: RequestType, payment: Payment, expected: tuple) -> None:  # type: ignore[type-arg]
    assert _desk_check(desk, kind, payment) == expected


def test_a_fee_the_desks_file_sets_for_a_non_chargeable_type_is_still_not_charged() -> None:
    # Art. 38(1) is the law's rule: a desks file cannot add a fee to a correction request.
    got = check_fee(R.CORRECTION, 1000, "postage_stamps", Payment(1000, STAMPS), RECEIVED)
    assert (got.status, got.returned) == (FeeStatus.NOT_CHARGEABLE, True)


@pytest.mark.parametrize(
    ("issued", "valid_until"),
    [
        (date(2026, 6, 1), date(2026, 12, 1)),
        (date(2026, 8, 31), date(2027, 2, 28)),  # the month's last day where it is shorter
        (date(2027, 8, 31), date(2028, 2, 29)),  # a leap year
        (date(2026, 7, 15), date(2027, 1, 15)),  # across the year
    ],
)
def test_a_money_order_is_valid_six_months_from_issue(issued: date, valid_until: date) -> None:
    assert money_order_valid_until(issued) == valid_until


@pytest.mark.parametrize(
    ("payment", "field"),
    [
        (Payment(1500, ORDER), "issued_on"),  # a money order's date decides its validity
        (Payment(1500, ORDER, date(2026, 12, 2)), "issued_on"),  # issued after it arrived
        (Payment(-1, STAMPS), "amount_yen"),
    ],
)
def test_what_cannot_be_checked_is_refused_with_the_field_named(payment: Payment, field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        check_fee(R.DISCLOSURE, 1500, None, payment, RECEIVED)
    assert field in refused.value.errors
