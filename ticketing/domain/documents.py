"""Documents a requester sends with a statutory request, and the checklist of what is still missing.

APPI Art. 37(1) lets the business fix how the person or an agent is identified; Art. 37(3) and
施行令13条 admit appointed and statutory agents; Art. 37(4) forbids an excessive burden. What each
requester kind sends, and how recent each document must be, is the desk's rule (domain/procedure.py,
the desks file). The handling rules here are the law's and the card issuers' (docs/privacy-rules.md,
documents):

- Health-insurance cards ceased to be valid on 2025-12-01 (new issue ended 2024-12-02; every card
  issued before expired on 2025-12-01): one received on or after that day is no identity document.
- Health Insurance Act 告知要求制限 (since 2020-10-01): the insurer and insured numbers may not be
  collected, so a copy must arrive masked; the desk does not store an unmasked one.
- My Number Act Art. 20: the individual number may not be collected for this purpose, so only the
  front of a My Number card is accepted; its back side is never stored.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from ticketing.domain.errors import ValidationFailed
from ticketing.domain.procedure import IdentityRule, Procedure, RequesterKind, Validity


class DocumentKind(StrEnum):
    REQUEST_FORM = "request_form"  # the desk's prescribed request form (開示等請求書)
    # identity documents with a photo
    DRIVERS_LICENCE = "drivers_licence"
    PASSPORT = "passport"
    MY_NUMBER_CARD_FRONT = "my_number_card_front"
    RESIDENCE_CARD = "residence_card"  # 在留カード
    OTHER_PHOTO_ID = "other_photo_id"
    # identity documents without a photo
    HEALTH_INSURANCE_CARD = "health_insurance_card"  # 健康保険証: not valid from 2025-12-01
    ELIGIBILITY_CERTIFICATE = "eligibility_certificate"  # 資格確認書, which replaced it
    PENSION_BOOK = "pension_book"
    OTHER_ID = "other_id"
    # authority of an agent
    POWER_OF_ATTORNEY = "power_of_attorney"  # 委任状 with the principal's registered seal (実印)
    SEAL_CERTIFICATE = "seal_certificate"  # 印鑑登録証明書
    LAWYER_CERTIFICATE = "lawyer_certificate"
    FAMILY_REGISTER = "family_register"  # 戸籍謄本
    RESIDENCE_CERTIFICATE = "residence_certificate"  # 住民票
    COURT_APPOINTMENT = "court_appointment"
    GUARDIANSHIP_REGISTRY = "guardianship_registry"  # 登記事項証明書
    # never stored: refused with a message (My Number Act Art. 20)
    MY_NUMBER_CARD_BACK = "my_number_card_back"


PHOTO_IDS = frozenset(
    {
        DocumentKind.DRIVERS_LICENCE,
        DocumentKind.PASSPORT,
        DocumentKind.MY_NUMBER_CARD_FRONT,
        DocumentKind.RESIDENCE_CARD,
        DocumentKind.OTHER_PHOTO_ID,
    }
)
NON_PHOTO_IDS = frozenset(
    {
        DocumentKind.HEALTH_INSURANCE_CARD,
        DocumentKind.ELIGIBILITY_CERTIFICATE,
        DocumentKind.PENSION_BOOK,
        DocumentKind.OTHER_ID,
    }
)
IDENTITY_DOCUMENTS = PHOTO_IDS | NON_PHOTO_IDS
# Copies that carry a number the desk may not collect unless it is blacked out.
MUST_BE_MASKED = frozenset({DocumentKind.HEALTH_INSURANCE_CARD, DocumentKind.ELIGIBILITY_CERTIFICATE})
HEALTH_INSURANCE_CARDS_EXPIRED = date(2025, 12, 1)


class Gap(StrEnum):
    """Why a ticket waits for documents (docs/privacy-rules.md, ticket states: awaiting_documents)."""

    FORM_MISSING = "form_missing"
    ID_MISSING = "id_missing"
    ID_EXPIRED = "id_expired"  # what was sent is out of date, or no longer an identity document
    AUTHORITY_MISSING = "authority_missing"
    AUTHORITY_STALE = "authority_stale"
    SEAL_CERT_MISSING = "seal_cert_missing"
    SEAL_CERT_STALE = "seal_cert_stale"
    LAWYER_CERT_MISSING = "lawyer_cert_missing"
    LAWYER_CERT_STALE = "lawyer_cert_stale"
    REQUESTER_KIND_NOT_ACCEPTED = "requester_kind_not_accepted"  # the desk takes no requests from this kind
    PERSON_NOT_A_MINOR = "person_not_a_minor"  # a parent's documents, but the person is 18 or over


# A required document kind of the procedure (domain/procedure.py DOCUMENTS) -> (missing, stale) codes.
_GAPS: Mapping[str, tuple[Gap, Gap]] = {
    "identity": (Gap.ID_MISSING, Gap.ID_EXPIRED),
    "power_of_attorney": (Gap.AUTHORITY_MISSING, Gap.AUTHORITY_STALE),
    "seal_certificate": (Gap.SEAL_CERT_MISSING, Gap.SEAL_CERT_STALE),
    "lawyer_certificate": (Gap.LAWYER_CERT_MISSING, Gap.LAWYER_CERT_STALE),
    "family_register": (Gap.AUTHORITY_MISSING, Gap.AUTHORITY_STALE),
    "residence_certificate": (Gap.AUTHORITY_MISSING, Gap.AUTHORITY_STALE),
    "court_appointment": (Gap.AUTHORITY_MISSING, Gap.AUTHORITY_STALE),
    "guardianship_registry": (Gap.AUTHORITY_MISSING, Gap.AUTHORITY_STALE),
}


@dataclass(frozen=True, slots=True)
class ReceivedDocument:
    kind: DocumentKind
    received_on: date  # the day it reached the desk (validity windows count back from it)
    issued_on: date | None = None
    valid_until: date | None = None
    masked: bool = False
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Checklist:
    missing: tuple[Gap, ...] = ()
    stale: tuple[Gap, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.missing and not self.stale


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier (the month's last day where that month is shorter)."""
    month = day.month - 1 - months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# Why a document is refused (the staff pages translate these: web/locale).
