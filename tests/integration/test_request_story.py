"""A disclosure request end to end on each seed desk, through the API, on SQLite and PostgreSQL:
e-mail first contact, triage names the request, guidance mail, the letter logged as the conforming
request (APPI Art. 37(1)), documents incomplete then complete, the fee short then paid (Art. 38), a
decision proposed, refused to its proposer (four eyes), approved by a manager, notice mailed, closed.
The clocks and the mail are checked at each step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from tests.integration.case_helpers import clocks, jst, outbox_kinds
from tests.mailbuilder import make_mail
from ticketing.db.tables import Outbox
from ticketing.services.mail_ports import MailSource


@dataclass(frozen=True)
class Seed:
    desk: str
    inbox: str
    fee_yen: int
    instrument: str
    short_by: int
    identity: tuple[dict[str, Any], ...]  # what satisfies the desk's identity rule


SEEDS = [
    # relia: a copy of one official document; 1,000 yen in postage stamps.
    Seed("relia", "privacy@relia-group.com", 1000, "postage_stamps", 200, ({"kind": "drivers_licence"},)),
    # rext-cs: one photo ID or two without (valid); 1,500 yen by postal money order (6 months).
    Seed(
        "rext-cs",
        "privacy-rcs@rext-cs.jp",
        1500,
        "postal_money_order",
        500,
        (
            {"kind": "pension_book"},
            {"kind": "eligibility_certificate", "masked": True, "valid_until": "2029-03-31"},
        ),
    ),
]


@pytest.mark.parametrize("seed", SEEDS, ids=[s.desk for s in SEEDS])
async def test_a_disclosure_request_through_every_step(client, container, make_staff, clock, seed: Seed) -> None:
    agent = await make_staff(f"agent@{seed.desk}.test", [seed.desk])
    manager = await make_staff(f"manager@{seed.desk}.test", [seed.desk], "manager")
    cpo = await make_staff(f"cpo@{seed.desk}.test", [seed.desk], "manager")
    h = agent.headers

    async def post(path: str, body: dict[str, Any], who: Any = agent, status: int = 201) -> dict[str, Any]:
        r = await client.post(path, json=body, headers=who.headers)
        assert r.status_code == status, r.text
        return r.json()  # type: ignore[no-any-return]

    # Tue 2026-11-24 10:00 JST: the requester writes to the inbox.
    raw = make_mail(to=seed.inbox, subject="Disclosure", body="Please disclose all data you hold on me.")
    ref = (await container.mail.ingest(seed.desk, raw, MailSource("pipe"))).ticket
    t = f"/api/v1/tickets/{ref}"

    # Triage names the request; e-mail is not how these desks take it: no Art. 39 clock yet.
    named = await post(f"{t}/requests", {"request_types": ["disclosure"]})
    assert named["category"] == "request" and named["formal_request_at"] is None
    assert "statutory" not in await clocks(ref)
    for action in ("triage", "request_formal_request"):
        await post(f"{t}/transitions", {"action": action}, status=200)
    assert (await outbox_kinds(ref))[-1] == "awaiting-documents"  # the guidance: form, fee, documents, address
    assert (await clocks(ref))["first_response"]["paused"]

    # The letter arrives on Thu 11-26 (delivered 09:00, logged at 11:00): the conforming request.
    clock.advance(days=2, hours=1)  # Thu 11:00 JST
    logged = await post(
        f"{t}/messages",
        {
            "channel": "post",
            "received_at": jst("2026-11-26T09:00:00"),
            "text": "Request form",
            "conforming_request": True,
        },
    )
    assert logged["state"] == "triage"
    assert logged["formal_request_at"] == jst("2026-11-26T09:00:00")
    c = await clocks(ref)
    # Art. 39: two weeks from the day after delivery, never paused; the business clocks resumed.
    assert c["statutory"]["due_at"] == datetime.fromisoformat("2026-12-10T23:59:59+09:00")
    assert not c["first_response"]["paused"]

    # Work cannot start: documents and the fee are missing.
    r = await client.post(f"{t}/transitions", json={"action": "start_work"}, headers=h)
    assert r.status_code == 409 and "documents" in r.json()["detail"]
    got = await post(f"{t}/documents", {"kind": "request_form"})
    assert got["checklist"] == {"missing": ["id_missing"], "stale": [], "complete": False}
    for doc in seed.identity:
        got = await post(f"{t}/documents", {"valid_until": "2030-01-31", **doc})
    assert got["checklist"]["complete"]
    await post(f"{t}/transitions", {"action": "verify_identity"}, status=200)
    await post(f"{t}/transitions", {"action": "check_fee"}, status=200)
    r = await client.post(f"{t}/transitions", json={"action": "start_work"}, headers=h)
    assert r.status_code == 409 and "fee" in r.json()["detail"]

    # The fee: short, then the rest (kept payments add up).
    fee = {"instrument": seed.instrument, "issued_on": "2026-11-20"}
    short = await post(f"{t}/fee", {**fee, "amount_yen": seed.fee_yen - seed.short_by})
    assert short == {"status": "short", "due_yen": seed.fee_yen, "shortfall_yen": seed.short_by, "to_return_yen": 0}
    paid = await post(f"{t}/fee", {**fee, "amount_yen": seed.short_by})
    assert paid["status"] == "ok"
    await post(f"{t}/transitions", {"action": "start_work"}, status=200)

    # The decision: proposed by the agent, refused to its proposer, approved by a manager.
    r = await client.post(f"{t}/transitions", json={"action": "respond"}, headers=h)
    assert r.status_code == 409  # no approved decision yet
    proposed = await post(f"{t}/decisions", {"outcome": "full"}, who=manager)
    assert proposed["status"] == "pending"
    pending = (await client.get("/api/v1/decisions", headers=cpo.headers)).json()
    assert [p["reference"] for p in pending] == [ref]
    own = await client.post(f"/api/v1/decisions/{proposed['id']}/approve", headers=manager.headers)
    assert own.status_code == 409 and "four eyes" in own.json()["detail"]
    by_agent = await client.post(f"/api/v1/decisions/{proposed['id']}/approve", headers=h)
    assert by_agent.status_code == 403
    await post(f"/api/v1/decisions/{proposed['id']}/approve", {}, who=cpo, status=200)

    await post(f"{t}/transitions", {"action": "respond", "note": "Enclosed: your data."}, status=200)
    assert (await outbox_kinds(ref))[-1] == "ticket-resolved"
    resolved = (
        await Outbox.select(Outbox.payload).where(Outbox.kind == "ticket-resolved").first().output(load_json=True)
    )
    assert "Disclosure: disclosed" in resolved["payload"]["text"]  # each request's result, in the mail
    await post(f"{t}/transitions", {"action": "close"}, status=200)

    body = (await client.get(t, headers=h)).json()
    assert body["state"] == "closed"
    assert [(r["type"], r["fee_required"], r["fee_status"], r["result"]) for r in body["requests"]] == [
        ("disclosure", True, "ok", "disclosed")
    ]
    assert [(d["outcome"], d["status"]) for d in body["decisions"]] == [("full", "approved")]
    assert body["checklist"]["complete"]
    c = await clocks(ref)
    assert all(row["stopped_at"] is not None for row in c.values())
