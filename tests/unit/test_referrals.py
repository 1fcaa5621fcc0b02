"""Referrals to the accredited organisation (domain/referrals.py): APPI Art. 32(1) (telling the
requester of it) and Art. 53 (its inquiries, due dates and materials)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ticketing.desks_file import load_desks
from ticketing.domain.errors import Conflict, ValidationFailed
from ticketing.domain.referrals import (
    InquiryOutcome,
    Material,
    Referral,
    ReferralKind,
    answer,
    record,
    send_materials,
)
from ticketing.settings import BUNDLED_DESKS

DESKS = load_desks(BUNDLED_DESKS)
RK = ReferralKind
T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
DUE = T0 + timedelta(days=14)


def _org(desk: str) -> str | None:
    org = DESKS[desk].accredited_org
    return org.short_name if org is not None else None


JUAS = _org("rext-cs")


def test_only_rext_cs_names_an_accredited_organisation() -> None:
    assert (_org("rext-cs"), _org("relia")) == ("JUAS", None)


@pytest.mark.parametrize(
    ("desk", "organisation", "kind", "kwargs", "field", "words"),
    [
        # Art. 53 is for members (対象事業者): relia's file names no organisation.
        ("relia", "JUAS", RK.INFORMED, {}, "organisation", "names no accredited organisation"),
        ("relia", "JUAS", RK.INQUIRY, {"due_at": DUE}, "organisation", "names no accredited organisation"),
        # Only the desk's own organisation refers complaints to it.
        ("rext-cs", "JIPDEC", RK.INQUIRY, {"due_at": DUE}, "organisation", "is JUAS"),
        ("rext-cs", "", RK.INFORMED, {}, "organisation", "is JUAS"),
        # An inquiry (Art. 53(2)) is answered by the date the organisation set, which lies ahead.
        ("rext-cs", "JUAS", RK.INQUIRY, {}, "due_at", "date the organisation set"),
        ("rext-cs", "JUAS", RK.INQUIRY, {"due_at": T0}, "due_at", "after the inquiry was received"),
        ("rext-cs", "JUAS", RK.INQUIRY, {"due_at": T0 - timedelta(days=1)}, "due_at", "after"),
        # Telling the requester (Art. 32(1)) carries no materials and no due date.
        ("rext-cs", "JUAS", RK.INFORMED, {"due_at": DUE}, "kind", "belong to an inquiry"),
        ("rext-cs", "JUAS", RK.INFORMED, {"materials": ["call log"]}, "kind", "belong to an inquiry"),
        # Limits: up to 30 names of 1-300 characters; a reference of at most 300.
        ("rext-cs", "JUAS", RK.INQUIRY, {"due_at": DUE, "materials": ["  "]}, "materials", "up to 30"),
        ("rext-cs", "JUAS", RK.INQUIRY, {"due_at": DUE, "materials": ["x" * 301]}, "materials", "1-300"),
        (
            "rext-cs",
            "JUAS",
            RK.INQUIRY,
            {"due_at": DUE, "materials": [f"m{i}" for i in range(31)]},
            "materials",
            "up to 30",
        ),
        ("rext-cs", "JUAS", RK.INQUIRY, {"due_at": DUE, "their_reference": "r" * 301}, "their_reference", "300"),
    ],
)
def test_what_cannot_be_recorded_is_refused(
    desk: str,
    organisation: str,
    kind: ReferralKind,
    kwargs: dict[str, Any],
    field: str,
    words: str,
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        record(organisation, _org(desk), kind, T0, **kwargs)
    assert list(refused.value.errors) == [field]
    assert words in refused.value.errors[field]


def test_an_inquiry_is_recorded_with_its_due_date_and_materials() -> None:
    got = record(
        " juas ",  # the short name, as staff type it
        JUAS,
        RK.INQUIRY,
        T0,
        their_reference=" JUAS-2026-17 ",
        due_at=DUE,
        materials=["call recording", " call recording ", "privacy policy", "x" * 300],
    )
    assert got == Referral(
        "JUAS",
        RK.INQUIRY,
        T0,
        "JUAS-2026-17",
        DUE,
        (Material("call recording"), Material("privacy policy"), Material("x" * 300)),  # once each
    )
    assert got.open


def test_thirty_materials_are_the_most() -> None:
    got = record("JUAS", JUAS, RK.INQUIRY, T0, due_at=DUE, materials=[f"m{i}" for i in range(30)])
    assert len(got.materials) == 30


def test_informing_the_requester_is_a_record_not_an_open_inquiry() -> None:
    got = record("JUAS", JUAS, RK.INFORMED, T0, their_reference="letter of 2026-12-01")
    assert (got.kind, got.due_at, got.materials, got.open) == (RK.INFORMED, None, (), False)


INQUIRY = record("JUAS", JUAS, RK.INQUIRY, T0, due_at=DUE, materials=["call recording", "privacy policy"])
INFORMED = record("JUAS", JUAS, RK.INFORMED, T0)
T1, T2 = T0 + timedelta(days=2), T0 + timedelta(days=3)


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        # Art. 53(3): what was asked for is marked sent, the rest stays open.
        (["call recording"], (Material("call recording", T1), Material("privacy policy"))),
        ([" privacy policy ", ""], (Material("call recording"), Material("privacy policy", T1))),
        (["call recording", "privacy policy"], (Material("call recording", T1), Material("privacy policy", T1))),
        # What was sent without being listed is added, as sent.
        (
            ["training record", "training record"],
            (Material("call recording"), Material("privacy policy"), Material("training record", T1)),
        ),
    ],
)
def test_sending_materials_marks_them_sent(names: Sequence[str], expected: tuple[Material, ...]) -> None:
    assert send_materials(INQUIRY, names, T1).materials == expected


def test_what_was_sent_keeps_the_day_it_was_first_sent() -> None:
    again = send_materials(send_materials(INQUIRY, ["call recording"], T1), ["call recording", "memo"], T2)
    assert again.materials == (
        Material("call recording", T1),
        Material("privacy policy"),
        Material("memo", T2),
    )


@pytest.mark.parametrize("names", [[], [""], ["   "]])
def test_sending_nothing_is_refused(names: Sequence[str]) -> None:
    with pytest.raises(ValidationFailed) as refused:
        send_materials(INQUIRY, names, T1)
    assert list(refused.value.errors) == ["materials"]


def test_materials_belong_to_an_inquiry() -> None:
    with pytest.raises(Conflict, match="for an inquiry"):
        send_materials(INFORMED, ["call recording"], T1)


def test_a_material_name_too_long_is_refused_not_cut() -> None:
    with pytest.raises(ValidationFailed, match="materials"):
        send_materials(INQUIRY, ["m" * 320], T1)


@pytest.mark.parametrize("outcome", [*InquiryOutcome, None])
def test_an_inquiry_is_answered_once(outcome: InquiryOutcome | None) -> None:
    done = answer(INQUIRY, T2, outcome)
    assert (done.answered_at, done.outcome, done.open) == (T2, outcome, False)
    with pytest.raises(Conflict, match="already answered"):
        answer(done, T2 + timedelta(days=1), None)


def test_the_organisations_outcome_may_follow_the_answer_once() -> None:
    done = answer(answer(INQUIRY, T1, None), None, InquiryOutcome.ADVICE)
    assert (done.answered_at, done.outcome) == (T1, InquiryOutcome.ADVICE)
    with pytest.raises(Conflict, match="already recorded"):
        answer(done, None, InquiryOutcome.RESOLVED)


@pytest.mark.parametrize(
    ("referral", "at", "outcome", "error", "words"),
    [
        (INFORMED, T2, None, Conflict, "inquiry"),  # telling the requester is not answered
        (INQUIRY, None, InquiryOutcome.RESOLVED, Conflict, "before the organisation's outcome"),
        (INQUIRY, None, None, ValidationFailed, "answered_at"),
        (INQUIRY, T0 - timedelta(minutes=1), None, ValidationFailed, "answered_at"),  # before it arrived
    ],
)
def test_answers_that_cannot_be_recorded(
    referral: Referral, at: datetime | None, outcome: InquiryOutcome | None, error: type[Exception], words: str
) -> None:
    with pytest.raises(error, match=words):
        answer(referral, at, outcome)
