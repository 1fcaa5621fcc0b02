"""The request rules through the API, on SQLite and PostgreSQL, with the edge cases of
docs/privacy-rules.md ("edge cases a real desk hits") that the workflow covers."""

from __future__ import annotations

from datetime import datetime

from tests.integration.case_helpers import clocks, desk_staff, jst, outbox_kinds
from tests.integration.test_staff_pages import logged_in
from tests.mailbuilder import make_mail
from ticketing.services.mail_ports import MailSource


async def test_a_correction_request_never_enters_the_fee_step(client, make_staff) -> None:
    """APPI Art. 38: no fee for correction; a fee sent with it goes back. Art. 36: a refusal needs
    a reason and another manager's approval; the notice went by registered post."""
    desk = await desk_staff(client, make_staff, "rext-cs")
    ref = await desk.letter("rext-cs", ["correction"])
    t = f"/api/v1/tickets/{ref}"
    body = await desk.get(t)
    assert body["requests"][0]["fee_required"] is False and body["requests"][0]["fee_status"] == "not_required"
    assert "statutory" in await clocks(ref)  # a letter is how rext-cs takes requests: Art. 39 runs from it
    await desk.move(ref, "triage", "verify_identity")
    why = await desk.refused(f"{t}/transitions", {"action": "check_fee"}, 409)
    assert "Art. 38" in why
    fee = await desk.post(
        f"{t}/fee", {"amount_yen": 1500, "instrument": "postal_money_order", "issued_on": "2026-11-01"}
    )
    assert fee == {"status": "not_chargeable", "due_yen": 0, "shortfall_yen": 0, "to_return_yen": 1500}
    await desk.post(f"{t}/documents", {"kind": "request_form"})
    await desk.post(f"{t}/documents", {"kind": "passport", "valid_until": "2031-05-01"})
    await desk.move(ref, "start_work")
    why = await desk.refused(f"{t}/decisions", {"outcome": "refusal"}, 400)
    assert "Art. 36" in why
    why = await desk.refused(f"{t}/decisions", {"outcome": "alternative_measure", "reason": "cost"}, 400)
    assert "Art. 35" in why  # an alternative measure replaces suspension or stop of provision only
    decision = await desk.post(
        f"{t}/decisions",
        {"outcome": "refusal", "reason": "記録は事実のとおりです（評価は訂正の対象外）。"},
        who=desk.manager,
    )
    sent_back = await desk.post(
        f"/api/v1/decisions/{decision['id']}/send-back", {"note": "根拠を具体的に"}, who=desk.cpo, status=200
    )
    assert sent_back["status"] == "sent_back"
    why = await desk.refused(f"{t}/transitions", {"action": "respond"}, 409)
    assert "approved decision" in why
    again = await desk.post(
        f"{t}/decisions", {"outcome": "partial", "reason": "住所のみ訂正します。"}, who=desk.manager
    )
    await desk.post(f"/api/v1/decisions/{again['id']}/approve", {}, who=desk.cpo, status=200)
    # No e-mail address: the notice must be recorded as sent by post.
    why = await desk.refused(f"{t}/transitions", {"action": "respond"}, 409)
    assert "notice_method" in why
    await desk.move(ref, "respond", notice_method="registered_post", notice_sent_at=jst("2026-11-24T09:30:00"))
    request = (await desk.get(t))["requests"][0]
    assert (request["result"], request["notice_method"], request["notice_sent_at"]) == (
        "partial",
        "registered_post",
        jst("2026-11-24T09:30:00"),
    )
    # The notice by post is printed from the same template as the mail, in the requester's language.
    await logged_in(desk.client, desk.agent)
    letter = await desk.client.get(f"/app/tickets/{ref}/notice")
    assert letter.status_code == 200, letter.text
    assert "一部について対応いたしました" in letter.text and "住所のみ訂正します。" in letter.text
    assert "個人情報保護法第36条" in letter.text and "山田 花子" in letter.text
    assert [d["status"] for d in (await desk.get(t))["decisions"]] == ["sent_back", "approved"]


