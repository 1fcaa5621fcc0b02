"""The request workflow on the staff ticket page (forms with CSRF), in English and Japanese: each step of
the API is usable there too, refusals come back on the page with their reason, other desks see nothing."""

from __future__ import annotations

import re

import httpx

from tests.integration.case_helpers import desk_staff
from tests.integration.test_staff_pages import csrf_token, logged_in


async def form(client: httpx.AsyncClient, ref: str, path: str, **fields: str | list[str]) -> httpx.Response:
    page = await client.get(f"/app/tickets/{ref}")
    return await client.post(f"/app/tickets/{ref}/{path}", data={"_csrf_token": csrf_token(page.text), **fields})


def ok(r: httpx.Response) -> None:
    assert r.status_code == 303, r.text[:3000]
    assert r.headers["location"].endswith("#case")


async def test_a_request_worked_through_the_ticket_page(client, make_staff) -> None:
    desk = await desk_staff(client, make_staff, "rext-cs")
    ref = await desk.letter("rext-cs", ["disclosure"], email="hanako@example.test")
    await logged_in(client, desk.agent)
    page = (await client.get(f"/app/tickets/{ref}", headers={"Accept-Language": "ja"})).text
    assert "開示等の請求" in page and "所定の請求書" in page  # the checklist, in the agent's language
    await client.get(f"/app/tickets/{ref}?lang=ja")  # the switch is remembered for the next pages
    ok(await form(client, ref, "documents", kind="request_form"))
    ok(await form(client, ref, "documents", kind="passport", valid_until="2031-01-01"))
    refused = await form(client, ref, "documents", kind="health_insurance_card")
    assert refused.status_code == 400 and "マスキング" in refused.text  # the page again, with the reason, in Japanese
    assert 'role="alert"' in refused.text
    ok(await form(client, ref, "fee", amount_yen="1,500", instrument="postal_money_order", issued_on="2026-11-01"))
    ok(await form(client, ref, "transitions", action="triage"))
    ok(await form(client, ref, "transitions", action="start_work"))
    page = (await client.get(f"/app/tickets/{ref}?lang=en")).text
    assert "The documents are complete." in page and "ok" in page
    ok(await form(client, ref, "decisions", outcome="refusal", reason="Another caller's voice is on the recording."))
    page = (await client.get(f"/app/tickets/{ref}")).text
    assert "Waiting for another manager" in page and "Approve decision" not in page  # an agent does not approve

    client.cookies.clear()
    await logged_in(client, desk.manager)
    approvals = await client.get("/app/decisions")
    assert approvals.status_code == 200 and ref in approvals.text
    page = (await client.get(f"/app/tickets/{ref}")).text
    assert "Approve decision" in page
    decision_id = re.search(r"/decisions/(\d+)", page)
    assert decision_id
    ok(await form(client, ref, f"decisions/{decision_id.group(1)}", verdict="approve"))
    ok(await form(client, ref, "transitions", action="respond", note="理由は別紙のとおりです。"))
    page = (await client.get(f"/app/tickets/{ref}")).text
    assert "refused" in page and "e-mail" in page
    assert f"/app/tickets/{ref}/notice" in page


async def test_the_juas_record_and_a_letter_on_the_page(client, make_staff) -> None:
    desk = await desk_staff(client, make_staff, "rext-cs")
    body = {
        "desk": "rext-cs",
        "category": "complaint",
        "subject": "苦情",
        "message": "説明してください。",
        "requester": {"name": "山田 花子", "email": "hanako@example.test"},
    }
    ref = (await desk.post("/api/v1/tickets", body))["reference"]
    await logged_in(client, desk.agent)
    ok(
        await form(
            client,
            ref,
            "referrals",
            kind="inquiry",
            their_reference="JUAS-9",
            due_at="2026-12-04T17:00",
            materials="経緯の説明書\n通話記録",
        )
    )
    page = (await client.get(f"/app/tickets/{ref}")).text
    assert "JUAS-9" in page and "answer by 2026-12-04 16:00" in page  # by the close of JUAS's office
    referral = re.search(r"/referrals/(\d+)", page)
    assert referral
    ok(await form(client, ref, f"referrals/{referral.group(1)}", material=["経緯の説明書"]))
    ok(await form(client, ref, "contacts", channel="phone", text="JUAS から電話あり", received_at="2026-11-24T09:40"))
    page = (await client.get(f"/app/tickets/{ref}")).text
    assert "JUAS から電話あり" in page and "✓ 経緯の説明書" in page


