"""Two agents on one ticket: the presence notice (a fragment the open page polls) names the others and
whether they are writing a reply; it forgets a closed page after 45 seconds; it says when the ticket
changed since the page was rendered. Strangers and signed-out polls get nothing."""

from __future__ import annotations

import httpx

from tests.conftest import ticket_json
from tests.integration.test_staff_pages import logged_in
from ticketing.db.tables import AccessLog
from ticketing.db.workspace_tables import TicketPresence


async def test_each_agent_sees_the_other_and_what_they_are_doing(client, app, clock, relia_agent, make_staff) -> None:
    tanaka = await make_staff("tanaka@relia.test", ["relia"])
    r = await client.post("/api/v1/tickets", json=ticket_json(), headers=relia_agent.headers)
    ref = r.json()["reference"]
    await logged_in(client, relia_agent)
    page = await client.get(f"/app/tickets/{ref}")  # opening the page records the agent as viewing
    assert "is viewing" not in page.text.split('id="presence"', 1)[1].split("</div>", 1)[0]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as other:
        await logged_in(other, tanaka)
        seen = await other.get(f"/app/tickets/{ref}/presence", params={"mode": "viewing"})
        assert seen.status_code == 200 and "agent is viewing" in seen.text
        assert "<html" not in seen.text  # a fragment, swapped into the page by htmx
        await other.get(f"/app/tickets/{ref}/presence", params={"mode": "replying"})
        mine = await client.get(f"/app/tickets/{ref}/presence")
        assert "tanaka is replying" in mine.text
        ja = await client.get(f"/app/tickets/{ref}/presence?lang=ja")
        assert "tanaka さんが返信を作成中" in ja.text
        clock.advance(seconds=46)  # tanaka closed the page
        assert "tanaka" not in (await client.get(f"/app/tickets/{ref}/presence")).text
    assert await TicketPresence.count() == 2  # one row per user and ticket, refreshed, never piling up
    # Polls read no personal data of the requester: they are not on the access log.
    assert await AccessLog.count().where(AccessLog.what == "ticket") == 1


async def test_the_notice_says_when_the_ticket_changed_since_the_page_was_rendered(client, relia_agent) -> None:
    r = await client.post("/api/v1/tickets", json=ticket_json(), headers=relia_agent.headers)
    ref = r.json()["reference"]
    await logged_in(client, relia_agent)
    assert "changed since you opened it" not in (await client.get(f"/app/tickets/{ref}/presence?version=0")).text
    r = await client.post(f"/api/v1/tickets/{ref}/transitions", json={"action": "triage"}, headers=relia_agent.headers)
    assert r.status_code == 200
    notice = (await client.get(f"/app/tickets/{ref}/presence?version=0")).text
    assert "changed since you opened it" in notice and f'href="/app/tickets/{ref}"' in notice


async def test_strangers_and_signed_out_polls_get_nothing(client, relia_agent, rcs_agent) -> None:
    r = await client.post("/api/v1/tickets", json=ticket_json(desk="rext-cs"), headers=rcs_agent.headers)
    ref = r.json()["reference"]
    signed_out = await client.get(f"/app/tickets/{ref}/presence")
    assert signed_out.status_code == 401 and signed_out.text == ""
    await logged_in(client, relia_agent)
    assert (await client.get(f"/app/tickets/{ref}/presence")).status_code == 404
    assert (await client.get("/app/tickets/REL-2026-999999/presence")).status_code == 404
    assert await TicketPresence.count() == 0