async def test_documents_the_desk_may_not_keep_are_refused_with_the_reason(client, make_staff) -> None:
    """My Number Act Art. 20 (the card's back); 告知要求制限 (an unmasked insurer number)."""
    desk = await desk_staff(client, make_staff, "relia")
    ref = await desk.letter("relia", ["disclosure"])
    t = f"/api/v1/tickets/{ref}/documents"
    assert "Art. 20" in await desk.refused(t, {"kind": "my_number_card_back"}, 400)
    assert "mask" in await desk.refused(t, {"kind": "health_insurance_card", "masked": False}, 400)
    # A (masked) health-insurance card is no identity document from 2025-12-01: the identity is stale.
    got = await desk.post(t, {"kind": "health_insurance_card", "masked": True, "valid_until": "2027-03-31"})
    assert got["checklist"]["stale"] == ["id_expired"]
    assert "form_missing" in got["checklist"]["missing"]
    assert [d["kind"] for d in got["documents"]] == ["health_insurance_card"]  # nothing refused was kept
    assert all(isinstance(d["id"], int) for d in got["documents"])


async def test_an_agent_needs_a_recent_seal_certificate(client, make_staff) -> None:
    """rext-cs: an appointed agent sends a power of attorney with the registered seal and a seal
    certificate issued within 3 months (months, not 90 days)."""
    desk = await desk_staff(client, make_staff, "rext-cs")
    ref = await desk.letter("rext-cs", ["disclosure"])
    t = f"/api/v1/tickets/{ref}"
    await desk.post(f"{t}/requests", {"requester_kind": "appointed_agent"})
    await desk.post(f"{t}/documents", {"kind": "request_form"})
    got = await desk.post(f"{t}/documents", {"kind": "drivers_licence", "valid_until": "2028-01-01"})
    assert got["checklist"]["missing"] == ["authority_missing", "seal_cert_missing"]
    why = await desk.refused(f"{t}/documents", {"kind": "seal_certificate"}, 400)
    assert "issue date" in why
    await desk.post(f"{t}/documents", {"kind": "power_of_attorney"})
    got = await desk.post(f"{t}/documents", {"kind": "seal_certificate", "issued_on": "2026-08-23"})
    assert got["checklist"] == {"missing": [], "stale": ["seal_cert_stale"], "complete": False}  # received 11-24
    got = await desk.post(f"{t}/documents", {"kind": "seal_certificate", "issued_on": "2026-08-24"})
    assert got["checklist"]["complete"]


async def test_a_parent_proves_the_relation(client, make_staff) -> None:
    """A statutory agent (the parent of a minor) sends one of the relation documents, recent."""
    desk = await desk_staff(client, make_staff, "rext-cs")
    ref = await desk.letter("rext-cs", ["disclosure"])
    t = f"/api/v1/tickets/{ref}"
    await desk.post(f"{t}/requests", {"requester_kind": "statutory_agent"})
    await desk.post(f"{t}/documents", {"kind": "request_form"})
    got = await desk.post(f"{t}/documents", {"kind": "residence_card", "valid_until": "2027-06-30"})
    assert got["checklist"]["missing"] == ["authority_missing"]
    got = await desk.post(f"{t}/documents", {"kind": "family_register", "issued_on": "2026-05-01"})
    assert got["checklist"]["stale"] == ["authority_stale"]
    got = await desk.post(f"{t}/documents", {"kind": "family_register", "issued_on": "2026-11-02"})
    assert got["checklist"]["complete"]


