"""Documents a requester sends (domain/documents.py): what is refused, what is current, and the
checklist each seed desk's procedure gives each requester kind (APPI Art. 37(1),(3); 施行令13条)."""

from __future__ import annotations

from datetime import date

import pytest

from ticketing.desks_file import load_desks
from ticketing.domain.documents import (
    DocumentKind,
    Gap,
    ReceivedDocument,
    adult_on,
    check_document,
    checklist,
    is_current,
    months_before,
    needs_issue_date,
)
from ticketing.domain.errors import ValidationFailed
from ticketing.domain.procedure import Procedure, RequesterDocuments, RequesterKind, Validity
from ticketing.settings import BUNDLED_DESKS

K, G, RK = DocumentKind, Gap, RequesterKind
DESKS = load_desks(BUNDLED_DESKS)
ON = date(2026, 5, 31)  # the day the documents reach the desk (after health-insurance cards ended)


def doc(
    kind: DocumentKind,
    issued: date | None = None,
    until: date | None = None,
    *,
    on: date = ON,
    masked: bool = False,
) -> ReceivedDocument:
    return ReceivedDocument(kind, on, issued, until, masked)


FORM = doc(K.REQUEST_FORM)
PASSPORT = doc(K.PASSPORT, date(2022, 4, 1), date(2032, 4, 1))
OLD_PASSPORT = doc(K.PASSPORT, date(2016, 5, 1), date(2026, 5, 30))  # expired the day before it arrived
MY_NUMBER_FRONT = doc(K.MY_NUMBER_CARD_FRONT, date(2024, 1, 10), date(2034, 1, 10))
PENSION = doc(K.PENSION_BOOK)
OTHER = doc(K.OTHER_ID)
ELIGIBILITY = doc(K.ELIGIBILITY_CERTIFICATE, date(2025, 7, 1), date(2030, 7, 1), masked=True)
HEALTH_CARD = doc(K.HEALTH_INSURANCE_CARD, date(2023, 4, 1), masked=True)  # arrives after 2025-12-01
POA = doc(K.POWER_OF_ATTORNEY, date(2026, 5, 20))
SEAL = doc(K.SEAL_CERTIFICATE, date(2026, 2, 28))  # the oldest within 3 months of 2026-05-31
SEAL_OLD = doc(K.SEAL_CERTIFICATE, date(2026, 2, 27))
SEAL_UNDATED = doc(K.SEAL_CERTIFICATE)
LAWYER = doc(K.LAWYER_CERTIFICATE, date(2026, 4, 1))
LAWYER_OLD = doc(K.LAWYER_CERTIFICATE, date(2026, 1, 31))
REGISTER = doc(K.FAMILY_REGISTER, date(2026, 5, 1))
REGISTER_OLD = doc(K.FAMILY_REGISTER, date(2025, 12, 1))
COURT = doc(K.COURT_APPOINTMENT, date(2026, 3, 1))
GUARDIANSHIP = doc(K.GUARDIANSHIP_REGISTRY, date(2026, 5, 29))
RESIDENCE = doc(K.RESIDENCE_CERTIFICATE, date(2019, 1, 1))  # relia sets no window for it


