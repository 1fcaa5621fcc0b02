"""Mail on a ticket's life: replies resume clocks, status mail threads, bounces, limits, participants."""

from __future__ import annotations

import contextlib
from dataclasses import replace
from pathlib import Path

from tests.conftest import PG_URL, _truncate
from tests.mailbuilder import make_mail
from ticketing.container import Container
from ticketing.db.tables import Attachment, ClockPause, Event, InboundMail, Outbox, Requester, Ticket
from ticketing.services.mail_ports import MailSource
from ticketing.settings import BUNDLED_DESKS, Settings

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "mail"
DSN = (CORPUS / "dsn-bounce.eml").read_bytes()


@contextlib.asynccontextmanager
async def desk_container(settings: Settings, clock, tmp_path: Path, mail_rules: str):  # type: ignore[no-untyped-def]
    """A container whose relia desk has these [desks.relia.mail] rules, on the test database."""
    desks = tmp_path / "desks.toml"
    desks.write_text(BUNDLED_DESKS.read_text() + f"\n[desks.relia.mail]\n{mail_rules}\n")
    c = Container.build(replace(settings, desks_file=desks), clock=clock)
    await c.start(migrate=False, pool_size=5)
    try:
        if PG_URL:
            await _truncate()
            await c.tickets.ensure_desks(list(c.desks), clock.now())
        yield c
    finally:
        await c.stop()


async def ingest(container: Container, raw: bytes, desk: str = "relia"):  # type: ignore[no-untyped-def]
    return await container.mail.ingest(desk, raw, MailSource("pipe"))


async def outbox(kind: str) -> list[dict]:  # type: ignore[type-arg]
    return await Outbox.select().where(Outbox.kind == kind).order_by(Outbox.id).output(load_json=True)


async def test_a_reply_resumes_a_ticket_waiting_on_documents(client, container, relia_agent, clock) -> None:
    created = await ingest(container, make_mail(message_id="<ask@example.test>"))
    ref = created.ticket
    h = relia_agent.headers
    assert (await client.post(f"/api/v1/tickets/{ref}/transitions", json={"action": "triage"}, headers=h)).is_success
    r = await client.post(
        f"/api/v1/tickets/{ref}/transitions",
        headers=h,
        json={"action": "request_documents", "note": "Please send a copy of your ID card."},
    )
    assert r.json()["state"] == "awaiting_documents"
    (asking,) = await outbox("awaiting-documents")
    assert asking["payload"]["in_reply_to"] == "<ask@example.test>"  # threads on the requester's mail
    assert asking["payload"]["auto_submitted"] == "auto-generated"
    assert "ID card" in asking["payload"]["text"] and "/status/" in asking["payload"]["text"]
    clock.advance(hours=2)
    reply = make_mail(
        subject=f"Re: [{ref}] documents",
        body="Here is my ID.",
        in_reply_to=asking["message_id"],
        attachments=[("id.jpg", "image/jpeg", b"\xff\xd8\xff\xe0fake jpeg")],
    )
    assert (await ingest(container, reply)).action == "appended"
    ticket = await Ticket.select().where(Ticket.reference == ref).first()
    assert ticket["state"] == "identity_verification"
    pause = await ClockPause.select().first()
    assert pause["ended_at"] == clock.now()  # the clocks run again from the reply
    event = await Event.select().where(Event.action == "requester_replied").first()
    assert (event["from_state"], event["to_state"]) == ("awaiting_documents", "identity_verification")
    assert await Attachment.count() == 1


async def test_an_agent_reply_is_human_mail_in_the_requesters_thread(client, container, relia_agent) -> None:
    created = await ingest(container, make_mail(message_id="<m1@example.test>", references="<older@example.test>"))
    r = await client.post(
        f"/api/v1/tickets/{created.ticket}/replies",
        json={"text": "We hold your name only."},
        headers=relia_agent.headers,
    )
    assert r.status_code == 201
    (reply,) = await outbox("agent-reply")
    assert reply["payload"]["auto_submitted"] is None  # a person wrote it (RFC 3834)
    assert reply["payload"]["in_reply_to"] == "<m1@example.test>"
    assert "<m1@example.test>" in reply["payload"]["references"]
    assert reply["subject"].startswith(f"[{created.ticket}]")


