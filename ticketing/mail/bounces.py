"""Delivery status notifications: RFC 3464 reports, and the older free-text bounces MTAs still send."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import Message

BOUNCE_SUBJECT_RE = re.compile(
    r"undeliver|returned mail|delivery (status notification|failure|has failed)|failure notice|"
    r"mail delivery (failed|failure|subsystem)|could not be delivered|nondeliverable|"
    r"配信不能|配送エラー|未配達|配信エラー|送信できませんでした",
    re.IGNORECASE,
)
BOUNCER_LOCAL_PARTS = frozenset({"mailer-daemon", "postmaster", "mail-daemon", "bounce", "bounces"})
# Postfix / qmail / Exim list the failed recipient on a line of its own: "<hanako@example.test>: ..."
FAILED_LINE_RE = re.compile(r"^\s*<?([^\s<>@]+@[^\s<>@]+\.[^\s<>@:]+)>?\s*:", re.MULTILINE)
MSGID_LINE_RE = re.compile(r"^\s*Message-ID:\s*(<[^<>\s]+>)", re.IGNORECASE | re.MULTILINE)
# "Delivery Status Notification (Delay)", "Warning: message ... delayed", "配信遅延".
DELAY_SUBJECT_RE = re.compile(r"\bdelay|遅延", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Bounce:
    is_bounce: bool = False
    recipients: tuple[str, ...] = ()  # addresses whose delivery failed for good
    message_id: str | None = None  # the Message-ID of the message that bounced
    failure: bool = False  # False for a report that only says delivery is delayed (RFC 3464 Action: delayed)


def _address(field: str) -> str | None:
    """`rfc822; hanako@example.test` -> the address."""
    value = field.split(";", 1)[1] if ";" in field else field
    value = value.strip().strip("<>").strip()
    return value.lower() if "@" in value and " " not in value else None


def _dsn_recipients(report: Message) -> tuple[list[str], bool]:
    """The recipients a delivery-status part reports failed, and whether it reports on any at all."""
    blocks = report.get_payload()
    failed: list[str] = []
    readable = False
    if not isinstance(blocks, list):
        return failed, readable
    for block in blocks[1:] if len(blocks) > 1 else blocks:
        if not isinstance(block, Message):
            continue
        action = str(block.get("Action", "")).strip().lower()
        status = str(block.get("Status", "")).strip()
        readable = readable or bool(action or status)
        if action == "failed" or (not action and status.startswith("5")):
            address = _address(str(block.get("Final-Recipient") or block.get("Original-Recipient") or ""))
            if address and address not in failed:
                failed.append(address)
    return failed, readable


def _free_text_recipients(headers: Mapping[str, Sequence[str]], text: str) -> tuple[str, ...]:
    """Failed addresses as free-text bounces give them: X-Failed-Recipients, "<address>: reason" lines."""
    failed = [a.strip().lower() for v in headers.get("x-failed-recipients", ()) for a in v.split(",") if "@" in a]
    failed += [a.lower() for a in FAILED_LINE_RE.findall(text)]
    return tuple(dict.fromkeys(failed))


def _original_message_id(part: Message) -> str | None:
    if part.get_content_type() == "message/rfc822":
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        if isinstance(inner, Message):
            found = re.search(r"<[^<>\s]+>", str(inner.get("Message-ID", "")))
            return found.group(0) if found else None
        return None
    data = part.get_payload(decode=True) or b""
    headers = email.message_from_bytes(data if isinstance(data, bytes) else b"", policy=email.policy.compat32)
    found = re.search(r"<[^<>\s]+>", str(headers.get("Message-ID", "")))
    return found.group(0) if found else None


def bounce_of(
    msg: Message,
    reports: Sequence[Message],
    headers: Mapping[str, Sequence[str]],
    from_email: str | None,
    subject: str,
    text: str,
) -> Bounce:
    """Is this a delivery failure report, for whom, about which message of ours?"""
    ctype = msg.get_content_type()
    report_type = str(msg.get_param("report-type") or "").lower()
    if ctype == "multipart/report" and report_type == "delivery-status":
        recipients: list[str] = []
        readable = False
        message_id = None
        for part in reports:
            if part.get_content_type() == "message/delivery-status":
                failed, reported = _dsn_recipients(part)
                recipients.extend(r for r in failed if r not in recipients)
                readable = readable or reported
            elif message_id is None:
                message_id = _original_message_id(part)
        if message_id is None:
            found = MSGID_LINE_RE.search(text)
            message_id = found.group(1) if found else None
        if not readable:
            # The machine-readable part is missing or broken: read the human part as a free-text bounce.
            failure = not DELAY_SUBJECT_RE.search(subject)
            return Bounce(True, _free_text_recipients(headers, text), message_id, failure=failure)
        return Bounce(True, tuple(recipients), message_id, failure=bool(recipients))
    local = (from_email or "").split("@", 1)[0].lower()
    null_sender = any(v.strip() in ("<>", "") for v in headers.get("return-path", ()))
    if (local in BOUNCER_LOCAL_PARTS or null_sender) and BOUNCE_SUBJECT_RE.search(subject):
        found = MSGID_LINE_RE.search(text)
        return Bounce(True, _free_text_recipients(headers, text), found.group(1) if found else None, failure=True)
    return Bounce()
