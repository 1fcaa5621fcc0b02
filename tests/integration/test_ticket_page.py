"""The agent's ticket page: header, clocks with their reasons, one timeline, and the acting forms (reply
with templates, note, assignment, moves, waiting on the requester, participants), each refusing bad
input with a page (never a 500), on SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re

import httpx

from tests.conftest import ticket_json
from tests.integration.test_staff_pages import csrf_token, logged_in
from ticketing.db.tables import AccessLog, ClockPause, Message, Outbox, Ticket


async def create(client: httpx.AsyncClient, staff, **overrides) -> str:  # type: ignore[no-untyped-def]
    r = await client.post("/api/v1/tickets", json=ticket_json(**overrides), headers=staff.headers)
    assert r.status_code == 201, r.text
    return str(r.json()["reference"])


def version(page: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', page)
    assert found, "no version in the page"
    return found.group(1)


async def post(client: httpx.AsyncClient, ref: str, path: str, **fields: str) -> httpx.Response:
    """A form of the page as it is now: its CSRF token and version."""
    page = (await client.get(f"/app/tickets/{ref}")).text
    data = {"_csrf_token": csrf_token(page), "version": version(page), **fields}
    return await client.post(f"/app/tickets/{ref}/{path}", data=data)


def textarea(page: str, ident: str) -> str:
    found = re.search(rf'<textarea id="{ident}"[^>]*>(.*?)</textarea>', page, re.S)
    assert found, ident
    return html.unescape(found.group(1))


async def test_the_page_shows_the_ticket_its_clocks_and_logs_the_read(client, relia_agent) -> None:
    ref = await create(client, relia_agent, category="complaint")
    await logged_in(client, relia_agent)
    r = await client.get(f"/app/tickets/{ref}")
    assert r.status_code == 200, r.text
    page = r.text
    assert re.search(rf'<h1><span class="ref">{ref}</span>', page)
    assert "Hanako Yamada" in page and "relia, inc. Personal Information Inquiries Desk" in page
    # The complaint's first response: 240 business minutes from Tue 10:00, due 15:00 (lunch 12-13).
    first = r'class="clock clock-ok">\s*<th scope="row">First response</th>\s*<td><span class="clock-time">'
    assert re.search(first + "4 h 0 min left", page)
    assert "2026-11-24 15:00" in page
    assert "Target: 240 business minutes from 2026-11-24 10:00" in page
    assert "Please tell me which personal data you keep." in page
    assert 'id="presence"' in page and 'hx-trigger="every 10s, presence-change"' in page
    assert '<label for="reply-text">Reply</label>' in page and '<label for="reply-template">Template</label>' in page
    assert ">Send reply</button>" in page and '<label for="note-text">Internal note</label>' in page
    assert ">Add note</button>" in page and '<label for="assignee">Assign to</label>' in page
    assert ">Log a call or letter</button>" in page
    kinds = [row["what"] for row in await AccessLog.select(AccessLog.what).where(AccessLog.allowed == True)]  # noqa: E712
    assert kinds.count("ticket") == 1 and kinds.count("sla") == 0  # one page, one read (its clocks are part of it)
    ja = (await client.get(f"/app/tickets/{ref}?lang=ja")).text
    assert "初回回答" in ja or "初回応答" in ja


async def test_a_reply_from_a_template_goes_out_and_joins_the_timeline(client, relia_agent) -> None:
    ref = await create(client, relia_agent)
    await logged_in(client, relia_agent)
    page = (await client.get(f"/app/tickets/{ref}", params={"template": "acknowledgement"})).text
    text = textarea(page, "reply-text")
    assert text.startswith("Dear Hanako Yamada,") and ref in text
    assert 'value="replying"' in page  # the page reports it is writing a reply
    r = await post(client, ref, "replies", text=text)
    assert r.status_code == 303 and r.headers["location"] == f"/app/tickets/{ref}#reply"
    page = (await client.get(f"/app/tickets/{ref}")).text
    assert "message-reply" in page and f"registered it under the reference {ref}" in page
    mails = await Outbox.select(Outbox.kind, Outbox.to_addr).where(Outbox.kind == "agent-reply")
    assert mails == [{"kind": "agent-reply", "to_addr": "hanako@example.test"}]
    # A Japanese template for the same desk, put in for a Japanese requester.
    ja_ref = await create(client, relia_agent, language="ja", requester={"name": "山田 花子", "email": "h@example.jp"})
    ja = (await client.get(f"/app/tickets/{ja_ref}", params={"template": "request_form"})).text
    assert textarea(ja, "reply-text").startswith("山田 花子 様") and ja_ref in textarea(ja, "reply-text")


async def test_notes_stay_inside_and_bad_input_is_a_page(client, relia_agent) -> None:
    ref = await create(client, relia_agent)
    await logged_in(client, relia_agent)
    r = await post(client, ref, "notes", text="Called back, no answer.")
    assert r.status_code == 303
    page = (await client.get(f"/app/tickets/{ref}")).text
    assert "message-note" in page and "Called back, no answer." in page
    assert await Outbox.count().where(Outbox.kind == "agent-reply") == 0
    note = await Message.select(Message.direction, Message.channel).where(Message.text == "Called back, no answer.")
    assert note == [{"direction": "outbound", "channel": "note"}]

    empty = await post(client, ref, "replies", text="   ")
    assert empty.status_code == 400 and 'role="alert"' in empty.text and "a reply needs some text" in empty.text
    unknown = await client.get(f"/app/tickets/{ref}", params={"template": "nonsense"})
    assert unknown.status_code == 400 and "no such reply template" in unknown.text
    no_csrf = await client.post(f"/app/tickets/{ref}/replies", data={"text": "hello"})
    assert no_csrf.status_code == 403
    broken = await client.post(
        f"/app/tickets/{ref}/notes",
        data={"_csrf_token": csrf_token(page), "version": "x1", "text": "hello"},
    )
    assert broken.status_code == 400
    ja = await client.post(f"/app/tickets/{ref}/notes?lang=ja", data={"_csrf_token": csrf_token(page), "text": ""})
    assert ja.status_code == 400 and "メモ" in ja.text


async def test_assignment_offers_me_first_and_refuses_another_desks_member(client, relia_agent, make_staff) -> None:
    colleague = await make_staff("tanaka@relia.test", ["relia"])
    stranger = await make_staff("sato@rext.test", ["rext-cs"])
    ref = await create(client, relia_agent)
    await logged_in(client, relia_agent)
    page = (await client.get(f"/app/tickets/{ref}")).text
    options = re.findall(r'<option value="([^"]+@[^"]+)"', page.split('id="assignee"', 1)[1].split("</select>", 1)[0])
    assert options == [relia_agent.email, colleague.email]
    refused = await post(client, ref, "assignee", assignee=stranger.email)
    assert refused.status_code == 400 and "not a member of this ticket" in refused.text
    assert (await post(client, ref, "assignee", assignee=colleague.email)).status_code == 303
    row = await Ticket.select(Ticket.assignee.email.as_alias("who")).where(Ticket.reference == ref).first()
    assert row["who"] == colleague.email
    assert (await post(client, ref, "assignee", unassign="yes")).status_code == 303
    row = await Ticket.select(Ticket.assignee).where(Ticket.reference == ref).first()
    assert row["assignee"] is None


async def test_moves_follow_the_table_and_a_pause_keeps_its_reason(client, relia_agent) -> None:
    ref = await create(client, relia_agent)
    await logged_in(client, relia_agent)
    page = (await client.get(f"/app/tickets/{ref}")).text
    moves = re.findall(r'<option value="([a-z_]+)"[^>]*>[^<]*→', page)
    assert sorted(moves) == ["close", "triage", "withdraw"]  # what the table allows from "received"
    refused = await post(client, ref, "transitions", action="respond")
    assert refused.status_code == 409 and "cannot respond from state received" in refused.text
    assert (await post(client, ref, "transitions", action="triage", reason="an inquiry")).status_code == 303
    no_reason = await post(client, ref, "pause", action="request_documents", reason="")
    assert no_reason.status_code == 400 and "say why the ticket waits" in no_reason.text
    not_a_pause = await post(client, ref, "pause", action="start_work", reason="because")
    assert not_a_pause.status_code == 400
    r = await post(client, ref, "pause", action="request_documents", reason="copy of ID missing")
    assert r.status_code == 303
    pauses = await ClockPause.select(ClockPause.reason)
    assert pauses == [{"reason": "waiting on requester: awaiting_documents: copy of ID missing"}]
    page = (await client.get(f"/app/tickets/{ref}")).text
    assert "paused, " in page and "copy of ID missing" in page
    assert await Outbox.count().where(Outbox.kind == "awaiting-documents") == 1  # the requester is told


async def test_a_stale_form_is_refused_with_the_newer_state_and_the_text_kept(
    client, app, relia_agent, make_staff
) -> None:
    tanaka = await make_staff("tanaka@relia.test", ["relia"])
    ref = await create(client, relia_agent)
    await logged_in(client, relia_agent)
    page = (await client.get(f"/app/tickets/{ref}")).text
    token, seen = csrf_token(page), version(page)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as other:
        await logged_in(other, tanaka)
        r = await post(other, ref, "notes", text="I am on the phone with them.")
        assert r.status_code == 303
    r = await client.post(
        f"/app/tickets/{ref}/replies", data={"_csrf_token": token, "version": seen, "text": "My careful answer."}
    )
    assert r.status_code == 409
    assert "Someone else changed this ticket while you were writing" in r.text
    assert textarea(r.text, "reply-text") == "My careful answer."  # kept
    assert "I am on the phone with them." in r.text  # the newer state
    assert "tanaka@relia.test" in r.text
    assert await Outbox.count().where(Outbox.kind == "agent-reply") == 0
    again = await client.post(
        f"/app/tickets/{ref}/replies",
        data={"_csrf_token": token, "version": version(r.text), "text": "My careful answer."},
    )
    assert again.status_code == 303
    # The request workflow's forms are checked too.
    stale = await client.post(
        f"/app/tickets/{ref}/transitions", data={"_csrf_token": token, "version": seen, "action": "triage"}
    )
    assert stale.status_code == 409


async def test_participants_are_added_from_the_page(client, relia_agent, make_staff) -> None:
    ref = await create(client, relia_agent)
    await logged_in(client, relia_agent)
    assert (await post(client, ref, "participants", email="not-an-address")).status_code == 400
    r = await post(client, ref, "participants", email="lawyer@example.test", name="Ken Lawyer")
    assert r.status_code == 303
    page = (await client.get(f"/app/tickets/{ref}")).text
    assert "lawyer@example.test" in page


async def test_another_desks_ticket_page_and_forms_are_404(client, relia_agent, rcs_agent) -> None:
    ref = await create(client, rcs_agent, desk="rext-cs")
    await logged_in(client, relia_agent)
    token = csrf_token((await client.get("/app/tickets/new")).text)
    for path in ("replies", "notes", "assignee", "pause", "participants", "contacts"):
        r = await client.post(f"/app/tickets/{ref}/{path}", data={"_csrf_token": token, "text": "x"})
        assert r.status_code == 404, path
    assert (await client.get(f"/app/tickets/{ref}")).status_code == 404
    assert (await client.get(f"/app/tickets/{ref}", params={"template": "closing"})).status_code == 404
