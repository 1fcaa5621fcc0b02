"""How a desk takes 開示等請求: the form, who may request and what each sends (desk policy).

APPI Art. 37(1) lets the business fix the procedure (address, form, identification, fee); 37(3)
and 施行令13条 admit appointed and statutory agents; 37(4) forbids an excessive burden, which bounds
how strict the documents may be (docs/privacy-rules.md, procedure). The seed policies fix the rest:
rext-cs wants the prescribed form handwritten and sealed, one photo ID or two without photo, and
agents' certificates issued within 3 months.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ticketing.domain.errors import ConfigError


class RequesterKind(StrEnum):
    PERSON = "person"  # the data subject
    APPOINTED_AGENT = "appointed_agent"  # 任意代理人
    LAWYER = "lawyer"  # an appointed agent who is a lawyer
    STATUTORY_AGENT = "statutory_agent"  # 法定代理人: parent of a minor, guardian


class FormSource(StrEnum):
    ON_REQUEST = "on_request"  # the desk sends its form when asked (rext-cs)
    DOWNLOAD = "download"  # the form is published (relia: a PDF on its site)


class IdentityRule(StrEnum):
    ONE_PHOTO_OR_TWO = "one_photo_or_two"  # one photo ID, or two official documents without photo
    ONE_OFFICIAL = "one_official"  # a copy of one official document (driver's licence and the like)


# Documents a requester may have to send besides the form; `identity` follows the IdentityRule.
DOCUMENTS = frozenset(
    {
        "identity",
        "power_of_attorney",
        "seal_certificate",
        "lawyer_certificate",
        "family_register",
        "residence_certificate",
        "court_appointment",
        "guardianship_registry",
    }
)
VALIDITY_RE = re.compile(r"^\s*(\d+)\s+(day|month)s?\s*$")


@dataclass(frozen=True, slots=True)
class Validity:
    """How recent a document must be when it reaches the desk; 0 and 0: simply still valid."""

    months: int = 0
    days: int = 0


@dataclass(frozen=True, slots=True)
class RequesterDocuments:
    documents: tuple[str, ...]  # all of these
    one_of: tuple[str, ...] = ()  # and one of these, as the case requires


@dataclass(frozen=True, slots=True)
class Procedure:
    request_form: FormSource = FormSource.ON_REQUEST
    request_form_url: str = ""
    handwritten_and_sealed: bool = False
    identity: IdentityRule = IdentityRule.ONE_PHOTO_OR_TWO
    mask_numbers: bool = True  # My Number and health-insurance numbers blacked out on copies
    requesters: Mapping[RequesterKind, RequesterDocuments] = field(default_factory=dict)


def parse_validity(raw: Any, where: str) -> Validity:
    """0 (valid on receipt), a number of days, or "3 months" / "90 days"."""
    if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
        return Validity(days=raw)
    match = VALIDITY_RE.match(raw) if isinstance(raw, str) else None
    if match is None:
        raise ConfigError(where, f'{raw!r}: write 0 (valid on receipt), a number of days, or "3 months"')
    amount = int(match.group(1))
    return Validity(months=amount) if match.group(2) == "month" else Validity(days=amount)


def parse_validities(table: Any, where: str) -> dict[str, Validity]:
    if table is None:
        return {}
    if not isinstance(table, Mapping):
        raise ConfigError(where, "must be a table of document = validity")
    return {str(key): parse_validity(value, f"{where}.{key}") for key, value in table.items()}


def _documents(raw: Any, where: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or any(d not in DOCUMENTS for d in raw):
        raise ConfigError(where, f"use a list of {', '.join(sorted(DOCUMENTS))}")
    return tuple(raw)


def parse_procedure(procedure: Any, requesters: Any, where: str) -> Procedure:
    """`[desks.X.procedure]` and `[desks.X.requesters.<kind>]` (documents, one_of)."""
    table = procedure if procedure is not None else {}
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where}.procedure", "must be a table")
    try:
        form = FormSource(table.get("request_form", FormSource.ON_REQUEST.value))
        identity = IdentityRule(table.get("identity", IdentityRule.ONE_PHOTO_OR_TWO.value))
    except ValueError as exc:
        raise ConfigError(f"{where}.procedure", str(exc)) from None
    url = table.get("request_form_url", "")
    if not isinstance(url, str) or (form is FormSource.DOWNLOAD and not url.startswith(("https://", "http://"))):
        raise ConfigError(f"{where}.procedure.request_form_url", "a downloadable form needs its http(s) URL")
    kinds: dict[RequesterKind, RequesterDocuments] = {}
    if requesters is not None:
        if not isinstance(requesters, Mapping):
            raise ConfigError(f"{where}.requesters", "must be a table keyed by requester kind")
        for key, rule in requesters.items():
            here = f"{where}.requesters.{key}"
            try:
                kind = RequesterKind(key)
            except ValueError:
                raise ConfigError(here, f"use one of {', '.join(RequesterKind)}") from None
            if not isinstance(rule, Mapping):
                raise ConfigError(here, "must be a table with `documents` (and `one_of`)")
            kinds[kind] = RequesterDocuments(
                _documents(rule.get("documents", []), f"{here}.documents"),
                _documents(rule.get("one_of", []), f"{here}.one_of"),
            )
    return Procedure(
        request_form=form,
        request_form_url=url,
        handwritten_and_sealed=bool(table.get("handwritten_and_sealed")),
        identity=identity,
        mask_numbers=bool(table.get("mask_numbers", True)),
        requesters=kinds,
    )
