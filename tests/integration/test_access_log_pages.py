"""A ticket's access log (/app/tickets/{ref}/access and its API twin): for the managers of the ticket's
desk only, newest first, paged by id, in the desk's zone; reading it is itself logged."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.conftest import ticket_json
from tests.integration.test_staff_pages import logged_in
from tests.integration.test_status_page import catalog
from ticketing.db.tables import AccessLog, StaffUser
from ticketing.domain.access import ticket_named
from ticketing.services.access import PAGE_SIZE
from ticketing.services.ports import Principal
from ticketing.web.access_pages import API_READ, HOW, WHAT


@pytest.fixture
async def staff(make_staff):  # type: ignore[no-untyped-def]
    return {
        "agent": await make_staff("agent@relia.test", ["relia"]),
        "manager": await make_staff("manager@relia.test", ["relia"], role="manager"),
        "other": await make_staff("manager@rext.test", ["rext-cs"], role="manager"),
    }


@pytest.fixture
async def reference(client, staff) -> str:  # type: ignore[no-untyped-def]
    r = await client.post("/api/v1/tickets", json=ticket_json(), headers=staff["agent"].headers)
    assert r.status_code == 201, r.text
    return str(r.json()["reference"])


def rows(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)


async def test_a_manager_sees_who_read_the_ticket_and_their_own_earlier_read(app, client, staff, reference):
    await client.get(f"/api/v1/tickets/{reference}", headers=staff["agent"].headers)
    await logged_in(client, staff["agent"])
    assert (await client.get(f"/app/tickets/{reference}")).status_code == 200
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as browser:
        await logged_in(browser, staff["manager"])
        first = await browser.get(f"/app/tickets/{reference}/access")
        assert first.status_code == 200, first.text
        assert first.headers["cache-control"] == "no-store"
        assert [("Ticket page" in r, "Ticket read through the API" in r) for r in rows(first.text)] == [
            (True, False),  # newest first: the agent's page, then the agent's API read
            (False, True),
        ]
        assert "agent@relia.test" in first.text and "127.0.0.1" in first.text
        assert "2026-11-24 10:00:00" in first.text and "Asia/Tokyo" in first.text  # 01:00 UTC, in the desk's zone
        second = await browser.get(f"/app/tickets/{reference}/access")
    newest = rows(second.text)[0]
    assert "This access log" in newest and "manager@relia.test" in newest and "Web page" in newest
    logged = await AccessLog.select().where(AccessLog.what == "access_log").order_by(AccessLog.id)
    manager = await StaffUser.select(StaffUser.id).where(StaffUser.email == "manager@relia.test").first()
    assert [(r["user"], r["target"], r["via"], r["desk"], r["rows_shown"]) for r in logged] == [
        (manager["id"], reference, "web", "relia", 2),
        (manager["id"], reference, "web", "relia", 3),
    ]
    assert all(r["ticket"] is not None for r in logged)


async def test_an_agent_and_another_desks_manager_get_404(app, client, staff, reference):
    await logged_in(client, staff["agent"])
    refused = await client.get(f"/app/tickets/{reference}/access")
    missing = await client.get("/app/tickets/REL-2026-999999/access")
    assert refused.status_code == missing.status_code == 404
    assert refused.text.replace(reference, "X") == missing.text.replace("REL-2026-999999", "X")
    assert refused.text == (await client.get("/app/tickets/REL-2026-999999")).text  # as a missing ticket
    assert "Hanako" not in refused.text
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as other:
        await logged_in(other, staff["other"])
        assert (await other.get(f"/app/tickets/{reference}/access")).status_code == 404
        assert (await other.get(f"/app/tickets/{reference}")).status_code == 404
    assert await AccessLog.count().where(AccessLog.what == "access_log") == 0
    # The refusals are on the ticket's log, for its managers to see.
    await logged_in(client, staff["manager"])
    page = (await client.get(f"/app/tickets/{reference}/access")).text
    attempts = [r for r in rows(page) if "Refused" in r]
    assert len(attempts) == 3
    assert "manager@rext.test" in attempts[0] and f"GET /app/tickets/{reference}</code>" in attempts[0]
    assert "agent@relia.test" in attempts[2] and f"GET /app/tickets/{reference}/access" in attempts[2]
    assert "REL-2026-999999" not in page  # no ticket of that name: on no ticket's log


async def test_the_log_is_paged_newest_first(client, container, staff, reference):
    user = await StaffUser.select(StaffUser.id).where(StaffUser.email == "agent@relia.test").first()
    agent = Principal(user["id"], "agent@relia.test", {"relia": "agent"}, via="api", client="192.0.2.7")
    for _ in range(PAGE_SIZE + 5):
        await container.queries.detail_for_staff(agent, reference)
    await logged_in(client, staff["manager"])
    first = (await client.get(f"/app/tickets/{reference}/access")).text
    assert len(rows(first)) == PAGE_SIZE and "Newest entries" not in first
    older = re.search(rf'href="/app/tickets/{reference}/access\?before=(\d+)" rel="next"', first)
    assert older, "no link to the older entries"
    reads = sorted(r["id"] for r in await AccessLog.select(AccessLog.id).where(AccessLog.what == "ticket"))
    assert int(older.group(1)) == reads[5]  # the last of the first page: the 50th newest of 55 reads
    second = (await client.get(f"/app/tickets/{reference}/access", params={"before": older.group(1)})).text
    assert len(rows(second)) == 5 and "192.0.2.7" in second
    assert "Older entries" not in second and "Newest entries" in second
    assert (await client.get(f"/app/tickets/{reference}/access", params={"before": "0"})).status_code == 400
    assert (await client.get(f"/app/tickets/{reference}/access", params={"before": "x"})).status_code == 400
    huge = await client.get(f"/app/tickets/{reference}/access", params={"before": str(2**70)})
    assert huge.status_code == 200 and len(rows(huge.text)) == PAGE_SIZE


async def test_the_api_twin(client, staff, reference):
    for _ in range(3):
        await client.get(f"/api/v1/tickets/{reference}", headers=staff["agent"].headers)
    path = f"/api/v1/tickets/{reference}/access"
    r = await client.get(path, params={"limit": 2}, headers=staff["manager"].headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["reference"], body["desk"]) == (reference, "relia")
    assert [(e["user"], e["via"], e["what"], e["allowed"]) for e in body["entries"]] == [
        ("agent@relia.test", "api", "ticket", True),
        ("agent@relia.test", "api", "ticket", True),
    ]
    assert body["entries"][0]["at"] == "2026-11-24T01:00:00Z" and body["entries"][0]["client"] == "127.0.0.1"
    r = await client.get(path, params={"limit": 2, "before": body["next_before"]}, headers=staff["manager"].headers)
    last = r.json()
    assert [e["what"] for e in last["entries"]] == ["ticket"] and last["next_before"] is None
    assert last["entries"][0]["id"] < body["entries"][-1]["id"]
    r = await client.get(path, params={"limit": 2}, headers=staff["manager"].headers)
    assert [e["what"] for e in r.json()["entries"]] == ["access_log", "access_log"]  # the manager's earlier reads
    for who in ("agent", "other"):
        r = await client.get(path, headers=staff[who].headers)
        assert r.status_code == 404 and r.json()["detail"] == f"ticket {reference!r} not found"
    assert (await client.get(path)).status_code == 401
    assert (await client.get(path, params={"limit": 0}, headers=staff["manager"].headers)).status_code == 400
    reads = await AccessLog.select(AccessLog.via).where(AccessLog.what == "access_log")
    assert [r["via"] for r in reads] == ["api", "api", "api"]
    schema = (await client.get("/schema/openapi.json")).json()
    assert "/api/v1/tickets/{reference}/access" in schema["paths"]


async def test_the_page_speaks_japanese(client, staff, reference):
    await logged_in(client, staff["manager"])
    page = (await client.get(f"/app/tickets/{reference}/access", params={"lang": "ja"})).text
    assert '<html lang="ja">' in page and catalog("ja")["Access log"] in page
    assert catalog("ja")["This access log"] not in page  # the manager's first read is not on its own page
    ja = catalog("ja")
    words = [*WHAT.values(), API_READ, *HOW.values()]
    assert [w for w in words if not ja.get(w, "").strip()] == []
    assert [w for w in words if w not in catalog("en")] == []


@pytest.mark.parametrize(
    ("target", "reference"),
    [
        ("GET /app/tickets/REL-2026-000001", "REL-2026-000001"),
        ("GET /app/tickets/REL-2026-000001/access", "REL-2026-000001"),
        ("PUT /api/v1/tickets/RCS-2026-000045/assignee", "RCS-2026-000045"),
        ("GET /app/tickets/not-a-reference", None),
        ("GET /api/v1/mail/12/raw", None),
        ("GET /app/tickets/", None),
        ("desks:relia", None),
    ],
)
def test_the_ticket_a_refused_request_names(target: str, reference: str | None) -> None:
    assert ticket_named(target) == reference
