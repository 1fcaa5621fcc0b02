"""Walking a parsed message's MIME tree: which parts are the body, which are attachments, what a
forwarded message holds. Bodies are decoded from their bytes (ticketing.mail.charsets), never by the
stdlib's own decoding, which trusts the declared charset."""

from __future__ import annotations

import email
import email.policy
import itertools
import mimetypes
import re
from collections.abc import Mapping
from email.message import Message

from ticketing.domain.inbound import MailPart
from ticketing.mail.charsets import decode_header_value, decode_text
from ticketing.mail.html import html_to_text

MAX_DEPTH = 100
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# RFC 2046 5.1.1: "--" and a boundary of 1..70 bchars (a space only inside), then a part's header line.
DELIMITER_RE = re.compile(rb"--([0-9A-Za-z'()+_,./:=?-](?:[0-9A-Za-z'()+_,./:=? -]{0,68}[0-9A-Za-z'()+_,./:=?-])?)")
HEADER_LINE_RE = re.compile(rb"[!-9;-~]+:")


class Walk:
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


def _text_of(part: Message, walk: Walk) -> str:
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
        # 4.3: the signature delimiter is neither fixed nor flowed: it never joins the line above
        # ("Kind regards, " with a trailing space stays its own line) nor takes the one below.
        if joining and out and line != "-- ":
            out[-1] += line
        else:
            out.append(line)
        joining = line.endswith(" ") and line != "-- "
        if joining and delsp:
            out[-1] = out[-1][:-1]
    return "\n".join(out)


def _filename_param(part: Message) -> tuple[str | None, bytes] | None:
    """The filename= (or Content-Type name=) parameter as bytes, with the RFC 2231 charset if one was
    declared. The stdlib's get_filename() trusts that charset, or reads raw 8-bit bytes as UTF-8, and
    puts U+FFFD for every byte that does not fit; so the raw header is parsed again here, its bytes
    carried as Latin-1 characters (one per byte) through the stdlib's parameter parser."""
    raw: dict[str, str] = {}
    for name, raw_value in part.raw_items():
        raw.setdefault(name.strip().lower(), str(raw_value))
    for param, header in (("filename", "content-disposition"), ("name", "content-type")):
        if header not in raw:
            continue
        probe = Message()
        probe[header] = raw[header].encode("utf-8", "surrogateescape").decode("latin-1")
        try:
            value = probe.get_param(param, None, header)
        except Exception:  # noqa: S112 (a parameter the stdlib cannot parse names no file; the part keeps its bytes)
            continue
        if isinstance(value, tuple):  # RFC 2231: (charset, language, value)
            return str(value[0] or "") or None, str(value[2]).encode("latin-1", "replace")
        if value:
            return None, str(value).encode("latin-1", "replace")
    return None


def _filename(part: Message, index: int, walk: Walk) -> str:
    """The attachment's name, decoded from its bytes (see _filename_param)."""
    found = _filename_param(part)
    text, problems = "", list[str]()
    if found is not None:
        charset, data = found
        if charset:
            text, problems = decode_text(data, charset)
        else:
            # Encoded-words inside a filename (common, non-standard) and raw 8-bit bytes are read there.
            text, problems = decode_header_value(data.decode("ascii", "surrogateescape"))
    walk.defects.extend(f"filename: {p}" for p in problems)
    if text.strip():
        return text.strip()
    extension = mimetypes.guess_extension(part.get_content_type()) or ".bin"
    return f"attachment-{index}{extension}"


def _is_attachment(part: Message) -> bool:
    disposition = (part.get_content_disposition() or "").lower()
    return disposition == "attachment" or (disposition == "inline" and bool(part.get_filename()))


def walk_part(part: Message, walk: Walk, depth: int, body_allowed: bool = True) -> None:
    try:
        _walk_part(part, walk, depth, body_allowed)
    finally:
        # After the walk: decoding a body registers its own defects (e.g. bad base64 padding).
        walk.defects.extend(f"{type(d).__name__}: {d}" if str(d) else type(d).__name__ for d in part.defects)