async def test_the_fee_instrument_and_its_age(client, make_staff) -> None:
    """rext-cs wants 1,500 yen by postal money order, cashable six months from issue (Art. 38; JP-10)."""
    desk = await desk_staff(client, make_staff, "rext-cs")
    ref = await desk.letter("rext-cs", ["disclosure", "correction"])
    t = f"/api/v1/tickets/{ref}/fee"
    stamps = await desk.post(t, {"amount_yen": 1500, "instrument": "postage_stamps"})
    assert stamps == {"status": "wrong_instrument", "due_yen": 1500, "shortfall_yen": 0, "to_return_yen": 1500}
    old = await desk.post(t, {"amount_yen": 1500, "instrument": "postal_money_order", "issued_on": "2026-05-23"})
    assert old["status"] == "expired_instrument"
    over = await desk.post(t, {"amount_yen": 2000, "instrument": "postal_money_order", "issued_on": "2026-05-24"})
    assert over == {"status": "ok", "due_yen": 1500, "shortfall_yen": 0, "to_return_yen": 500}
    requests = {r["type"]: r["fee_status"] for r in (await desk.get(f"/api/v1/tickets/{ref}"))["requests"]}
    assert requests == {"disclosure": "ok", "correction": "not_required"}  # one fee per form


async def test_no_data_is_an_answer_too(client, make_staff) -> None:
    """Art. 33(1),(3): telling the person no data is held is a disclosure (joint use keeps no
    third-party provision record: Art. 27(5))."""
    desk = await desk_staff(client, make_staff, "rext-cs")
    ref = await desk.letter("rext-cs", ["third_party_record_disclosure"], email="hanako@example.test")
    t = f"/api/v1/tickets/{ref}"
    await desk.post(f"{t}/documents", {"kind": "request_form"})
    await desk.post(f"{t}/documents", {"kind": "my_number_card_front", "valid_until": "2030-01-01"})
    await desk.post(f"{t}/fee", {"amount_yen": 1500, "instrument": "postal_money_order", "issued_on": "2026-11-20"})
    await desk.move(ref, "triage", "start_work")
    decision = await desk.post(f"{t}/decisions", {"outcome": "no_data"})
    await desk.post(f"/api/v1/decisions/{decision['id']}/approve", {}, who=desk.manager, status=200)
    await desk.move(ref, "respond")
    request = (await desk.get(t))["requests"][0]
    assert (request["result"], request["notice_method"]) == ("no_data", "email")
    assert (await outbox_kinds(ref))[-1] == "ticket-resolved"


async def test_a_letter_delivered_during_the_new_year_closure(client, container, make_staff, clock) -> None:
    """Art. 39 counts calendar days from delivery, closure or not; the business clocks wait for the
    next open day."""
    desk = await desk_staff(client, make_staff, "rext-cs")
    mail = make_mail(to="privacy-rcs@rext-cs.jp", subject="開示について", body="開示を請求したい。")
    ref = (await container.mail.ingest("rext-cs", mail, MailSource("pipe"))).ticket
    await desk.post(f"/api/v1/tickets/{ref}/requests", {"request_types": ["disclosure"]})
    clock.at = datetime.fromisoformat("2027-01-05T10:00:00+09:00")
    logged = await desk.post(
        f"/api/v1/tickets/{ref}/messages",
        {"channel": "post", "received_at": jst("2026-12-30T10:00:00"), "text": "請求書", "conforming_request": True},
    )
    assert logged["formal_request_at"] == jst("2026-12-30T10:00:00")
    assert (await clocks(ref))["statutory"]["due_at"] == datetime.fromisoformat("2027-01-13T23:59:59+09:00")


async def test_a_deceased_persons_data_is_a_courtesy(client, make_staff) -> None:
    """APPI protects the living: an heir's request has no Art. 39 clock and no fee."""
    desk = await desk_staff(client, make_staff, "rext-cs")
    ref = await desk.letter("rext-cs", ["deceased_courtesy"])
    request = (await desk.get(f"/api/v1/tickets/{ref}"))["requests"][0]
    assert (request["type"], request["fee_required"]) == ("deceased_courtesy", False)
    assert "statutory" not in await clocks(ref)


