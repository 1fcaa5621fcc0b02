"""The public web form /desks/{slug}/contact, driven through the app with real requests."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import dataclasses
import hashlib
import html
import re

import httpx
import pytest

from ticketing.app import create_app
from ticketing.db.tables import Attachment, Event, Message, Outbox, Requester, Ticket
from ticketing.domain.intake import IntakeLimits

FORM = "/desks/relia/contact"
RCS_FORM = "/desks/rext-cs/contact"


# A real 1x1 PNG (signature, IHDR, IDAT, IEND).
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000b49444154789c6360000200000500017a5eab3f0000000049454e44ae426082"
)


def csrf_token(page: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', page)
    assert match, "no CSRF token in the page"
    return match.group(1)


async def open_form(client: httpx.AsyncClient, url: str = FORM) -> str:
    r = await client.get(url)
    assert r.status_code == 200, r.text
    return csrf_token(r.text)


def fields(token: str | None, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Hanako Yamada",
        "email": "hanako@example.test",
        "phone": "",
        "postal_address": "",
        "category": "inquiry",
        "subject": "What do you hold about me?",
        "message": "Please tell me which personal data you keep.",
        "website": "",
    }
    if token is not None:
        data["_csrf_token"] = token
    data.update(overrides)
    return data


def field_error(page: str, name: str) -> str | None:
    match = re.search(rf'<p class="error" id="{re.escape(name)}-error">(.*?)</p>', page, re.S)
    return html.unescape(match.group(1)) if match else None


@contextlib.asynccontextmanager
async def app_with(settings, container, **changes):  # type: ignore[no-untyped-def]
    """A client of an app built from changed settings (and matching intake limits), on the test database."""
    changed = dataclasses.replace(settings, **changes)
    intake = copy.copy(container.intake)
    intake.limits = IntakeLimits(changed.max_attachments, changed.max_attachment_bytes)
    app = create_app(
        changed,
        container=dataclasses.replace(container, settings=changed, intake=intake),
        migrate=False,
        scheduler=False,
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        yield changed, client


# 1. Language and desks -------------------------------------------------------------------------


async def test_form_is_in_the_desk_language_with_a_switch(client):
    en = await client.get(FORM)
    assert en.status_code == 200
    assert '<html lang="en">' in en.text and "Contact the personal information desk" in en.text
    assert 'href="?lang=ja"' in en.text and "Inquiry or consultation" in en.text
    assert 'value="request"' in en.text and 'value="incident"' not in en.text  # no staff-only categories
    assert 'value="accredited_org_inquiry"' not in en.text

    ja = await client.get(RCS_FORM)
    assert ja.status_code == 200
    assert '<html lang="ja">' in ja.text and "個人情報に関するお問い合わせ" in ja.text
    assert 'href="?lang=en"' in ja.text and "お問い合わせ・ご相談" in ja.text
    assert "Contact the personal information desk" not in ja.text

    switched = await client.get(RCS_FORM, params={"lang": "en"})
    assert '<html lang="en">' in switched.text and "Your name" in switched.text
    assert '<input type="hidden" name="lang" value="en">' in switched.text
    switched = await client.get(FORM, params={"lang": "ja"})
    assert '<html lang="ja">' in switched.text and "お名前" in switched.text
    unknown = await client.get(FORM, params={"lang": "fr"})
    assert '<html lang="en">' in unknown.text


async def test_unknown_desk_is_404(client):
    r = await client.get("/desks/nope/contact")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    r = await client.post("/desks/nope/contact", data=fields(None))
    assert r.status_code in (403, 404)
    assert await Ticket.count() == 0


# 2. CSRF ------------------------------------------------------------------------------------------


async def test_post_without_csrf_token_is_refused(client, app):
    r = await client.post(FORM, data=fields(None))  # no cookie, no field
    assert r.status_code == 403
    token = await open_form(client)
    r = await client.post(FORM, data=fields(None))  # cookie, no field
    assert r.status_code == 403
    r = await client.post(FORM, data=fields(token[:-4] + "0000"))  # cookie, tampered field
    assert r.status_code == 403
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as other:
        r = await other.post(FORM, data=fields(token))  # a field copied from another browser, no cookie
        assert r.status_code == 403
    assert "text/html" in r.headers["content-type"]
    assert await Ticket.count() == 0 and await Outbox.count() == 0

    r = await client.post(FORM, data=fields(token))
    assert r.status_code == 201, r.text
    assert await Ticket.count() == 1


# 3. Success ---------------------------------------------------------------------------------------


async def test_submission_with_attachment(client, settings):
    token, png = await open_form(client), PNG
    r = await client.post(FORM, data=fields(token), files=[("attachments", ("../../etc/photo.png", png, "text/plain"))])
    assert r.status_code == 201, r.text
    assert re.search(r'id="reference">REL-2026-000001<', r.text)
    assert "Thank you. We have received your message." in r.text

    ticket = await Ticket.select().first()
    assert ticket["reference"] == "REL-2026-000001"
    assert (ticket["channel"], ticket["category"], ticket["state"], ticket["language"]) == (
        "web",
        "inquiry",
        "received",
        "en",
    )
    requester = await Requester.select().where(Requester.id == ticket["requester"]).first()
    assert requester["name"] == "Hanako Yamada" and requester["email"] == "hanako@example.test"
    messages = await Message.select().where(Message.ticket == ticket["id"])
    assert len(messages) == 1
    assert messages[0]["direction"] == "inbound"
    assert messages[0]["text"] == "Please tell me which personal data you keep."
    events = await Event.select().where(Event.ticket == ticket["id"])
    assert [e["action"] for e in events] == ["created"] and events[0]["actor_label"] == "requester"

    outbox = await Outbox.select()
    assert len(outbox) == 1
    assert outbox[0]["kind"] == "ticket-received" and outbox[0]["to_addr"] == "hanako@example.test"
    assert "[REL-2026-000001]" in outbox[0]["subject"] and outbox[0]["ticket"] == ticket["id"]

    attachment = await Attachment.select().first()
    digest = hashlib.sha256(png).hexdigest()
    assert attachment["content_type"] == "image/png" and attachment["declared_type"] == "text/plain"
    assert attachment["sha256"] == digest and attachment["size"] == len(png)
    assert attachment["filename"] == "photo.png" and attachment["message"] == messages[0]["id"]
    stored = [p for p in settings.attachments_dir.rglob(digest) if p.is_file()]
    assert len(stored) == 1 and stored[0].read_bytes() == png


async def test_japanese_desk_submission(client):
    token = await open_form(client, RCS_FORM)
    body = fields(
        token,
        name="山田 花子",
        category="request",
        subject="開示請求",
        lang="ja",
        message="保有個人データの開示を求めます。",
        request_types=["disclosure", "third_party_record_disclosure"],
    )
    empty_file_input = [("attachments", ("", b"", "application/octet-stream"))]  # what browsers send
    r = await client.post(RCS_FORM, data=body, files=empty_file_input)
    assert r.status_code == 201, r.text
    assert "RCS-2026-000001" in r.text and "受付番号" in r.text and await Attachment.count() == 0
    row = await Ticket.select(Ticket.language, Ticket.request_types).first().output(load_json=True)
    assert row == {"language": "ja", "request_types": ["disclosure", "third_party_record_disclosure"]}
    assert (await Outbox.select(Outbox.subject).first())["subject"].startswith("[RCS-2026-000001]")


# 4. Validation ------------------------------------------------------------------------------------

MESSAGES = {  # key: (en, ja), as in the page catalogs
    "required": ("This field is required.", "入力してください。"),
    "long": ("This value is too long.", "長すぎます。"),
    "email": ("Enter a valid e-mail address.", "正しいメールアドレスを入力してください。"),
    "phone": ("Enter a valid phone number.", "正しい電話番号を入力してください。"),
    "choice": ("Choose one of the listed options.", "一覧から選択してください。"),
    "text": ("This value contains characters that are not allowed.", "使用できない文字が含まれています。"),
    "types": ("Choose at least one request type.", "ご請求の内容を1つ以上選択してください。"),
    "types_unexpected": ("Request types apply only to requests.", "ご請求の内容は「ご請求」の場合のみ選択できます。"),
    "files": ("Too many attachments.", "添付ファイルが多すぎます。"),
    "big": ("An attachment is too large.", "添付ファイルが大きすぎます。"),
}
EN = {k: v[0] for k, v in MESSAGES.items()}
JA = {k: v[1] for k, v in MESSAGES.items()}
BAD_VALUES = [
    ("missing-name", {"name": ""}, "name", "required"),
    ("blank-name", {"name": "   "}, "name", "required"),
    ("bad-email", {"email": "hanako@"}, "email", "email"),
    ("email-with-space", {"email": "hanako yamada@example.test"}, "email", "email"),
    ("missing-email", {"email": ""}, "email", "required"),
    ("bad-phone", {"phone": "call me maybe"}, "phone", "phone"),
    ("missing-subject", {"subject": ""}, "subject", "required"),
    ("long-subject", {"subject": "x" * 201}, "subject", "long"),
    ("missing-message", {"message": ""}, "message", "required"),
    ("long-address", {"postal_address": "x" * 501}, "postal_address", "long"),
    ("missing-category", {"category": ""}, "category", "choice"),
    ("unknown-category", {"category": "gossip"}, "category", "choice"),
    ("staff-only-incident", {"category": "incident"}, "category", "choice"),
    ("staff-only-accredited", {"category": "accredited_org_inquiry"}, "category", "choice"),
    ("request-without-types", {"category": "request"}, "request_types", "types"),
    ("types-on-inquiry", {"request_types": ["disclosure"]}, "request_types", "types_unexpected"),
    ("unknown-type", {"category": "request", "request_types": ["everything"]}, "request_types", "choice"),
    ("control-chars-in-name", {"name": "Hanako\x07Yamada"}, "name", "text"),
    ("control-chars-in-subject", {"subject": "Hi\x1b[31m"}, "subject", "text"),
]


@pytest.mark.parametrize("desk", ["relia", "rext-cs"])
@pytest.mark.parametrize(("case", "changes", "field", "error"), BAD_VALUES, ids=[c[0] for c in BAD_VALUES])
async def test_bad_values_name_the_field(client, desk, case, changes, field, error):
    url = f"/desks/{desk}/contact"
    token = await open_form(client, url)
    r = await client.post(url, data=fields(token, **changes))
    assert r.status_code == 400, r.text
    assert field_error(r.text, field) == (JA if desk == "rext-cs" else EN)[error]
    assert re.findall(r'id="([a-z_]+)-error"', r.text) == [field]  # only that field is marked
    if desk == "rext-cs":
        assert "以下の項目をご確認ください。" in r.text
    assert await Ticket.count() == 0 and await Outbox.count() == 0


async def test_several_errors_at_once_and_values_are_kept(client):
    token = await open_form(client)
    body = fields(
        token,
        name="",
        email="nope",
        subject='<b>Hi</b> & "you"',
        message="Line 1\nLine 2 <i>",
        category="request",
        phone="03-1234-5678",
        postal_address="1-2-3 Yoyogi\nTokyo",
    )
    r = await client.post(FORM, data=body)
    assert r.status_code == 400
    assert field_error(r.text, "name") == EN["required"]
    assert field_error(r.text, "email") == EN["email"]
    assert field_error(r.text, "request_types") == EN["types"]
    assert 'value="nope"' in r.text and 'value="03-1234-5678"' in r.text
    assert 'value="&lt;b&gt;Hi&lt;/b&gt; &amp; &#34;you&#34;"' in r.text  # kept, and escaped
    assert ">Line 1\nLine 2 &lt;i&gt;</textarea>" in r.text and ">1-2-3 Yoyogi\nTokyo</textarea>" in r.text
    assert '<option value="request" selected>' in r.text
    assert csrf_token(r.text) == token  # the re-rendered form can be sent again
    assert await Ticket.count() == 0

    r = await client.post(FORM, data=fields(token, request_types=["disclosure", "correction"]))
    assert r.status_code == 400
    assert re.search(r'value="disclosure"\s+checked', r.text) and re.search(r'value="correction"\s+checked', r.text)
    assert not re.search(r'value="suspension_of_use"\s+checked', r.text)


async def test_too_many_attachments(client):
    token = await open_form(client, RCS_FORM)
    files = [("attachments", (f"f{i}.txt", f"file {i}".encode(), "text/plain")) for i in range(6)]
    r = await client.post(RCS_FORM, data=fields(token, lang="ja"), files=files)
    assert r.status_code == 400
    assert field_error(r.text, "attachments") == JA["files"]
    assert 'value="Hanako Yamada"' in r.text
    assert await Ticket.count() == 0 and await Attachment.count() == 0


async def test_attachment_over_the_limit(settings, container):
    async with app_with(settings, container, max_attachment_bytes=1024) as (small, client):
        page = (await client.get(FORM)).text
        assert "(optional; up to 5 files of 1 KB each)" in page  # the hint follows the settings
        big = [("attachments", ("big.bin", b"x" * 1025, "text/plain"))]
        r = await client.post(FORM, data=fields(csrf_token(page)), files=big)
        assert r.status_code == 400
        assert field_error(r.text, "attachments") == EN["big"]
        assert 'value="What do you hold about me?"' in r.text
        assert await Ticket.count() == 0
        assert not any(p.is_file() for p in small.attachments_dir.rglob("*"))

        ok = [("attachments", ("ok.txt", b"x" * 1024, "text/plain"))]
        r = await client.post(FORM, data=fields(csrf_token(page)), files=ok)
        assert r.status_code == 201, r.text
        assert await Ticket.count() == 1 and await Attachment.count() == 1


async def test_a_body_over_the_limit_gets_a_page(settings, container):
    """Far over the limit the body itself is refused before the form is read: a page, not JSON."""
    async with app_with(settings, container, max_attachment_bytes=1024) as (_, client):
        huge = [("attachments", ("huge.bin", b"x" * (2 * 1024 * 1024), "application/octet-stream"))]
        r = await client.post(FORM, data=fields(await open_form(client)), files=huge)
        assert r.status_code == 413
        assert "text/html" in r.headers["content-type"]
        assert "The attachments are too large." in r.text and "添付ファイルが大きすぎます。" in r.text
        assert 'href="/desks/relia/contact"' in r.text
        assert await Ticket.count() == 0


# 5. Honeypot --------------------------------------------------------------------------------------


async def test_honeypot(client):
    token = await open_form(client)
    r = await client.post(FORM, data=fields(token, website="http://spam.example"))
    assert r.status_code == 400
    assert "Your message could not be sent. Please try again." in r.text
    assert await Ticket.count() == 0 and await Outbox.count() == 0
    token = await open_form(client, RCS_FORM)
    r = await client.post(RCS_FORM, data=fields(token, website="x", lang="ja"))
    assert r.status_code == 400 and "送信できませんでした。" in r.text


# 6. Rate limit ------------------------------------------------------------------------------------


async def test_rate_limit_per_client(settings, container):
    async with app_with(settings, container, form_rate_limit_per_minute=3) as (_, client):
        token = await open_form(client)
        for i in range(3):
            r = await client.post(FORM, data=fields(token, subject=f"Try {i}"))
            assert r.status_code == 201, r.text
        r = await client.post(RCS_FORM, data=fields(token, subject="One too many"))  # per client, all desks
        assert r.status_code == 429
        assert "text/html" in r.headers["content-type"] and r.headers["ratelimit-remaining"] == "0"
        assert "Please wait a minute and try again." in r.text
        assert await Ticket.count() == 3
        assert (await client.get(FORM)).status_code == 200  # reading the form is not limited


# 7. Concurrency -----------------------------------------------------------------------------------


async def test_fifty_concurrent_submissions(client):
    token = await open_form(client)

    async def submit(i: int) -> httpx.Response:
        return await client.post(FORM, data=fields(token, name=f"Person {i}", email=f"p{i}@example.test"))

    responses = await asyncio.gather(*(submit(i) for i in range(50)))
    assert [r.status_code for r in responses] == [201] * 50
    shown = {re.search(r'id="reference">([A-Z]+-\d{4}-\d{6})<', r.text).group(1) for r in responses}
    rows = await Ticket.select(Ticket.reference)
    assert len(rows) == 50 and {r["reference"] for r in rows} == shown
    outbox = await Outbox.select(Outbox.to_addr, Outbox.kind)
    assert len(outbox) == 50 and {o["kind"] for o in outbox} == {"ticket-received"}
    assert {o["to_addr"] for o in outbox} == {f"p{i}@example.test" for i in range(50)}