async def test_status_mail_is_sent_only_for_moves_that_concern_the_requester(client, container, relia_agent) -> None:
    ref = (await ingest(container, make_mail())).ticket
    h = relia_agent.headers
    for action in ("triage", "start_work", "respond", "close"):
        r = await client.post(f"/api/v1/tickets/{ref}/transitions", json={"action": action}, headers=h)
        assert r.is_success, r.text
    kinds = [r["kind"] for r in await Outbox.select(Outbox.kind).order_by(Outbox.id)]
    assert kinds == ["ticket-received", "status-changed", "ticket-resolved"]  # triage and close say nothing new
    quiet = (await ingest(container, make_mail(subject="Another", body="Another question"))).ticket
    await client.post(f"/api/v1/tickets/{quiet}/transitions", json={"action": "triage"}, headers=h)
    await client.post(
        f"/api/v1/tickets/{quiet}/transitions", json={"action": "start_work", "notify_requester": False}, headers=h
    )
    assert await Outbox.count().where(Outbox.ticket.reference == quiet) == 1


async def test_a_bounce_marks_the_address_flags_the_ticket_and_tells_the_agent(container, make_staff) -> None:
    await make_staff("agent@relia.test", ["relia"])
    created = await ingest(container, make_mail(sender="Hanako <hanako@example.test>"))
    ack = (await outbox("ticket-received"))[0]
    # Point the fixture's report at our real acknowledgement.
    dsn = DSN.replace(b"<REL-2026-000001.0123456789abcdef@relia-group.com>", ack["message_id"].encode())
    result = await ingest(container, dsn)
    assert (result.action, result.ticket) == ("appended", created.ticket)
    requester = await Requester.select().where(Requester.email == "hanako@example.test").first()
    assert requester["bouncing"] is True
    ticket = await Ticket.select().where(Ticket.reference == created.ticket).first().output(load_json=True)
    assert ticket["flags"]["delivery_failed"] == ["hanako@example.test"]
    (notice,) = await outbox("delivery-failed")
    assert notice["to_addr"] == "agent@relia.test" and "hanako@example.test" in notice["payload"]["text"]
    assert "/status/" not in notice["payload"]["text"]
    # While the address bounces, status mail to it is held back (and the event says why).
    change = await container.workflow.transition(await _agent(container), created.ticket, "triage")
    assert change == "triage"
    await container.workflow.transition(await _agent(container), created.ticket, "start_work")
    assert await outbox("status-changed") == []
    event = await Event.select().where(Event.action == "start_work").first().output(load_json=True)
    assert "bounces" in event["data"]["mail_not_sent"]
    # A new mail from the address shows it works again.
    await ingest(container, make_mail(subject=f"[{created.ticket}] fixed my mailbox", body="Works now."))
    requester = await Requester.select().where(Requester.email == "hanako@example.test").first()
    assert requester["bouncing"] is False


async def _agent(container: Container):  # type: ignore[no-untyped-def]
    user_id = await container.accounts_store.user_id_by_email("agent@relia.test")
    return await container.accounts_store.principal(user_id)


async def test_a_delay_notice_is_recorded_but_gives_up_on_nothing(container, make_staff) -> None:
    await make_staff("agent@relia.test", ["relia"])
    created = await ingest(container, make_mail(sender="Hanako <hanako@example.test>"))
    ack = (await outbox("ticket-received"))[0]
    delayed = (
        DSN.replace(b"<REL-2026-000001.0123456789abcdef@relia-group.com>", ack["message_id"].encode())
        .replace(b"Action: failed", b"Action: delayed")
        .replace(b"Status: 5.1.1", b"Status: 4.4.7")
    )
    result = await ingest(container, delayed)
    assert (result.action, result.ticket) == ("appended", created.ticket)
    requester = await Requester.select().where(Requester.email == "hanako@example.test").first()
    assert requester["bouncing"] is False
    ticket = await Ticket.select().where(Ticket.reference == created.ticket).first().output(load_json=True)
    assert "delivery_failed" not in ticket["flags"] and await outbox("delivery-failed") == []
    assert await Event.count().where(Event.action == "delivery_delayed") == 1


async def test_a_bounce_about_no_mail_of_ours_is_ignored(container) -> None:
    result = await ingest(container, DSN)
    assert result.action == "ignored" and await Ticket.count() == 0