@pytest.mark.parametrize(
    ("document", "field", "words"),
    [
        # My Number Act Art. 20: the back carries the individual number; masking does not save it.
        (doc(K.MY_NUMBER_CARD_BACK, masked=True), "kind", "My Number Act Art. 20"),
        # Health Insurance Act 告知要求制限: insurer and insured numbers must arrive masked.
        (doc(K.HEALTH_INSURANCE_CARD, on=date(2025, 6, 1)), "masked", "告知要求制限"),
        (doc(K.ELIGIBILITY_CERTIFICATE, date(2025, 7, 1)), "masked", "告知要求制限"),
        # Dates that cannot be: issued after it arrived, or valid until before it was issued.
        (doc(K.PASSPORT, date(2026, 6, 1)), "issued_on", "after the day"),
        (doc(K.SEAL_CERTIFICATE, date(2026, 5, 1), date(2026, 4, 30)), "valid_until", "before the issue date"),
    ],
)
def test_what_the_desk_may_not_keep_is_refused_with_its_law(document: ReceivedDocument, field: str, words: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        check_document(document)
    assert list(refused.value.errors) == [field]
    assert words in refused.value.errors[field]


@pytest.mark.parametrize(
    "document",
    [
        MY_NUMBER_FRONT,  # the front carries no individual number (My Number Act Art. 20)
        HEALTH_CARD,  # masked: 告知要求制限 is met (whether it is current is is_current's question)
        ELIGIBILITY,
        doc(K.PASSPORT, ON, ON),  # issued and valid on the day it arrived
        doc(K.PENSION_BOOK),  # undated documents are not judged on dates
    ],
)
def test_lawful_copies_pass_the_check(document: ReceivedDocument) -> None:
    check_document(document)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 5, 15), 3, date(2026, 2, 15)),
        (date(2026, 5, 31), 3, date(2026, 2, 28)),  # February is shorter: its last day
        (date(2028, 5, 31), 3, date(2028, 2, 29)),  # a leap year
        (date(2026, 1, 31), 3, date(2025, 10, 31)),  # across the year
        (date(2026, 3, 31), 1, date(2026, 2, 28)),
        (date(2026, 5, 31), 0, date(2026, 5, 31)),
        (date(2026, 5, 31), 15, date(2025, 2, 28)),
    ],
)
def test_months_before_counts_calendar_months(day: date, months: int, expected: date) -> None:
    assert months_before(day, months) == expected


THREE_MONTHS, NINETY_DAYS = Validity(months=3), Validity(days=90)


@pytest.mark.parametrize(
    ("document", "window", "current"),
    [
        # Health-insurance cards: valid until the transition ended (2025-12-01), never after.
        (doc(K.HEALTH_INSURANCE_CARD, on=date(2025, 11, 30), masked=True), None, True),
        (doc(K.HEALTH_INSURANCE_CARD, until=date(2025, 11, 29), on=date(2025, 11, 30), masked=True), None, False),
        (doc(K.HEALTH_INSURANCE_CARD, on=date(2025, 12, 2), masked=True), None, False),
        (doc(K.HEALTH_INSURANCE_CARD, until=date(2027, 3, 31), masked=True), None, False),  # printed date overruled
        (ELIGIBILITY, None, True),  # 資格確認書, which replaced it, stays good
        # valid_until is the last valid day.
        (doc(K.PASSPORT, until=ON), None, True),
        (OLD_PASSPORT, None, False),
        (OLD_PASSPORT, Validity(), False),
        (doc(K.PENSION_BOOK), Validity(), True),  # 0: simply still valid, no issue date needed
        # "3 months" (発行日より3ヶ月以内): issued on or after the same day 3 months earlier.
        (SEAL, THREE_MONTHS, True),  # received 05-31: oldest 02-28 (month-end clamping)
        (SEAL_OLD, THREE_MONTHS, False),
        (doc(K.SEAL_CERTIFICATE, date(2026, 2, 15), on=date(2026, 5, 15)), THREE_MONTHS, True),
        (doc(K.SEAL_CERTIFICATE, date(2026, 2, 14), on=date(2026, 5, 15)), THREE_MONTHS, False),
        (doc(K.SEAL_CERTIFICATE, date(2028, 2, 28), on=date(2028, 5, 31)), THREE_MONTHS, False),  # leap: 02-29
        (doc(K.SEAL_CERTIFICATE, date(2025, 10, 31), on=date(2026, 1, 31)), THREE_MONTHS, True),
        (SEAL_UNDATED, THREE_MONTHS, False),  # a window needs the issue date
        (doc(K.SEAL_CERTIFICATE, date(2026, 5, 1), date(2026, 5, 30)), THREE_MONTHS, False),  # expired anyway
        # "90 days": 2026-05-31 less 90 days is 2026-03-02.
        (doc(K.SEAL_CERTIFICATE, date(2026, 3, 2)), NINETY_DAYS, True),
        (doc(K.SEAL_CERTIFICATE, date(2026, 3, 1)), NINETY_DAYS, False),
    ],
)
def test_is_current(document: ReceivedDocument, window: Validity | None, current: bool) -> None:
    assert is_current(document, window) is current


