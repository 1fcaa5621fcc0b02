"""Clocks start with a ticket, pause while waiting on the requester, stop on reply or settlement.

All on the relia calendar (09:30-12:00, 13:00-17:00 JST, Mon-Fri); the frozen clock starts on
Tue 2026-11-24 10:00 JST. Expected instants are worked out by hand in the comments.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tests.conftest import ticket_json
from ticketing.db.tables import ClockPause, Event, SlaClock, Ticket

JST_OFFSET = "+09:00"


def jst(text: str) -> datetime:
    return datetime.fromisoformat(text + JST_OFFSET).astimezone(UTC)


async def create(client, staff, **overrides):  # type: ignore[no-untyped-def]
    r = await client.post("/api/v1/tickets", json=ticket_json(**overrides), headers=staff.headers)
    assert r.status_code == 201, r.text
    return r.json()["reference"]


async def clocks(reference: str) -> dict[str, dict]:  # type: ignore[type-arg]
    ticket = await Ticket.select(Ticket.id).where(Ticket.reference == reference).first()
    rows = await SlaClock.select().where(SlaClock.ticket == ticket["id"]).output(load_json=True)
    return {r["kind"]: r for r in rows}


async def test_complaint_gets_first_response_and_resolution_clocks(client, relia_agent):
    ref = await create(client, relia_agent, category="complaint")
    c = await clocks(ref)
    assert set(c) == {"first_response", "resolution"}
    # 240 business minutes from Tue 10:00: 10:00-12:00 (120) + 13:00-15:00 (120).
    assert c["first_response"]["due_at"] == jst("2026-11-24T15:00:00")
    # 10 business days after Tue 11/24 (which never counts): 25,26,27,30, 1,2,3,4,7,8 -> Tue 12/8 17:00.
    assert c["resolution"]["due_at"] == jst("2026-12-08T17:00:00")
    # The 50 % rung sits at 12:00, the lunch closing: it waits for the 13:00 opening.
    assert c["first_response"]["next_fire_at"] == jst("2026-11-24T13:00:00")
    assert c["first_response"]["policy"]["target"] == {"amount": 240, "unit": "business_minutes"}
    assert c["first_response"]["policy"]["calendar_version"]
    ticket = await Ticket.select().where(Ticket.reference == ref).first()
    assert ticket["first_response_due_at"] == jst("2026-11-24T15:00:00")
    assert ticket["resolution_due_at"] == jst("2026-12-08T17:00:00")
    assert ticket["statutory_due_at"] is None


async def test_statutory_request_has_the_art_39_clock(client, relia_agent):
    ref = await create(client, relia_agent, category="request", request_types=["disclosure"], channel="post")
    c = await clocks(ref)
    # Arrival Tue 11/24; the two weeks run from 11/25 and end at the end of 12/8.
    assert c["statutory"]["due_at"] == jst("2026-12-08T23:59:59")
    # 1 business day first response: closing time of Wed 11/25.
    assert c["first_response"]["due_at"] == jst("2026-11-25T17:00:00")


async def test_the_pre_suit_period_runs_only_for_the_types_art_39_names(client, relia_agent):
    purpose = await create(
        client, relia_agent, category="request", request_types=["purpose_notification"], channel="post"
    )
    c = await clocks(purpose)
    assert "statutory" not in c and {"first_response", "resolution"} <= set(c)  # Art. 32(2) is not in Art. 39
    ticket = await Ticket.select().where(Ticket.reference == purpose).first()
    assert ticket["statutory_due_at"] is None
    both = await create(
        client, relia_agent, category="request", request_types=["purpose_notification", "correction"], channel="post"
    )
    assert (await clocks(both))["statutory"]["due_at"] == jst("2026-12-08T23:59:59")


async def test_letter_logged_later_counts_from_its_arrival(client, relia_agent):
    ref = await create(
        client,
        relia_agent,
        category="request",
        request_types=["disclosure"],
        channel="post",
        received_at="2026-11-20T11:00:00+09:00",
    )
    c = await clocks(ref)
    assert c["statutory"]["due_at"] == jst("2026-12-04T23:59:59")
    bad = await client.post(
        "/api/v1/tickets", json=ticket_json(received_at="2026-11-20 11:00"), headers=relia_agent.headers
    )
    assert bad.status_code == 400 and "received_at" in bad.json()["errors"]
    future = await client.post(
        "/api/v1/tickets", json=ticket_json(received_at="2027-01-01T00:00:00+09:00"), headers=relia_agent.headers
    )
    assert future.status_code == 400


async def test_sla_endpoint_explains_each_clock(client, relia_agent, rcs_agent, clock):
    ref = await create(client, relia_agent, category="complaint")
    clock.advance(hours=1)  # Tue 11:00
    r = await client.get(f"/api/v1/tickets/{ref}/sla", headers=relia_agent.headers)
    assert r.status_code == 200, r.text
    body = {c["clock"]: c for c in r.json()["clocks"]}
    fr = body["first_response"]
    assert fr["business_minutes_used"] == 60 and fr["business_minutes_left"] == 180
    assert fr["policy"]["desk"] == "relia" and fr["policy"]["category"] == "complaint"
    assert [s["key"] for s in fr["stages"]] == ["50%", "80%", "100%", "breach+1bd"]
    stage_at = {s["key"]: s["at"] for s in fr["stages"]}
    assert datetime.fromisoformat(stage_at["80%"]) == jst("2026-11-24T14:12:00")  # 192 min: 120 + 72
    assert datetime.fromisoformat(stage_at["breach+1bd"]) == jst("2026-11-25T17:00:00")
    assert fr["met"] is None and fr["pauses"] == []
    assert (await client.get(f"/api/v1/tickets/{ref}/sla", headers=rcs_agent.headers)).status_code == 404


async def test_first_human_reply_stops_the_first_response_clock(client, relia_agent, clock):
    ref = await create(client, relia_agent, category="complaint")
    clock.advance(minutes=30)
    r = await client.post(f"/api/v1/tickets/{ref}/replies", json={"text": "We are on it."}, headers=relia_agent.headers)
    assert r.status_code == 201, r.text
    c = await clocks(ref)
    assert c["first_response"]["stopped_at"] == jst("2026-11-24T10:30:00")
    assert c["first_response"]["next_fire_at"] is None and c["first_response"]["breached_at"] is None
    assert c["resolution"]["stopped_at"] is None  # a reply is not a resolution
    ticket = await Ticket.select().where(Ticket.reference == ref).first()
    assert ticket["first_responded_at"] == jst("2026-11-24T10:30:00")
    assert ticket["first_response_due_at"] is None
    body = (await client.get(f"/api/v1/tickets/{ref}/sla", headers=relia_agent.headers)).json()
    fr = next(c for c in body["clocks"] if c["clock"] == "first_response")
    assert fr["met"] is True and fr["business_minutes_used"] == 30


async def test_waiting_on_the_requester_pauses_and_moves_the_due_instant(client, relia_agent, clock):
    ref = await create(client, relia_agent, category="complaint")
    clock.advance(hours=1)  # Tue 11:00: 60 business minutes used
    for action in ("triage", "request_documents"):
        r = await client.post(
            f"/api/v1/tickets/{ref}/transitions", json={"action": action}, headers=relia_agent.headers
        )
        assert r.status_code == 200, r.text
    c = await clocks(ref)
    assert c["first_response"]["paused"] and c["first_response"]["due_at"] is None
    assert c["first_response"]["next_fire_at"] is None
    assert (await Ticket.select().where(Ticket.reference == ref).first())["first_response_due_at"] is None

    clock.at = jst("2026-11-25T10:00:00")  # Wed 10:00: the requester answers
    r = await client.post(
        f"/api/v1/tickets/{ref}/transitions", json={"action": "requester_replied"}, headers=relia_agent.headers
    )
    assert r.status_code == 200 and r.json()["state"] == "identity_verification"
    c = await clocks(ref)
    # 180 minutes were left; from Wed 10:00: 10:00-12:00 (120) + 13:00-14:00 (60).
    assert c["first_response"]["due_at"] == jst("2026-11-25T14:00:00")
    assert not c["first_response"]["paused"]
    # Paused business time Tue 11:00-12:00, 13:00-17:00, Wed 09:30-10:00 = 330 min moves resolution too:
    # Tue 12/8 17:00 + 330 business minutes = Wed 12/9 16:00 (150 in the morning, 180 from 13:00).
    assert c["resolution"]["due_at"] == jst("2026-12-09T16:00:00")
    pauses = await ClockPause.select()
    assert len(pauses) == 1 and pauses[0]["ended_at"] == jst("2026-11-25T10:00:00")
    assert "awaiting_documents" in pauses[0]["reason"]
    body = (await client.get(f"/api/v1/tickets/{ref}/sla", headers=relia_agent.headers)).json()
    fr = next(c for c in body["clocks"] if c["clock"] == "first_response")
    assert fr["business_minutes_used"] == 60 and len(fr["pauses"]) == 1


async def test_statutory_clock_never_pauses(client, relia_agent, clock):
    ref = await create(client, relia_agent, category="request", request_types=["disclosure"], channel="post")
    for action in ("triage", "request_documents"):
        await client.post(f"/api/v1/tickets/{ref}/transitions", json={"action": action}, headers=relia_agent.headers)
    clock.advance(days=3)
    await client.post(
        f"/api/v1/tickets/{ref}/transitions", json={"action": "requester_replied"}, headers=relia_agent.headers
    )
    c = await clocks(ref)
    assert c["statutory"]["due_at"] == jst("2026-12-08T23:59:59")
    assert not c["statutory"]["paused"]


async def test_settling_stops_and_reopening_restarts_without_counting_the_gap(client, relia_agent, clock):
    ref = await create(client, relia_agent, category="inquiry")
    clock.advance(hours=1)  # Tue 11:00
    for action in ("triage", "respond"):
        r = await client.post(
            f"/api/v1/tickets/{ref}/transitions", json={"action": action}, headers=relia_agent.headers
        )
        assert r.status_code == 200, r.text
    c = await clocks(ref)
    assert c["resolution"]["stopped_at"] == jst("2026-11-24T11:00:00")
    assert c["resolution"]["next_fire_at"] is None
    clock.at = jst("2026-11-26T09:30:00")  # Thu opening: reopened
    r = await client.post(f"/api/v1/tickets/{ref}/transitions", json={"action": "reopen"}, headers=relia_agent.headers)
    assert r.json()["state"] == "in_progress"
    c = await clocks(ref)
    assert c["resolution"]["stopped_at"] is None
    # Inquiry: 5 business days after Tue -> Tue 12/1 17:00; the gap Tue 11:00 -> Thu 09:30 is
    # 60 + 240 + 390 = 690 business minutes: 12/1 17:00 + 690 -> Wed 12/2 all day (390) + Thu 12/3
    # 300 more: 09:30-12:00 (150) + 13:00-15:30 (150).
    assert c["resolution"]["due_at"] == jst("2026-12-03T15:30:00")
    assert c["first_response"]["stopped_at"] == jst("2026-11-24T11:00:00")  # stays stopped


async def test_refused_transition_is_409_and_bad_action_400(client, relia_agent):
    ref = await create(client, relia_agent)
    r = await client.post(
        f"/api/v1/tickets/{ref}/transitions", json={"action": "close_forever"}, headers=relia_agent.headers
    )
    assert r.status_code == 400 and "action" in r.json()["errors"]
    r = await client.post(
        f"/api/v1/tickets/{ref}/transitions", json={"action": "requester_replied"}, headers=relia_agent.headers
    )
    assert r.status_code == 409 and "received" in r.json()["detail"]
    assert await Event.count().where(Event.action == "requester_replied") == 0


async def test_assignment_needs_a_member_of_the_desk(client, relia_agent, rcs_agent, make_staff):
    ref = await create(client, relia_agent)
    r = await client.put(
        f"/api/v1/tickets/{ref}/assignee", json={"assignee": rcs_agent.email}, headers=relia_agent.headers
    )
    assert r.status_code == 400
    colleague = await make_staff("colleague@relia.test", ["relia"])
    r = await client.put(
        f"/api/v1/tickets/{ref}/assignee", json={"assignee": colleague.email}, headers=relia_agent.headers
    )
    assert r.status_code == 200, r.text
    listed = (await client.get("/api/v1/tickets", headers=relia_agent.headers)).json()
    assert listed[0]["assignee"] == "colleague@relia.test"
    r = await client.put(f"/api/v1/tickets/{ref}/assignee", json={"assignee": None}, headers=rcs_agent.headers)
    assert r.status_code == 404