async def test_attachments_over_the_desk_limits_are_not_taken_and_the_sender_is_told(
    settings: Settings, clock, tmp_path
) -> None:
    async with desk_container(settings, clock, tmp_path, "max_attachment_bytes = 2048\nmax_attachments = 2") as c:
        raw = make_mail(
            attachments=[
                ("a.pdf", "application/pdf", b"%PDF" + b"a" * 100),
                ("big.pdf", "application/pdf", b"%PDF" + b"b" * 5000),
                ("c.pdf", "application/pdf", b"%PDF" + b"c" * 100),
                ("d.pdf", "application/pdf", b"%PDF" + b"d" * 100),
            ]
        )
        result = await c.mail.ingest("relia", raw, MailSource("pipe"))
        assert result.action == "created"
        assert sorted(a["filename"] for a in await Attachment.select(Attachment.filename)) == ["a.pdf", "c.pdf"]
        ticket = await Ticket.select().first().output(load_json=True)
        omitted = {o["filename"]: o["why"] for o in ticket["flags"]["attachments_omitted"]}
        assert omitted == {"big.pdf": "attachment_too_large", "d.pdf": "too_many_attachments"}
        (notice,) = await outbox("mail-too-large")
        text = notice["payload"]["text"]  # the files by number: their names are the sender's text
        assert "Attachment 1" in text and "Attachment 2" in text and "big.pdf" not in text
        assert c.mail.raw_store.get((await InboundMail.select().first())["raw_sha256"]) == raw  # all still kept


async def test_a_participant_may_write_to_the_ticket(client, container, relia_agent) -> None:
    ref = (await ingest(container, make_mail())).ticket
    lawyer = make_mail(sender="Lawyer <lawyer@example.test>", subject=f"[{ref}] on behalf of my client")
    assert (await ingest(container, lawyer)).action == "created"  # not yet known: a new, linked ticket
    r = await client.post(
        f"/api/v1/tickets/{ref}/participants", json={"email": "lawyer@example.test"}, headers=relia_agent.headers
    )
    assert r.status_code == 201 and r.json()["added"] is True
    again = make_mail(sender="Lawyer <lawyer@example.test>", subject=f"[{ref}] power of attorney attached")
    assert (await ingest(container, again)).ticket == ref
    detail = (await client.get(f"/api/v1/tickets/{ref}", headers=relia_agent.headers)).json()
    assert detail["participants"] == ["lawyer@example.test"]
    assert [m["from_email"] for m in detail["messages"]] == ["hanako@example.test", "lawyer@example.test"]
    bad = await client.post(
        f"/api/v1/tickets/{ref}/participants", json={"email": "not an address"}, headers=relia_agent.headers
    )
    assert bad.status_code == 400 and "email" in bad.json()["errors"]


async def test_a_failure_inside_the_reply_transaction_leaves_nothing(container, monkeypatch) -> None:
    created = await ingest(container, make_mail(sender="Hanako <hanako@example.test>"))
    ack = (await outbox("ticket-received"))[0]
    dsn = DSN.replace(b"<REL-2026-000001.0123456789abcdef@relia-group.com>", ack["message_id"].encode())

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("crash while deciding, after the dedupe claim")

    monkeypatch.setattr(container.mail.notices, "delivery_failed", broken)
    try:
        await ingest(container, dsn)
    except RuntimeError:
        pass
    else:
        raise AssertionError("the failure did not reach the caller")
    assert await InboundMail.count() == 1  # only the original mail: the claim went with the rollback
    requester = await Requester.select().where(Requester.email == "hanako@example.test").first()
    assert requester["bouncing"] is False
    monkeypatch.undo()
    assert (await ingest(container, dsn)).ticket == created.ticket  # the MTA's retry is stored, once
    assert await InboundMail.count() == 2


async def test_a_message_over_the_size_limit_keeps_its_text_but_no_attachments(
    settings: Settings, clock, tmp_path
) -> None:
    async with desk_container(settings, clock, tmp_path, "max_message_bytes = 65536") as c:
        raw = make_mail(
            body="Please find my documents attached.",
            attachments=[("scan.pdf", "application/pdf", b"%PDF" + b"s" * 80_000)],
        )
        result = await c.mail.ingest("relia", raw, MailSource("pipe"))
        assert result.action == "created" and await Attachment.count() == 0
        ticket = await Ticket.select().first().output(load_json=True)
        assert ticket["flags"]["attachments_omitted"][0]["why"] == "message_too_large"
        (notice,) = await outbox("mail-too-large")
        assert "Attachment 1" in notice["payload"]["text"] and "scan.pdf" not in notice["payload"]["text"]
