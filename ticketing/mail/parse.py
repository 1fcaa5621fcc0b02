"""RFC 5322 bytes -> ParsedMail, never raising: what cannot be read is reported as a defect.

The stdlib parser (policy.default) builds the MIME tree and records structural defects; headers are
read raw and decoded by ticketing.mail.charsets, and bodies are decoded from their bytes, because the
stdlib's own decoding trusts the declared charset and replaces what does not fit.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import mimetypes
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from ticketing.domain.inbound import MailPart, ParsedMail, robot_reasons, split_reply
from ticketing.mail.bounces import bounce_of
from ticketing.mail.charsets import decode_header_value, decode_text
from ticketing.mail.html import html_to_text, sanitize_html

MAX_DEPTH = 100
ADDRESS_RE = re.compile(r"^[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+$")
MSGID_RE = re.compile(r"<[^<>\s]+>")
# Trace headers an MTA or mailbox adds on the way: left out of the content hash so the same message
# delivered by IMAP, LMTP or a pipe hashes alike.
HASHED_HEADERS = ("from", "to", "cc", "subject", "date", "message-id", "in-reply-to", "references")
KEPT_HEADERS = ("auto-submitted", "precedence", "list-id", "x-auto-response-suppress", "x-autoreply",
                "return-path", "reply-to", "x-mailer", "user-agent", "content-language")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class _Walk:
    """State of one message walk: body texts and HTML in order, attachments, defects."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.htmls: list[str] = []
        self.parts: list[MailPart] = []
        self.defects: list[str] = []
        self.reports: list[Message] = []


def raw_headers(msg: Message) -> dict[str, list[str]]:
    """Lower-case header name -> raw values (encoded-words and 8-bit bytes still undecoded)."""
    headers: dict[str, list[str]] = {}
    for name, value in msg.raw_items():
        headers.setdefault(name.strip().lower(), []).append(str(value))
    return headers


def decoded(headers: Mapping[str, list[str]], name: str, defects: list[str] | None = None) -> str:
    values = headers.get(name)
    if not values:
        return ""
    text, problems = decode_header_value(values[0])
    if defects is not None:
        defects.extend(f"{name}: {p}" for p in problems)
    return text


def _addresses(raw_values: list[str]) -> list[tuple[str, str]]:
    """(display name, address) pairs; names decoded, addresses checked and domain lower-cased."""
    result = []
    try:
        pairs = getaddresses([re.sub(r"[\r\n]+", " ", v) for v in raw_values])
    except Exception:
        return []
    for name, addr in pairs:
        addr = addr.strip().strip("<>").strip()
        if not ADDRESS_RE.match(addr) or not addr.isascii():
            continue
        local, domain = addr.rsplit("@", 1)
        result.append((decode_header_value(name)[0].strip('"').strip(), f"{local}@{domain.lower()}"))
    return result


def _message_ids(value: str) -> list[str]:
    return MSGID_RE.findall(value or "")


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
    """SHA-256 of the identifying headers and the body, line endings and trailing space normalised."""
    split = re.search(rb"\r?\n\r?\n", raw)
    body = raw[split.end():] if split else b""
    body = re.sub(rb"[ \t]*\r?\n", b"\n", body).rstrip(b"\n \t")
    digest = hashlib.sha256()
    for name in HASHED_HEADERS:
        for value in headers.get(name, ()):
            digest.update(name.encode() + b":" + " ".join(value.split()).encode("utf-8", "surrogateescape") + b"\n")
    digest.update(b"\n" + body)
    return digest.hexdigest()


def _text_of(part: Message, walk: _Walk) -> str:
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        data = b""
    charset = part.get_param("charset")
    if isinstance(charset, tuple):  # RFC 2231 form
        charset = charset[2]
    declared = str(charset) if charset else None
    if declared is None and part.get_content_subtype() == "html":
        meta = re.search(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_.:-]+)", data[:4096], re.IGNORECASE)
        declared = meta.group(1).decode("ascii") if meta else None
    text, problems = decode_text(data, declared)
    walk.defects.extend(problems)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if part.get_content_subtype() == "plain" and str(part.get_param("format") or "").lower() == "flowed":
        text = unflow(text, str(part.get_param("delsp") or "").lower() == "yes")
    return CONTROL_RE.sub("", text)