def _walk_part(part: Message, walk: Walk, depth: int, body_allowed: bool) -> None:
    if depth > MAX_DEPTH:
        walk.defects.append(f"MIME nesting deeper than {MAX_DEPTH} levels; the rest is only in the raw message")
        return
    ctype = part.get_content_type()
    if ctype == "message/rfc822":  # before is_multipart(): the stdlib counts an attached message as one
        _forwarded(part, walk, depth)
        return
    if part.is_multipart():
        children = (
            [c for c in part.get_payload() if isinstance(c, Message)] if isinstance(part.get_payload(), list) else []
        )
        subtype = part.get_content_subtype()
        if subtype == "alternative":
            _alternative(children, walk, depth, body_allowed)
        elif subtype == "related" and children:
            walk_part(children[0], walk, depth + 1, body_allowed)
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
                    walk_part(child, walk, depth + 1, body_allowed)
        else:
            for child in children:
                walk_part(child, walk, depth + 1, body_allowed)
        return
    if part.get_content_maintype() == "multipart":
        _unsplit(part, walk, depth, body_allowed)
        return
    if ctype in ("text/plain", "text/html") and body_allowed and not _is_attachment(part):
        text = _text_of(part, walk)
        (walk.texts if ctype == "text/plain" else walk.htmls).append(text)
        return
    _attach(part, walk)


def _boundary_in(body: bytes) -> bytes | None:
    """The boundary a multipart body really uses: the "--" line most often followed by a header line."""
    lines = body.split(b"\n")
    counts: dict[bytes, int] = {}
    for line, following in itertools.pairwise(lines):
        found = DELIMITER_RE.fullmatch(line.rstrip(b"\r \t"))
        if found and HEADER_LINE_RE.match(following):
            counts[found.group(1)] = counts.get(found.group(1), 0) + 1
    return max(counts, key=lambda b: counts[b]) if counts else None


def _unsplit(part: Message, walk: Walk, depth: int, body_allowed: bool) -> None:
    """A multipart the stdlib could not split: no boundary parameter (a badly folded Content-Type
    loses it), or one its body does not use. Split it at the boundary the body does use; with none,
    its body is text (a delivery report's human part, say), not an opaque attachment."""
    ctype = part.get_content_type()
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    boundary = _boundary_in(data)
    if boundary is not None:
        walk.defects.append(f"{ctype}: parts split at the boundary the body uses, {boundary.decode('ascii')!r}")
        head = b"Content-Type: " + ctype.encode("ascii", "replace") + b'; boundary="' + boundary + b'"\r\n\r\n'
        walk_part(email.message_from_bytes(head + data, policy=email.policy.compat32), walk, depth + 1, body_allowed)
    elif body_allowed and data.strip():
        walk.defects.append(f"{ctype} without parts: its body is read as text")
        walk.texts.append(_text_of(part, walk))
    else:
        _attach(part, walk)


def _alternative(children: list[Message], walk: Walk, depth: int, body_allowed: bool) -> None:
    """Take the plain text and the HTML from the alternatives (the last of each kind is the best)."""
    plain = [c for c in children if c.get_content_type() == "text/plain" and not _is_attachment(c)]
    rich = [
        c
        for c in children
        if c not in plain and c.get_content_type() in ("text/html", "multipart/related", "multipart/mixed")
    ]
    if plain:
        walk.texts.append(_text_of(plain[-1], walk))
    if rich:
        before = len(walk.texts)
        walk_part(rich[-1], walk, depth + 1, body_allowed)
        if plain:
            del walk.texts[before:]  # the HTML branch's own text/plain parts repeat the plain alternative
    if not plain and not rich and children:
        walk_part(children[-1], walk, depth + 1, body_allowed)


def _attach(part: Message, walk: Walk, inline: bool = False) -> None:
    if part.get_content_type() in ("message/rfc822", "message/delivery-status", "text/rfc822-headers"):
        payload = part.get_payload()
        if isinstance(payload, list):
            data = b"".join(
                p.as_bytes(policy=email.policy.compat32) if isinstance(p, Message) else b"" for p in payload
            )
        else:
            decoded_payload = part.get_payload(decode=True)
            data = decoded_payload if isinstance(decoded_payload, bytes) else b""
        default = {"message/rfc822": "forwarded.eml", "text/rfc822-headers": "original-headers.txt"}.get(
            part.get_content_type(), "delivery-status.txt"
        )
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


def _forwarded(part: Message, walk: Walk, depth: int) -> None:
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
    sub = Walk()
    walk_part(inner, sub, depth + 1)
    walk.defects.extend(sub.defects)
    walk.parts.extend(sub.parts)
    body = "\n".join(sub.texts) or html_to_text("\n".join(sub.htmls))
    lines = ["---------- Forwarded message ----------"]
    for label, name in (("From", "from"), ("Date", "date"), ("Subject", "subject"), ("To", "to")):
        if value := decoded(headers, name):
            lines.append(f"{label}: {value}")
    walk.texts.append("\n".join(lines) + "\n\n" + body)
