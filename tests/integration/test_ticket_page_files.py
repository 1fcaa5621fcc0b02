"""A call or letter logged on the ticket page, with its enclosures; attachments downloaded from the page:
always as a download, with the Japanese file name intact, recorded in the access log, and nobody
else's."""

from __future__ import annotations

import re
from urllib.parse import unquote

from tests.conftest import ticket_json
from tests.integration.test_staff_pages import csrf_token, logged_in
from tests.integration.test_ticket_page import version
from ticketing.db.tables import AccessLog, Attachment, Event, Message

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def log_letter(client, ref: str, **fields: str):  # type: ignore[no-untyped-def]
    page = (await client.get(f"/app/tickets/{ref}")).text
    data = {"_csrf_token": csrf_token(page), "version": version(page), **fields}
    files = [
        ("attachments", ("開示請求書.pdf", PDF, "application/pdf")),
        ("attachments", ("note.txt", b"hi", "text/plain")),
    ]
    return await client.post(f"/app/tickets/{ref}/contacts", data=data, files=files)


async def test_a_letter_with_enclosures_is_logged_and_downloaded(client, relia_agent) -> None:
    r = await client.post("/api/v1/tickets", json=ticket_json(), headers=relia_agent.headers)
    ref = r.json()["reference"]
    await logged_in(client, relia_agent)
    r = await log_letter(client, ref, channel="post", received_at="2026-11-20T11:30", text="封書が届きました。")
    assert r.status_code == 303, r.text
    stored = await Message.select(Message.direction, Message.channel, Message.created_at).where(
        Message.text == "封書が届きました。"
    )
    assert [(m["direction"], m["channel"]) for m in stored] == [("inbound", "post")]
    assert stored[0]["created_at"].isoformat() == "2026-11-20T02:30:00+00:00"  # when it came, desk time 11:30
    logged = await Event.select(Event.actor_label).where(Event.action == "contact_logged")
    assert logged == [{"actor_label": relia_agent.email}]
    page = (await client.get(f"/app/tickets/{ref}")).text
    assert "message-post" in page and "2026-11-20 11:30" in page
    link = re.search(rf'href="(/app/tickets/{ref}/attachments/(\d+))" download>開示請求書.pdf</a>', page)
    assert link, page
    got = await client.get(link.group(1))
    assert got.status_code == 200 and got.content == PDF
    disposition = got.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert unquote(disposition.split("filename*=UTF-8''", 1)[1]) == "開示請求書.pdf"
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-type"].startswith("application/pdf")
    assert got.headers["cache-control"] == "no-store"
    reads = await AccessLog.select(AccessLog.what, AccessLog.target, AccessLog.rows_shown).where(
        AccessLog.what == "attachment"
    )
    assert reads == [{"what": "attachment", "target": f"{ref}/{link.group(2)}", "rows_shown": 1}]


async def test_nobody_else_downloads_and_odd_ids_are_not_found(client, relia_agent, rcs_agent) -> None:
    r = await client.post("/api/v1/tickets", json=ticket_json(), headers=relia_agent.headers)
    ref = r.json()["reference"]
    other_ref = (await client.post("/api/v1/tickets", json=ticket_json(), headers=relia_agent.headers)).json()[
        "reference"
    ]
    await logged_in(client, relia_agent)
    assert (await log_letter(client, ref, channel="phone", text="Called with a file")).status_code == 303
    attachment = await Attachment.select(Attachment.id).first()
    url = f"/app/tickets/{ref}/attachments/{attachment['id']}"
    assert (await client.get(url)).status_code == 200
    assert (await client.get(f"/app/tickets/{other_ref}/attachments/{attachment['id']}")).status_code == 404
    for odd in ("0", "99999", str(2**31), "99999999999999999999"):
        assert (await client.get(f"/app/tickets/{ref}/attachments/{odd}")).status_code in (404,), odd
    client.cookies.clear()
    await logged_in(client, rcs_agent)
    refused = await client.get(url)
    assert refused.status_code == 404
    assert await AccessLog.count().where(AccessLog.what == "attachment") == 1


async def test_a_bad_contact_is_refused_with_a_page(client, relia_agent) -> None:
    r = await client.post("/api/v1/tickets", json=ticket_json(), headers=relia_agent.headers)
    ref = r.json()["reference"]
    await logged_in(client, relia_agent)
    empty = await log_letter(client, ref, channel="post", text="")
    assert empty.status_code == 400 and 'role="alert"' in empty.text
    future = await log_letter(client, ref, channel="post", text="A letter", received_at="2027-01-05T10:00")
    assert future.status_code == 400 and "cannot be in the future" in future.text
    assert textarea_text(future.text) == "A letter"  # what was typed stays
    assert await Attachment.count() == 0


def textarea_text(page: str) -> str:
    found = re.search(r'<textarea id="contact-text"[^>]*>(.*?)</textarea>', page, re.S)
    assert found
    return found.group(1)
