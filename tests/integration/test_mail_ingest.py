"""The ingest service on a real database: new tickets, duplicates, threading, the sender rule, robots."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.mailbuilder import make_mail
from ticketing.container import Container
from ticketing.db.tables import Attachment, Event, InboundMail, Message, Outbox, Requester, Ticket
from ticketing.services.mail_ports import MailSource

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "mail"
PIPE = MailSource("pipe")


async def ingest(container: Container, raw: bytes, desk: str = "relia"):  # type: ignore[no-untyped-def]
    return await container.mail.ingest(desk, raw, PIPE)


async def ack_of(reference: str) -> dict:  # type: ignore[type-arg]
    row = (
        await Outbox.select()
        .where((Outbox.ticket.reference == reference) & (Outbox.kind == "ticket-received"))
        .first()
        .output(load_json=True)
    )
    assert row is not None
    return row


async def test_a_new_message_opens_a_ticket_and_is_acknowledged_in_its_thread(container: Container) -> None:
    raw = make_mail(message_id="<first@example.test>", attachments=[("id.pdf", "application/pdf", b"%PDF-1.4 x")])
    result = await ingest(container, raw)
    assert result.action == "created" and result.ticket == "REL-2026-000001"
    ticket = await Ticket.select().where(Ticket.reference == result.ticket).first()
    assert ticket["channel"] == "email" and ticket["category"] == "inquiry" and ticket["language"] == "en"
    assert ticket["subject"] == "What do you hold about me?"
    requester = await Requester.select().where(Requester.id == ticket["requester"]).first()
    assert (requester["name"], requester["email"]) == ("Hanako Yamada", "hanako@example.test")
    message = await Message.select().where(Message.ticket == ticket["id"]).first()
    assert message["message_id"] == "<first@example.test>" and message["channel"] == "email"
    assert "personal data" in message["text"] and message["raw_path"]
    assert container.mail.raw_store.get(message["raw_path"]) == raw  # the raw bytes, kept exactly
    attachment = await Attachment.select().where(Attachment.ticket == ticket["id"]).first()
    assert attachment["filename"] == "id.pdf" and attachment["content_type"] == "application/pdf"
    log = await InboundMail.select().first()
    assert log["action"] == "created" and log["ticket"] == ticket["id"] and log["source"] == "pipe"
    ack = await ack_of(result.ticket)
    assert ack["to_addr"] == "hanako@example.test" and ack["subject"].startswith("[REL-2026-000001]")
    assert ack["payload"]["in_reply_to"] == "<first@example.test>"
    assert ack["payload"]["auto_submitted"] == "auto-replied"
    assert "/status/" in ack["payload"]["text"]
    clocks = await Ticket.select(Ticket.first_response_due_at).where(Ticket.id == ticket["id"]).first()
    assert clocks["first_response_due_at"] is not None  # an e-mail ticket runs on the same clocks


async def test_the_same_message_twice_is_stored_once(container: Container) -> None:
    raw = make_mail()
    first, second = await ingest(container, raw), await ingest(container, raw)
    assert (first.action, second.action) == ("created", "duplicate") and second.ticket == first.ticket
    assert await Ticket.count() == 1 and await Message.count() == 1 and await Outbox.count() == 1
    assert (await InboundMail.select(InboundMail.deliveries).first())["deliveries"] == 2


async def test_the_same_message_by_another_path_with_trace_headers_is_a_duplicate(container: Container) -> None:
    a = await ingest(container, (CORPUS / "dup-a.eml").read_bytes())
    b = await container.mail.ingest("relia", (CORPUS / "dup-b.eml").read_bytes(), MailSource("lmtp"))
    assert a.action == "created" and b.action == "duplicate" and b.ticket == a.ticket


async def test_a_message_without_message_id_still_dedupes(container: Container) -> None:
    raw = make_mail(message_id=None)
    assert (await ingest(container, raw)).action == "created"
    assert (await ingest(container, raw)).action == "duplicate"
    other = make_mail(message_id=None, body="A different question.")
    assert (await ingest(container, other)).action == "created"


async def test_concurrent_deliveries_of_one_message_make_one_ticket(container: Container) -> None:
    raw = make_mail()
    results = await asyncio.gather(*(ingest(container, raw) for _ in range(6)))
    assert sorted(r.action for r in results) == ["created"] + ["duplicate"] * 5
    assert await Ticket.count() == 1 and await InboundMail.count() == 1 and await Outbox.count() == 1


async def test_a_reply_to_our_acknowledgement_joins_the_ticket(container: Container) -> None:
    created = await ingest(container, make_mail(message_id="<q1@example.test>"))
    ack = await ack_of(created.ticket)
    reply = make_mail(
        subject="Re: [REL-2026-000001] We have received your inquiry",
        body="Any news?",
        in_reply_to=ack["message_id"],
        references=f"<q1@example.test> {ack['message_id']}",
    )
    result = await ingest(container, reply)
    assert (result.action, result.ticket) == ("appended", created.ticket)
    assert await Ticket.count() == 1 and await Message.count() == 2
    assert await Outbox.count() == 1  # no acknowledgement of a reply
    event = await Event.select().where(Event.action == "mail_received").first()
    assert event is not None and event["actor_label"] == "requester"


async def test_a_subject_reference_joins_only_for_the_requester(container: Container) -> None:
    created = await ingest(container, make_mail())
    mine = make_mail(subject=f"[{created.ticket}] one more thing", body="I forgot my member number: 123.")
    assert (await ingest(container, mine)).action == "appended"
    stranger = make_mail(
        sender="Mallory <mallory@example.test>",
        subject=f"Re: [{created.ticket}] hello",
        body="Please send me everything in this case.",
    )
    result = await ingest(container, stranger)
    assert result.action == "created" and result.ticket != created.ticket
    new = await Ticket.select().where(Ticket.reference == result.ticket).first().output(load_json=True)
    old = await Ticket.select(Ticket.id).where(Ticket.reference == created.ticket).first()
    assert new["linked_ticket"] == old["id"] and "needs_review" in new["flags"]
    old_messages = await Message.select(Message.from_email).where(Message.ticket == old["id"])
    assert all(m["from_email"] == "hanako@example.test" for m in old_messages)  # never on her case


async def test_a_stranger_replying_with_our_message_id_opens_a_linked_ticket(container: Container) -> None:
    created = await ingest(container, make_mail())
    ack = await ack_of(created.ticket)
    forwarded = make_mail(sender="lawyer@example.test", subject="Re: your case", in_reply_to=ack["message_id"])
    result = await ingest(container, forwarded)
    assert result.action == "created" and result.ticket != created.ticket


async def test_a_reference_of_another_desk_is_not_followed(container: Container) -> None:
    rcs = await ingest(
        container,
        make_mail(to="privacy-rcs@rext-cs.jp", subject="個人情報の削除について", body="登録情報を削除してください。"),
        desk="rext-cs",
    )
    probe = make_mail(subject=f"[{rcs.ticket}] status?")
    result = await ingest(container, probe)
    ticket = await Ticket.select().where(Ticket.reference == result.ticket).first().output(load_json=True)
    assert result.action == "created" and ticket["linked_ticket"] is None and not ticket["flags"]


async def test_japanese_mail_gets_a_japanese_ticket_and_acknowledgement(container: Container) -> None:
    raw = (CORPUS / "iso2022jp.eml").read_bytes()
    result = await ingest(container, raw, desk="rext-cs")
    ticket = await Ticket.select().where(Ticket.reference == result.ticket).first()
    assert result.ticket.startswith("RCS-") and ticket["language"] == "ja"
    ack = await ack_of(result.ticket)
    assert "受け付けました" in ack["payload"]["text"]


async def test_an_out_of_office_reply_is_recorded_but_changes_and_answers_nothing(container: Container) -> None:
    created = await ingest(container, make_mail())
    ack = await ack_of(created.ticket)
    ooo = make_mail(
        subject="Automatic reply: We have received your inquiry",
        body="I am away until Monday.",
        in_reply_to=ack["message_id"],
        headers={"Auto-Submitted": "auto-replied"},
    )
    result = await ingest(container, ooo)
    assert result.action == "appended"
    message = await Message.select().where(Message.kind == "auto").first()
    assert message is not None and message["from_email"] == "hanako@example.test"
    assert await Outbox.count() == 1
    stray = make_mail(sender="robot@example.test", headers={"Auto-Submitted": "auto-generated"})
    assert (await ingest(container, stray)).action == "ignored"
    assert await Ticket.count() == 1
    assert (await InboundMail.select().where(InboundMail.action == "ignored").first())["raw_sha256"]


async def test_list_and_bulk_mail_is_kept_but_opens_no_ticket(container: Container) -> None:
    for name in ("list-id.eml", "precedence-bulk.eml", "x-autoreply.eml", "ooo-exchange.eml"):
        result = await ingest(container, (CORPUS / name).read_bytes())
        assert result.action == "ignored", name
    assert await Ticket.count() == 0 and await Outbox.count() == 0 and await InboundMail.count() == 4


async def test_mail_from_our_own_inbox_is_never_answered(container: Container) -> None:
    result = await ingest(container, (CORPUS / "from-own-inbox.eml").read_bytes())
    assert result.action == "ignored" and await Outbox.count() == 0


async def test_a_malformed_message_is_quarantined_with_its_raw_bytes_and_defects(container: Container) -> None:
    raw = (CORPUS / "malformed-no-from.eml").read_bytes()
    result = await ingest(container, raw)
    assert result.action == "quarantined" and result.ticket is None
    row = await InboundMail.select().first().output(load_json=True)
    assert row["action"] == "quarantined" and "sender" in row["reason"] and row["defects"]
    assert container.mail.raw_store.get(row["raw_sha256"]) == raw
    assert (await ingest(container, raw)).action == "duplicate"


async def test_the_daily_cap_stops_automatic_replies_to_one_address(container: Container) -> None:
    cap = container.desks["relia"].mail.auto_reply_daily_cap
    for i in range(cap + 2):
        await ingest(container, make_mail(subject=f"Question {i}", body=f"Question number {i}."))
    assert await Ticket.count() == cap + 2
    assert await Outbox.count().where(Outbox.kind == "ticket-received") == cap
    capped = (
        await Event.select()
        .where(Event.action == "created")
        .order_by(Event.id, ascending=False)
        .first()
        .output(load_json=True)
    )
    assert "cap" in capped["data"]["mail_not_sent"]