MY_NUMBER_BACK = (
    "the back of a My Number card carries the individual number, which may not be collected "
    "(My Number Act Art. 20): return or destroy the copy and ask for the front only"
)
UNMASKED = (
    "the insurer and insured numbers on a health-insurance card or eligibility certificate may not be "
    "collected (Health Insurance Act, 告知要求制限): mask them before the copy is recorded"
)
ISSUED_AFTER_RECEIPT = "cannot be after the day the document was received"
VALID_BEFORE_ISSUE = "cannot be before the issue date"


def check_document(doc: ReceivedDocument) -> None:
    """Refuse what the desk may not keep, with a message saying why (nothing is stored)."""
    if doc.kind is DocumentKind.MY_NUMBER_CARD_BACK:
        raise ValidationFailed({"kind": MY_NUMBER_BACK})
    if doc.kind in MUST_BE_MASKED and not doc.masked:
        raise ValidationFailed({"masked": UNMASKED})
    if doc.issued_on is not None and doc.issued_on > doc.received_on:
        raise ValidationFailed({"issued_on": ISSUED_AFTER_RECEIPT})
    if doc.issued_on is not None and doc.valid_until is not None and doc.valid_until < doc.issued_on:
        raise ValidationFailed({"valid_until": VALID_BEFORE_ISSUE})


def is_current(doc: ReceivedDocument, window: Validity | None) -> bool:
    """Valid on the day it was received and, where the desk sets a window, issued within it."""
    if doc.kind is DocumentKind.HEALTH_INSURANCE_CARD and doc.received_on >= HEALTH_INSURANCE_CARDS_EXPIRED:
        return False
    if doc.valid_until is not None and doc.valid_until < doc.received_on:
        return False
    if window is not None and (window.months or window.days):
        if doc.issued_on is None:
            return False  # a window needs the issue date (services ask for it on entry)
        oldest = months_before(doc.received_on, window.months) - timedelta(days=window.days)
        return doc.issued_on >= oldest
    return True


def _identity(rule: IdentityRule, docs: Sequence[ReceivedDocument], window: Validity | None) -> Gap | None:
    ids = [d for d in docs if d.kind in IDENTITY_DOCUMENTS]
    if not ids:
        return Gap.ID_MISSING
    current = [d for d in ids if is_current(d, window)]
    if rule is IdentityRule.ONE_OFFICIAL:
        return None if current else Gap.ID_EXPIRED
    if any(d.kind in PHOTO_IDS for d in current):
        return None
    # One photo ID or two without a photo: two different documents (two copies of one card are one;
    # "other" documents recorded one by one are different documents, such as a 住民票 and a 戸籍の附票).
    named = {d.kind for d in current if d.kind in NON_PHOTO_IDS and d.kind is not DocumentKind.OTHER_ID}
    if len(named) + sum(1 for d in current if d.kind is DocumentKind.OTHER_ID) >= 2:
        return None
    return Gap.ID_EXPIRED if len(current) < len(ids) else Gap.ID_MISSING