async def test_another_desks_ticket_and_a_stale_form_are_refused(client, make_staff) -> None:
    rcs = await desk_staff(client, make_staff, "rext-cs")
    relia = await desk_staff(client, make_staff, "relia")
    ref = await rcs.letter("rext-cs", ["disclosure"])
    await logged_in(client, relia.agent)
    page = await client.get("/login")
    token = csrf_token(page.text)
    r = await client.post(f"/app/tickets/{ref}/documents", data={"_csrf_token": token, "kind": "passport"})
    assert r.status_code == 404
    r = await client.post(f"/app/tickets/{ref}/documents", data={"kind": "passport"})  # no CSRF token
    assert r.status_code == 403
    assert (await client.get(f"/app/tickets/{ref}/notice")).status_code == 404
    client.cookies.clear()
    await logged_in(client, rcs.agent)
    assert (await client.get(f"/app/tickets/{ref}/notice")).status_code == 409  # nothing answered yet


def test_every_refusal_of_the_workflow_reads_in_japanese() -> None:
    """What the ticket page shows when a step is refused is in the agent's language."""
    from tests.integration.test_status_page import catalog
    from ticketing.domain import decisions, documents, requests
    from ticketing.services import workflow

    messages = [
        documents.MY_NUMBER_BACK,
        documents.UNMASKED,
        documents.ISSUED_AFTER_RECEIPT,
        documents.VALID_BEFORE_ISSUE,
        decisions.REASON_NEEDED,
        decisions.ALTERNATIVE_ONLY,
        decisions.OWN_DECISION,
        decisions.ALREADY_DECIDED,
        decisions.SEND_BACK_NOTE,
        requests.NO_FEE_STEP,
        requests.FORMAL_REQUEST_FIRST,
        requests.DOCUMENTS_INCOMPLETE,
        requests.FEE_NOT_PASSED,
        requests.PROPOSE_INSTEAD,
        requests.APPROVED_DECISION_FIRST,
        requests.REJECTION_REASON,
        workflow.NOTICE_BY_POST,
    ]
    ja = catalog("ja")
    assert [m for m in messages if not ja.get(m, "").strip()] == []


async def test_a_correction_on_relia_through_the_pages(client, make_staff) -> None:
    """relia takes requests by post with a copy of one official document; a correction bears no fee,
    so the page offers no way into the fee step and work starts on complete documents alone."""
    desk = await desk_staff(client, make_staff, "relia")
    ref = await desk.letter("relia", ["correction"])
    await logged_in(client, desk.agent)
    ok(await form(client, ref, "documents", kind="request_form"))
    ok(await form(client, ref, "documents", kind="drivers_licence", valid_until="2029-08-01"))
    ok(await form(client, ref, "transitions", action="triage"))
    ok(await form(client, ref, "transitions", action="verify_identity"))
    refused = await form(client, ref, "transitions", action="check_fee")
    assert refused.status_code == 409 and "APPI Art. 38" in refused.text
    ok(await form(client, ref, "transitions", action="start_work"))
    ok(await form(client, ref, "decisions", outcome="full"))
    client.cookies.clear()
    await logged_in(client, desk.manager)
    page = (await client.get(f"/app/tickets/{ref}")).text
    decision = re.search(r"/decisions/(\d+)", page)
    assert decision
    ok(await form(client, ref, f"decisions/{decision.group(1)}", verdict="approve"))
    refused = await form(client, ref, "transitions", action="respond")
    assert refused.status_code == 409 and "post" in refused.text  # no e-mail address on a letter
    ok(
        await form(
            client, ref, "transitions", action="respond", notice_method="post", notice_sent_at="2026-11-24T09:30"
        )
    )
    page = (await client.get(f"/app/tickets/{ref}")).text
    assert "corrected" in page and "2026-11-24 09:30" in page
