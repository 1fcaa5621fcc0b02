"""Forwarding to the company responsible (joint use, an entrusting client) and incidents (APPI Art. 26),
through the API on SQLite and PostgreSQL: the records, the requester's guidance, the clocks."""

from __future__ import annotations

from datetime import datetime

from tests.conftest import ticket_json
from tests.integration.case_helpers import clocks, desk_staff, jst, outbox_kinds
from ticketing.db.tables import Outbox, Ticket


async def test_a_joint_use_request_goes_to_the_responsible_company(client, make_staff, clock) -> None:
    """rext-cs: data used jointly within the group is the business of レクストホールディングス株式会社
    (Art. 27(5)(iii)); the requester is told whom to ask; a follow-up clock runs on its answer."""
    desk = await desk_staff(client, make_staff, "rext-cs")
    ref = await desk.letter("rext-cs", ["disclosure"], email="hanako@example.test")
    t = f"/api/v1/tickets/{ref}"
    await desk.move(ref, "triage")
    forwarded = await desk.post(
        f"{t}/forwardings",
        {
            "basis": "joint_use",
            "summary": "開示請求書の写しと本人確認書類の写しを送付",
            "note": "グループ会社の保有データです。",
        },
    )
    assert forwarded["state"] == "forwarded"
    body = await desk.get(t)
    (record,) = body["forwardings"]
    assert (record["partner"], record["partner_email"]) == ("レクストホールディングス株式会社", "info_rext@rext.co.jp")
    assert body["requests"][0]["result"] == "forwarded" and body["requests"][0]["notice_method"] == "email"
    assert (await outbox_kinds(ref))[-1] == "status-changed"  # the guidance names the company
    mail = await Outbox.select(Outbox.payload).where(Outbox.kind == "status-changed").first().output(load_json=True)
    assert "レクストホールディングス株式会社" in mail["payload"]["text"]
    c = await clocks(ref)
    assert c["resolution"]["stopped_at"] is not None  # ours stopped
    partner = c["partner_answer"]
    assert partner["stopped_at"] is None
    assert partner["due_at"] == datetime.fromisoformat("2026-12-01T18:00:00+09:00")  # 5 business days

    clock.advance(days=3)
    r = await client.patch(
        f"{t}/forwardings/{record['id']}", json={"answer": "開示済み（2026-11-26 発送）"}, headers=desk.agent.headers
    )
    assert r.status_code == 200, r.text
    assert (await clocks(ref))["partner_answer"]["stopped_at"] is not None
    again = await client.patch(f"{t}/forwardings/{record['id']}", json={"answer": "x"}, headers=desk.agent.headers)
    assert again.status_code == 409


async def test_forwarding_to_an_entrusting_client_names_the_partner(client, make_staff) -> None:
    desk = await desk_staff(client, make_staff, "relia")
    ref = await desk.letter("relia", ["correction"])
    t = f"/api/v1/tickets/{ref}"
    await desk.move(ref, "triage")
    why = await desk.refused(f"{t}/forwardings", {"basis": "joint_use", "summary": "the request"}, 400)
    assert "joint-use" in why  # relia names no joint-use company
    why = await desk.refused(f"{t}/forwardings", {"basis": "entrusted", "summary": "the request"}, 400)
    assert "partner" in why
    body = {"basis": "entrusted", "partner": "Client K.K.", "summary": "the request form", "notice_method": "post"}
    await desk.post(f"{t}/forwardings", body)
    assert (await desk.get(t))["requests"][0]["notice_method"] == "post"


