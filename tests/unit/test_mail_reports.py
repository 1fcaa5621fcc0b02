"""Malformed delivery reports: the human text stays the message text, and a bounce stays a bounce."""

from __future__ import annotations

import pytest

from ticketing.mail.parse import parse_message

HEAD = (
    b"Return-Path: <>\r\nDate: Thu, 26 Nov 2026 10:00:07 +0900\r\n"
    b"From: MAILER-DAEMON@mx.example.test (Mail Delivery System)\r\nTo: privacy@relia-group.com\r\n"
    b"Message-ID: <report@mx.example.test>\r\nMIME-Version: 1.0\r\n"
)
FAILED = b"Undelivered Mail Returned to Sender"
HUMAN = (
    b"Content-Type: text/plain; charset=us-ascii\r\n\r\nYour message could not be delivered.\r\n"
    b"<hanako@example.test>: mailbox does not exist\r\n"
)
STATUS = (
    b"Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.test\r\n\r\n"
    b"Final-Recipient: rfc822; hanako@example.test\r\nAction: failed\r\nStatus: 5.1.1\r\n"
)
ORIGINAL = (
    b"Content-Type: text/rfc822-headers\r\n\r\nFrom: privacy@relia-group.com\r\n"
    b"Message-ID: <REL-2026-000001.0123456789abcdef@relia-group.com>\r\n"
)


def report(body: bytes, content_type: bytes, subject: bytes = FAILED) -> bytes:
    return HEAD + b"Subject: " + subject + b"\r\nContent-Type: " + content_type + b"\r\n\r\n" + body


def parts(boundary: bytes, *bodies: bytes) -> bytes:
    return b"".join(b"--" + boundary + b"\r\n" + body for body in bodies) + b"--" + boundary + b"--\r\n"


REPORT = b"multipart/report; report-type=delivery-status"
BROKEN = {
    # The continuation line is not indented: the header block ends there and the multipart has no boundary.
    "boundary lost by a bad fold": report(parts(b"BB", HUMAN, STATUS, ORIGINAL), REPORT + b';\r\nboundary="BB"'),
    "boundary the body does not use": report(parts(b"BB", HUMAN, STATUS, ORIGINAL), REPORT + b'; boundary="CC"'),
    "no boundary parameter": report(b"preamble\r\n\r\n" + parts(b"BB", HUMAN, STATUS, ORIGINAL), REPORT),
}


@pytest.mark.parametrize("raw", BROKEN.values(), ids=BROKEN.keys())
def test_a_report_split_at_the_boundary_its_body_uses(raw: bytes) -> None:
    mail = parse_message(raw)
    assert "Your message could not be delivered." in mail.text
    assert mail.bounce and mail.bounce_failure and mail.bounce_recipients == ("hanako@example.test",)
    assert mail.bounce_message_id == "<REL-2026-000001.0123456789abcdef@relia-group.com>"
    assert [a.content_type for a in mail.attachments] == ["message/delivery-status", "text/rfc822-headers"]
    assert any("parts split at the boundary" in d for d in mail.defects)


def test_a_report_with_no_parts_at_all_is_its_text() -> None:
    mail = parse_message(
        report(
            b"Your message could not be delivered.\r\n<hanako@example.test>: unknown\r\n", REPORT + b'; boundary="BB"'
        )
    )
    assert mail.text.startswith("Your message could not be delivered.") and mail.attachments == ()
    assert mail.bounce and mail.bounce_failure and mail.bounce_recipients == ("hanako@example.test",)


@pytest.mark.parametrize(
    "status",
    [
        b"",
        STATUS.replace(
            b"\r\n\r\nReporting", b"\r\nContent-Transfer-Encoding: base64\r\n\r\nnot base64 at all\r\nReporting"
        ),
    ],
)
def test_without_a_readable_status_part_the_human_text_is_read_as_a_free_text_bounce(status: bytes) -> None:
    raw = report(parts(b"BB", HUMAN, *([status] if status else []), ORIGINAL), REPORT + b'; boundary="BB"')
    mail = parse_message(raw)
    assert "mailbox does not exist" in mail.text
    assert mail.bounce and mail.bounce_failure and mail.bounce_recipients == ("hanako@example.test",)


def test_an_unreadable_delay_report_is_not_taken_for_a_failure() -> None:
    raw = report(
        parts(b"BB", HUMAN, ORIGINAL), REPORT + b'; boundary="BB"', subject=b"Delivery Status Notification (Delay)"
    )
    mail = parse_message(raw)
    assert mail.bounce and not mail.bounce_failure


def test_a_readable_delay_report_is_still_read_from_its_status_part() -> None:
    delayed = STATUS.replace(b"Action: failed", b"Action: delayed").replace(b"5.1.1", b"4.4.7")
    mail = parse_message(report(parts(b"BB", HUMAN, delayed, ORIGINAL), REPORT + b'; boundary="BB"'))
    assert mail.bounce and not mail.bounce_failure and mail.bounce_recipients == ()


def test_a_broken_multipart_that_is_not_a_report_keeps_its_text_too() -> None:
    text = b"Content-Type: text/plain; charset=utf-8\r\n\r\nPlease delete my data.\r\n"
    raw = (
        b"From: hanako@example.test\r\nSubject: delete\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="XX"\r\n\r\n' + parts(b"YY", text)
    )
    mail = parse_message(raw)
    assert mail.text == "Please delete my data." and not mail.bounce
