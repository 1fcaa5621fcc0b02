"""The parser over the fixture corpus (tests/fixtures/mail/, expectations in expected.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ticketing.domain.inbound import dedupe_key
from ticketing.mail.parse import parse_message, parsed_json

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "mail"
EXPECTED: dict[str, dict[str, Any]] = json.loads((CORPUS / "expected.json").read_text())
EXACT = (
    "message_id",
    "from_email",
    "from_name",
    "to",
    "cc",
    "subject",
    "date",
    "in_reply_to",
    "references",
    "auto_submitted",
    "bounce",
    "quarantine",
    "bounce_recipients",
    "bounce_message_id",
    "bounce_failure",
)
CONTAINS = {
    "text_contains": "text",
    "new_text_contains": "new_text",
    "quoted_contains": "quoted_text",
    "signature_contains": "signature",
    "html_contains": "html",
}
EXCLUDES = {"text_excludes": "text", "new_text_excludes": "new_text", "html_excludes": "html"}


def parsed(name: str) -> dict[str, Any]:
    return parsed_json(parse_message((CORPUS / name).read_bytes()))


def test_every_fixture_has_expectations_and_every_expectation_a_fixture() -> None:
    files = {p.name for p in CORPUS.glob("*.eml")}
    assert files == set(EXPECTED), files ^ set(EXPECTED)
    assert len(files) >= 40


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_parses_as_expected(name: str) -> None:
    want = EXPECTED[name]
    got = parsed(name)
    for key in EXACT:
        if key in want:
            assert got[key] == want[key], f"{name}: {key}"
    for key, field in CONTAINS.items():
        for needle in want.get(key, ()):
            assert needle in (got[field] or ""), f"{name}: {field} lacks {needle!r}"
    for key, field in EXCLUDES.items():
        for needle in want.get(key, ()):
            assert needle not in (got[field] or ""), f"{name}: {field} has {needle!r}"
    if want.get("html_is_null"):
        assert got["html"] is None, name
    if "attachments" in want:
        assert [{k: a[k] for k in ("filename", "content_type", "size")} for a in got["attachments"]] == want[
            "attachments"
        ], name
    if "has_defects" in want:
        assert bool(got["defects"]) is want["has_defects"], f"{name}: defects {got['defects']}"


def test_the_same_message_by_two_paths_has_one_dedupe_key() -> None:
    for name, want in EXPECTED.items():
        if other := want.get("same_dedupe_as"):
            a, b = parse_message((CORPUS / name).read_bytes()), parse_message((CORPUS / other).read_bytes())
            key_a = dedupe_key("relia", a.message_id, a.content_hash)
            assert key_a == dedupe_key("relia", b.message_id, b.content_hash)


def test_different_messages_have_different_keys() -> None:
    keys = set()
    for name in EXPECTED:
        if EXPECTED[name].get("same_dedupe_as"):
            continue
        mail = parse_message((CORPUS / name).read_bytes())
        keys.add(dedupe_key("relia", mail.message_id, mail.content_hash))
    assert len(keys) == len([n for n in EXPECTED if not EXPECTED[n].get("same_dedupe_as")])


def test_the_same_message_on_two_desks_is_two_messages() -> None:
    mail = parse_message((CORPUS / "utf8-qp.eml").read_bytes())
    assert dedupe_key("relia", mail.message_id, mail.content_hash) != dedupe_key(
        "rext-cs", mail.message_id, mail.content_hash
    )


def test_forward_keeps_the_whole_message_and_shows_its_text() -> None:
    got = parsed("forward-rfc822.eml")
    kinds = [a["content_type"] for a in got["attachments"]]
    assert kinds[0] == "message/rfc822" and got["attachments"][0]["filename"].endswith(".eml")
    assert "application/pdf" in kinds  # the forwarded message's own attachment is taken too
    assert "Forwarded message" in got["text"]


def test_tnef_is_kept_as_a_file() -> None:
    got = parsed("tnef.eml")
    assert any(
        a["content_type"] == "application/ms-tnef" and a["filename"] == "winmail.dat" for a in got["attachments"]
    )


def test_inline_image_of_related_html_is_an_inline_attachment_and_no_remote_source_survives() -> None:
    got = parsed("related-inline.eml")
    assert [a for a in got["attachments"] if a["inline"] and a["content_type"].startswith("image/")]
    assert got["html"] and "cid:" in got["html"]


def test_a_message_that_is_not_mail_at_all_is_quarantined_not_raised() -> None:
    for raw in (
        b"",
        b"\x00\x01\x02 binary garbage \xff\xfe",
        b"just one line without headers",
        b"From: \r\nSubject: x\r\n\r\nbody",
    ):
        mail = parse_message(raw)
        assert mail.quarantine_reason is not None
        assert mail.content_hash
