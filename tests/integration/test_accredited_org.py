"""The accredited organisation (APPI Arts. 47-53; JUAS for rext-cs) through the API, on both engines:
the requester told of JUAS, JUAS's inquiry with its own clock against the date it set (due while
JUAS's office is open), escalation on that clock, materials sent, the answer, the outcome."""

from __future__ import annotations

from datetime import datetime

from tests.conftest import ticket_json
from tests.integration.case_helpers import clocks, desk_staff, jst
from ticketing.db.tables import SlaFiring


async def complaint(desk, slug: str = "rext-cs") -> str:  # type: ignore[no-untyped-def]
    body = ticket_json(desk=slug, category="complaint", subject="対応への苦情", message="説明がありません。")
    return str((await desk.post("/api/v1/tickets", body))["reference"])


async def test_a_juas_inquiry_end_to_end(client, container, make_staff, clock) -> None:
    desk = await desk_staff(client, make_staff, "rext-cs")
    ref = await complaint(desk)
    t = f"/api/v1/tickets/{ref}"
    informed = await desk.post(f"{t}/referrals", {"organisation": "JUAS", "kind": "informed"})
    assert informed["reference"] == ref

    # Tue 11-24 10:00 JST: JUAS asks for an explanation by Fri 12-04 (a date: its office closes at 16:00).
    inquiry = await desk.post(
        f"{t}/referrals",
        {
            "organisation": "juas",
            "kind": "inquiry",
            "their_reference": "JUAS-2026-117",
            "due_at": jst("2026-12-04T23:59:00"),
            "materials": ["経緯の説明書", "通話記録"],
        },
    )
    sla = (await desk.get(f"{t}/sla"))["clocks"]
    org = next(c for c in sla if c["clock"] == "accredited_org")
    assert org["due_at"] == jst("2026-12-04T16:00:00")
    assert (await clocks(ref))["accredited_org"]["paused"] is False

    # The ladder fires on it like on any clock: 50 % of the time passed on Sun 11-29 08:00; the
    # warning waits for the desk to open (Mon 10:00).
    clock.at = datetime.fromisoformat("2026-11-30T10:05:00+09:00")
    await container.sla.sweep(clock.now())
    fired = await SlaFiring.select(SlaFiring.stage).where(
        SlaFiring.clock == (await clocks(ref))["accredited_org"]["id"]
    )
    assert [f["stage"] for f in fired] == ["50%"]

    sent = await client.patch(
        f"{t}/referrals/{inquiry['id']}", json={"materials_sent": ["経緯の説明書"]}, headers=desk.agent.headers
    )
    assert sent.status_code == 200, sent.text
    assert [(m["name"], m["sent_at"] is not None) for m in sent.json()["materials"]] == [
        ("経緯の説明書", True),
        ("通話記録", False),
    ]
    answered = await client.patch(
        f"{t}/referrals/{inquiry['id']}",
        json={"materials_sent": ["通話記録"], "answered_at": jst("2026-11-30T10:00:00")},
        headers=desk.agent.headers,
    )
    assert answered.status_code == 200, answered.text
    row = (await clocks(ref))["accredited_org"]
    assert row["stopped_at"] == datetime.fromisoformat("2026-11-30T10:00:00+09:00") and row["next_fire_at"] is None
    again = await client.patch(
        f"{t}/referrals/{inquiry['id']}", json={"answered_at": jst("2026-11-30T10:01:00")}, headers=desk.agent.headers
    )
    assert again.status_code == 409
    outcome = await client.patch(
        f"{t}/referrals/{inquiry['id']}", json={"outcome": "resolved"}, headers=desk.agent.headers
    )
    assert outcome.json()["outcome"] == "resolved"
    body = await desk.get(t)
    assert [(r["kind"], r["organisation"]) for r in body["referrals"]] == [("informed", "JUAS"), ("inquiry", "JUAS")]
    assert body["referrals"][1]["their_reference"] == "JUAS-2026-117"


async def test_referrals_name_the_desks_own_organisation(client, make_staff) -> None:
    relia = await desk_staff(client, make_staff, "relia")
    ref = await complaint(relia, "relia")
    why = await relia.refused(f"/api/v1/tickets/{ref}/referrals", {"organisation": "JUAS", "kind": "informed"}, 400)
    assert "no accredited organisation" in why
    rcs = await desk_staff(client, make_staff, "rext-cs")
    ref = await complaint(rcs)
    t = f"/api/v1/tickets/{ref}/referrals"
    assert "JUAS" in await rcs.refused(t, {"organisation": "JIPDEC", "kind": "informed"}, 400)
    assert "due" in await rcs.refused(t, {"organisation": "JUAS", "kind": "inquiry"}, 400)
    past = {"organisation": "JUAS", "kind": "inquiry", "due_at": jst("2026-11-20T10:00:00")}
    assert "after" in await rcs.refused(t, past, 400)
    informed_with_date = {"organisation": "JUAS", "kind": "informed", "due_at": jst("2026-12-20T10:00:00")}
    assert "inquiry" in await rcs.refused(t, informed_with_date, 400)


async def test_an_inquiry_given_in_tokyo_time_stops_its_clock_when_answered(client, make_staff) -> None:
    """The due date as JUAS wrote it (+09:00) and as it comes back from the database (UTC) are one instant."""
    desk = await desk_staff(client, make_staff, "rext-cs")
    t = f"/api/v1/tickets/{await complaint(desk)}"
    body = {
        "organisation": "JUAS",
        "kind": "inquiry",
        "received_at": "2026-11-24T09:00:00+09:00",
        "due_at": "2026-12-04T12:00:00+09:00",
        "materials": ["経緯"],
    }
    inquiry = await desk.post(f"{t}/referrals", body)
    r = await client.patch(
        f"{t}/referrals/{inquiry['id']}",
        json={"answered_at": "2026-11-24T09:30:00+09:00"},
        headers=desk.agent.headers,
    )
    assert r.status_code == 200, r.text
    clock = (await clocks(t.rsplit("/", 1)[1]))["accredited_org"]
    assert clock["stopped_at"] == datetime.fromisoformat("2026-11-24T09:30:00+09:00")
