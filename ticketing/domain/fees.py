"""Fees for statutory requests (APPI Art. 38), and the check of what a requester sent.

APPI Art. 38(1): a business may charge a fee only for notification of the purpose of use
(Art. 32(2)) and for disclosure (Art. 33(1), and through Art. 33(5) for third-party provision
records); Art. 38(2): the amount must be reasonable, set with regard to actual costs. There is no
fee for correction (Art. 34), suspension or erasure (Art. 35(1),(2)) or stopping third-party
provision (Art. 35(3)). The amount and the instrument are the desk's (its desks file), within that.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from ticketing.domain.errors import ValidationFailed
from ticketing.domain.tickets import FEE_ALLOWED, RequestType


class Instrument(StrEnum):
    """How a fee is paid by post (the desks file's codes)."""

    POSTAGE_STAMPS = "postage_stamps"  # 郵便切手: no expiry
    POSTAL_MONEY_ORDER = "postal_money_order"  # 定額小為替: valid six months from issue


class FeeStatus(StrEnum):
    OK = "ok"
    SHORT = "short"
    WRONG_INSTRUMENT = "wrong_instrument"
    EXPIRED_INSTRUMENT = "expired_instrument"
    NOT_CHARGEABLE = "not_chargeable"  # no fee may be charged: anything sent goes back


# A postal money order (定額小為替) can be cashed for six months from its issue date (Japan Post's
# terms; docs/privacy-rules.md, fees). Read here as: through the same day six months later
# (the month's last day where that month is shorter), judged on the day the desk received it.
MONEY_ORDER_MONTHS = 6


@dataclass(frozen=True, slots=True)
class Payment:
    amount_yen: int
    instrument: Instrument
    issued_on: date | None = None  # a money order's issue date (printed on it)


@dataclass(frozen=True, slots=True)
class FeeCheck:
    status: FeeStatus
    due_yen: int  # what the desk charges for this request (0: nothing may be charged)
    shortfall_yen: int = 0
    excess_yen: int = 0  # paid over the fee: returned to the requester
    returned: bool = False  # the whole payment goes back (not chargeable, wrong or expired)


def fee_allowed(kind: RequestType) -> bool:
    """APPI Art. 38(1): only notification of purpose and the two disclosure types bear a fee."""
    return kind in FEE_ALLOWED


def money_order_valid_until(issued_on: date) -> date:
    month = issued_on.month - 1 + MONEY_ORDER_MONTHS
    year, month = issued_on.year + month // 12, month % 12 + 1
    return date(year, month, min(issued_on.day, calendar.monthrange(year, month)[1]))


def not_chargeable(payment: Payment) -> FeeCheck:
    """Art. 38(1): a fee sent where none may be charged (a correction or suspension request) goes back."""
    return FeeCheck(FeeStatus.NOT_CHARGEABLE, 0, returned=payment.amount_yen > 0)


def check_fee(kind: RequestType, fee_yen: int, instrument: str | None, payment: Payment, received_on: date) -> FeeCheck:
    """What a payment for one request amounts to, against the desk's fee for that type.

    `fee_yen` and `instrument` are the desk's rule for the type (0 / None: it charges nothing).
    """
    if payment.amount_yen < 0:
        raise ValidationFailed({"amount_yen": "cannot be negative"})
    if not fee_allowed(kind) or fee_yen <= 0:
        return not_chargeable(payment)
    if instrument is not None and payment.instrument.value != instrument:
        return FeeCheck(FeeStatus.WRONG_INSTRUMENT, fee_yen, returned=True)
    if payment.instrument is Instrument.POSTAL_MONEY_ORDER:
        if payment.issued_on is None:
            raise ValidationFailed({"issued_on": "a postal money order's issue date is needed: it is valid six months"})
        if payment.issued_on > received_on:
            raise ValidationFailed({"issued_on": "cannot be after the day the payment was received"})
        if received_on > money_order_valid_until(payment.issued_on):
            return FeeCheck(FeeStatus.EXPIRED_INSTRUMENT, fee_yen, returned=True)
    if payment.amount_yen < fee_yen:
        return FeeCheck(FeeStatus.SHORT, fee_yen, shortfall_yen=fee_yen - payment.amount_yen)
    return FeeCheck(FeeStatus.OK, fee_yen, excess_yen=payment.amount_yen - fee_yen)


__all__ = [
    "FeeCheck",
    "FeeStatus",
    "Instrument",
    "Payment",
    "check_fee",
    "fee_allowed",
    "money_order_valid_until",
    "not_chargeable",
]
