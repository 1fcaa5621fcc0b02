"""validate_new_ticket: every bad field is named, all at once."""

from __future__ import annotations

from typing import Any

import pytest

from ticketing.container import load_desks
from ticketing.domain import intake as I
from ticketing.domain.errors import ValidationFailed
from ticketing.domain.intake import AttachmentIn, IntakeLimits, safe_filename, validate_new_ticket
from ticketing.domain.tickets import Category, Channel, Language, RequestType
from ticketing.settings import BUNDLED_DESKS

DESKS = load_desks(BUNDLED_DESKS)
LIMITS = IntakeLimits(max_attachments=2, max_attachment_bytes=100)


def good(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "category": "inquiry",
        "subject": "Subject",
        "message": "Line one\nLine two",
        "requester": {"name": "Hanako", "email": "Hanako@Example.TEST"},
    }
    data.update(overrides)
    return data


def errors_of(data: dict[str, Any], channel: Channel = Channel.WEB, staff: bool = False, **kw: Any) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as info:
        validate_new_ticket(data, DESKS["relia"], channel=channel, staff=staff, limits=LIMITS, **kw)
    return info.value.errors


def test_valid_ticket_is_normalised() -> None:
    t = validate_new_ticket(good(), DESKS["relia"], channel=Channel.WEB, staff=False, limits=LIMITS)
    assert t.category is Category.INQUIRY and t.language is Language.EN  # the desk's language by default
    assert t.requester.email == "Hanako@example.test"  # the domain is case-insensitive, the local part is not
    assert t.message == "Line one\nLine two"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (good(category=None), "category", I.BAD_CHOICE),
        (good(category="gossip"), "category", I.BAD_CHOICE),
        (good(category="incident"), "category", I.BAD_CHOICE),  # staff only
        (good(category="request"), "request_types", I.REQUEST_TYPES_NEEDED),
        (good(category="request", request_types=["mind_reading"]), "request_types", I.BAD_CHOICE),
        (good(category="request", request_types="disclosure"), "request_types", I.BAD_TYPE),
        (good(request_types=["disclosure"]), "request_types", I.REQUEST_TYPES_UNEXPECTED),
        (good(subject=""), "subject", I.REQUIRED),
        (good(subject="   "), "subject", I.REQUIRED),
        (good(subject="x" * 201), "subject", I.TOO_LONG),
        (good(subject="a\x00b"), "subject", I.BAD_TEXT),
        (good(subject="line\nbreak"), "subject", I.BAD_TEXT),
        (good(subject=42), "subject", I.BAD_TYPE),
        (good(message=None), "message", I.REQUIRED),
        (good(message="x" * 20_001), "message", I.TOO_LONG),
        (good(language="de"), "language", I.BAD_CHOICE),
        (good(requester=None), "requester", I.REQUIRED),
        (good(requester="Hanako"), "requester", I.BAD_TYPE),
        (good(requester={"email": "a@b.test"}), "requester.name", I.REQUIRED),
        (good(requester={"name": "x" * 201, "email": "a@b.test"}), "requester.name", I.TOO_LONG),
        (good(requester={"name": "H"}), "requester.email", I.REQUIRED),
        (good(requester={"name": "H", "email": "not-an-address"}), "requester.email", I.BAD_EMAIL),
        (good(requester={"name": "H", "email": "a@b"}), "requester.email", I.BAD_EMAIL),
        (good(requester={"name": "H", "email": "a@b.test", "phone": "call me"}), "requester.phone", I.BAD_PHONE),
        (
            good(requester={"name": "H", "email": "a@b.test", "postal_address": "x" * 501}),
            "requester.postal_address",
            I.TOO_LONG,
        ),
    ],
)
def test_each_bad_field_is_named(data: dict[str, Any], field: str, message: str) -> None:
    assert errors_of(data).get(field) == message


def test_all_errors_come_at_once() -> None:
    errs = errors_of({"category": "x", "requester": {"email": "bad"}})
    assert set(errs) >= {"category", "subject", "message", "requester.name", "requester.email"}


def test_phone_and_post_need_some_contact_but_not_email() -> None:
    data = good(requester={"name": "Taro", "phone": "+81 3-1234-5678"})
    t = validate_new_ticket(data, DESKS["relia"], channel=Channel.PHONE, staff=True, limits=LIMITS)
    assert t.requester.email is None and t.requester.phone == "+81 3-1234-5678"
    assert errors_of(good(requester={"name": "Taro"}), channel=Channel.POST, staff=True) == {
        "requester.email": I.CONTACT_NEEDED
    }


def test_staff_may_log_incidents_and_accredited_org_inquiries() -> None:
    for category in ("incident", "accredited_org_inquiry"):
        data = good(category=category)
        t = validate_new_ticket(data, DESKS["rext-cs"], channel=Channel.API, staff=True, limits=LIMITS)
        assert t.category.value == category


def test_request_types_are_deduplicated_and_limited_to_the_desk() -> None:
    data = good(category="request", request_types=["disclosure", "disclosure", "correction"])
    t = validate_new_ticket(data, DESKS["relia"], channel=Channel.WEB, staff=False, limits=LIMITS)
    assert t.request_types == (RequestType.DISCLOSURE, RequestType.CORRECTION)
    # relia's (older) policy does not list third-party record disclosure; rext-cs does.
    data = good(category="request", request_types=["third_party_record_disclosure"])
    assert errors_of(data) == {"request_types": I.BAD_CHOICE}
    validate_new_ticket(data, DESKS["rext-cs"], channel=Channel.WEB, staff=False, limits=LIMITS)


def test_attachment_limits() -> None:
    three = [AttachmentIn("a.txt", "text/plain", 1)] * 3
    assert errors_of(good(), attachments=three) == {"attachments": I.TOO_MANY_FILES}
    big = [AttachmentIn("a.txt", "text/plain", 101)]
    assert errors_of(good(), attachments=big) == {"attachments": I.FILE_TOO_LARGE}


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\doc.pdf", "doc.pdf"),
        (".htaccess", "htaccess"),
        ("a\x00b.txt", "ab.txt"),
        ("", "attachment"),
        ("申請書.pdf", "申請書.pdf"),
    ],
)
def test_safe_filename(raw: str, clean: str) -> None:
    assert safe_filename(raw) == clean