def unflow(text: str, delsp: bool) -> str:
    """RFC 3676 format=flowed: join soft line breaks (a line ending in a space), keeping "-- "."""
    out: list[str] = []
    joining = False
    for line in text.split("\n"):
        if line.startswith(" "):
            line = line[1:]  # space-stuffing
        if joining and out:
            out[-1] += line
        else:
            out.append(line)
        joining = line.endswith(" ") and line != "-- "
        if joining and delsp:
            out[-1] = out[-1][:-1]
    return "\n".join(out)


def _filename(part: Message, index: int, walk: _Walk) -> str:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if name:
        name = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace") if re.search(
            "[\udc80-\udcff]", name) else name
        text, problems = decode_header_value(name)  # encoded-words inside a filename (common, non-standard)
        walk.defects.extend(f"filename: {p}" for p in problems)
        if text:
            return text
    extension = mimetypes.guess_extension(part.get_content_type()) or ".bin"
    return f"attachment-{index}{extension}"


def _is_attachment(part: Message) -> bool:
    disposition = (part.get_content_disposition() or "").lower()
    return disposition == "attachment" or (disposition == "inline" and bool(part.get_filename()))


def _walk(part: Message, walk: _Walk, depth: int, body_allowed: bool = True) -> None:
    try:
        _walk_part(part, walk, depth, body_allowed)
    finally:
        # After the walk: decoding a body registers its own defects (e.g. bad base64 padding).
        walk.defects.extend(f"{type(d).__name__}: {d}" if str(d) else type(d).__name__ for d in part.defects)


def _walk_part(part: Message, walk: _Walk, depth: int, body_allowed: bool) -> None:
    if depth > MAX_DEPTH:
        walk.defects.append(f"MIME nesting deeper than {MAX_DEPTH} levels; the rest is only in the raw message")
        return
    ctype = part.get_content_type()
    if ctype == "message/rfc822":  # before is_multipart(): the stdlib counts an attached message as one
        _forwarded(part, walk, depth)
        return
    if part.is_multipart():
        children = [c for c in part.get_payload() if isinstance(c, Message)] if isinstance(
            part.get_payload(), list) else []
        subtype = part.get_content_subtype()
        if subtype == "alternative":
            _alternative(children, walk, depth, body_allowed)
        elif subtype == "related" and children:
            _walk(children[0], walk, depth + 1, body_allowed)
            for child in children[1:]:
                _attach(child, walk, inline=True)
        elif subtype == "report":
            for child in children:
                if child.get_content_type() == "message/delivery-status":
                    walk.reports.append(child)
                    _attach(child, walk)
                elif child.get_content_type() in ("message/rfc822", "text/rfc822-headers"):
                    walk.reports.append(child)
                    _attach(child, walk)
                else:
                    _walk(child, walk, depth + 1, body_allowed)
        else:
            for child in children:
                _walk(child, walk, depth + 1, body_allowed)
        return
    if ctype in ("text/plain", "text/html") and body_allowed and not _is_attachment(part):
        text = _text_of(part, walk)
        (walk.texts if ctype == "text/plain" else walk.htmls).append(text)
        return
    _attach(part, walk)


def _alternative(children: list[Message], walk: _Walk, depth: int, body_allowed: bool) -> None:
    """Take the plain text and the HTML from the alternatives (the last of each kind is the best)."""
    plain = [c for c in children if c.get_content_type() == "text/plain" and not _is_attachment(c)]
    rich = [c for c in children if c not in plain and c.get_content_type() in ("text/html", "multipart/related",
                                                                               "multipart/mixed")]
    if plain:
        walk.texts.append(_text_of(plain[-1], walk))
    if rich:
        before = len(walk.texts)
        _walk(rich[-1], walk, depth + 1, body_allowed)
        if plain:
            del walk.texts[before:]  # the HTML branch's own text/plain parts repeat the plain alternative
    if not plain and not rich and children:
        _walk(children[-1], walk, depth + 1, body_allowed)


