"""Search terms: the same words for what is indexed and for what is asked, on both databases.

Japanese has no spaces, and a two-character word such as 開示 or 削除 is common, so Japanese text
is indexed as overlapping character pairs (bigrams): 開示請求 -> 開示 示請 請求. A query of two
characters is one indexed term; a longer one is the phrase of its pairs, which the full-text
engines (PostgreSQL tsvector, SQLite FTS5) match only where the pairs stand next to each other, so
a hit contains the query exactly. Other scripts are indexed by word, and the last word of a query
matches as a prefix (tana finds Tanaka). A phone number is indexed by its digits too, so
03-5351-6152, 0353516152 and 5351 all find it. The trigram tokenisers of both engines need three
characters and would miss the two-character words; this needs nothing but the engines' own
full-text indexes (docs/search.md has the costs).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

# Kana, CJK ideographs (with the iteration mark 々 and the long-vowel mark ー): indexed by pairs.
_CJK = "\u3005\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+")
_IS_CJK = re.compile(rf"[{_CJK}]")
_PHONE = re.compile(r"^\+?[\d\s()\-.]{6,}$")
_REFERENCE = re.compile(r"^[A-Za-z]{2,10}-\d{4}-\d{1,9}$")
MAX_DOC_CHARS = 8000  # of one message: enough to find it by, small enough to keep the index lean
MAX_QUERY_CHARS = 200


def _normal(text: str) -> str:
    """Full-width letters and digits as ASCII, half-width kana as full-width, lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def _pairs(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def terms(text: str) -> list[str]:
    """The index terms of `text`, in order (phrases need the order)."""
    out: list[str] = []
    for run in _RUN.findall(_normal(text[: MAX_DOC_CHARS * 2])):
        out.extend(_pairs(run) if _IS_CJK.match(run) else [run])
    return out


def document(*parts: str | None) -> str:
    """The text the full-text engines index: terms separated by spaces."""
    return " ".join(term for part in parts if part for term in terms(part[:MAX_DOC_CHARS]))


def phone_terms(phone: str | None) -> str:
    """A phone number's digits as one term, besides its groups (which `document` indexes)."""
    digits = re.sub(r"\D", "", phone or "")
    return digits if len(digits) >= 6 else ""


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """What a search asks: a reference, or phrases that must all occur (the last may be a prefix)."""

    text: str
    reference: str | None = None
    phrases: tuple[tuple[str, ...], ...] = ()
    prefix_last: bool = False

    @property
    def empty(self) -> bool:
        return self.reference is None and not self.phrases


def parse(query: str) -> SearchQuery:
    """A query as typed, into what the engines match."""
    text = query.strip()[:MAX_QUERY_CHARS]
    if _REFERENCE.match(text):
        return SearchQuery(text, reference=text.upper())
    if _PHONE.match(text) and sum(ch.isdigit() for ch in text) >= 6:
        return SearchQuery(text, phrases=((re.sub(r"\D", "", text),),))
    phrases: list[tuple[str, ...]] = []
    for run in _RUN.findall(_normal(text)):
        phrases.append(tuple(_pairs(run)) if _IS_CJK.match(run) else (run,))
    last = phrases[-1] if phrases else ()
    prefix = bool(last) and not _IS_CJK.match(last[0]) and not last[0].isdigit()
    return SearchQuery(text, phrases=tuple(dict.fromkeys(phrases)), prefix_last=prefix)


def pg_tsquery(query: SearchQuery) -> str:
    """The query for PostgreSQL's to_tsquery('simple', ...): terms quoted, phrases joined by <->."""
    parts = []
    for index, phrase in enumerate(query.phrases):
        last = index == len(query.phrases) - 1
        quoted = [f"'{term}'" for term in phrase]
        text = " <-> ".join(quoted)
        parts.append(text + (":*" if last and query.prefix_last else ""))
    return " & ".join(f"({p})" for p in parts)


def fts5_match(query: SearchQuery) -> str:
    """The query for SQLite FTS5 MATCH: each phrase quoted, the last a prefix when asked."""
    parts = []
    for index, phrase in enumerate(query.phrases):
        last = index == len(query.phrases) - 1
        parts.append('"' + " ".join(phrase) + '"' + ("*" if last and query.prefix_last else ""))
    return " ".join(parts)


def ticket_document(reference: str, name: str, email: str | None, phone: str | None, subject: str) -> str:
    """What finds a ticket besides its messages: reference, requester, subject."""
    return document(reference, name, email, phone, phone_terms(phone), subject)


def message_document(texts: Iterable[str]) -> str:
    return document(*texts)


__all__ = [
    "MAX_QUERY_CHARS",
    "SearchQuery",
    "document",
    "fts5_match",
    "message_document",
    "parse",
    "pg_tsquery",
    "terms",
    "ticket_document",
]
