"""Inbound mail as the core sees it: parsed values, robot-mail rules, reply splitting, language, references.

Parsing bytes into a ParsedMail happens in ticketing/mail/parse.py; everything here is pure.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from ticketing.domain.tickets import REFERENCE_RE, Language


@dataclass(frozen=True, slots=True)
class MailPart:
    """An attachment (or inline part) of a message, with its decoded bytes."""

    filename: str
    content_type: str  # as declared by the sender, lower-case
    data: bytes = field(repr=False)
    content_id: str | None = None
    inline: bool = False

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True, slots=True)
class ParsedMail:
    message_id: str | None  # with angle brackets
    from_email: str | None
    from_name: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    reply_to: tuple[str, ...]
    subject: str
    date: datetime | None
    in_reply_to: str | None
    references: tuple[str, ...]
    text: str  # the whole plain-text body (derived from the HTML when there is no text part)
    html: str | None  # sanitised
    attachments: tuple[MailPart, ...]
    auto_reasons: tuple[str, ...]  # why this is robot mail (empty: a person wrote it)
    bounce: bool
    bounce_recipients: tuple[str, ...]
    bounce_message_id: str | None
    defects: tuple[str, ...]
    content_hash: str  # of the message minus its trace headers: the same mail by any path hashes alike
    size: int
    headers: Mapping[str, str] = field(default_factory=dict)  # a few decoded headers worth keeping
    quote_start: int | None = None  # offset in `text` where quoted history begins
    signature_start: int | None = None  # offset in `text` of the "-- " signature block
    fatal: str | None = None  # set when the message could not be parsed at all
    bounce_failure: bool = False  # the bounce reports a failed delivery (not just a delay)

    @property
    def auto_submitted(self) -> bool:
        return bool(self.auto_reasons) or self.bounce

    @property
    def quarantine_reason(self) -> str | None:
        """Why this message cannot become or join a ticket (None: it can)."""
        if self.fatal:
            return self.fatal
        if not self.from_email:
            return "no usable sender address (From)"
        return None

    @property
    def parts(self) -> ReplyParts:
        return reply_parts(self.text, self.quote_start, self.signature_start)

    @property
    def new_text(self) -> str:
        return self.parts.new

    @property
    def quoted_text(self) -> str:
        return self.parts.quoted

    @property
    def signature(self) -> str:
        return self.parts.signature


@dataclass(frozen=True, slots=True)
class ReplyParts:
    new: str  # what the sender wrote this time
    quoted: str  # quoted history
    signature: str


def reply_parts(text: str, quote_start: int | None, signature_start: int | None) -> ReplyParts:
    """The text cut at the offsets split_reply found (the whole text is always kept as well)."""
    ends = [i for i in (quote_start, signature_start) if i is not None]
    new = text[: min(ends)].rstrip() if ends else text.strip()
    quoted = ""
    if quote_start is not None:
        stop = signature_start if signature_start is not None and signature_start > quote_start else None
        quoted = text[quote_start:stop].strip()
    signature = ""
    if signature_start is not None:
        stop = quote_start if quote_start is not None and quote_start > signature_start else None
        signature = text[signature_start:stop].strip()
    return ReplyParts(new, quoted, signature)


# --- robot mail (RFC 3834 and the de-facto headers) ---------------------------------------------

BULK_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply", "auto-reply"})
ROBOT_LOCAL_PARTS = frozenset({"mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply", "do-not-reply"})
AUTO_HEADERS = (
    "x-autoreply",
    "x-autorespond",
    "x-autoresponder",
    "x-auto-response-suppress",
    "x-loop",
    "x-rt-loop-prevention",
    "x-ms-exchange-inbox-rules-loop",
)
LIST_HEADERS = ("list-id", "list-unsubscribe", "list-post")
# Every header robot_reasons looks at (the parser decodes just these).
ROBOT_HEADERS = frozenset({"auto-submitted", "precedence", "return-path", *AUTO_HEADERS, *LIST_HEADERS})


def robot_reasons(headers: Mapping[str, Sequence[str]], from_email: str | None) -> list[str]:
    """Why a message is automatic (auto-reply, bulk, list or robot mail); empty when a person sent it.

    `headers` maps lower-case names to their decoded values.
    """
    reasons: list[str] = []

    def values(name: str) -> list[str]:
        return [v.strip() for v in headers.get(name, ()) if v and v.strip()]

    for value in values("auto-submitted"):
        if value.split(";", 1)[0].strip().lower() != "no":  # RFC 3834 §5: anything but "no"
            reasons.append(f"Auto-Submitted: {value}")
    for name in AUTO_HEADERS:
        for value in values(name):
            if value.lower() not in ("no", "false", "0", "none"):
                reasons.append(f"{name}: {value}")
    for value in values("precedence"):
        if value.lower() in BULK_PRECEDENCE:
            reasons.append(f"Precedence: {value}")
    for name in LIST_HEADERS:
        if values(name):
            reasons.append(f"{name} present")
            break
    if any(v in ("<>", "") for v in (x.strip() for x in headers.get("return-path", ()))):
        reasons.append("null Return-Path")
    if from_email and from_email.split("@", 1)[0].lower() in ROBOT_LOCAL_PARTS:
        reasons.append(f"robot sender {from_email}")
    return reasons


# --- reply splitting -----------------------------------------------------------------------------

# "On Tue, 24 Nov 2026 at 10:00, Desk <a@b> wrote:" (the header may wrap onto a second line).
EN_QUOTE_HEADER = re.compile(r"^\s*On\b.{4,300}\bwrote:\s*$", re.IGNORECASE | re.DOTALL)
# "2026年11月24日(火) 10:00 株式会社… <privacy-rcs@rext-cs.jp>:" and "…さんは書きました:".
JA_QUOTE_HEADER = re.compile(
    r"^\s*(?:\d{4}[年/-]\d{1,2}[月/-]\d{1,2}日?.{0,200}(?:<[^>\s]+@[^>\s]+>|@\S+)\s*[:：]"
    r"|.{1,200}(?:さんは書きました|wrote)\s*[:：])\s*$"
)
OUTLOOK_SEPARATORS = re.compile(
    r"^\s*(?:-{3,}\s*(?:Original Message|元のメッセージ|Forwarded by)\s*-{3,}|_{20,})\s*$", re.IGNORECASE
)
OUTLOOK_FROM = re.compile(r"^\s*(?:From|差出人|送信者)\s*[:：]", re.IGNORECASE)
SIGNATURE_DELIMITER = "-- "


def _offsets(lines: Sequence[str]) -> list[int]:
    offsets, position = [], 0
    for line in lines:
        offsets.append(position)
        position += len(line) + 1
    return offsets


def split_reply(text: str) -> tuple[int | None, int | None]:
    """Where quoted history and the signature start in `text` (offsets), where that is reliable.

    Recognised: an Outlook "Original Message" block (or a long rule followed by From:/差出人:), an
    "On … wrote:" / Japanese "日付 名前 <address>:" header followed by '>' lines, a trailing run of
    '>' lines, and the RFC 3676 "-- " signature delimiter. Interleaved answers are left alone.
    """
    lines = text.split("\n")
    offsets = _offsets(lines)
    quote_line: int | None = None
    for i, line in enumerate(lines):
        if OUTLOOK_SEPARATORS.match(line):
            rest = [x for x in lines[i + 1 : i + 4] if x.strip()]
            if "Original" in line or "元の" in line or (rest and OUTLOOK_FROM.match(rest[0])):
                quote_line = i
                break
        if OUTLOOK_FROM.match(line) and i > 0 and not lines[i - 1].strip():
            # Outlook without a separator: From:/Sent:/To:/Subject: block at the start of the history.
            block = " ".join(lines[i : i + 5])
            if re.search(r"(Sent|Date|送信日時|日付)\s*[:：]", block) and re.search(r"(Subject|件名)\s*[:：]", block):
                quote_line = i
                break
        if _is_quote_header(lines, i):
            quote_line = i
            break
    if quote_line is None:
        quote_line = _trailing_quote(lines)
    signature_line = None
    end = len(lines) if quote_line is None else quote_line
    for i, line in enumerate(lines[:end]):
        # "-- " is the delimiter (RFC 3676 4.3) however long the signature under it (a postal address
        # and a disclaimer run past 15 lines); a bare "--", as servers that strip trailing spaces
        # leave it, is also a dash rule in prose, so it counts only within 15 lines of the end.
        if line == SIGNATURE_DELIMITER or (line == "--" and end - i <= 15):
            signature_line = i
            break
    return (
        offsets[quote_line] if quote_line is not None and quote_line > 0 else None,
        offsets[signature_line] if signature_line is not None and signature_line > 0 else None,
    )


def _is_quote_header(lines: Sequence[str], i: int) -> bool:
    """An attribution line (possibly wrapped over two lines) followed by quoted '>' lines."""
    for span in (1, 2):
        candidate = " ".join(x.strip() for x in lines[i : i + span])
        pattern_ok = EN_QUOTE_HEADER.match(candidate) or JA_QUOTE_HEADER.match(candidate)
        if pattern_ok and (span == 1 or not lines[i].rstrip().endswith((":", "："))):
            following = [x for x in lines[i + span : i + span + 3] if x.strip()]
            if following and following[0].lstrip().startswith(">"):
                return True
    return False


def _trailing_quote(lines: Sequence[str]) -> int | None:
    """The start of a final run of '>' lines (blank lines allowed inside), with new text above it."""
    start = None
    for i in range(len(lines) - 1, -1, -1):
        stripped = lines[i].strip()
        if stripped.startswith(">"):
            start = i
        elif stripped:
            break
    if start is None or not any(x.strip() for x in lines[:start]):
        return None
    return start


# --- language, references, keys -----------------------------------------------------------------

KANA_RE = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\uff66-\uff9d]")
CJK_RE = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff01-\uff5e]")


def guess_language(*texts: str, default: Language) -> Language:
    """Japanese when the text has kana (or is mostly kanji); English when it is Latin letters; else `default`."""
    sample = " ".join(texts)[:4000]
    kana = len(KANA_RE.findall(sample))
    cjk = len(CJK_RE.findall(sample))
    latin = len(re.findall(r"[A-Za-z]", sample))
    if kana >= 3 or ((cjk + kana) > latin // 4 and (cjk + kana) >= 5):
        return Language.JA
    if latin >= 10:
        return Language.EN
    return default


SUBJECT_PREFIX_RE = re.compile(
    r"^\s*(?:(?:re|fw|fwd|aw|wg|sv|vs|tr|rif|antw|答复|回复|転送|返信|自動応答)\s*(?:\[\d+\])?\s*[:：]\s*)+",
    re.IGNORECASE,
)


def clean_subject(subject: str) -> str:
    """The subject without reply/forward prefixes (for a new ticket's title)."""
    return SUBJECT_PREFIX_RE.sub("", subject).strip()


def subject_references(subject: str) -> list[str]:
    """Ticket references written in brackets in a subject, e.g. "Re: [REL-2026-000123] …"."""
    found = []
    for match in re.finditer(r"[\[【(（]\s*([A-Z]{2,6}-\d{4}-\d{6,})\s*[\]】)）]", subject):
        if REFERENCE_RE.fullmatch(match.group(1)) and match.group(1) not in found:
            found.append(match.group(1))
    return found


def dedupe_key(desk: str, message_id: str | None, content_hash: str) -> str:
    """One message, one key per desk: its Message-ID plus its content (a message without one still dedupes)."""
    basis = f"{desk}\0{(message_id or '').strip()}\0{content_hash}"
    return hashlib.sha256(basis.encode()).hexdigest()