async def test_a_stranger_desk_and_bad_input_get_clear_answers(client, make_staff) -> None:
    relia = await desk_staff(client, make_staff, "relia")
    rcs = await desk_staff(client, make_staff, "rext-cs")
    ref = await rcs.letter("rext-cs", ["disclosure"])
    t = f"/api/v1/tickets/{ref}"
    for path, body in (
        (f"{t}/documents", {"kind": "passport"}),
        (f"{t}/fee", {"amount_yen": 1, "instrument": "postage_stamps"}),
        (f"{t}/decisions", {"outcome": "full"}),
        (f"{t}/messages", {"channel": "phone", "text": "hello"}),
    ):
        await relia.refused(path, body, 404)  # another desk's ticket does not exist for them
    assert "kind" in await rcs.refused(f"{t}/documents", {"kind": "selfie"}, 400)
    assert "amount_yen" in await rcs.refused(f"{t}/fee", {"amount_yen": -5, "instrument": "postage_stamps"}, 400)
    assert "note" in await rcs.refused(
        f"{t}/messages", {"channel": "note", "text": "x", "conforming_request": True}, 400
    )
    why = await rcs.refused(
        f"{t}/messages", {"channel": "phone", "text": "電話で請求", "conforming_request": True}, 400
    )
    assert "already logged" in why  # the letter that opened it was the formal request
    long_ago = {"channel": "post", "text": "請求書", "received_at": jst("2025-10-01T10:00:00")}
    assert "year" in await rcs.refused(f"{t}/messages", long_ago, 400)
    r = await client.post("/api/v1/decisions/999999/approve", headers=rcs.cpo.headers)
    assert r.status_code == 404
    r = await client.get("/api/v1/decisions", headers=rcs.agent.headers)
    assert r.status_code == 403


async def test_a_parent_acts_for_a_minor_only(client, make_staff) -> None:
    """Edge case 4: age of majority 18 (民法4条 since 2022-04-01), counted on the day the request
    arrived; a parent's relation documents do not make them the agent of an adult."""
    desk = await desk_staff(client, make_staff, "rext-cs")
    ref = await desk.letter("rext-cs", ["disclosure"])  # arrived 2026-11-24
    t = f"/api/v1/tickets/{ref}"
    await desk.post(f"{t}/documents", {"kind": "request_form"})
    await desk.post(f"{t}/documents", {"kind": "residence_card", "valid_until": "2027-06-30"})
    await desk.post(f"{t}/documents", {"kind": "family_register", "issued_on": "2026-11-02"})
    # 17 on the day the letter arrived (18 on 2026-11-25): the parent is the statutory agent.
    await desk.post(f"{t}/requests", {"requester_kind": "statutory_agent", "person_birth_date": "2008-11-25"})
    assert (await desk.get(t))["checklist"]["complete"]
    # 18 on that day (the birthday itself): the family register no longer proves the authority.
    await desk.post(f"{t}/requests", {"person_birth_date": "2008-11-24"})
    got = (await desk.get(t))["checklist"]
    assert got["missing"] == ["person_not_a_minor", "authority_missing"] and not got["complete"]
    events = [e["action"] for e in (await desk.get(t))["events"]]
    assert events.count("classified") == 2


async def test_a_rejection_tells_the_requester_why(client, make_staff) -> None:
    """Art. 36: a request that cannot be verified is rejected with the reason the requester reads."""
    desk = await desk_staff(client, make_staff, "relia")
    ref = await desk.letter("relia", ["disclosure"], email="hanako@example.test")
    await desk.move(ref, "triage", "request_documents")
    why = await desk.refused(f"/api/v1/tickets/{ref}/transitions", {"action": "reject"}, 400)
    assert "Art. 36" in why
    note = "The copy of the licence we received had expired, and no other identity document arrived."
    await desk.move(ref, "reject", note=note)
    body = await desk.get(f"/api/v1/tickets/{ref}")
    assert body["state"] == "rejected"
    assert [(r["result"], r["notice_method"]) for r in body["requests"]] == [("rejected_unverifiable", "email")]
