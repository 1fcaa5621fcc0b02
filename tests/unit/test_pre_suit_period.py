"""APPI Art. 39: which request types start the two-week pre-suit period (and which do not)."""

from __future__ import annotations

import pytest

from ticketing.domain.tickets import PRE_SUIT_PERIOD, RequestType, pre_suit_period_applies

# Art. 39(1) names requests under Art. 33(1) (33(5) by reference), 34(1) and 35(1), (3), (5).
COVERED = {
    RequestType.DISCLOSURE: "33(1)",
    RequestType.THIRD_PARTY_RECORD_DISCLOSURE: "33(5) -> 33(1)",
    RequestType.CORRECTION: "34(1)",
    RequestType.SUSPENSION_OF_USE: "35(1)",
    RequestType.STOP_THIRD_PARTY_PROVISION: "35(3)",
}
NOT_COVERED = {
    RequestType.PURPOSE_NOTIFICATION: "32(2): not named in Art. 39",
    RequestType.OVERSEAS_TRANSFER_INFO: "28(3): not named in Art. 39",
    RequestType.DECEASED_COURTESY: "Art. 2(1): the dead are not persons under the Act; a courtesy",
}


def test_every_type_is_decided() -> None:
    assert set(COVERED) | set(NOT_COVERED) == set(RequestType)
    assert set(COVERED) == PRE_SUIT_PERIOD


@pytest.mark.parametrize("kind", sorted(COVERED))
def test_covered_types_start_the_period(kind: RequestType) -> None:
    assert pre_suit_period_applies([kind])
    assert pre_suit_period_applies([RequestType.PURPOSE_NOTIFICATION, kind])  # one covered type is enough


@pytest.mark.parametrize("kind", sorted(NOT_COVERED))
def test_other_types_do_not(kind: RequestType) -> None:
    assert not pre_suit_period_applies([kind])


def test_no_request_no_period() -> None:
    assert not pre_suit_period_applies([])