def test_a_health_insurance_card_is_no_identity_document_from_2025_12_01() -> None:
    # The desk's rule (issue 11, from the card's end on 2025-12-01: 令和7年12月1日をもって有効期限が到来):
    # a card received on or after 2025-12-01 is not accepted as identity; the day before it still is.
    card = doc(K.HEALTH_INSURANCE_CARD, date(2023, 4, 1), on=date(2025, 12, 1), masked=True)
    assert not is_current(card, None)
    assert is_current(doc(K.HEALTH_INSURANCE_CARD, date(2023, 4, 1), on=date(2025, 11, 30), masked=True), None)


RCS, REL = DESKS["rext-cs"], DESKS["relia"]
Case = tuple[str, RequesterKind, bool, tuple[ReceivedDocument, ...], tuple[Gap, ...], tuple[Gap, ...]]
CASES: list[Case] = [
    # --- rext-cs: one photo ID or two without photo; agents' certificates within 3 months ---
    ("rext-cs", RK.PERSON, True, (FORM, PASSPORT), (), ()),
    ("rext-cs", RK.PERSON, True, (PASSPORT,), (G.FORM_MISSING,), ()),  # Art. 37(1): the prescribed form
    ("rext-cs", RK.PERSON, True, (), (G.FORM_MISSING, G.ID_MISSING), ()),
    ("rext-cs", RK.PERSON, False, (), (G.ID_MISSING,), ()),
    ("rext-cs", RK.PERSON, False, (OLD_PASSPORT,), (), (G.ID_EXPIRED,)),
    ("rext-cs", RK.PERSON, False, (MY_NUMBER_FRONT,), (), ()),  # one photo ID
    ("rext-cs", RK.PERSON, False, (PENSION, ELIGIBILITY), (), ()),  # two different without photo
    ("rext-cs", RK.PERSON, False, (PENSION, OTHER), (), ()),
    ("rext-cs", RK.PERSON, False, (OTHER, OTHER), (), ()),  # two "other" documents recorded one by one
    ("rext-cs", RK.PERSON, False, (PENSION,), (G.ID_MISSING,), ()),  # one without photo is half
    ("rext-cs", RK.PERSON, False, (PENSION, PENSION), (G.ID_MISSING,), ()),  # two copies of one kind are one
    ("rext-cs", RK.PERSON, False, (PENSION, HEALTH_CARD), (), (G.ID_EXPIRED,)),  # the card no longer counts
    ("rext-cs", RK.PERSON, False, (OLD_PASSPORT, PENSION), (), (G.ID_EXPIRED,)),
    # appointed agent (施行令13条): power of attorney and a seal certificate within 3 months
    ("rext-cs", RK.APPOINTED_AGENT, True, (FORM, PASSPORT, POA, SEAL), (), ()),
    ("rext-cs", RK.APPOINTED_AGENT, False, (PASSPORT, POA, SEAL_OLD), (), (G.SEAL_CERT_STALE,)),
    ("rext-cs", RK.APPOINTED_AGENT, False, (PASSPORT, POA, SEAL_UNDATED), (), (G.SEAL_CERT_STALE,)),
    ("rext-cs", RK.APPOINTED_AGENT, False, (PASSPORT, POA, SEAL_OLD, SEAL), (), ()),  # the new one counts
    ("rext-cs", RK.APPOINTED_AGENT, False, (PASSPORT, SEAL), (G.AUTHORITY_MISSING,), ()),
    ("rext-cs", RK.APPOINTED_AGENT, False, (PASSPORT,), (G.AUTHORITY_MISSING, G.SEAL_CERT_MISSING), ()),
    (
        "rext-cs",
        RK.APPOINTED_AGENT,
        True,
        (OLD_PASSPORT, POA),
        (G.FORM_MISSING, G.SEAL_CERT_MISSING),
        (G.ID_EXPIRED,),
    ),  # missing before stale
    # lawyer: the agent's documents and a lawyer's certificate within 3 months
    ("rext-cs", RK.LAWYER, False, (PASSPORT, POA, SEAL, LAWYER), (), ()),
    ("rext-cs", RK.LAWYER, False, (PASSPORT, POA, SEAL, LAWYER_OLD), (), (G.LAWYER_CERT_STALE,)),
    ("rext-cs", RK.LAWYER, False, (PASSPORT, POA, SEAL), (G.LAWYER_CERT_MISSING,), ()),
    # statutory agent: one of family register, court appointment, guardianship registry (3 months)
    ("rext-cs", RK.STATUTORY_AGENT, False, (PASSPORT, REGISTER), (), ()),
    ("rext-cs", RK.STATUTORY_AGENT, False, (PASSPORT, GUARDIANSHIP), (), ()),
    ("rext-cs", RK.STATUTORY_AGENT, False, (PASSPORT, REGISTER_OLD, COURT), (), ()),
    ("rext-cs", RK.STATUTORY_AGENT, False, (PASSPORT,), (G.AUTHORITY_MISSING,), ()),
    ("rext-cs", RK.STATUTORY_AGENT, False, (PASSPORT, REGISTER_OLD), (), (G.AUTHORITY_STALE,)),
    ("rext-cs", RK.STATUTORY_AGENT, False, (PASSPORT, RESIDENCE), (G.AUTHORITY_MISSING,), ()),  # not its list
    ("rext-cs", RK.STATUTORY_AGENT, False, (), (G.ID_MISSING, G.AUTHORITY_MISSING), ()),
    ("rext-cs", RK.STATUTORY_AGENT, False, (OLD_PASSPORT, REGISTER_OLD), (), (G.ID_EXPIRED, G.AUTHORITY_STALE)),
    # --- relia: a copy of one official document; no windows but "still valid" ---
    ("relia", RK.PERSON, False, (PASSPORT,), (), ()),
    ("relia", RK.PERSON, False, (PENSION,), (), ()),  # one official document, with or without photo
    ("relia", RK.PERSON, False, (HEALTH_CARD,), (), (G.ID_EXPIRED,)),
    ("relia", RK.PERSON, False, (doc(K.HEALTH_INSURANCE_CARD, on=date(2025, 11, 20), masked=True),), (), ()),
    ("relia", RK.PERSON, False, (OLD_PASSPORT, PENSION), (), ()),  # one current is enough
    ("relia", RK.PERSON, True, (PASSPORT,), (G.FORM_MISSING,), ()),
    ("relia", RK.APPOINTED_AGENT, False, (PASSPORT, POA, doc(K.SEAL_CERTIFICATE, date(2020, 1, 1))), (), ()),
    ("relia", RK.APPOINTED_AGENT, False, (PASSPORT, POA), (G.SEAL_CERT_MISSING,), ()),
    ("relia", RK.STATUTORY_AGENT, False, (PASSPORT, RESIDENCE), (), ()),
    ("relia", RK.STATUTORY_AGENT, False, (PASSPORT, REGISTER_OLD), (), ()),  # no window at relia
    ("relia", RK.STATUTORY_AGENT, False, (PASSPORT, COURT), (G.AUTHORITY_MISSING,), ()),  # not in relia's one_of
    # relia's file lists no `lawyer`: a lawyer is an appointed agent (Art. 37(3)) and sends what one sends.
    ("relia", RK.LAWYER, False, (PASSPORT, POA, SEAL), (), ()),
    ("relia", RK.LAWYER, True, (), (G.FORM_MISSING, G.ID_MISSING, G.AUTHORITY_MISSING, G.SEAL_CERT_MISSING), ()),
]