def _attach(part: Message, walk: _Walk, inline: bool = False) -> None:
    if part.get_content_type() in ("message/rfc822", "message/delivery-status", "text/rfc822-headers"):
        payload = part.get_payload()
        if isinstance(payload, list):
            data = b"".join(p.as_bytes(policy=email.policy.compat32) if isinstance(p, Message) else b""
                            for p in payload)
        else:
            decoded_payload = part.get_payload(decode=True)
            data = decoded_payload if isinstance(decoded_payload, bytes) else b""
        default = {"message/rfc822": "forwarded.eml", "text/rfc822-headers": "original-headers.txt"}.get(
            part.get_content_type(), "delivery-status.txt")
        name = _filename(part, len(walk.parts) + 1, walk) if part.get_filename() else default
    else:
        decoded_payload = part.get_payload(decode=True)
        data = decoded_payload if isinstance(decoded_payload, bytes) else b""
        name = _filename(part, len(walk.parts) + 1, walk)
    content_id = part.get("content-id")
    walk.parts.append(
        MailPart(
            filename=name,
            content_type=part.get_content_type().lower(),
            data=data,
            content_id=str(content_id).strip() if content_id else None,
            inline=inline or (part.get_content_disposition() == "inline"),
        )
    )


def _forwarded(part: Message, walk: _Walk, depth: int) -> None:
    """A forwarded message: kept whole as an .eml attachment, its text shown under a forward header."""
    inner_list = part.get_payload()
    inner = inner_list[0] if isinstance(inner_list, list) and inner_list else None
    if not isinstance(inner, Message):
        _attach(part, walk)
        return
    headers = raw_headers(inner)
    subject = decoded(headers, "subject")
    try:
        data = inner.as_bytes(policy=email.policy.compat32)
    except Exception:
        data = b""
    safe = re.sub(r"[\\/:*?\"<>|\s]+", " ", subject).strip()[:80] or "forwarded"
    name = _filename(part, len(walk.parts) + 1, walk) if part.get_filename() else f"{safe}.eml"
    walk.parts.append(MailPart(filename=name, content_type="message/rfc822", data=data))
    sub = _Walk()
    _walk(inner, sub, depth + 1)
    walk.defects.extend(sub.defects)
    walk.parts.extend(sub.parts)
    body = "\n".join(sub.texts) or html_to_text("\n".join(sub.htmls))
    lines = ["---------- Forwarded message ----------"]
    for label, name in (("From", "from"), ("Date", "date"), ("Subject", "subject"), ("To", "to")):
        if value := decoded(headers, name):
            lines.append(f"{label}: {value}")
    walk.texts.append("\n".join(lines) + "\n\n" + body)


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
        message_id=None, from_email=None, from_name="", to=(), cc=(), reply_to=(), subject="", date=None,
        in_reply_to=None, references=(), text="", html=None, attachments=(), auto_reasons=(), bounce=False,
        bounce_recipients=(), bounce_message_id=None, defects=(reason,),
        content_hash=hashlib.sha256(raw).hexdigest(), size=len(raw), fatal=reason,
    )


def _parse(raw: bytes) -> ParsedMail:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    headers = raw_headers(msg)
    walk = _Walk()
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
    _walk(msg, walk, 0)
    html_raw = "\n".join(walk.htmls) if walk.htmls else None
    text = "\n\n".join(t.strip("\n") for t in walk.texts if t.strip())
    if not text and html_raw:
        text = html_to_text(html_raw)
    bounce = bounce_of(msg, walk.reports, headers, from_email, subject, text)
    decoded_headers = {name: decoded(headers, name) for name in KEPT_HEADERS if headers.get(name)}
    reasons = robot_reasons({k: [decode_header_value(v)[0] for v in vs] for k, vs in headers.items()
                             if k in ROBOT_HEADERS}, from_email)
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
        defects=tuple(dict.fromkeys(header_defects + walk.defects)),
        content_hash=content_hash(raw, headers),
        size=len(raw),
        headers=decoded_headers,
        quote_start=quote_start,
        signature_start=signature_start,
    )


ROBOT_HEADERS = frozenset({
    "auto-submitted", "x-autoreply", "x-autorespond", "x-autoresponder", "x-auto-response-suppress", "x-loop",
    "x-rt-loop-prevention", "x-ms-exchange-inbox-rules-loop", "precedence", "list-id", "list-unsubscribe",
    "list-post", "return-path",
})


def parsed_json(mail: ParsedMail) -> dict[str, Any]:
    """The `ticketing mail parse` output (DESIGN.md §3), plus the reply split and robot reasons."""
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
        "defects": list(mail.defects),
        "quarantine": mail.quarantine_reason is not None,
        "quarantine_reason": mail.quarantine_reason,
        "content_hash": mail.content_hash,
        "size": mail.size,
    }
