"""The inbound-mail log over the API: managers of the desk only, raw download, dismiss and release."""

from __future__ import annotations

from pathlib import Path

from tests.mailbuilder import make_mail
from ticketing.db.tables import InboundMail, Outbox, Ticket
from ticketing.services.mail_ports import MailSource

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "mail"
MALFORMED = (CORPUS / "malformed-no-from.eml").read_bytes()
BULK = (CORPUS / "precedence-bulk.eml").read_bytes()


async def test_managers_see_quarantined_and_ignored_mail_of_their_desks_only(client, container, make_staff) -> None:
    manager = await make_staff("manager@relia.test", ["relia"], role="manager")
    agent = await make_staff("agent@relia.test", ["relia"])
    other = await make_staff("manager@rext.test", ["rext-cs"], role="manager")
    await container.mail.ingest("relia", MALFORMED, MailSource("pipe"))
    await container.mail.ingest("relia", BULK, MailSource("pipe"))
    await container.mail.ingest("relia", make_mail(), MailSource("pipe"))
    r = await client.get("/api/v1/mail", headers=manager.headers)
    assert r.status_code == 200
    rows = r.json()
    assert sorted(x["action"] for x in rows) == ["ignored", "quarantined"]
    quarantined = next(x for x in rows if x["action"] == "quarantined")
    assert quarantined["defects"] and "sender" in quarantined["reason"]
    every = await client.get("/api/v1/mail?action=created&action=quarantined&action=ignored", headers=manager.headers)
    assert len(every.json()) == 3
    assert (await client.get("/api/v1/mail", headers=agent.headers)).json() == []
    assert (await client.get("/api/v1/mail", headers=other.headers)).json() == []
    assert (await client.get(f"/api/v1/mail/{quarantined['id']}", headers=other.headers)).status_code == 404
    assert (await client.get("/api/v1/mail?desk=rext-cs", headers=manager.headers)).status_code == 404
    raw = await client.get(f"/api/v1/mail/{quarantined['id']}/raw", headers=manager.headers)
    assert raw.status_code == 200 and raw.content == MALFORMED
    assert raw.headers["content-type"].startswith("message/rfc822")
    assert "attachment" in raw.headers["content-disposition"] and raw.headers["x-content-type-options"] == "nosniff"
    assert (await client.get(f"/api/v1/mail/{quarantined['id']}/raw", headers=agent.headers)).status_code == 404


async def test_a_manager_releases_ignored_mail_into_a_ticket_once(client, container, make_staff) -> None:
    manager = await make_staff("manager@relia.test", ["relia"], role="manager")
    result = await container.mail.ingest("relia", BULK, MailSource("pipe"))
    assert result.action == "ignored"
    url = f"/api/v1/mail/{result.inbound_id}/review"
    r = await client.post(url, json={"review": "released"}, headers=manager.headers)
    assert r.status_code == 200, r.text
    reference = r.json()["ticket"]
    assert reference and await Ticket.count() == 1
    assert await Outbox.count() == 0  # robot mail let in by a person is still never auto-answered
    row = await InboundMail.select().first()
    assert row["review"] == "released" and row["ticket"] is not None
    assert (await client.post(url, json={"review": "released"}, headers=manager.headers)).status_code == 409
    quarantined = await container.mail.ingest("relia", MALFORMED, MailSource("pipe"))
    no_sender = await client.post(
        f"/api/v1/mail/{quarantined.inbound_id}/review", json={"review": "released"}, headers=manager.headers
    )
    assert no_sender.status_code == 409
    dismissed = await client.post(
        f"/api/v1/mail/{quarantined.inbound_id}/review", json={"review": "dismissed"}, headers=manager.headers
    )
    assert dismissed.status_code == 200
    assert (await client.post(url, json={"review": "maybe"}, headers=manager.headers)).status_code == 400
