"""The JSON API and the public form take internationalised addresses (RFC 6532) and refuse bad ones."""

from __future__ import annotations

import httpx

from tests.conftest import Staff, ticket_json
from ticketing.container import Container
from ticketing.db.tables import Outbox


async def test_an_internationalised_address_opens_a_ticket_and_gets_its_acknowledgement(
    client: httpx.AsyncClient, relia_agent: Staff, container: Container
) -> None:
    body = ticket_json(requester={"name": "山田 花子", "email": "山田@例え.jp"})
    r = await client.post("/api/v1/tickets", json=body, headers=relia_agent.headers)
    assert r.status_code == 201, r.text
    rows = await Outbox.select(Outbox.to_addr, Outbox.kind)
    assert [(row["to_addr"], row["kind"]) for row in rows] == [("山田@例え.jp", "ticket-received")]


async def test_a_bad_address_is_refused_with_the_field_named(client: httpx.AsyncClient, relia_agent: Staff) -> None:
    for bad in ("山田@", "a..b@example.test", "user@exa_mple.test"):
        r = await client.post(
            "/api/v1/tickets", json=ticket_json(requester={"name": "n", "email": bad}), headers=relia_agent.headers
        )
        assert r.status_code == 400, (bad, r.text)
        assert "email" in r.text