async def test_a_complaint_that_reveals_a_leak_opens_an_incident(client, make_staff, clock) -> None:
    """The incident ticket is linked to the complaint, mails nobody, and runs a clock per duty: the PPC's
    preliminary (about 3 days) and final reports (30 days counting the day of knowing; 60 for an
    improper purpose), the notice to the people affected and, as a processor, to the client."""
    desk = await desk_staff(client, make_staff, "relia")
    body = ticket_json(category="complaint", subject="Your agent read my card number aloud", message="To my neighbour.")
    complaint = (await desk.post("/api/v1/tickets", body))["reference"]
    mails_before = len(await outbox_kinds(complaint))
    created = await desk.post(
        f"/api/v1/tickets/{complaint}/incidents",
        {"summary": "Card number disclosed on a call", "known_at": jst("2026-11-24T09:00:00"), "processor": True},
    )
    incident = created["reference"]
    assert created["linked_ticket"] == complaint and incident != complaint
    got = await desk.get(f"/api/v1/tickets/{incident}")
    assert got["category"] == "incident" and got["linked_ticket"] == complaint
    assert got["incident"]["duties"] == ["preliminary_report", "final_report", "individual_notice", "client_notice"]
    assert await outbox_kinds(incident) == [] and len(await outbox_kinds(complaint)) == mails_before
    c = await clocks(incident)
    assert c["preliminary_report"]["due_at"] == datetime.fromisoformat("2026-11-27T23:59:59+09:00")
    assert c["final_report"]["due_at"] == datetime.fromisoformat("2026-12-23T23:59:59+09:00")
    assert c["client_notice"]["due_at"] == datetime.fromisoformat("2026-11-25T17:00:00+09:00")
    events = [e["action"] for e in (await desk.get(f"/api/v1/tickets/{complaint}"))["events"]]
    assert "incident_opened" in events

    clock.advance(hours=2)
    r = await client.post(
        f"/api/v1/tickets/{incident}/incident/duties", json={"duty": "client_notice"}, headers=desk.agent.headers
    )
    assert r.status_code == 200, r.text
    assert r.json()["done"] == {"client_notice": "2026-11-24T03:00:00Z"}
    assert (await clocks(incident))["client_notice"]["stopped_at"] is not None
    assert (await clocks(incident))["preliminary_report"]["stopped_at"] is None
    twice = await client.post(
        f"/api/v1/tickets/{incident}/incident/duties", json={"duty": "client_notice"}, headers=desk.agent.headers
    )
    assert twice.status_code == 409
    not_incident = await client.post(
        f"/api/v1/tickets/{complaint}/incident/duties", json={"duty": "final_report"}, headers=desk.agent.headers
    )
    assert not_incident.status_code == 400


async def test_an_improper_purpose_gives_the_final_report_sixty_days(client, make_staff) -> None:
    desk = await desk_staff(client, make_staff, "rext-cs")
    body = ticket_json(desk="rext-cs", category="complaint", subject="不正アクセス", message="情報が流出した。")
    complaint = (await desk.post("/api/v1/tickets", body))["reference"]
    created = await desk.post(
        f"/api/v1/tickets/{complaint}/incidents",
        {"summary": "不正アクセスによる漏えいの疑い", "improper_purpose": True, "persons_affected": 1200},
    )
    c = await clocks(created["reference"])
    assert c["final_report"]["due_at"] == datetime.fromisoformat("2027-01-22T23:59:59+09:00")  # 11-24 + 59
    assert "client_notice" not in c  # not a processor here
    row = await Ticket.select(Ticket.category).where(Ticket.reference == created["reference"]).first()
    assert row["category"] == "incident"


async def test_a_forwarding_sent_in_tokyo_time_stops_its_follow_up_when_answered(client, make_staff) -> None:
    desk = await desk_staff(client, make_staff, "rext-cs")
    ref = await desk.letter("rext-cs", ["disclosure"], email="hanako@example.test")
    await desk.move(ref, "triage")
    body = {"basis": "joint_use", "summary": "請求書の写し", "sent_at": "2026-11-24T09:45:00+09:00"}
    await desk.post(f"/api/v1/tickets/{ref}/forwardings", body)
    (record,) = (await desk.get(f"/api/v1/tickets/{ref}"))["forwardings"]
    r = await client.patch(
        f"/api/v1/tickets/{ref}/forwardings/{record['id']}", json={"answer": "回答済み"}, headers=desk.agent.headers
    )
    assert r.status_code == 200, r.text
    assert (await clocks(ref))["partner_answer"]["stopped_at"] is not None
