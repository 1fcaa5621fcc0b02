"""A ticket opened by hand on /app/tickets/new for a phone call, a letter or a visit: through intake as the
API does, with the agent as the actor and the date the contact actually came; bad input is a 400 page
naming the fields, another desk cannot be chosen."""

from __future__ import annotations

import re

import pytest

from tests.integration.test_staff_pages import csrf_token, logged_in
from ticketing.db.tables import Event, Message, Outbox, Ticket

PDF = b"%PDF-1.4\n%%EOF\n"


async def open_by_hand(client, files=None, **fields: str):  # type: ignore[no-untyped-def]
    token = csrf_token((await client.get("/app/tickets/new")).text)
    data = {
        "_csrf_token": token,
        "desk": "rext-cs",
        "channel": "phone",
        "category": "inquiry",
        "language": "ja",
        "subject": "電話での問い合わせ",
        "message": "登録情報の確認をしたいとのこと。",
        "name": "山田 花子",
        "phone": "06-1234-5678",
        **fields,
    }
    return await client.post("/app/tickets/new", data=data, files=files)


@pytest.mark.parametrize("channel", ["phone", "post", "walk_in"])
async def test_a_call_a_letter_or_a_visit_becomes_a_ticket(client, rcs_agent, channel: str) -> None:
    await logged_in(client, rcs_agent)
    files = [("attachments", ("封筒.pdf", PDF, "application/pdf"))] if channel == "post" else None
    r = await open_by_hand(client, files, channel=channel, received_at="2026-11-20T15:10")
    assert r.status_code == 303, r.text
    ref = r.headers["location"].rsplit("/", 1)[1]
    assert re.fullmatch(r"RCS-2026-\d{6}", ref)
    row = (
        await Ticket.select(Ticket.channel, Ticket.received_at, Ticket.contact_name)
        .where(Ticket.reference == ref)
        .first()
    )
    assert row["channel"] == ("api" if channel == "walk_in" else channel)
    assert row["received_at"].isoformat() == "2026-11-20T06:10:00+00:00" and row["contact_name"] == "山田 花子"
    created = await Event.select(Event.actor_label).where(Event.action == "created").first()
    assert created["actor_label"] == rcs_agent.email
    page = (await client.get(r.headers["location"])).text
    assert "登録情報の確認をしたいとのこと。" in page and "山田 花子" in page
    if channel == "walk_in":
        note = await Message.select(Message.text).where(Message.channel == "note").first()
        assert "来訪" in note["text"] and "2026-11-20 15:10" in note["text"]
    if channel == "post":
        assert "封筒.pdf" in page
    assert await Outbox.count() == 0  # no e-mail address: no acknowledgement


async def test_with_an_email_address_the_requester_gets_the_acknowledgement(client, relia_agent) -> None:
    await logged_in(client, relia_agent)
    r = await open_by_hand(
        client, desk="relia", language="en", name="Ken Tanaka", email="ken@example.test", phone="", subject="Call"
    )
    assert r.status_code == 303, r.text
    assert await Outbox.select(Outbox.kind, Outbox.to_addr) == [
        {"kind": "ticket-received", "to_addr": "ken@example.test"}
    ]


async def test_bad_input_is_a_page_with_the_fields_named(client, relia_agent, rcs_agent) -> None:
    await logged_in(client, relia_agent)
    page = (await client.get("/app/tickets/new")).text
    assert 'value="relia"' in page and 'value="rext-cs"' not in page  # only my desks
    assert '<label for="new-received">' in page
    other_desk = await open_by_hand(client)  # rext-cs
    assert other_desk.status_code == 400 and "Choose one of your desks." in other_desk.text
    missing = await open_by_hand(client, desk="relia", name="", phone="", subject="")
    assert missing.status_code == 400
    assert 'aria-invalid="true"' in missing.text and "This field is required." in missing.text
    assert "Give an e-mail address, a phone number or a postal address." in missing.text
    assert "登録情報の確認をしたいとのこと。" in missing.text  # what was typed stays
    wrong = await open_by_hand(client, desk="relia", channel="email", received_at="not a date")
    assert wrong.status_code == 400
    request = await open_by_hand(client, desk="relia", category="request")
    assert request.status_code == 400 and "Choose at least one request type." in request.text
    future = await open_by_hand(client, desk="relia", received_at="2027-03-01T10:00")
    assert future.status_code == 400
    no_csrf = await client.post("/app/tickets/new", data={"desk": "relia"})
    assert no_csrf.status_code == 403
    assert await Ticket.count() == 0


async def test_a_request_letter_opens_a_request_ticket(client, rcs_agent) -> None:
    await logged_in(client, rcs_agent)
    r = await open_by_hand(
        client,
        channel="post",
        category="request",
        request_types="disclosure",
        postal_address="大阪府大阪市中央区 1-2-3",
        phone="",
    )
    assert r.status_code == 303, r.text
    page = (await client.get(r.headers["location"])).text
    assert "開示" in page or "disclosure" in page
    row = await Ticket.select(Ticket.category, Ticket.formal_request_at).first()
    assert row["category"] == "request" and row["formal_request_at"] is not None  # by post: the desk's way
