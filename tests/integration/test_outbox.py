"""The outbox worker against a real SMTP server (aiosmtpd) and a real database (SQLite or PostgreSQL)."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Any

import pytest

from tests.conftest import ticket_json
from tests.smtp_server import SmtpTestServer, running_smtp_server
from ticketing.db.tables import Outbox
from ticketing.domain.mail import OutgoingMail
from ticketing.domain.tickets import Channel
from ticketing.jobs.scheduler import deliver_outbox
from ticketing.mail.memory import MemoryTransport
from ticketing.mail.smtp import SmtpTransport
from ticketing.services.outbox import DeliveryResult, OutboxService, RetryPolicy
from ticketing.settings import SmtpSettings
from ticketing.web.auth import SESSION_COOKIE


@pytest.fixture
def smtp(free_port: int) -> Iterator[SmtpTestServer]:
    with running_smtp_server(free_port) as server:
        yield server


def smtp_outbox(container: Any, server: SmtpTestServer, **kwargs: Any) -> OutboxService:
    transport = SmtpTransport(SmtpSettings(host=server.host, port=server.port), timeout=5)
    return OutboxService(container.outbox_store, transport, container.clock, **kwargs)


@pytest.fixture
async def outbox(container: Any, smtp: SmtpTestServer) -> AsyncIterator[OutboxService]:
    container.outbox = smtp_outbox(container, smtp)
    yield container.outbox


async def rows() -> list[dict[str, Any]]:
    return await Outbox.select().order_by(Outbox.id)


async def open_tickets(container: Any, n: int, desk: str = "relia") -> None:
    for i in range(n):
        body = ticket_json(requester={"name": f"R {i}", "email": f"r{i}@example.test"})
        await container.intake.open_ticket(desk, body, channel=Channel.WEB)


def bodies(msg: Any) -> tuple[str, str]:
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    return text, html


async def test_acknowledgement_arrives_once_with_the_right_headers(client, relia_agent, outbox, smtp, clock):
    r = await client.post("/api/v1/tickets", json=ticket_json(), headers=relia_agent.headers)
    assert r.status_code == 201, r.text
    status_url = r.json()["status_url"]

    assert (await outbox.deliver_due()).sent == 1
    [got] = await smtp.wait_for(1)
    assert got.mail_from == "privacy@relia-group.com" and got.rcpt_tos == ("hanako@example.test",)
    msg = got.message
    assert parseaddr(str(msg["To"]))[1] == "hanako@example.test"
    assert parseaddr(str(msg["From"]))[1] == "privacy@relia-group.com"
    assert str(msg["Reply-To"]) == "privacy@relia-group.com"
    assert "[REL-2026-000001]" in str(msg["Subject"])
    assert re.fullmatch(r"<REL-2026-000001\.[0-9a-f]+@relia-group\.com>", str(msg["Message-ID"]))
    assert str(msg["Auto-Submitted"]) == "auto-replied"
    text, html = bodies(msg)
    assert text.startswith("Hello,") and "Hanako" not in text and status_url in text  # nothing they typed
    assert f'href="{status_url}"' in html

    [row] = await rows()
    assert row["status"] == "sent" and row["sent_at"] == clock.now() and row["attempts"] == 1
    assert row["message_id"] == str(msg["Message-ID"])
    clock.advance(hours=1)
    assert (await outbox.deliver_due()).sent == 0
    assert len(await smtp.settle()) == 1


async def test_japanese_acknowledgement_from_the_rext_desk(client, rcs_agent, outbox, smtp):
    body = ticket_json(
        desk="rext-cs",
        language="ja",
        subject="利用目的について",
        requester={"name": "山田 花子", "email": "hanako@example.test"},
    )
    r = await client.post("/api/v1/tickets", json=body, headers=rcs_agent.headers)
    assert r.status_code == 201, r.text
    await outbox.deliver_due()
    [got] = await smtp.wait_for(1)
    msg = got.message
    assert got.mail_from == "privacy-rcs@rext-cs.jp"
    assert parseaddr(str(msg["From"]))[1] == "privacy-rcs@rext-cs.jp" == str(msg["Reply-To"])
    assert str(msg["Subject"]).startswith("[RCS-2026-000001] ") and "受け付けました" in str(msg["Subject"])
    assert str(msg["Message-ID"]).endswith("@rext-cs.jp>") and "RCS-2026-000001" in str(msg["Message-ID"])
    text, html = bodies(msg)
    for part in (text, html):
        assert "山田" not in part and "利用目的について" not in part and "受付番号" in part
    assert r.json()["status_url"] in text and r.json()["status_url"] in html


async def test_smtp_down_then_up_sends_once_after_recovery(container, outbox, smtp, clock):
    await open_tickets(container, 1)
    smtp.stop()
    assert (await outbox.deliver_due()).retried == 1
    [row] = await rows()
    assert row["status"] == "pending" and row["attempts"] == 1 and row["sent_at"] is None
    assert "SMTPConnectError" in row["last_error"] and str(smtp.port) in row["last_error"]
    first_wait = row["next_attempt_at"] - clock.now()
    assert first_wait > timedelta(0)

    clock.advance(seconds=first_wait.total_seconds() - 1)  # not yet due: nothing is tried
    assert await outbox.deliver_due() == DeliveryResult()
    assert (await rows())[0]["attempts"] == 1

    clock.advance(seconds=1)
    assert (await outbox.deliver_due()).retried == 1
    [row] = await rows()
    assert row["attempts"] == 2 and row["next_attempt_at"] - clock.now() > first_wait  # backs off

    smtp.start()
    clock.advance(seconds=5)
    assert (await outbox.deliver_due()).sent == 0  # still waiting for its retry time
    clock.advance(hours=2)
    assert (await outbox.deliver_due()).sent == 1
    [row] = await rows()
    assert row["status"] == "sent" and row["attempts"] == 3
    clock.advance(hours=2)
    assert (await outbox.deliver_due()).sent == 0
    assert len(await smtp.settle()) == 1


async def test_two_workers_send_each_mail_exactly_once(container, smtp):
    await open_tickets(container, 30)
    workers = [smtp_outbox(container, smtp, batch=4) for _ in range(2)]

    async def drain(worker: OutboxService) -> int:
        total = 0
        while (result := await worker.deliver_due()).sent:
            total += result.sent
        return total

    counts = await asyncio.gather(*(drain(w) for w in workers))
    assert sum(counts) == 30
    ids = Counter(m.message_id for m in await smtp.settle())
    assert len(ids) == 30 and set(ids.values()) == {1}
    assert ids.keys() == {r["message_id"] for r in await rows()}
    assert {r["status"] for r in await rows()} == {"sent"}


class SlowRelay(MemoryTransport):
    """Each send takes 'two minutes' of the test clock; `meanwhile` runs during the send."""

    def __init__(self, clock: Any, sent: list[bytes], meanwhile: Callable[[], Awaitable[Any]] | None = None) -> None:
        super().__init__()
        self.clock, self.sent, self.meanwhile = clock, sent, meanwhile

    async def send(self, mail: OutgoingMail, sent_at: datetime) -> None:
        self.clock.advance(minutes=2)
        if self.meanwhile is not None:
            await self.meanwhile()
        await super().send(mail, sent_at)


async def test_a_slow_relay_does_not_let_queued_rows_lose_their_lease(container, clock):
    """Regression: a batch claimed under one 5-minute lease outlived it behind a slow relay, and a
    second worker polling meanwhile sent the tail of the batch again."""
    await open_tickets(container, 6)
    sent: list[bytes] = []
    store = container.outbox_store
    second = OutboxService(store, SlowRelay(clock, sent), clock, batch=1, lease_seconds=300)
    first = OutboxService(store, SlowRelay(clock, sent, second.deliver_due), clock, batch=6, lease_seconds=300)
    await first.deliver_due()
    while (await second.deliver_due()).sent:
        pass
    ids = Counter(re.search(rb"Message-ID: (\S+)", raw)[1] for raw in sent)  # type: ignore[index]
    assert len(ids) == 6 and set(ids.values()) == {1}
    assert {r["status"] for r in await rows()} == {"sent"}


async def test_a_550_refusal_fails_for_good_and_a_450_is_retried(container, outbox, smtp, clock):
    await open_tickets(container, 2)
    smtp.rcpt_policy = lambda addr: "550 5.1.1 no such user" if addr == "r0@example.test" else "450 4.2.1 try later"
    assert await outbox.deliver_due() == DeliveryResult(sent=0, retried=1, failed=1)
    refused, busy = await rows()
    assert refused["status"] == "failed" and "550" in refused["last_error"] and "no such user" in refused["last_error"]
    assert busy["status"] == "pending" and "450" in busy["last_error"] and busy["next_attempt_at"] > clock.now()

    smtp.rcpt_policy = None
    clock.advance(days=1)
    assert (await outbox.deliver_due()).sent == 1
    refused, busy = await rows()
    assert refused["status"] == "failed" and refused["attempts"] == 1  # never tried again
    assert busy["status"] == "sent"
    assert [m.rcpt_tos for m in await smtp.settle()] == [("r1@example.test",)]


async def test_gives_up_after_max_attempts_keeping_the_last_error(container, smtp, clock):
    service = smtp_outbox(container, smtp, retry=RetryPolicy(base_seconds=1, max_seconds=4, max_attempts=3))
    await open_tickets(container, 1)
    smtp.rcpt_policy = lambda addr: "451 4.3.0 temporary trouble"
    outcomes = []
    for _ in range(5):
        outcomes.append(await service.deliver_due())
        clock.advance(seconds=10)
    assert [(o.retried, o.failed) for o in outcomes] == [(1, 0), (1, 0), (0, 1), (0, 0), (0, 0)]
    [row] = await rows()
    assert row["status"] == "failed" and row["attempts"] == 3 and "451 4.3.0 temporary trouble" in row["last_error"]
    assert smtp.messages() == []


async def test_a_row_of_a_worker_that_died_mid_send_is_sent_after_its_lease(container, outbox, smtp, clock):
    await open_tickets(container, 1)
    [claimed] = await container.outbox_store.claim(clock.now(), 10, 60)  # ... and then the worker died
    [row] = await rows()
    assert row["status"] == "sending" and row["lease_until"] == clock.now() + timedelta(seconds=60)

    assert (await outbox.deliver_due()).sent == 0  # the lease still holds
    clock.advance(seconds=61)
    assert (await outbox.deliver_due()).sent == 1
    [row] = await rows()
    assert row["status"] == "sent" and row["attempts"] == 2
    assert (await smtp.wait_for(1))[0].message_id == claimed.mail.message_id

    # The dead worker coming back late cannot put the sent row back in the queue.
    await container.outbox_store.mark_retry(claimed.id, "late", clock.now())
    await container.outbox_store.mark_failed(claimed.id, "late")
    [row] = await rows()
    assert row["status"] == "sent" and row["last_error"] == ""


class BrokenOnce(MemoryTransport):
    def __init__(self) -> None:
        super().__init__()
        self.broken = True

    async def send(self, mail: OutgoingMail, sent_at: datetime) -> None:
        if self.broken:
            self.broken = False
            raise RuntimeError("a bug in a transport")
        await super().send(mail, sent_at)


async def test_an_unexpected_error_keeps_the_row_and_the_queue_moving(container, clock):
    await open_tickets(container, 2)
    service = OutboxService(container.outbox_store, BrokenOnce(), clock)
    assert await service.deliver_due() == DeliveryResult(sent=1, retried=1)
    first, second = await rows()
    assert first["status"] == "pending" and "RuntimeError: a bug in a transport" in first["last_error"]
    assert second["status"] == "sent"
    clock.advance(minutes=5)
    assert (await service.deliver_due()).sent == 1


async def test_without_smtp_the_mail_waits_in_the_outbox_and_the_dev_viewer(client, container, relia_agent):
    assert container.settings.smtp is None and container.outbox is None
    r = await client.post("/api/v1/tickets", json=ticket_json(), headers=relia_agent.headers)
    assert r.status_code == 201
    await deliver_outbox(container)  # the scheduler's job is a no-op
    [row] = await rows()
    assert row["status"] == "pending" and row["attempts"] == 0 and row["sent_at"] is None

    principal = await container.accounts.authenticate(relia_agent.email, relia_agent.password)
    client.cookies.set(SESSION_COOKIE, await container.accounts.open_session(principal))
    page = await client.get("/app/outbox")
    assert page.status_code == 200
    assert "No SMTP relay is configured" in page.text and "[REL-2026-000001]" in page.text
    assert "hanako@example.test" in page.text and "pending" in page.text
