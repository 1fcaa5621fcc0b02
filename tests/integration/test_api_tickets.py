"""POST/GET /api/v1/tickets against a real database."""

from __future__ import annotations

from tests.conftest import ticket_json
from ticketing.db.tables import AccessLog, Event, Outbox, Ticket


async def test_create_and_read_ticket(client, relia_agent, container):
    r = await client.post("/api/v1/tickets", json=ticket_json(), headers=relia_agent.headers)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["reference"] == "REL-2026-000001"
    assert body["state"] == "received"
    assert body["status_url"].startswith("http://testserver/status/")

    r = await client.get(f"/api/v1/tickets/{body['reference']}", headers=relia_agent.headers)
    assert r.status_code == 200, r.text
    t = r.json()
    assert t["requester"]["email"] == "hanako@example.test"
    assert t["messages"][0]["text"] == "Please tell me which personal data you keep."
    assert [e["action"] for e in t["events"]] == ["created"]
    assert t["events"][0]["actor"] == "agent@relia.test"

    outbox = await Outbox.select().where(Outbox.kind == "ticket-received")
    assert len(outbox) == 1 and outbox[0]["to_addr"] == "hanako@example.test"
    assert "[REL-2026-000001]" in outbox[0]["subject"]
    reads = await AccessLog.select().where(AccessLog.what == "ticket")
    assert [(r["target"], r["via"], r["allowed"]) for r in reads] == [("REL-2026-000001", "api", True)]


async def test_references_count_per_desk_and_year(client, relia_agent, rcs_agent):
    refs = []
    for staff, desk in ((relia_agent, "relia"), (relia_agent, "relia"), (rcs_agent, "rext-cs")):
        r = await client.post("/api/v1/tickets", json=ticket_json(desk=desk, language="ja"), headers=staff.headers)
        assert r.status_code == 201, r.text
        refs.append(r.json()["reference"])
    assert refs == ["REL-2026-000001", "REL-2026-000002", "RCS-2026-000001"]


async def test_agent_of_other_desk_gets_404(client, relia_agent, rcs_agent):
    r = await client.post("/api/v1/tickets", json=ticket_json(), headers=relia_agent.headers)
    ref = r.json()["reference"]
    r = await client.get(f"/api/v1/tickets/{ref}", headers=rcs_agent.headers)
    assert r.status_code == 404
    assert "hanako" not in r.text
    r = await client.get("/api/v1/tickets", headers=rcs_agent.headers)
    assert r.status_code == 200 and r.json() == []
    assert await AccessLog.count().where(AccessLog.what == "ticket") == 0
    refused = await AccessLog.select().where(AccessLog.allowed == False)  # noqa: E712
    assert [r["target"] for r in refused] == [f"GET /api/v1/tickets/{ref}"]  # the attempt is on record


async def test_creating_on_a_desk_you_do_not_belong_to_is_forbidden(client, rcs_agent):
    r = await client.post("/api/v1/tickets", json=ticket_json(desk="relia"), headers=rcs_agent.headers)
    assert r.status_code == 403
    assert "relia" in r.json()["detail"]
    assert await Ticket.count() == 0


async def test_unknown_desk_is_404(client, relia_agent):
    r = await client.post("/api/v1/tickets", json=ticket_json(desk="nope"), headers=relia_agent.headers)
    assert r.status_code == 404
    assert "nope" in r.json()["detail"]


async def test_auth_is_required(client):
    assert (await client.post("/api/v1/tickets", json=ticket_json())).status_code == 401
    bad = {"Authorization": "Bearer tkt_not-a-token"}
    r = await client.get("/api/v1/tickets/REL-2026-000001", headers=bad)
    assert r.status_code == 401 and "token" in r.json()["detail"]


async def test_agent_can_log_a_phone_call_without_email(client, relia_agent):
    body = ticket_json(channel="phone", requester={"name": "Taro Sato", "phone": "03-1234-5678"})
    r = await client.post("/api/v1/tickets", json=body, headers=relia_agent.headers)
    assert r.status_code == 201, r.text
    assert await Outbox.count() == 0  # nobody to acknowledge by mail
    t = (await client.get(f"/api/v1/tickets/{r.json()['reference']}", headers=relia_agent.headers)).json()
    assert t["channel"] == "phone" and t["requester"]["phone"] == "03-1234-5678"


async def test_statutory_request_with_types(client, relia_agent):
    body = ticket_json(category="request", request_types=["disclosure", "correction"])
    r = await client.post("/api/v1/tickets", json=body, headers=relia_agent.headers)
    assert r.status_code == 201, r.text
    row = await Ticket.select(Ticket.request_types).first().output(load_json=True)
    assert row["request_types"] == ["disclosure", "correction"]
    assert await Event.count() == 1


async def test_openapi_schema_lists_the_api(client):
    r = await client.get("/schema/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    assert "/api/v1/tickets" in paths and "/api/v1/tickets/{reference}" in paths
