"""Every emails/<kind>/ renders in ja and en under StrictUndefined; HTML is autoescaped; subjects are one line."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

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
TICKET_URL = "https://desk.example.test/app/tickets/REL-2026-000123"
# Mail to desk staff: no requester personal data and no private status link, only the ticket URL.
STAFF_KINDS = ("sla-warning", "sla-breached", "delivery-failed")
SLA_KINDS = ("sla-warning", "sla-breached")
# services/workflow.py checklist() for the relia desk's rules (desks.toml): disclosure and correction.
RELIA_CHECKLIST = [
    {
        "request_type": "disclosure",
        "channels": ["post"],
        "fee_yen": 1000,
        "fee_instrument": "postage_stamps",
        "documents": ["request_form", "identity"],
    },
    {
        "request_type": "correction",
        "channels": ["post"],
        "fee_yen": 0,
        "fee_instrument": None,
        "documents": ["request_form", "identity"],
    },
]


# What the requester typed: no mail to a requester may use it (services/requester_mail.py).
REQUESTER_TYPED = ("requester_name", "subject")


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
        "accepted_channels": ["post"],
        "fee_applies": True,
        "status_url": STATUS_URL,
        "reply_text": "Thank you for waiting.\n\nWe hold your name and e-mail address.",
        # What the service knows about the requester but no message prints (staff mail is checked for it).
        "requester_email": "hanako.yamada@example.test",
        "requester_phone": "090-1234-5678",
        "requester_address": "1-2-3 Shiba, Minato-ku, Tokyo",
        # SLA notifications (services/sla.py SlaService._mail).
        "clock": "first_response",
        "stage": "80%",
        "target": "240 business minutes",
        "target_amount": 240,
        "target_unit": "business_minutes",
        "due_at": datetime(2026, 11, 24, 17, 0, tzinfo=ZoneInfo("Asia/Tokyo")),
        "left_minutes": 72,
        "state": "in_progress",
        "assignee": None,
        "ticket_url": TICKET_URL,
        "recipient_name": "Aiko Sato",
        # Status mail (services/workflow.py TicketWorkflow._status_mail).
        "previous_state": "triage",
        "note": "Please sign page 2 of the form before sending it.",
        "checklist": RELIA_CHECKLIST,
        "results": [
            {"request_type": "disclosure", "result": "partial"},
            {"request_type": "correction", "result": "refused"},
        ],
        "reason": "Part of the recording also holds another caller's voice (APPI Art. 33(2)(i)).",
        "gaps": ["id_expired", "seal_cert_missing"],
        # mail-too-large (services/mail_notices.py MailNotices._too_large_context).
        "omitted": [
            {"filename": "passport-scan.pdf", "size_mb": 14.2, "why": "attachment_too_large"},
            {"filename": "photo-11.jpg", "size_mb": 0.8, "why": "too_many_attachments"},
        ],
        "max_attachment_mb": 10,
        "max_message_mb": 25,
        "max_attachments": 10,
        # delivery-failed (services/mail_notices.py MailNotices.delivery_failed): the address that bounced.
        "recipients": ["hanako.yamada@example.test"],
        "mail_kind": "agent-reply",
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
    context = full_context(desk=d)
    if kind not in STAFF_KINDS:  # StrictUndefined: a requester's mail that used their own text would raise
        context = {k: v for k, v in context.items() if k not in REQUESTER_TYPED}
    mail = RENDERER.render(kind, lang, context)
    assert mail.subject and mail.text.strip() and mail.html
    for part in (mail.text, mail.html):
        assert "REL-2026-000123" in part and d.inbox in part
    if kind in STAFF_KINDS:
        assert TICKET_URL in mail.text and f'href="{TICKET_URL}"' in mail.html
    else:
        for typed in ("Hanako Yamada", "What do you hold about me?", "passport-scan.pdf"):
            assert typed not in mail.subject + mail.text + mail.html  # nothing the requester typed
        assert STATUS_URL in mail.text
        assert 'href="https://desk.example.test/status/tok?x=1&amp;y=2"' in mail.html
    assert mail.html.lstrip().lower().startswith("<!doctype html>") and mail.html.rstrip().endswith("</html>")
    if lang == "ja":
        # agent-reply's subject names the desk (here an English name)
        assert kind == "agent-reply" or JAPANESE.search(mail.subject)
        assert JAPANESE.search(mail.text) and JAPANESE.search(mail.html)
    else:  # desk data (its name, rext-cs's manager title and postal address) is printed as configured
        everything = mail.subject + mail.text + mail.html
        org = d.accredited_org
        org_data = (org.name, org.office, org.postal_address, org.hours) if org else ()
        for configured in (d.name, d.manager_title, d.postal_address, *org_data, *d.joint_use.values()):
            everything = everything.replace(configured, "") if configured else everything
        assert not JAPANESE.search(everything)


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
    mail = RENDERER.render(
        kind, lang, full_context(requester_name=evil, subject=f"<b>{evil}</b>", note=evil, reply_text=evil)
    )
    assert "<script>" not in mail.html and "<b>" not in mail.html
    if evil in mail.text:  # staff text (a note, a reply) or, in staff mail, the subject
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in mail.html
        assert "&lt;" not in mail.text  # plain text is not HTML
    else:
        assert kind in ("ticket-received", "mail-too-large")  # nothing typed by anyone at all


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_subject_is_one_line_whatever_the_input(kind: str, lang: str) -> None:
    mail = RENDERER.render(kind, lang, full_context(subject="line one\r\nBcc: x@example.test\nline two"))
    assert "\n" not in mail.subject and "\r" not in mail.subject and mail.subject == mail.subject.strip()
    assert "  " not in mail.subject
    assert "REL-2026-000123" not in mail.subject  # the service prefixes [REF] itself


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
    # A new renderer: templates ship with the release, so one renderer never re-reads changed files.
    assert JinjaMailRenderer(tmp_path).render("note", "en", {"reference": "X"}).html is None


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


# --- SLA notifications to staff (sla-warning, sla-breached) -----------------------------------------

CLOCKS = ("first_response", "resolution", "statutory")
# The default ladder, then keys a desk's own ladder may have, then one that fits no pattern.
STAGES = ("50%", "80%", "100%", "breach+1bd", "75%", "breach+2bd", "custom-rung")
TARGETS = {
    "first_response": (240, "business_minutes", "240 business minutes"),
    "resolution": (10, "business_days", "10 business days"),
    "statutory": (14, "calendar_days", "14 calendar days"),
}
LITIGATION = {"en": "litigation-eligible", "ja": "訴訟提起が可能な状態"}


def sla_context(clock: str = "first_response", stage: str = "80%", **overrides: Any) -> dict[str, Any]:
    amount, unit, text = TARGETS[clock]
    context = full_context(clock=clock, stage=stage, target=text, target_amount=amount, target_unit=unit)
    context.update(overrides)
    return context


@pytest.mark.parametrize("kind", SLA_KINDS)
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("clock", CLOCKS)
@pytest.mark.parametrize("stage", STAGES)
def test_sla_mail_renders_for_every_clock_and_stage(kind: str, lang: str, clock: str, stage: str) -> None:
    mail = RENDERER.render(kind, lang, sla_context(clock, stage))  # StrictUndefined: nothing missing
    everything = mail.subject + mail.text + mail.html
    assert mail.subject and "REL-2026-000123" not in mail.subject  # the service prefixes [REF] itself
    assert TICKET_URL in mail.text and mail.html
    if stage == "custom-rung":  # an unknown rung is named by its key
        assert stage in mail.subject and stage in mail.text and stage in mail.html
    # APPI Art. 39: only a breached statutory clock makes the ticket litigation-eligible.
    assert (LITIGATION[lang] in mail.subject and LITIGATION[lang] in mail.text) == (
        kind == "sla-breached" and clock == "statutory"
    )
    if clock == "statutory":  # a calendar-day clock: wall time, never business hours
        assert "business hours" not in everything and "営業時間" not in everything
    if lang == "ja":
        assert "business" not in everything and "calendar" not in everything  # target from amount + unit


@pytest.mark.parametrize(
    ("kind", "lang", "clock", "stage", "expected"),
    [
        ("sla-warning", "ja", "first_response", "80%", "【SLA警告】初回応答期限までの時間の80%が経過しました"),
        ("sla-warning", "ja", "resolution", "50%", "【SLA警告】解決期限までの時間の50%が経過しました"),
        ("sla-breached", "ja", "resolution", "100%", "【SLA超過】解決期限を超過しました"),
        ("sla-breached", "ja", "first_response", "breach+1bd", "初回応答期限の超過から1営業日が経過しました"),
        ("sla-breached", "ja", "statutory", "100%", "訴え提起前の2週間（個人情報保護法第39条）が経過しました"),
        ("sla-warning", "en", "first_response", "80%", "SLA warning: 80% of the time to the first-response deadline"),
        ("sla-breached", "en", "resolution", "100%", "SLA breached: the resolution deadline has passed"),
        ("sla-breached", "en", "resolution", "breach+1bd", "the resolution deadline passed 1 business day ago"),
        ("sla-breached", "en", "statutory", "breach+2bd", "(APPI Art. 39) passed 2 business days ago"),
    ],
)
def test_subject_and_first_line_say_which_clock_and_how_far(
    kind: str, lang: str, clock: str, stage: str, expected: str
) -> None:
    mail = RENDERER.render(kind, lang, sla_context(clock, stage))
    assert expected in mail.subject
    lead = expected.split("】")[-1].split(": ", 1)[-1]
    assert lead.lower() in mail.text.lower() and lead.lower() in mail.html.lower()


@pytest.mark.parametrize(
    ("lang", "clock", "left", "expected"),
    [
        ("en", "resolution", 200, "3 h 20 min (business hours)"),
        ("en", "first_response", 45, "45 min (business hours)"),
        ("en", "resolution", 120, "2 h (business hours)"),
        ("en", "statutory", 20160, "336 h (calendar time)"),
        ("en", "resolution", 0, "none (due now)"),
        ("en", "first_response", -65, "none, overdue by 1 h 5 min (business hours)"),
        ("ja", "resolution", 200, "営業時間で3時間20分"),
        ("ja", "statutory", 90, "1時間30分"),
        ("ja", "resolution", 0, "なし（期限到来）"),
        ("ja", "first_response", -65, "なし（営業時間で1時間5分超過）"),
        ("ja", "statutory", -1500, "なし（25時間超過）"),
    ],
)
def test_time_left_is_hours_and_minutes_or_overdue(lang: str, clock: str, left: int, expected: str) -> None:
    for kind in SLA_KINDS:
        mail = RENDERER.render(kind, lang, sla_context(clock, left_minutes=left))
        assert expected in mail.text and expected in mail.html


@pytest.mark.parametrize(
    ("amount", "unit", "expected"),
    [
        (240, "business_minutes", "営業時間で4時間"),
        (90, "business_minutes", "営業時間で1時間30分"),
        (10, "business_days", "10営業日"),
        (14, "calendar_days", "14日（暦日）"),
    ],
)
def test_japanese_target_is_built_from_amount_and_unit(amount: int, unit: str, expected: str) -> None:
    for kind in SLA_KINDS:
        context = sla_context("resolution", target=f"{amount} {unit}", target_amount=amount, target_unit=unit)
        mail = RENDERER.render(kind, "ja", context)
        assert f"目標：{expected}" in mail.text and f"<td>{expected}</td>" in mail.html
        assert unit not in mail.text + mail.html


@pytest.mark.parametrize(("lang", "unassigned"), [("en", "unassigned"), ("ja", "未割当")])
def test_assignee_or_unassigned(lang: str, unassigned: str) -> None:
    for kind in SLA_KINDS:
        nobody = RENDERER.render(kind, lang, sla_context(assignee=None))
        assert unassigned in nobody.text and unassigned in nobody.html
        someone = RENDERER.render(kind, lang, sla_context(assignee="agent@relia.test"))
        assert "agent@relia.test" in someone.text and "agent@relia.test" in someone.html
        assert unassigned not in someone.text + someone.html


@pytest.mark.parametrize(
    ("lang", "named", "generic"), [("en", "Hello Aiko Sato,", "Hello,"), ("ja", "Aiko Sato さん", "ご担当者様")]
)
def test_greeting_names_the_staff_member_or_no_one(lang: str, named: str, generic: str) -> None:
    for kind in STAFF_KINDS:
        assert RENDERER.render(kind, lang, sla_context()).text.startswith(named)
        # second-level addresses come from the desks file, without a display name
        anonymous = RENDERER.render(kind, lang, sla_context(recipient_name=""))
        assert anonymous.text.startswith(generic) and f"<p>{generic}</p>" in anonymous.html


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_follow_up_after_a_breach_names_the_manager_already_told(lang: str) -> None:
    desk = DESKS["rext-cs"]
    follow_up = RENDERER.render("sla-breached", lang, sla_context("resolution", "breach+1bd", desk=desk))
    assert desk.manager_title in follow_up.text and desk.manager_title in follow_up.html
    at_breach = RENDERER.render("sla-breached", lang, sla_context("resolution", "100%", desk=desk))
    assert desk.manager_title not in at_breach.text  # it goes to the manager


@pytest.mark.parametrize("kind", STAFF_KINDS)
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("clock", CLOCKS)
def test_staff_mail_carries_no_requester_personal_data(kind: str, lang: str, clock: str) -> None:
    context = sla_context(clock)
    mail = RENDERER.render(kind, lang, context)
    everything = mail.subject + mail.text + mail.html
    assert context["subject"] in mail.text  # the ticket subject is the only requester-given text
    if kind == "delivery-failed":  # ... besides the address that bounced, listed once: what the mail is about
        (bounced,) = context["recipients"]
        everything, listed = re.subn(
            rf"<li>{re.escape(bounced)}</li>|^(- |・){re.escape(bounced)}$", "", everything, flags=re.MULTILINE
        )
        assert listed == 2  # text and HTML
    for key in ("requester_name", "requester_email", "requester_phone", "requester_address"):
        assert context[key] not in everything
    # The base footer's status link is the requester's private key; it stays out even when passed.
    assert "/status/" not in everything


@pytest.mark.parametrize("kind", SLA_KINDS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_sla_html_escapes_every_value_including_ladder_keys(kind: str, lang: str) -> None:
    evil = '<script>alert("x")</script>'
    context = sla_context("resolution")
    keys = ("subject", "clock", "stage", "target", "target_unit", "state", "assignee", "recipient_name")
    context.update(dict.fromkeys(keys, evil))  # (due_at is a datetime the renderer formats itself)
    mail = RENDERER.render(kind, lang, context)
    assert "<script>" not in mail.html and "&amp;lt;" not in mail.html  # escaped once, not twice
    assert mail.html.count("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") >= 7
    assert evil in mail.text and "&lt;" not in mail.text


@pytest.mark.parametrize(
    ("lang", "expected"), [("ja", "2026年11月24日（火）17:00"), ("en", "Tue 24 Nov 2026, 17:00 Japan Standard Time")]
)
def test_due_times_read_as_people_write_them(lang: str, expected: str) -> None:
    mail = RENDERER.render("sla-warning", lang, sla_context("first_response"))
    assert expected in mail.text and expected in mail.html
    assert "UTC+09:00" not in mail.text and "2026-11-24" not in mail.text


def test_a_zone_other_than_tokyo_is_named_in_japanese_too() -> None:
    berlin = datetime(2026, 7, 2, 17, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    mail = RENDERER.render("sla-warning", "ja", sla_context("first_response", due_at=berlin))
    assert "2026年7月2日（木）17:00（" in mail.text