@pytest.mark.parametrize(("desk", "requester", "needs_form", "docs", "missing", "stale"), CASES)
def test_checklist_per_seed_desk_and_requester_kind(
    desk: str,
    requester: RequesterKind,
    needs_form: bool,
    docs: tuple[ReceivedDocument, ...],
    missing: tuple[Gap, ...],
    stale: tuple[Gap, ...],
) -> None:
    found = checklist(DESKS[desk].procedure, DESKS[desk].document_validity, requester, needs_form, docs)
    assert (found.missing, found.stale) == (missing, stale)
    assert found.complete is (not missing and not stale)


def test_the_seed_desks_differ_in_their_identity_rule() -> None:
    # relia: one official document; rext-cs: one photo ID or two without photo.
    for desk, complete in (("relia", True), ("rext-cs", False)):
        found = checklist(DESKS[desk].procedure, DESKS[desk].document_validity, RK.PERSON, False, [PENSION])
        assert found.complete is complete


def test_a_desk_that_lists_no_requesters_takes_any_kind_on_identity_alone() -> None:
    found = checklist(Procedure(), {}, RK.LAWYER, False, [MY_NUMBER_FRONT])
    assert found.complete
    assert checklist(Procedure(), {}, RK.STATUTORY_AGENT, False, []).missing == (G.ID_MISSING,)


