"""Status mail as it reaches a real SMTP server: threaded on the requester's mail, RFC 3834 headers right."""

from __future__ import annotations

from tests.mailbuilder import make_mail
from tests.smtp_server import running_smtp_server
from ticketing.db.tables import Outbox
from ticketing.mail.smtp import SmtpTransport
from ticketing.services.mail_ports import MailSource
from ticketing.services.outbox import OutboxService
from ticketing.settings import SmtpSettings


async def test_acknowledgement_reply_and_status_mail_arrive_threaded(client, container, relia_agent, free_port) -> None:
    created = await container.mail.ingest(
        "relia",
        make_mail(message_id="<question@example.test>", references="<earlier@example.test>"),
        MailSource("lmtp"),
    )
    ref = created.ticket
    h = relia_agent.headers
    assert (
        await client.post(f"/api/v1/tickets/{ref}/replies", json={"text": "We hold your name."}, headers=h)
    ).status_code == 201
    for body in ({"action": "triage"}, {"action": "request_documents", "note": "A copy of your ID, please."}):
        assert (await client.post(f"/api/v1/tickets/{ref}/transitions", json=body, headers=h)).is_success
    with running_smtp_server(free_port) as server:
        outbox = OutboxService(
            container.outbox_store, SmtpTransport(SmtpSettings("127.0.0.1", free_port)), container.clock
        )
        result = await outbox.deliver_due()
        assert (result.sent, result.failed) == (3, 0)
        received = {m.message_id: m.message for m in await server.wait_for(3)}
    kinds = {r["message_id"]: r["kind"] for r in await Outbox.select(Outbox.message_id, Outbox.kind)}
    by_kind = {kinds[message_id]: msg for message_id, msg in received.items()}
    ack, reply, waiting = by_kind["ticket-received"], by_kind["agent-reply"], by_kind["awaiting-documents"]
    for msg in (ack, reply, waiting):
        assert msg["Subject"].startswith(f"[{ref}]")
        assert msg["In-Reply-To"] == "<question@example.test>"  # the requester's own message
        assert "<question@example.test>" in msg["References"]
        assert msg["To"] == "hanako@example.test" and msg["Reply-To"] == "privacy@relia-group.com"
        assert "/status/" in msg.get_body(("plain",)).get_content()
    assert ack["Auto-Submitted"] == "auto-replied"  # an automatic answer to their mail
    assert reply["Auto-Submitted"] is None  # a person wrote it
    assert waiting["Auto-Submitted"] == "auto-generated"
    assert "A copy of your ID, please." in waiting.get_body(("plain",)).get_content()
