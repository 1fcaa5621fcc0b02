"""Reply templates of a desk: canned answers per language, with the requester's name and the reference.

A desks file lists them as `[[desks.<slug>.reply_templates]]` tables (key, language, title, body); the
body may name `{name}` (the requester's name as stored: a Japanese requester writes family name first)
and `{reference}` (the ticket's reference). Anything else in braces is a mistake in the file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ticketing.domain.errors import ConfigError
from ticketing.domain.tickets import Language

PLACEHOLDERS = frozenset({"name", "reference"})
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
MAX_BODY = 10_000


@dataclass(frozen=True, slots=True)
class ReplyTemplate:
    key: str
    language: Language
    title: str
    body: str

    def fill(self, *, name: str, reference: str) -> str:
        """The body with the placeholders filled (plain replacement: a name with braces stays as typed)."""
        values = {"name": name, "reference": reference}
        return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), self.body)


def templates_for(templates: Sequence[ReplyTemplate], language: str) -> tuple[ReplyTemplate, ...]:
    """The templates in the ticket's language first, then the others (a ja desk may answer in English)."""
    return tuple(sorted(templates, key=lambda t: t.language.value != language))


def find_template(templates: Sequence[ReplyTemplate], key: str, language: str) -> ReplyTemplate | None:
    """The template `key` in `language`, else in any language; None when the desk has no such key."""
    same = [t for t in templates if t.key == key]
    return next((t for t in same if t.language.value == language), same[0] if same else None)


def parse_reply_templates(raw: Any, where: str) -> tuple[ReplyTemplate, ...]:
    """Validate `reply_templates`: a list of tables; (key, language) is unique per desk."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ConfigError(where, "must be a list of [[reply_templates]] tables")
    found: list[ReplyTemplate] = []
    for index, table in enumerate(raw):
        here = f"{where}[{index}]"
        if not isinstance(table, dict):
            raise ConfigError(here, "must be a table with key, language, title and body")
        unknown = sorted(set(table) - {"key", "language", "title", "body"})
        if unknown:
            raise ConfigError(f"{here}.{unknown[0]}", "unknown setting; use key, language, title and body")
        values = {}
        for name in ("key", "language", "title", "body"):
            value = table.get(name)
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(f"{here}.{name}", "is required (a non-empty string)")
            values[name] = value.strip()
        if not _KEY.match(values["key"]):
            raise ConfigError(f"{here}.key", f"{values['key']!r}: lower-case letters, digits, '-' and '_'")
        try:
            language = Language(values["language"])
        except ValueError:
            raise ConfigError(f"{here}.language", f"{values['language']!r}: use ja or en") from None
        if len(values["title"]) > 100:
            raise ConfigError(f"{here}.title", "at most 100 characters")
        body = str(table["body"]).strip("\n")
        if len(body) > MAX_BODY:
            raise ConfigError(f"{here}.body", f"at most {MAX_BODY} characters")
        wrong = sorted({m for m in _PLACEHOLDER.findall(body) if m not in PLACEHOLDERS})
        if wrong:
            raise ConfigError(f"{here}.body", f"{{{wrong[0]}}} is no placeholder; use {{name}} and {{reference}}")
        template = ReplyTemplate(values["key"], language, values["title"], body)
        if any(t.key == template.key and t.language is template.language for t in found):
            raise ConfigError(f"{here}.key", f"{template.key!r} in {language.value} is listed twice")
        found.append(template)
    return tuple(found)


__all__ = ["PLACEHOLDERS", "ReplyTemplate", "find_template", "parse_reply_templates", "templates_for"]