def test_each_gap_is_listed_once() -> None:
    # The power of attorney and the one_of alternatives share the authority codes.
    rule = RequesterDocuments(("identity", "power_of_attorney"), ("family_register", "court_appointment"))
    procedure = Procedure(requesters={RK.STATUTORY_AGENT: rule})
    assert checklist(procedure, {}, RK.STATUTORY_AGENT, False, [PASSPORT]).missing == (G.AUTHORITY_MISSING,)


@pytest.mark.parametrize(
    ("desk", "kind", "needed"),
    [
        ("rext-cs", K.SEAL_CERTIFICATE, True),  # "3 months" needs the issue date
        ("rext-cs", K.FAMILY_REGISTER, True),
        ("rext-cs", K.PASSPORT, False),  # identity = 0: valid on receipt
        ("rext-cs", K.POWER_OF_ATTORNEY, False),  # no window set
        ("relia", K.SEAL_CERTIFICATE, False),
    ],
)
def test_an_issue_date_is_asked_for_where_a_window_counts_from_it(desk: str, kind: DocumentKind, needed: bool) -> None:
    assert needs_issue_date(kind, DESKS[desk].document_validity) is needed


@pytest.mark.parametrize(
    ("birth", "day", "of_age"),
    [
        # 民法4条 (18 since 2022-04-01); 年齢計算ニ関スル法律: the age is reached at the end of the day
        # before the birthday, so the person has it on the birthday.
        (date(2008, 11, 24), date(2026, 11, 23), False),
        (date(2008, 11, 24), date(2026, 11, 24), True),
        (date(2008, 2, 29), date(2026, 2, 28), False),  # no 29 February in 2026: of age on 1 March
        (date(2008, 2, 29), date(2026, 3, 1), True),
        (date(2012, 2, 29), date(2030, 3, 1), True),
        (date(1990, 1, 1), date(2026, 1, 1), True),
    ],
)
def test_the_age_of_majority(birth: date, day: date, of_age: bool) -> None:
    assert adult_on(birth, day) is of_age


def test_a_parents_documents_speak_for_a_minor_only() -> None:
    """A statutory agent with a family register: complete for a minor; for an adult the desk needs a
    guardianship (APPI Art. 37(3), 施行令13条: a minor's or an adult ward's statutory agent)."""
    rcs = DESKS["rext-cs"]
    docs = [FORM, PASSPORT, doc(K.FAMILY_REGISTER, date(2026, 11, 2))]
    minor = checklist(rcs.procedure, rcs.document_validity, RK.STATUTORY_AGENT, True, docs, person_adult=False)
    assert minor.complete
    adult = checklist(rcs.procedure, rcs.document_validity, RK.STATUTORY_AGENT, True, docs, person_adult=True)
    assert adult.missing == (G.PERSON_NOT_A_MINOR, G.AUTHORITY_MISSING)
    guardian = [*docs, doc(K.GUARDIANSHIP_REGISTRY, date(2026, 11, 2))]
    ward = checklist(rcs.procedure, rcs.document_validity, RK.STATUTORY_AGENT, True, guardian, person_adult=True)
    assert ward.complete  # an adult ward's guardian: the parent's papers are beside the point
