"""The request procedure in the desks file: validity windows and requesters' documents, and the refused forms."""

from __future__ import annotations

import pytest

from ticketing.domain.errors import ConfigError
from ticketing.domain.procedure import (
    FormSource,
    IdentityRule,
    RequesterKind,
    Validity,
    parse_procedure,
    parse_validity,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (0, Validity()),
        (90, Validity(days=90)),
        ("3 months", Validity(months=3)),
        ("1 month", Validity(months=1)),
        ("30 days", Validity(days=30)),
        (" 6 months ", Validity(months=6)),
    ],
)
def test_validity_in_days_or_months(raw, expected):
    assert parse_validity(raw, "x") == expected


@pytest.mark.parametrize("raw", [-1, True, "3 weeks", "three months", "", "3months ago", None, 1.5])
def test_bad_validity_is_refused_with_the_key(raw):
    with pytest.raises(ConfigError, match=r"desks\.x\.documents\.seal_certificate"):
        parse_validity(raw, "desks.x.documents.seal_certificate")


def test_a_procedure_with_requesters():
    p = parse_procedure(
        {"request_form": "download", "request_form_url": "https://example.test/form.pdf", "identity": "one_official"},
        {
            "person": {"documents": ["identity"]},
            "statutory_agent": {"documents": ["identity"], "one_of": ["family_register", "court_appointment"]},
        },
        "desks.x",
    )
    assert p.request_form is FormSource.DOWNLOAD and p.identity is IdentityRule.ONE_OFFICIAL
    assert p.requesters[RequesterKind.STATUTORY_AGENT].one_of == ("family_register", "court_appointment")
    assert p.mask_numbers and not p.handwritten_and_sealed  # the defaults


@pytest.mark.parametrize(
    ("procedure", "requesters", "where"),
    [
        ({"request_form": "download"}, None, "request_form_url"),  # a download needs its URL
        ({"request_form": "by_fax"}, None, "procedure"),
        ({"identity": "any"}, None, "procedure"),
        (None, {"cousin": {"documents": []}}, "requesters.cousin"),
        (None, {"person": {"documents": ["passport_original"]}}, "requesters.person.documents"),
        (None, {"person": ["identity"]}, "requesters.person"),
        ("post", None, "procedure"),
    ],
)
def test_bad_procedures_are_refused(procedure, requesters, where):
    with pytest.raises(ConfigError, match=where):
        parse_procedure(procedure, requesters, "desks.x")
