"""The workspace's queues at /app: what each holds, the counts, filters, keyset paging, desk isolation.

relia tickets arrive Tue 2026-11-24 10:00 JST (the frozen clock). A complaint's first-response clock
(240 business minutes) warns at 12:00 (fired at 13:00, after lunch), and is due at 15:00.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from tests.conftest import ticket_json
from tests.integration.test_staff_pages import logged_in
from ticketing.db.tables import AccessLog, Ticket
from ticketing.domain.queues import NO_DUE


def jst(text: str) -> datetime:
    return datetime.fromisoformat(text + "+09:00").astimezone(UTC)


async def create(client, staff, **overrides) -> str:  # type: ignore[no-untyped-def]
    r = await client.post("/api/v1/tickets", json=ticket_json(**overrides), headers=staff.headers)
    assert r.status_code == 201, r.text
    return str(r.json()["reference"])


async def move(client, staff, ref: str, *actions: str) -> None:  # type: ignore[no-untyped-def]
    for action in actions:
        r = await client.post(f"/api/v1/tickets/{ref}/transitions", json={"action": action}, headers=staff.headers)
        assert r.status_code == 200, r.text


def refs(page: str) -> list[str]:
    """The references in the results table, in order."""
    body = page.split('<section id="results"', 1)[1]
    return re.findall(r'<a class="ref" href="/app/tickets/([A-Z]+-\d{4}-\d{6})">', body)


def counts(page: str) -> dict[str, str]:
    return dict(re.findall(r'<span class="count" id="count-([a-z_]+)">([0-9+]+)</span>', page))


@pytest.fixture
async def desk(client, container, clock, relia_agent, make_staff):  # type: ignore[no-untyped-def]
    """Five relia tickets, one in each situation, and one rext-cs ticket."""
    other = await make_staff("other@relia.test", ["relia"])
    mine = await create(client, relia_agent, subject="Mine")
    r = await client.put(
        f"/api/v1/tickets/{mine}/assignee", json={"assignee": relia_agent.email}, headers=relia_agent.headers
    )
    assert r.status_code == 200, r.text
    theirs = await create(client, relia_agent, subject="Theirs")
    r = await client.put(
        f"/api/v1/tickets/{theirs}/assignee", json={"assignee": other.email}, headers=relia_agent.headers
    )
    assert r.status_code == 200, r.text
    waiting = await create(client, relia_agent, subject="Waiting")
    await move(client, relia_agent, waiting, "triage", "request_documents")
    complaint = await create(client, relia_agent, subject="Complaint", category="complaint")
    done = await create(client, relia_agent, subject="Done")
    await move(client, relia_agent, done, "triage", "start_work", "respond")
    rcs = await create(client, (await make_staff("a@rext.test", ["rext-cs"])), desk="rext-cs", subject="RCS")
    return {"mine": mine, "theirs": theirs, "waiting": waiting, "complaint": complaint, "done": done, "rcs": rcs}


async def test_each_queue_holds_its_tickets_sorted_by_the_next_deadline(client, container, clock, relia_agent, desk):
    await logged_in(client, relia_agent)
    page = (await client.get("/app", params={"queue": "open"})).text
    # The complaint's first response is due first (15:00 today); the inquiries the next day; the
    # ticket waiting on its requester has no running clock, so it comes last.
    assert refs(page) == [desk["complaint"], desk["mine"], desk["theirs"], desk["waiting"]]
    assert desk["rcs"] not in page and desk["done"] not in refs(page)
    assert refs((await client.get("/app?queue=mine")).text) == [desk["mine"]]
    assert refs((await client.get("/app?queue=unassigned")).text) == [desk["complaint"], desk["waiting"]]
    assert refs((await client.get("/app?queue=waiting")).text) == [desk["waiting"]]
    assert refs((await client.get("/app?queue=closed")).text) == [desk["done"]]
    assert refs((await client.get("/app?queue=at_risk")).text) == []
    assert refs((await client.get("/app?queue=breached")).text) == []
    assert counts(page) == {
        "mine": "1",
        "unassigned": "2",
        "waiting": "1",
        "at_risk": "0",
        "breached": "0",
        "open": "4",
        "closed": "1",
    }
    # The navigation names are the accessible names outside checks use (DESIGN §3).
    for name in ("Mine", "Unassigned", "At risk", "Breached", "All open"):
        assert re.search(rf'aria-describedby="count-[a-z_]+">{name}</a>', page), name


async def test_a_warning_puts_a_ticket_at_risk_and_a_passed_deadline_in_breached(
    client, container, clock, relia_agent, desk
):
    await logged_in(client, relia_agent)
    await container.sla.sweep(jst("2026-11-24T13:00:00"))  # the 50 % rung of the complaint fires
    row = await Ticket.select(Ticket.risk, Ticket.next_due_at).where(Ticket.reference == desk["complaint"]).first()
    assert row["risk"] == 1 and row["next_due_at"] == jst("2026-11-24T15:00:00")
    clock.at = jst("2026-11-24T13:05:00")
    assert refs((await client.get("/app?queue=at_risk")).text) == [desk["complaint"]]
    clock.at = jst("2026-11-24T15:00:00")  # due now: breached at once, before any sweep says so
    assert refs((await client.get("/app?queue=breached")).text) == [desk["complaint"]]
    assert refs((await client.get("/app?queue=at_risk")).text) == []
    await container.sla.sweep(jst("2026-11-24T15:00:00"))
    row = await Ticket.select(Ticket.risk).where(Ticket.reference == desk["complaint"]).first()
    assert row["risk"] == 2
    page = (await client.get("/app?queue=breached")).text
    assert 'class="overdue"' in page and "overdue" in page
    # Replying stops the first-response clock: the ticket leaves both queues.
    r = await client.post(
        f"/api/v1/tickets/{desk['complaint']}/replies", json={"text": "We are on it."}, headers=relia_agent.headers
    )
    assert r.status_code == 201, r.text
    row = await Ticket.select(Ticket.risk, Ticket.next_due_at).where(Ticket.reference == desk["complaint"]).first()
    assert row["risk"] == 0 and row["next_due_at"] > jst("2026-11-24T15:00:00")
    assert refs((await client.get("/app?queue=breached")).text) == []


async def test_settling_and_waiting_set_the_queue_columns(client, relia_agent, desk):
    rows = {r["reference"]: r for r in await Ticket.select(Ticket.reference, Ticket.next_due_at, Ticket.version)}
    assert rows[desk["done"]]["next_due_at"] is None  # settled: in no open queue
    assert rows[desk["waiting"]]["next_due_at"] == NO_DUE  # open, no clock running
    assert rows[desk["done"]]["version"] == 3 and rows[desk["complaint"]]["version"] == 0
    await move(client, relia_agent, desk["done"], "reopen")
    row = await Ticket.select(Ticket.next_due_at).where(Ticket.reference == desk["done"]).first()
    assert row["next_due_at"] is not None and row["next_due_at"] < NO_DUE


async def test_filters_narrow_a_queue_and_bad_values_are_400(client, relia_agent, desk):
    await logged_in(client, relia_agent)
    page = (await client.get("/app", params={"queue": "open", "category": "complaint"})).text
    assert refs(page) == [desk["complaint"]] and counts(page)["open"] == "1"
    assert refs((await client.get("/app", params={"queue": "open", "assignee": "none"})).text) == [
        desk["complaint"],
        desk["waiting"],
    ]
    assert refs((await client.get("/app", params={"queue": "open", "state": "awaiting_documents"})).text) == [
        desk["waiting"]
    ]
    for params in (
        {"category": "gossip"},
        {"state": "nowhere"},
        {"assignee": "x"},
        {"desk": "rext-cs"},
        {"after": "zz"},
    ):
        r = await client.get("/app", params={"queue": "open", **params})
        assert r.status_code == 400, params
        assert "Traceback" not in r.text
    assert (await client.get("/app", params={"queue": "everything"})).status_code == 404


async def test_keyset_pages_cover_the_queue_once_in_order(client, relia_agent):
    made = [await create(client, relia_agent, subject=f"Bulk {i}") for i in range(57)]
    await logged_in(client, relia_agent)
    page = (await client.get("/app?queue=open")).text
    first = refs(page)
    assert len(first) == 50 and counts(page)["open"] == "57"
    link = re.search(r'<a rel="next" href="([^"]+)">', page)
    assert link
    second = refs((await client.get(link.group(1).replace("&amp;", "&"))).text)
    assert len(second) == 7 and not set(first) & set(second)
    assert first + second == made  # same due instant (same arrival): by id


async def test_another_desks_agent_sees_none_of_it(client, make_staff, desk):
    stranger = await make_staff("b@rext.test", ["rext-cs"])
    await logged_in(client, stranger)
    for queue in ("mine", "unassigned", "waiting", "at_risk", "breached", "open", "closed"):
        page = (await client.get("/app", params={"queue": queue})).text
        assert not any(ref.startswith("REL-") for ref in refs(page)), queue
    assert refs((await client.get("/app?queue=open")).text) == [desk["rcs"]]
    lists = await AccessLog.select(AccessLog.target, AccessLog.rows_shown).where(AccessLog.what == "ticket_list")
    assert {"target": "queue:open desks:rext-cs", "rows_shown": 1} in lists
