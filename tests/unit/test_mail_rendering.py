"""Every emails/<kind>/ renders in ja and en under StrictUndefined; HTML is autoescaped; subjects are one line."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.utils import parseaddr
from pathlib import Path
from typing import Any

import jinja2
import pytest

from ticketing.container import load_desks
from ticketing.domain.mail import OutgoingMail
from ticketing.domain.tickets import Category, RequestType
from ticketing.mail.compose import compose
from ticketing.mail.rendering import EMAILS_DIR, JinjaMailRenderer
from ticketing.settings import BUNDLED_DESKS

RENDERER = JinjaMailRenderer()
KINDS = RENDERER.kinds()
LANGUAGES = ("ja", "en")
DESKS = load_desks(BUNDLED_DESKS)
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
STATUS_URL = "https://desk.example.test/status/tok?x=1&y=2"


def full_context(**overrides: Any) -> dict[str, Any]:
    """Every variable any message may use (a new message needing more adds it here)."""
    context: dict[str, Any] = {
        "desk": DESKS["relia"],
        "reference": "REL-2026-000123",
        "requester_name": "Hanako Yamada",
        "subject": "What do you hold about me?",
        "category": "request",
        "request_types": [t.value for t in RequestType],
        "channel": "web",
        "needs_formal_request": True,
        "status_url": STATUS_URL,
    }
    context.update(overrides)
    return context


def test_there_are_messages_and_base_is_not_one() -> None:
    assert "ticket-received" in KINDS and "_base" not in KINDS
    for lang in LANGUAGES:
        assert (EMAILS_DIR / "_base" / lang / "body.txt").is_file()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_has_its_files_in_both_languages(kind: str, lang: str) -> None:
    folder = EMAILS_DIR / kind / lang
    assert {p.name for p in folder.iterdir()} >= {"subject.txt", "body.txt", "body.html"}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("desk", sorted(DESKS))
def test_renders_with_a_full_context(kind: str, lang: str, desk: str) -> None:
    d = DESKS[desk]
    mail = RENDERER.render(kind, lang, full_context(desk=d))
    assert mail.subject and mail.text.strip() and mail.html
    for part in (mail.text, mail.html):
        assert "REL-2026-000123" in part and d.inbox in part and "Hanako Yamada" in part
    assert STATUS_URL in mail.text
    assert 'href="https://desk.example.test/status/tok?x=1&amp;y=2"' in mail.html
    assert mail.html.lstrip().lower().startswith("<!doctype html>") and mail.html.rstrip().endswith("</html>")
    if lang == "ja":
        assert JAPANESE.search(mail.subject) and JAPANESE.search(mail.text) and JAPANESE.search(mail.html)
    else:
        assert not JAPANESE.search((mail.subject + mail.text + mail.html).replace(d.name, ""))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("category", [c.value for c in Category])
def test_every_category_has_a_label(kind: str, lang: str, category: str) -> None:
    mail = RENDERER.render(kind, lang, full_context(category=category, request_types=[], needs_formal_request=False))
    assert mail.subject and mail.text and mail.html  # StrictUndefined: a missing label would have raised
    if lang == "ja":
        assert category not in mail.subject + mail.text + mail.html  # a Japanese label, not the code


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_strict_undefined_refuses_a_missing_variable(kind: str, lang: str) -> None:
    context = full_context()
    del context["reference"]
    with pytest.raises(jinja2.UndefinedError):
        RENDERER.render(kind, lang, context)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_html_is_autoescaped_and_text_is_not(kind: str, lang: str) -> None:
    evil = '<script>alert("x")</script>'
    mail = RENDERER.render(kind, lang, full_context(requester_name=evil, subject=f"<b>{evil}</b>"))
    assert "<script>" not in mail.html and "<b>" not in mail.html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in mail.html
    assert evil in mail.text and "&lt;" not in mail.text  # plain text is not HTML


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_subject_is_one_line_whatever_the_input(kind: str, lang: str) -> None:
    mail = RENDERER.render(kind, lang, full_context(subject="line one\r\nBcc: x@example.test\nline two"))
    assert "\n" not in mail.subject and "\r" not in mail.subject and mail.subject == mail.subject.strip()
    assert "  " not in mail.subject


def test_a_missing_parent_template_is_an_error_not_a_text_only_mail(tmp_path: Path) -> None:
    folder = tmp_path / "note" / "en"
    folder.mkdir(parents=True)
    (folder / "subject.txt").write_text("Hello")
    (folder / "body.txt").write_text("Hi {{ reference }}")
    (folder / "body.html").write_text('{% extends "_base/en/missing.html" %}')
    renderer = JinjaMailRenderer(tmp_path)
    with pytest.raises(jinja2.TemplateNotFound):
        renderer.render("note", "en", {"reference": "X"})
    (folder / "body.html").unlink()  # no body.html at all: a text-only mail
    assert renderer.render("note", "en", {"reference": "X"}).html is None


@pytest.mark.parametrize("lang", LANGUAGES)
def test_rendered_mail_composes_to_a_valid_message(lang: str) -> None:
    desk = DESKS["rext-cs"]
    r = RENDERER.render("ticket-received", lang, full_context(desk=desk, reference="RCS-2026-000001"))
    out = OutgoingMail(
        "ticket-received",
        desk.inbox,
        desk.name,
        "a@example.test",
        f"[RCS-2026-000001] {r.subject}",
        r.text,
        r.html,
        "<RCS-2026-000001.ab@rext-cs.jp>",
        reply_to=desk.inbox,
    )
    raw = bytes(compose(out, datetime(2026, 11, 24, tzinfo=UTC)))
    assert raw.isascii() and max(len(line) for line in raw.splitlines()) <= 998
    msg = message_from_bytes(raw, policy=policy.default)
    assert str(msg["Subject"]) == out.subject
    # The display name is folded into several encoded-words; RFC 2047 drops the space between them
    # (email.headerregistry keeps it, so decode the raw header the way mail clients do).
    name, addr = parseaddr(str(message_from_bytes(raw)["From"]))
    assert str(make_header(decode_header(name))) == desk.name and addr == desk.inbox
    assert msg.get_body(("plain",)).get_content().replace("\r\n", "\n") == r.text
