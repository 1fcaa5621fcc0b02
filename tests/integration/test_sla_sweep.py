"""The sweep climbs the escalation ladder: each rung once, only while the desk is open.

relia calendar (09:30-12:00, 13:00-17:00 JST Mon-Fri); tickets arrive Tue 2026-11-24 10:00 JST.
A complaint's first-response clock (240 business minutes) has its rungs at 50 % = 12:00 (the
lunch closing, so it fires at 13:00), 80 % = 14:12, 100 % = 15:00, and breach + 1 business day
= Wed 17:00 (closing again, so Thu 09:30).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from tests.conftest import ticket_json
from ticketing.db.tables import Event, Outbox, SlaFiring, Ticket


def jst(text: str) -> datetime:
    return datetime.fromisoformat(text + "+09:00").astimezone(UTC)


@pytest.fixture
async def people(make_staff, relia_agent):  # type: ignore[no-untyped-def]
    manager = await make_staff("cpo@relia.test", ["relia"], role="manager")
    admin = await make_staff("admin@relia.test", ["relia"], role="admin")
    return relia_agent, manager, admin


async def create(client, staff, **overrides):  # type: ignore[no-untyped-def]
    r = await client.post("/api/v1/tickets", json=ticket_json(**overrides), headers=staff.headers)
    assert r.status_code == 201, r.text
    return r.json()["reference"]


async def sla_mail() -> list[dict]:  # type: ignore[type-arg]
    return list(await Outbox.select().where(Outbox.kind.is_in(["sla-warning", "sla-breached"])).order_by(Outbox.id))


async def fired(clock_kind: str | None = None) -> list[tuple[str, str]]:
    rows = (
        await Event.select(Event.action, Event.data)
        .where(Event.action.is_in(["sla_warning", "sla_breached"]))
        .order_by(Event.id)
        .output(load_json=True)
    )
    return [
        (r["data"]["clock"], r["data"]["stage"]) for r in rows if clock_kind is None or r["data"]["clock"] == clock_kind
    ]


async def test_each_rung_fires_once_at_its_time_to_its_people(client, container, people):
    agent, manager, admin = people
    await create(client, agent, category="complaint")
    sweep = container.sla.sweep

    assert (await sweep(jst("2026-11-24T12:30:00"))).firings == 0  # the 12:00 rung waits for 13:00
    assert (await sweep(jst("2026-11-24T13:00:00"))).firings == 1
    assert (await sweep(jst("2026-11-24T13:00:00"))).firings == 0  # a second sweep fires nothing
    assert (await sweep(jst("2026-11-24T14:11:00"))).firings == 0
    assert (await sweep(jst("2026-11-24T14:12:00"))).firings == 1
    assert (await sweep(jst("2026-11-24T15:00:00"))).firings == 1
    assert (await sweep(jst("2026-11-25T17:00:00"))).firings == 0  # closing time: waits for Thu 09:30
    assert (await sweep(jst("2026-11-26T09:30:00"))).firings == 1
    assert await fired() == [
        ("first_response", "50%"),
        ("first_response", "80%"),
        ("first_response", "100%"),
        ("first_response", "breach+1bd"),
    ]
    mails = await sla_mail()
    assert [(m["kind"], m["to_addr"]) for m in mails] == [
        ("sla-warning", agent.email),  # unassigned: the desk's agents
        ("sla-warning", agent.email),
        ("sla-breached", manager.email),  # 100 %: the privacy manager
        ("sla-breached", admin.email),  # breach + 1 business day: second level (the desk's admins)
    ]
    assert all(m["subject"].startswith("[REL-2026-000001]") for m in mails)
    assert await SlaFiring.count() == 4
    ticket = await Ticket.select().first()
    assert ticket["first_response_due_at"] == jst("2026-11-24T15:00:00")


async def test_warnings_go_to_the_assignee_once_assigned(client, container, people, make_staff):
    agent, _, _ = people
    other = await make_staff("other@relia.test", ["relia"])
    ref = await create(client, agent, category="complaint")
    r = await client.put(f"/api/v1/tickets/{ref}/assignee", json={"assignee": other.email}, headers=agent.headers)
    assert r.status_code == 200
    await container.sla.sweep(jst("2026-11-24T13:00:00"))
    assert [m["to_addr"] for m in await sla_mail()] == [other.email]


async def test_a_late_sweep_records_every_rung_but_mails_only_the_last(client, container, people):
    agent, manager, _ = people
    await create(client, agent, category="complaint")
    report = await container.sla.sweep(jst("2026-11-25T10:00:00"))  # 50 %, 80 % and 100 % all passed
    assert report.firings == 3
    assert await fired() == [("first_response", "50%"), ("first_response", "80%"), ("first_response", "100%")]
    assert [(m["kind"], m["to_addr"]) for m in await sla_mail()] == [("sla-breached", manager.email)]
    events = await Event.select(Event.data).where(Event.action == "sla_warning").output(load_json=True)
    assert all(e["data"]["superseded"] for e in events)


async def test_statutory_warning_at_night_waits_for_the_next_opening(client, container, people):
    agent, manager, _ = people
    ref = await create(client, agent, category="request", request_types=["disclosure"], channel="post")
    # Statutory clock: Tue 11/24 10:00 -> end of Tue 12/8 (23:59:59). Its 80 % point is Sun 12/6
    # 01:59:59, a closed day: the warning goes out at Mon 12/7 09:30.
    await container.sla.sweep(jst("2026-12-06T12:00:00"))
    assert ("statutory", "80%") not in await fired("statutory")
    await container.sla.sweep(jst("2026-12-07T09:30:00"))
    assert await fired("statutory") == [("statutory", "50%"), ("statutory", "80%")]
    ticket = await Ticket.select(Ticket.flags).where(Ticket.reference == ref).first().output(load_json=True)
    assert not ticket["flags"].get("litigation_eligible")
    # 100 % is 23:59:59 on Tue 12/8; it fires at Wed 09:30 and flags the ticket.
    await container.sla.sweep(jst("2026-12-08T23:59:59"))
    assert ("statutory", "100%") not in await fired("statutory")
    await container.sla.sweep(jst("2026-12-09T09:30:00"))
    assert ("statutory", "100%") in await fired("statutory")
    ticket = await Ticket.select(Ticket.flags).where(Ticket.reference == ref).first().output(load_json=True)
    assert ticket["flags"]["litigation_eligible"] is True
    breached = [m for m in await sla_mail() if m["kind"] == "sla-breached" and manager.email == m["to_addr"]]
    assert breached


async def test_paused_and_stopped_clocks_do_not_fire(client, container, people):
    agent, _, _ = people
    paused = await create(client, agent, category="complaint")
    replied = await create(client, agent, category="complaint")
    for action in ("triage", "request_documents"):
        await client.post(f"/api/v1/tickets/{paused}/transitions", json={"action": action}, headers=agent.headers)
    await client.post(f"/api/v1/tickets/{replied}/replies", json={"text": "Looking into it."}, headers=agent.headers)
    await container.sla.sweep(jst("2026-11-24T16:00:00"))
    assert await fired("first_response") == []


async def test_concurrent_sweeps_fire_each_rung_once(client, container, people):
    agent, _, _ = people
    for _ in range(20):
        await create(client, agent, category="complaint")
    now = jst("2026-11-25T10:00:00")
    reports = await asyncio.gather(*(container.sla.sweep(now) for _ in range(4)))
    assert sum(r.firings for r in reports) == 60  # 20 tickets x (50 %, 80 %, 100 %)
    assert await SlaFiring.count() == 60
    assert len(await sla_mail()) == 20  # one mail per ticket: the manager's breach notice