def _one(kind: str, docs: Sequence[ReceivedDocument], windows: Mapping[str, Validity]) -> Gap | None:
    missing, stale = _GAPS[kind]
    same = [d for d in docs if d.kind.value == kind]
    if not same:
        return missing
    return None if any(is_current(d, windows.get(kind)) for d in same) else stale


def needs_issue_date(kind: DocumentKind, windows: Mapping[str, Validity]) -> bool:
    window = windows.get("identity" if kind in IDENTITY_DOCUMENTS else kind.value)
    return window is not None and bool(window.months or window.days)


# A parent is the statutory agent of a minor only (民法818条): these prove the relation, not a
# guardianship, so they stop counting once the person is 18.
PARENTAL = frozenset({"family_register", "residence_certificate"})
AGE_OF_MAJORITY = 18  # 民法4条 as amended, in force 2022-04-01 (20 before)


def adult_on(birth: date, day: date) -> bool:
    """Whether a person born on `birth` is of age on `day` (民法4条, 年齢計算ニ関スル法律).

    Age is reached at the end of the day before the birthday, so on the birthday itself the person
    has it; someone born on 29 February comes of age on 1 March of a year without one.
    """
    year = birth.year + AGE_OF_MAJORITY
    try:
        of_age = date(year, birth.month, birth.day)
    except ValueError:
        of_age = date(year, 3, 1)
    return day >= of_age


def checklist(
    procedure: Procedure,
    windows: Mapping[str, Validity],
    requester: RequesterKind,
    needs_form: bool,
    docs: Iterable[ReceivedDocument],
    *,
    person_adult: bool | None = None,
) -> Checklist:
    """What the desk still needs from this requester: each gap once, missing before stale.

    `person_adult` (known when the person's birth date is): a statutory agent who proves a parent's
    relation acts for a minor only; for an adult the desk needs a guardianship instead (APPI Art. 37(3),
    施行令13条: the statutory agent of a minor or of an adult ward).
    """
    docs = list(docs)
    gaps: list[Gap] = []
    if needs_form and not any(d.kind is DocumentKind.REQUEST_FORM for d in docs):
        gaps.append(Gap.FORM_MISSING)
    rule = procedure.requesters.get(requester)
    if rule is None and requester is RequesterKind.LAWYER:
        # A lawyer is an appointed agent (Art. 37(3), 施行令13条): a desk without its own rule for
        # lawyers asks what it asks of any appointed agent.
        rule = procedure.requesters.get(RequesterKind.APPOINTED_AGENT)
    if rule is None and procedure.requesters:
        gaps.append(Gap.REQUESTER_KIND_NOT_ACCEPTED)
    required = rule.documents if rule is not None else ("identity",)
    for kind in required:
        gap = _identity(procedure.identity, docs, windows.get("identity")) if kind == "identity" else None
        if kind != "identity":
            gap = _one(kind, docs, windows)
        if gap is not None:
            gaps.append(gap)
    if rule is not None and rule.one_of:
        alternatives = rule.one_of
        if requester is RequesterKind.STATUTORY_AGENT and person_adult:
            alternatives = tuple(k for k in rule.one_of if k not in PARENTAL)
        found = [_one(kind, docs, windows) for kind in alternatives]
        if None not in found and alternatives != rule.one_of and any(d.kind.value in PARENTAL for d in docs):
            gaps.append(Gap.PERSON_NOT_A_MINOR)  # says why the parent's papers did not count
        if None not in found:
            # None of the alternatives is current: stale when one of them came, else missing.
            gaps.append(Gap.AUTHORITY_STALE if Gap.AUTHORITY_STALE in found else Gap.AUTHORITY_MISSING)
    unique = tuple(dict.fromkeys(gaps))
    stale = {Gap.ID_EXPIRED, Gap.AUTHORITY_STALE, Gap.SEAL_CERT_STALE, Gap.LAWYER_CERT_STALE}
    return Checklist(tuple(g for g in unique if g not in stale), tuple(g for g in unique if g in stale))


__all__ = [
    "AGE_OF_MAJORITY",
    "Checklist",
    "DocumentKind",
    "Gap",
    "ReceivedDocument",
    "adult_on",
    "check_document",
    "checklist",
    "is_current",
    "months_before",
    "needs_issue_date",
]
