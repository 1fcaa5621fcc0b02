"""The LMTP receiver over a real LMTP session: one reply per recipient, 4xx when storing fails."""

from __future__ import annotations

import asyncio
import smtplib
from collections.abc import AsyncIterator

import pytest

from tests.mailbuilder import make_mail
from ticketing.container import Container
from ticketing.db.tables import InboundMail, Ticket
from ticketing.mail.lmtp import LmtpServer


def lmtp_send(port: int, rcpts: list[str], data: bytes, sender: str = "hanako@example.test") -> dict[str, tuple]:
    """Deliver like an MTA and read LMTP's one reply per accepted recipient (smtplib's sendmail reads one)."""
    result: dict[str, tuple] = {}
    with smtplib.LMTP("127.0.0.1", port) as client:
        client.ehlo()  # LHLO
        client.mail(sender)
        accepted = []
        for rcpt in rcpts:
            code, text = client.rcpt(rcpt)
            if code in (250, 251):
                accepted.append(rcpt)
            else:
                result[rcpt] = (code, text)
        if accepted:
            result[accepted[0]] = client.data(data)
            for rcpt in accepted[1:]:
                result[rcpt] = client.getreply()
    return result


@pytest.fixture
async def lmtp(container: Container, free_port: int) -> AsyncIterator[LmtpServer]:
    server = LmtpServer(container.mail, "127.0.0.1", free_port, max_bytes=200_000)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def send(lmtp: LmtpServer, rcpts: list[str], data: bytes) -> dict[str, tuple]:
    return await asyncio.to_thread(lmtp_send, lmtp.port, rcpts, data)


async def test_a_delivery_is_stored_and_a_redelivery_is_acknowledged_once(lmtp) -> None:
    raw = make_mail()
    first = await send(lmtp, ["privacy@relia-group.com"], raw)
    assert first["privacy@relia-group.com"][0] == 250 and b"created" in first["privacy@relia-group.com"][1]
    again = await send(lmtp, ["privacy@relia-group.com"], raw)  # the MTA lost our 250 and retried
    assert again["privacy@relia-group.com"][0] == 250 and b"duplicate" in again["privacy@relia-group.com"][1]
    assert await Ticket.count() == 1
    assert (await InboundMail.select().first())["source"] == "lmtp"


async def test_each_recipient_gets_its_own_reply(lmtp) -> None:
    raw = make_mail(to="privacy@relia-group.com, privacy-rcs@rext-cs.jp")
    replies = await send(
        lmtp,
        [
            "privacy@relia-group.com",
            "nobody@relia-group.com",
            "privacy-rcs@rext-cs.jp",
            "privacy+complaints@relia-group.com",
        ],
        raw,
    )
    assert replies["nobody@relia-group.com"][0] == 550
    assert replies["privacy@relia-group.com"][0] == 250 and replies["privacy-rcs@rext-cs.jp"][0] == 250
    assert b"duplicate" in replies["privacy+complaints@relia-group.com"][1]  # the same desk twice: stored once
    assert await Ticket.count() == 2  # one per desk: two companies never share a ticket


async def test_a_storage_failure_answers_451_so_the_mta_retries(lmtp, container, monkeypatch) -> None:
    raw = make_mail()

    async def down(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError("database unreachable")

    monkeypatch.setattr(container.mail_store, "create_ticket", down)
    replies = await send(lmtp, ["privacy@relia-group.com", "privacy-rcs@rext-cs.jp"], raw)
    assert [r[0] for r in replies.values()] == [451, 451]
    assert await Ticket.count() == 0
    monkeypatch.undo()
    retried = await send(lmtp, ["privacy@relia-group.com", "privacy-rcs@rext-cs.jp"], raw)
    assert [r[0] for r in retried.values()] == [250, 250] and await Ticket.count() == 2


async def test_a_message_over_the_hard_limit_is_refused_for_every_recipient(lmtp) -> None:
    raw = make_mail(attachments=[("scan.pdf", "application/pdf", b"%PDF" * 80_000)])
    replies = await send(lmtp, ["privacy@relia-group.com", "privacy-rcs@rext-cs.jp"], raw)
    assert [r[0] for r in replies.values()] == [552, 552], replies  # one reply each: the client stays in step
    assert await Ticket.count() == 0
    ok = await send(lmtp, ["privacy@relia-group.com"], make_mail())  # the session after that still works
    assert ok["privacy@relia-group.com"][0] == 250
