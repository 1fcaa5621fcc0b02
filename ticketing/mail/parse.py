"""RFC 5322 bytes -> ParsedMail, never raising: what cannot be read is reported as a defect.

The stdlib parser builds the MIME tree and records structural defects; headers are read raw and
decoded by ticketing.mail.charsets, and bodies are decoded from their bytes, because the stdlib's own
decoding trusts the declared charset and replaces what does not fit. The parser runs under the
compat32 policy: policy.default builds a header object, re-parsed on every get_content_type() or
get_param() call, and that made parsing about ten times slower while we decode headers ourselves.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from ticketing.domain.inbound import ROBOT_HEADERS, ParsedMail, robot_reasons, split_reply
from ticketing.mail.addresses import mailbox
from ticketing.mail.bounces import bounce_of
from ticketing.mail.charsets import decode_header_value
from ticketing.mail.html import html_to_text, sanitize_html
from ticketing.mail.mime import CONTROL_RE, Walk, decoded, raw_headers, walk_part

MSGID_RE = re.compile(r"<[^<>\s]+>")
# Trace headers an MTA or mailbox adds on the way: left out of the content hash so the same message
# delivered by IMAP, LMTP or a pipe hashes alike.
HASHED_HEADERS = ("from", "to", "cc", "subject", "date", "message-id", "in-reply-to", "references")
KEPT_HEADERS = (
    "auto-submitted",
    "precedence",
    "list-id",
    "x-auto-response-suppress",
    "x-autoreply",
    "return-path",
    "reply-to",
    "x-mailer",
    "user-agent",
    "content-language",
)


def _utf8(value: str) -> str:
    """Raw 8-bit header bytes (surrogate escapes) as UTF-8, which RFC 6532 makes them, when they are."""
    if value.isascii() or not re.search("[\udc80-\udcff]", value):
        return value
    try:
        return value.encode("utf-8", "surrogateescape").decode("utf-8")
    except UnicodeDecodeError:
        return value  # some other charset: decode_header_value guesses the display name; no address has it


def _addresses(raw_values: list[str]) -> list[tuple[str, str]]:
    """(display name, address) pairs; names decoded, addresses checked and put in their normal form."""
    result = []
    try:
        pairs = getaddresses([re.sub(r"[\r\n]+", " ", _utf8(v)) for v in raw_values])
    except Exception:
        return []
    for name, addr in pairs:
        normal = mailbox(addr.strip().strip("<>").strip())
        if normal is not None:
            result.append((decode_header_value(name)[0].strip('"').strip(), normal))
    return result


def _message_ids(value: str) -> list[str]:
    """Message-IDs in a header; RFC 6532 lets them hold UTF-8, any other raw byte is replaced."""
    text = _utf8(value or "").encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return MSGID_RE.findall(text)


def _date(headers: Mapping[str, list[str]], defects: list[str]) -> datetime | None:
    raw = decoded(headers, "date")
    if not raw:
        return None
    try:
        value = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        defects.append(f"unparseable Date: {raw[:80]!r}")
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def content_hash(raw: bytes, headers: Mapping[str, list[str]]) -> str:
    """SHA-256 of the identifying headers and the body, line endings normalised (IMAP gives CRLF, a pipe LF)."""
    split = re.search(rb"\r?\n\r?\n", raw)
    body = raw[split.end() :] if split else b""
    body = body.replace(b"\r\n", b"\n").rstrip(b"\n \t")
    digest = hashlib.sha256()
    for name in HASHED_HEADERS:
        for value in headers.get(name, ()):
            digest.update(name.encode() + b":" + " ".join(value.split()).encode("utf-8", "surrogateescape") + b"\n")
    digest.update(b"\n" + body)
    return digest.hexdigest()


class StdlibMailParser:
    """The MailParser port over the standard library's email package."""

    def parse(self, raw: bytes) -> ParsedMail:
        return parse_message(raw)


def parse_message(raw: bytes) -> ParsedMail:
    """Parse one message; never raises (a message it cannot read comes back with `fatal` set)."""
    try:
        return _parse(raw)
    except RecursionError:
        return _unreadable(raw, "MIME structure too deeply nested to parse")
    except Exception as exc:  # the stdlib parser or a codec on a truly broken message: keep it, quarantine it
        return _unreadable(raw, f"parser error: {type(exc).__name__}: {exc}")


