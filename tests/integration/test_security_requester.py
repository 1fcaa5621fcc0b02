"""A stranger who knows a requester's e-mail cannot rewrite what staff see of an earlier case.

Each ticket keeps the contact details it was opened with; a later contact that states other
details is flagged with an event naming its channel, and only staff change the record on file.
"""

from __future__ import annotations

from tests.conftest import ticket_json
from tests.integration.test_contact_form import FORM, fields, open_form
from ticketing.db.tables import Event, Requester, Ticket
from ticketing.services.mail_ports import MailSource

HANAKO = {
    "name": "Hanako Yamada",
    "email": "hanako@example.test",
    "phone": "03-1234-5678",
    "postal_address": "1-1 Chiyoda, Tokyo",
}
ATTACKER = {"name": "Mallory", "phone": "+1-555-0100", "postal_address": "PO Box 1, Elsewhere"}


async def _ticket(client, staff, reference):  # type: ignore[no-untyped-def]
    r = await client.get(f"/api/v1/tickets/{reference}", headers=staff.headers)
    assert r.status_code == 200, r.text
    return r.json()


async def _first_ticket(client, relia_agent) -> str:  # type: ignore[no-untyped-def]
    r = await client.post("/api/v1/tickets", json=ticket_json(requester=HANAKO), headers=relia_agent.headers)
    assert r.status_code == 201, r.text
    return str(r.json()["reference"])


async def test_the_public_form_cannot_rewrite_an_earlier_ticket(client, relia_agent):
    first = await _first_ticket(client, relia_agent)
    token = await open_form(client)
    r = await client.post(FORM, data=fields(token, email=HANAKO["email"], **ATTACKER))
    assert r.status_code == 201, r.text

    earlier = await _ticket(client, relia_agent, first)
    assert earlier["requester"] == HANAKO  # what the first ticket was opened with, unchanged
    on_file = await Requester.select().where(Requester.email == HANAKO["email"])
    assert len(on_file) == 1
    assert (on_file[0]["name"], on_file[0]["phone"], on_file[0]["postal_address"]) == (
        HANAKO["name"],
        HANAKO["phone"],
        HANAKO["postal_address"],
    )

    second = await Ticket.select(Ticket.reference).where(Ticket.reference != first).first()
    later = await _ticket(client, relia_agent, second["reference"])
    assert later["requester"]["name"] == "Mallory"  # the new ticket shows what was typed into it ...
    assert later["requester_on_file"]["name"] == HANAKO["name"]  # ... beside the record on file
    assert later["flags"]["contact_details_differ"] == ["name", "phone", "postal_address"]
    differ = [e for e in later["events"] if e["action"] == "contact_details_differ"]
    assert len(differ) == 1 and "not changed" in differ[0]["reason"]
    row = await Event.select(Event.data).where(Event.action == "contact_details_differ").first().output(load_json=True)
    assert row["data"] == {"fields": ["name", "phone", "postal_address"], "source": "web"}


async def test_the_api_and_mail_cannot_rewrite_it_either(client, container, relia_agent):
    first = await _first_ticket(client, relia_agent)
    body = ticket_json(requester={"email": HANAKO["email"], **ATTACKER}, language="ja")
    r = await client.post("/api/v1/tickets", json=body, headers=relia_agent.headers)
    assert r.status_code == 201, r.text
    mail = (
        b"From: Someone Else <hanako@example.test>\r\nTo: privacy@relia-group.com\r\n"
        b"Subject: new details\r\nMessage-ID: <m1@example.test>\r\n\r\nMy new address is elsewhere.\r\n"
    )
    assert (await container.mail.ingest("relia", mail, MailSource("pipe"))).action == "created"

    assert (await _ticket(client, relia_agent, first))["requester"] == HANAKO
    requester = await Requester.select().where(Requester.email == HANAKO["email"]).first()
    assert (requester["name"], requester["phone"], requester["language"]) == (HANAKO["name"], HANAKO["phone"], "en")
    sources = await Event.select(Event.data).where(Event.action == "contact_details_differ").output(load_json=True)
    assert [e["data"]["source"] for e in sources] == ["api"]  # a mail's display name is no claim of identity
    mail_ticket = await Ticket.select(Ticket.contact_name).where(Ticket.channel == "email").first()
    assert mail_ticket["contact_name"] == HANAKO["name"]  # a known sender keeps the name on file


async def test_the_same_details_in_another_spelling_are_no_change(client, relia_agent):
    await _first_ticket(client, relia_agent)
    same = {"name": "  hanako   YAMADA ", "email": HANAKO["email"], "phone": "0312345678", "postal_address": ""}
    r = await client.post("/api/v1/tickets", json=ticket_json(requester=same), headers=relia_agent.headers)
    assert r.status_code == 201
    assert await Event.count().where(Event.action == "contact_details_differ") == 0


async def test_only_staff_confirm_a_change_and_earlier_tickets_keep_theirs(client, relia_agent, rcs_agent):
    first = await _first_ticket(client, relia_agent)
    token = await open_form(client)
    await client.post(FORM, data=fields(token, email=HANAKO["email"], name="Hanako Suzuki", phone="090-0000-0000"))
    second = (await Ticket.select(Ticket.reference).where(Ticket.reference != first).first())["reference"]

    r = await client.post(f"/api/v1/tickets/{second}/requester/confirm", headers=rcs_agent.headers)
    assert r.status_code == 404  # another desk's ticket: not found, and nothing changed
    r = await client.post(f"/api/v1/tickets/{second}/requester/confirm")
    assert r.status_code == 401

    r = await client.post(f"/api/v1/tickets/{second}/requester/confirm", headers=relia_agent.headers)
    assert r.status_code == 200, r.text
    assert r.json() == {
        "name": "Hanako Suzuki",
        "email": HANAKO["email"],
        "phone": "090-0000-0000",
        "postal_address": HANAKO["postal_address"],
    }
    later = await _ticket(client, relia_agent, second)
    assert "contact_details_differ" not in later["flags"]
    assert later["requester_on_file"]["name"] == "Hanako Suzuki"
    confirmed = (
        await Event.select(Event.data, Event.actor_label)
        .where(Event.action == "contact_details_confirmed")
        .first()
        .output(load_json=True)
    )
    assert confirmed["actor_label"] == relia_agent.email
    assert confirmed["data"] == {
        "fields": ["name", "phone"],
        "previous": {"name": HANAKO["name"], "phone": HANAKO["phone"]},
    }
    assert (await _ticket(client, relia_agent, first))["requester"] == HANAKO  # history is not rewritten
