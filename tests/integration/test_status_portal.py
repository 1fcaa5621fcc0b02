"""The requester's status page as a portal: what the desk waits for, the messages, and replies from
the page, through the app with real requests on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import html
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx

from tests.conftest import Staff
from tests.integration.case_helpers import clocks
from tests.mailbuilder import make_mail
from ticketing.app import create_app
from ticketing.db.tables import Attachment, Event, Message, Outbox, StaffUser, Ticket
from ticketing.domain.desks import StaffNames
from ticketing.services.mail_ports import MailSource

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000b49444154789c6360000200000500017a5eab3f0000000049454e44ae426082"
)


def csrf_token(page: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', page)
    assert match, "no CSRF token in the page"
    return match.group(1)


def path_of(url: str) -> str:
    assert url.startswith("http://testserver/status/"), url
    return url.removeprefix("http://testserver")


def text_of(page: str) -> str:
    """The page's text without tags, entities decoded (what a reader sees, near enough)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


async def request_awaiting_documents(client: httpx.AsyncClient, agent: Staff, slug: str = "relia") -> tuple[str, str]:
    """A disclosure request by letter (the desks' way: conforming), asked for its documents."""
    body = {
        "desk": slug,
        "channel": "post",
        "category": "request",
        "request_types": ["disclosure"],
        "subject": "Request for disclosure",
        "message": "The prescribed form arrived by post.",
        "language": "en" if slug == "relia" else "ja",
        "requester": {"name": "Hanako Yamada", "email": "hanako@example.test", "postal_address": "1-2-3 Osaka"},
    }
    r = await client.post("/api/v1/tickets", json=body, headers=agent.headers)
    assert r.status_code == 201, r.text
    ref, path = r.json()["reference"], path_of(r.json()["status_url"])
    for action in ("triage", "request_documents"):
        r = await client.post(f"/api/v1/tickets/{ref}/transitions", json={"action": action}, headers=agent.headers)
        assert r.status_code == 200, r.text
    return ref, path


async def send(
    client: httpx.AsyncClient, path: str, message: str = "", files: list[Any] | None = None, **extra: str
) -> httpx.Response:
    token = csrf_token((await client.get(path)).text)
    return await client.post(path, data={"_csrf_token": token, "message": message, **extra}, files=files or None)


