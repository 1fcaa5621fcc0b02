"""The acknowledgement cannot be aimed at someone as phishing, and a flood cannot silence them.

Automatic mail repeats nothing an unauthenticated sender typed; form submissions are throttled per
client and acknowledgements per address before the daily cap, so the genuine requester still gets
theirs.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json

import httpx

from tests.integration.test_contact_form import FORM, fields, open_form
from ticketing.app import create_app
from ticketing.db.tables import Event, Outbox, Ticket

PHISH = {
    "name": "Visit http://phish.example/login now",
    "subject": "Urgent: call +1-555-0100 or visit http://phish.example/login",
    "message": "Your account is locked. Visit http://phish.example/login now and call +1-555-0100.",
}
VICTIM = "victim@example.test"


def mail_text(row: dict) -> str:  # type: ignore[type-arg]
    payload = row["payload"] if isinstance(row["payload"], dict) else json.loads(row["payload"])
    return " ".join(str(payload.get(k) or "") for k in ("subject", "text", "html")) + row["subject"]


def assert_no_sender_text(text: str) -> None:
    for needle in ("phish.example", "555-0100", "Visit", "Urgent", "locked"):
        assert needle not in text, f"{needle!r} from the sender's input is in the mail"


@contextlib.asynccontextmanager
async def limited_app(settings, container, client_ip: str = "198.51.100.7"):  # type: ignore[no-untyped-def]
    """The app with the shipped form limits (the suite's default settings raise them)."""
    limited = dataclasses.replace(settings, form_submissions_per_client_hour=5, form_acks_per_address_hour=3)
    container.intake.form_limits = type(container.intake.form_limits).of(5, 3)
    app = create_app(limited, container=container, migrate=False, scheduler=False)
    transport = httpx.ASGITransport(app=app, client=(client_ip, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def post_form(client: httpx.AsyncClient, **overrides: str) -> httpx.Response:
    token = await open_form(client)
    return await client.post(FORM, data=fields(token, **overrides))


async def test_every_automatic_mail_to_a_requester_is_free_of_their_text(client, relia_agent, container):
    r = await post_form(client, email=VICTIM, **PHISH)
    assert r.status_code == 201, r.text
    ref = (await Ticket.select(Ticket.reference).first())["reference"]
    for action in ("triage", "start_work", "respond", "reopen", "respond", "close", "reopen"):
        r = await client.post(
            f"/api/v1/tickets/{ref}/transitions", json={"action": action}, headers=relia_agent.headers
        )
        assert r.status_code == 200, r.text
    await client.post(
        f"/api/v1/tickets/{ref}/replies", json={"text": "Thank you, we looked into it."}, headers=relia_agent.headers
    )
    rows = await Outbox.select().where(Outbox.to_addr == VICTIM).output(load_json=True)
    assert {r["kind"] for r in rows} >= {"ticket-received", "agent-reply", "status-changed", "ticket-resolved"}
    for row in rows:
        assert_no_sender_text(mail_text(row))
        assert ref in row["subject"]
    ack = next(r for r in rows if r["kind"] == "ticket-received")
    assert "/status/" in ack["payload"]["text"]  # the reference, the desk's words and the status link


async def test_a_flood_from_one_client_is_refused_and_the_requester_still_gets_theirs(settings, container):
    async with limited_app(settings, container) as attacker:
        answers = [(await post_form(attacker, email=VICTIM, **PHISH)).status_code for _ in range(11)]
        assert answers == [201] * 5 + [429] * 6
        refused = await post_form(attacker, email=VICTIM, **PHISH)
        assert "Several messages were sent from your connection" in refused.text
        assert PHISH["message"] in refused.text  # what they typed stays in the form: nothing lost
        assert refused.headers["retry-after"] == "3600"
    assert await Ticket.count() == 5
    acks = await Outbox.count().where((Outbox.to_addr == VICTIM) & (Outbox.kind == "ticket-received"))
    assert acks == 3  # at most three acknowledgements an hour to one address from the form
    withheld = await Event.select(Event.data).where(Event.action == "created").output(load_json=True)
    assert sum("limited to 3 an hour" in str(e["data"].get("mail_not_sent", "")) for e in withheld) == 2

    # The genuine requester writes by mail from their own address: the daily cap was not used up.
    mail = (
        b"From: Victim <victim@example.test>\r\nTo: privacy@relia-group.com\r\nSubject: my request\r\n"
        b"Message-ID: <genuine@example.test>\r\n\r\nPlease tell me what you hold.\r\n"
    )
    from ticketing.services.mail_ports import MailSource

    result = await container.mail.ingest("relia", mail, MailSource("pipe"))
    assert result.action == "created"
    assert await Outbox.count().where((Outbox.to_addr == VICTIM) & (Outbox.kind == "ticket-received")) == 4


async def test_another_client_is_not_held_back_by_the_flood(settings, container):
    async with limited_app(settings, container, "198.51.100.7") as attacker:
        for _ in range(6):
            await post_form(attacker, email=f"x{_}@example.test", **PHISH)
    async with limited_app(settings, container, "203.0.113.9") as genuine:
        r = await post_form(genuine, email="hanako@example.test")
        assert r.status_code == 201, r.text
    assert await Outbox.count().where(Outbox.to_addr == "hanako@example.test") == 1