def _unreadable(raw: bytes, reason: str) -> ParsedMail:
    return ParsedMail(
        message_id=None,
        from_email=None,
        from_name="",
        to=(),
        cc=(),
        reply_to=(),
        subject="",
        date=None,
        in_reply_to=None,
        references=(),
        text="",
        html=None,
        attachments=(),
        auto_reasons=(),
        bounce=False,
        bounce_recipients=(),
        bounce_message_id=None,
        defects=(reason,),
        content_hash=hashlib.sha256(raw).hexdigest(),
        size=len(raw),
        fatal=reason,
    )


def _parse(raw: bytes) -> ParsedMail:
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    headers = raw_headers(msg)
    walk = Walk()
    header_defects: list[str] = []
    senders = _addresses(headers.get("from", []))
    if not senders and headers.get("sender"):
        senders = _addresses(headers["sender"])
        header_defects.append("no usable From address; used Sender")
    from_name, from_email = senders[0] if senders else ("", None)
    if not senders:
        header_defects.append("no usable From address")
    subject = decoded(headers, "subject", header_defects)
    message_ids = _message_ids(headers.get("message-id", [""])[0])
    if headers.get("message-id") and not message_ids:
        header_defects.append(f"malformed Message-ID: {headers['message-id'][0][:80]!r}")
    in_reply_to = _message_ids(headers.get("in-reply-to", [""])[0])
    references = _message_ids(" ".join(headers.get("references", [])))
    walk_part(msg, walk, 0)
    html_raw = "\n".join(walk.htmls) if walk.htmls else None
    text = "\n\n".join(t.strip("\n") for t in walk.texts if t.strip())
    if not text and html_raw:
        text = html_to_text(html_raw)
    bounce = bounce_of(msg, walk.reports, headers, from_email, subject, text)
    decoded_headers = {name: decoded(headers, name) for name in KEPT_HEADERS if headers.get(name)}
    reasons = robot_reasons(
        {k: [decode_header_value(v)[0] for v in vs] for k, vs in headers.items() if k in ROBOT_HEADERS}, from_email
    )
    quote_start, signature_start = split_reply(text)
    return ParsedMail(
        message_id=message_ids[0] if message_ids else None,
        from_email=from_email,
        from_name=from_name,
        to=tuple(a for _, a in _addresses(headers.get("to", []))),
        cc=tuple(a for _, a in _addresses(headers.get("cc", []))),
        reply_to=tuple(a for _, a in _addresses(headers.get("reply-to", []))),
        subject=CONTROL_RE.sub("", subject)[:998],
        date=_date(headers, header_defects),
        in_reply_to=in_reply_to[0] if in_reply_to else None,
        references=tuple(references),
        text=text,
        html=sanitize_html(html_raw) if html_raw else None,
        attachments=tuple(walk.parts),
        auto_reasons=tuple(reasons),
        bounce=bounce.is_bounce,
        bounce_recipients=bounce.recipients,
        bounce_message_id=bounce.message_id,
        bounce_failure=bounce.failure,
        defects=tuple(dict.fromkeys(header_defects + walk.defects)),
        content_hash=content_hash(raw, headers),
        size=len(raw),
        headers=decoded_headers,
        quote_start=quote_start,
        signature_start=signature_start,
    )


def parsed_json(mail: ParsedMail) -> dict[str, Any]:
    """The `ticketing mail parse` output (README.md, Command line), plus the reply split and robot reasons."""
    return {
        "message_id": mail.message_id,
        "from_email": mail.from_email,
        "from_name": mail.from_name,
        "to": list(mail.to),
        "cc": list(mail.cc),
        "reply_to": list(mail.reply_to),
        "subject": mail.subject,
        "date": mail.date.isoformat() if mail.date else None,
        "in_reply_to": mail.in_reply_to,
        "references": list(mail.references),
        "text": mail.text,
        "new_text": mail.new_text,
        "quoted_text": mail.quoted_text,
        "signature": mail.signature,
        "html": mail.html,
        "attachments": [
            {"filename": p.filename, "content_type": p.content_type, "size": p.size, "inline": p.inline}
            for p in mail.attachments
        ],
        "auto_submitted": mail.auto_submitted,
        "auto_reasons": list(mail.auto_reasons),
        "bounce": mail.bounce,
        "bounce_recipients": list(mail.bounce_recipients),
        "bounce_message_id": mail.bounce_message_id,
        "bounce_failure": mail.bounce_failure,
        "defects": list(mail.defects),
        "quarantine": mail.quarantine_reason is not None,
        "quarantine_reason": mail.quarantine_reason,
        "content_hash": mail.content_hash,
        "size": mail.size,
    }