@contextlib.asynccontextmanager
async def portal_app(container: Any, **portal_changes: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app whose status pages run with changed portal settings (desks, limits, link days)."""
    portal = copy.copy(container.portal)
    for name, value in portal_changes.items():
        setattr(portal, name, value)
    app = create_app(
        container.settings, container=dataclasses.replace(container, portal=portal), migrate=False, scheduler=False
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        yield c


# 1. What the desk waits for -----------------------------------------------------------------------


async def test_a_request_awaiting_documents_shows_the_desks_checklist(client, relia_agent):
    _, path = await request_awaiting_documents(client, relia_agent)
    r = await client.get(path)
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store" and r.headers["referrer-policy"] == "no-referrer"
    page = " ".join(text_of(r.text).split())
    assert "Status: Waiting for your documents" in page and "Your requests: Disclosure" in page
    # relia's disclosure: the prescribed form and one official identity document; 1,000 yen in stamps.
    assert re.search(
        r'<h2 id="waiting-h">What we are waiting for from you</h2>\s*<ul>\s*'
        r"<li>the prescribed request form</li><li>an identity document</li>\s*"
        r"<li>The fee: 1,000 yen \(postage stamps\)</li>\s*</ul>",
        r.text,
    )
    assert "Your request on our request form" not in page  # the letter was the formal request
    # The link may be forwarded: the case, not the person, and nothing staff-only.
    for hidden in ("Hanako", "hanako@example.test", "1-2-3 Osaka", "Request for disclosure", "agent@relia.test"):
        assert hidden not in r.text
    assert "fee:pending" not in r.text and "gap:" not in r.text and "instrument:" not in r.text


async def test_the_form_speaks_english_with_the_names_browser_checks_use(client, relia_agent):
    _, path = await request_awaiting_documents(client, relia_agent)
    page = (await client.get(path)).text
    assert re.search(r'<label for="message">Your message</label>\s*<textarea id="message" name="message"', page)
    assert '<label for="attachments">Attach a file</label>' in page
    assert '<input type="file" id="attachments" name="attachments" multiple' in page
    assert '<button type="submit">Send</button>' in page
    assert f'action="{path}"' in page and 'enctype="multipart/form-data"' in page


async def test_a_japanese_web_request_waits_for_the_formal_request_by_post(client):
    form = (await client.get("/desks/rext-cs/contact")).text
    data = {
        "_csrf_token": csrf_token(form),
        "name": "鈴木 一郎",
        "email": "ichiro@example.test",
        "category": "request",
        "request_types": "disclosure",
        "subject": "開示のお願い",
        "message": "保有個人データの開示を請求します。",
        "lang": "ja",
    }
    assert (await client.post("/desks/rext-cs/contact", data=data)).status_code == 201
    row = await Outbox.select(Outbox.payload).first().output(load_json=True)
    path = re.search(r"http://testserver(/status/[A-Za-z0-9_-]+)", str(row["payload"])).group(1)
    r = await client.get(path)
    assert r.status_code == 200 and '<html lang="ja">' in r.text
    page = " ".join(text_of(r.text).split())
    assert "お送りいただきたいもの" in page
    assert "所定の請求書によるご請求（郵送）" in page and "〒541-0052" in page  # rext-cs takes requests by post
    assert "手数料：1,500円" in page and "郵便定額小為替" in page
    assert '<label for="message">メッセージ</label>' in r.text
    assert '<label for="attachments">ファイルを添付</label>' in r.text and ">送信する</button>" in r.text
    assert "保有個人データの開示を請求します。" in page  # their own message, as they wrote it
    for hidden in ("鈴木", "ichiro@example.test", "開示のお願い"):
        assert hidden not in r.text


async def test_a_settled_ticket_waits_for_nothing(client, relia_agent):
    r = await client.post("/api/v1/tickets", json={**_inquiry()}, headers=relia_agent.headers)
    ref, path = r.json()["reference"], path_of(r.json()["status_url"])
    for action in ("triage", "respond"):
        await client.post(f"/api/v1/tickets/{ref}/transitions", json={"action": action}, headers=relia_agent.headers)
    page = text_of((await client.get(path)).text)
    assert "What we are waiting for" not in page
    assert "This page can be opened until February 22, 2027." in page  # 90 days after it settled


def _inquiry() -> dict[str, Any]:
    return {
        "desk": "relia",
        "category": "inquiry",
        "subject": "Question",
        "message": "Which data do you keep?",
        "language": "en",
        "requester": {"name": "Hanako Yamada", "email": "hanako@example.test"},
    }


# 2. Messages ----------------------------------------------------------------------------------------


async def test_messages_show_both_sides_but_no_notes_robot_mail_or_addresses(client, container, relia_agent):
    raw = make_mail(body="Which personal data do you keep about me?\n\n-- \nHanako Yamada\n090-1234-5678")
    ref = (await container.mail.ingest("relia", raw, MailSource("pipe"))).ticket
    h = relia_agent.headers
    r = await client.post(f"/api/v1/tickets/{ref}/replies", json={"text": "We keep your order history."}, headers=h)
    assert r.status_code == 201, r.text
    note = {"channel": "note", "text": "INTERNAL: customer seems upset"}
    assert (await client.post(f"/api/v1/tickets/{ref}/messages", json=note, headers=h)).status_code == 201
    call = {"channel": "phone", "text": "LOGGED: she called about the reply"}
    assert (await client.post(f"/api/v1/tickets/{ref}/messages", json=call, headers=h)).status_code == 201
    robot = make_mail(
        subject=f"Out of office [{ref}]",
        body="ROBOT: I am away until Monday.",
        headers={"Auto-Submitted": "auto-replied"},
    )
    assert (await container.mail.ingest("relia", robot, MailSource("pipe"))).action == "appended"
    assert await Message.count().where(Message.direction == "outbound") == 2  # the reply and the note

    page = (await client.get(path_of(container.parts.links.url(ref)))).text
    text = text_of(page)
    assert "Which personal data do you keep about me?" in text and "We keep your order history." in text
    assert text.index("Which personal data") < text.index("We keep your order history.")
    assert "The desk" in text and "You" in text
    for hidden in ("INTERNAL", "LOGGED", "ROBOT", "090-1234-5678", "agent@relia.test", "hanako@example.test"):
        assert hidden not in page


async def test_staff_first_names_are_a_desk_setting(client, container, relia_agent):
    await StaffUser.update({StaffUser.display_name: "Taro Yamada"}).where(StaffUser.email == relia_agent.email)
    ref = (await container.mail.ingest("relia", make_mail(), MailSource("pipe"))).ticket
    reply = {"text": "Thank you for writing."}
    await client.post(f"/api/v1/tickets/{ref}/replies", json=reply, headers=relia_agent.headers)
    path = path_of(container.parts.links.url(ref))
    assert "Taro" not in (await client.get(path)).text  # the default: "the desk"
    relia = dataclasses.replace(container.desks["relia"], staff_names_on_status_page=StaffNames.FIRST_NAME)
    async with portal_app(container, desks={**container.desks, "relia": relia}) as named:
        page = (await named.get(path)).text
    assert "Taro at the desk" in page and "Yamada" not in page and relia_agent.email not in page


# 3. Replying from the page ---------------------------------------------------------------------------


async def test_a_reply_lands_as_web_inbound_and_resumes_the_clocks(client, relia_agent, clock):
    ref, path = await request_awaiting_documents(client, relia_agent)
    assert (await clocks(ref))["first_response"]["paused"]
    clock.advance(hours=2)
    files = [("attachments", ("licence.png", PNG, "image/png")), ("attachments", ("form.txt", b"my form", "text/x"))]
    r = await send(client, path, "  Here are my documents.\r\n", files)
    assert r.status_code == 303, r.text
    assert r.headers["location"] == f"{path}?sent=1" and r.headers["cache-control"] == "no-store"
    ticket = await Ticket.select(Ticket.id, Ticket.state).where(Ticket.reference == ref).first()
    assert ticket["state"] == "identity_verification"  # APPI workflow: the wait on the requester ended
    assert not (await clocks(ref))["first_response"]["paused"]
    message = await Message.select().where(Message.ticket == ticket["id"]).order_by(Message.id, ascending=False).first()
    assert (message["direction"], message["channel"], message["text"]) == ("inbound", "web", "Here are my documents.")
    assert message["author"] is None and message["from_email"] is None
    stored = await Attachment.select().where(Attachment.message == message["id"]).order_by(Attachment.id)
    assert [(a["filename"], a["content_type"], a["size"]) for a in stored] == [
        ("licence.png", "image/png", len(PNG)),
        ("form.txt", "text/plain", 7),  # the type is sniffed from the bytes, not taken from the sender
    ]
    event = await Event.select().where(Event.ticket == ticket["id"]).order_by(Event.id, ascending=False).first()
    assert (event["action"], event["actor_label"], event["to_state"]) == (
        "requester_replied",
        "requester",
        "identity_verification",
    )
    page = await client.get(r.headers["location"])
    assert "Your message was sent." in page.text and "licence.png, form.txt" in page.text
    assert await Outbox.count().where(Outbox.kind == "agent-reply") == 0  # no mail for their own reply


async def test_a_reply_after_the_ticket_settled_is_flagged(client, relia_agent):
    r = await client.post("/api/v1/tickets", json=_inquiry(), headers=relia_agent.headers)
    ref, path = r.json()["reference"], path_of(r.json()["status_url"])
    for action in ("triage", "respond", "close"):
        await client.post(f"/api/v1/tickets/{ref}/transitions", json={"action": action}, headers=relia_agent.headers)
    assert (await send(client, path, "One more question.")).status_code == 303
    row = await Ticket.select(Ticket.state, Ticket.flags).where(Ticket.reference == ref).first().output(load_json=True)
    assert row["state"] == "closed" and "needs_attention" in row["flags"]


async def test_a_reply_in_japanese_and_its_errors_in_japanese(client, rcs_agent):
    _, path = await request_awaiting_documents(client, rcs_agent, "rext-cs")
    r = await send(client, path, "")
    assert r.status_code == 400 and '<html lang="ja">' in r.text
    assert "メッセージを入力するか、ファイルを添付してください。" in r.text
    r = await send(client, path, "書類を送ります。")
    assert r.status_code == 303
    page = (await client.get(r.headers["location"])).text
    assert "送信しました" in page and "書類を送ります。" in page
