"""Mail the parser used to misread, through the ingest service on a real database: internationalised
senders, attachment names in the wrong charset, malformed delivery reports."""

from __future__ import annotations

from pathlib import Path

from tests.mailbuilder import make_mail
from ticketing.container import Container
from ticketing.db.tables import Attachment, InboundMail, Message, Outbox, Requester, Ticket
from ticketing.services.mail_ports import MailSource

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "mail"


async def ingest(container: Container, raw: bytes, desk: str):  # type: ignore[no-untyped-def]
    return await container.mail.ingest(desk, raw, MailSource("pipe"))


async def ack_of(reference: str) -> dict:  # type: ignore[type-arg]
    row = (
        await Outbox.select()
        .where((Outbox.ticket.reference == reference) & (Outbox.kind == "ticket-received"))
        .first()
        .output(load_json=True)
    )
    assert row is not None
    return row


async def test_an_internationalised_sender_opens_a_ticket_and_threads_by_subject(container: Container) -> None:
    created = await ingest(container, (CORPUS / "intl-address.eml").read_bytes(), "rext-cs")
    assert created.action == "created"
    ticket = await Ticket.select().where(Ticket.reference == created.ticket).first()
    requester = await Requester.select().where(Requester.id == ticket["requester"]).first()
    assert (requester["name"], requester["email"]) == ("山田 太郎", "山田@例え.example")
    assert (await ack_of(created.ticket))["to_addr"] == "山田@例え.example"
    message = await Message.select().where(Message.ticket == ticket["id"]).first()
    assert message["message_id"] == "<c1f0e7a2-33b9-4d51-9a0e-intl@例え.example>"
    # Their next mail names the ticket in the subject only: it joins, since the sender is the requester.
    follow_up = (  # RFC 6532 headers are raw UTF-8 (the stdlib's SMTP policy would write encoded-words)
        "From: 山田 太郎 <山田@例え.example>\r\nTo: privacy-rcs@rext-cs.jp\r\n"
        f"Subject: [{created.ticket}] 追加の資料\r\nMessage-ID: <follow-up@例え.example>\r\n"
        "Date: Wed, 25 Nov 2026 11:00:00 +0900\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n住民票を追加で送ります。\r\n"
    ).encode()
    assert (await ingest(container, follow_up, "rext-cs")).action == "appended"
    assert await Ticket.count() == 1


async def test_attachment_names_in_another_charset_are_stored_readable(container: Container) -> None:
    created = await ingest(container, (CORPUS / "attachment-8bit-names.eml").read_bytes(), "rext-cs")
    ticket = await Ticket.select().where(Ticket.reference == created.ticket).first()
    names = [
        a["filename"]
        for a in await Attachment.select().where(Attachment.ticket == ticket["id"]).order_by(Attachment.id)
    ]
    assert names == ["本人確認書類.pdf", "住民票の写し.jpg", "委任状.pdf", "Adresse_Müller.txt"]
    log = await InboundMail.select().first().output(load_json=True)
    assert any("decoded as cp932" in d for d in log["defects"])


async def _bounce_of_our_ack(container: Container, fixture: str, ours: bytes, desk: str, sender: str) -> tuple:  # type: ignore[type-arg]
    to = "privacy@relia-group.com" if desk == "relia" else "privacy-rcs@rext-cs.jp"
    created = await ingest(container, make_mail(sender=sender, to=to), desk)
    ack = await ack_of(created.ticket)
    raw = (CORPUS / fixture).read_bytes().replace(ours, ack["message_id"].encode())
    return created.ticket, await ingest(container, raw, desk)


async def test_a_report_with_a_lost_boundary_still_flags_the_address_and_keeps_its_text(container: Container) -> None:
    reference, result = await _bounce_of_our_ack(
        container,
        "dsn-broken-boundary.eml",
        b"<REL-2026-000014.5a6b7c8d9e0f1a2b@relia-group.com>",
        "relia",
        "Taro Kobayashi <taro.kobayashi@example.jp>",
    )
    assert (result.action, result.ticket) == ("appended", reference)
    ticket = await Ticket.select().where(Ticket.reference == reference).first().output(load_json=True)
    assert ticket["flags"]["delivery_failed"] == ["taro.kobayashi@example.jp"]
    bounce = await Message.select().where(Message.ticket == ticket["id"]).order_by(Message.id, ascending=False).first()
    assert "The following addresses had permanent fatal errors" in bounce["text"]


async def test_a_report_without_its_status_part_is_a_failure_read_from_its_text(container: Container) -> None:
    reference, result = await _bounce_of_our_ack(
        container,
        "dsn-no-status-part.eml",
        b"<RCS-2026-000031.0f1e2d3c4b5a6978@rext-cs.jp>",
        "rext-cs",
        "Mai Inoue <m.inoue@example.jp>",
    )
    assert (result.action, result.ticket) == ("appended", reference)
    ticket = await Ticket.select().where(Ticket.reference == reference).first().output(load_json=True)
    assert ticket["flags"]["delivery_failed"] == ["m.inoue@example.jp"]  # a failure, not a delay
    requester = await Requester.select().where(Requester.email == "m.inoue@example.jp").first()
    assert requester["bouncing"] is True
    bounce = await Message.select().where(Message.ticket == ticket["id"]).order_by(Message.id, ascending=False).first()
    assert "次の受信者への配信に失敗しました" in bounce["text"]
