"""The IMAP poller against a real dovecot: store then flag, once; crashes; two pollers; big mail."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import PG_URL, FrozenClock, _truncate
from tests.imap_server import PASSWORD, DovecotServer
from tests.mailbuilder import make_mail
from ticketing.container import Container
from ticketing.db.tables import InboundMail, MailboxState, Message, Ticket
from ticketing.jobs.mail import poll_desk
from ticketing.services.mail_poller import MailPoller
from ticketing.settings import BUNDLED_DESKS, Settings

_users = itertools.count(1)
SHIFT_JIS_MAIL = (Path(__file__).resolve().parents[1] / "fixtures" / "mail" / "shift_jis.eml").read_bytes()


def imap_desks(path: Path, port: int, user: str, **extra: object) -> Path:
    """The bundled desks with an [imap] inbox for relia on the test dovecot."""
    lines = ['host = "127.0.0.1"', f"port = {port}", f'username = "{user}"', 'security = "none"', "poll_seconds = 1"]
    lines += [f"{k} = {v!r}" if isinstance(v, str) else f"{k} = {v}" for k, v in extra.items()]
    path.write_text(BUNDLED_DESKS.read_text() + "\n[desks.relia.imap]\n" + "\n".join(lines).replace("'", '"') + "\n")
    return path


@pytest.fixture
def mailbox_user() -> str:
    return f"relia-{next(_users)}-{id(object())}@example.test"


async def start(settings: Settings, clock: FrozenClock) -> Container:
    c = Container.build(settings, clock=clock)
    await c.start(migrate=False, pool_size=20)
    if PG_URL:
        await _truncate()
        await c.tickets.ensure_desks(list(c.desks), clock.now())
    return c


@pytest.fixture
async def imap_settings(settings: Settings, tmp_path: Path, dovecot: DovecotServer, mailbox_user: str) -> Settings:
    return replace(
        settings,
        desks_file=imap_desks(tmp_path / "desks.toml", dovecot.port, mailbox_user),
        imap_passwords={"relia": PASSWORD},
        imap_lease_seconds=30,
    )


@pytest.fixture
async def mail_container(imap_settings: Settings, clock: FrozenClock) -> AsyncIterator[Container]:
    c = await start(imap_settings, clock)
    try:
        yield c
    finally:
        await c.stop()


async def test_new_mail_is_stored_once_then_flagged_seen(mail_container, dovecot, mailbox_user) -> None:
    for i in range(3):
        dovecot.append(mailbox_user, make_mail(subject=f"Question {i}", sender=f"p{i}@example.test"))
    report = await poll_desk(mail_container, "relia")
    assert report.error == "" and report.fetched == 3 and report.actions == {"created": 3}
    assert await Ticket.count() == 3
    assert all("\\Seen" in flags for flags in dovecot.flags(mailbox_user).values())
    again = await poll_desk(mail_container, "relia")
    assert again.fetched == 0 and await Ticket.count() == 3
    state = await MailboxState.select().first()
    assert state["last_uid"] == 3 and state["uidvalidity"] and state["owner"] is None


async def test_a_message_someone_already_read_is_still_taken(mail_container, dovecot, mailbox_user) -> None:
    dovecot.append(mailbox_user, make_mail(), flags="\\Seen")
    report = await poll_desk(mail_container, "relia")
    assert report.actions == {"created": 1}


async def test_received_at_is_the_mailbox_delivery_time(mail_container, dovecot, mailbox_user, clock) -> None:
    delivered = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)  # two days before "now": the poller was down
    dovecot.append(mailbox_user, make_mail(), date=delivered)
    await poll_desk(mail_container, "relia")
    ticket = await Ticket.select(Ticket.received_at).first()
    assert ticket["received_at"] == delivered


async def test_raw_bytes_survive_imap_exactly(mail_container, dovecot, mailbox_user) -> None:
    raw = SHIFT_JIS_MAIL
    dovecot.append(mailbox_user, raw)
    await poll_desk(mail_container, "relia")
    row = await InboundMail.select().first()
    assert mail_container.mail.raw_store.get(row["raw_sha256"]) == raw


async def test_processed_mail_can_be_moved_to_a_folder(imap_settings, clock, dovecot, mailbox_user, tmp_path) -> None:
    settings = replace(
        imap_settings,
        desks_file=imap_desks(tmp_path / "moved.toml", dovecot.port, mailbox_user, processed_mailbox="Processed"),
    )
    c = await start(settings, clock)
    try:
        dovecot.append(mailbox_user, make_mail())
        report = await poll_desk(c, "relia")
        assert report.actions == {"created": 1}
        assert dovecot.count(mailbox_user) == 0 and dovecot.count(mailbox_user, "Processed") == 1
    finally:
        await c.stop()


async def test_a_crash_between_storing_and_flagging_leaves_one_ticket(mail_container, dovecot, mailbox_user) -> None:
    dovecot.append(mailbox_user, make_mail(message_id="<crash@example.test>"))

    async def crash(uid: int) -> None:
        raise RuntimeError("killed after the commit, before the flag")

    crashing = MailPoller(
        intake=mail_container.mail,
        state=mail_container.poller.state,
        clock=mail_container.clock,
        owner="crashing-poller",
        after_store=crash,
    )
    mailbox = mail_container.mailbox(mail_container.desks["relia"], PASSWORD)
    try:
        report = await crashing.poll(mail_container.desks["relia"], mailbox)
    finally:
        await mailbox.close()
    assert "killed" in report.error and await Ticket.count() == 1
    assert all("\\Seen" not in f for f in dovecot.flags(mailbox_user).values())  # stored, not flagged
    again = await poll_desk(mail_container, "relia")  # the restarted poller
    assert again.actions == {"duplicate": 1}
    assert await Ticket.count() == 1 and await Message.count() == 1 and await InboundMail.count() == 1
    assert all("\\Seen" in f for f in dovecot.flags(mailbox_user).values())


async def test_two_pollers_on_one_mailbox_store_each_message_once(mail_container, dovecot, mailbox_user) -> None:
    for i in range(20):
        dovecot.append(mailbox_user, make_mail(subject=f"Q{i}", sender=f"p{i}@example.test"))
    second = MailPoller(
        intake=mail_container.mail, state=mail_container.poller.state, clock=mail_container.clock, owner="second-poller"
    )
    desk = mail_container.desks["relia"]
    boxes = [mail_container.mailbox(desk, PASSWORD) for _ in range(2)]
    try:
        reports = await asyncio.gather(mail_container.poller.poll(desk, boxes[0]), second.poll(desk, boxes[1]))
    finally:
        for box in boxes:
            await box.close()
    assert sum(r.fetched for r in reports) == 20 and [r.skipped != "" for r in reports].count(True) == 1
    assert await Ticket.count() == 20 and await InboundMail.count() == 20


async def test_without_the_lease_two_pollers_still_make_no_duplicates(mail_container, dovecot, mailbox_user) -> None:
    """Even two pollers working one mailbox at once (a lease that expired under a slow poll) dedupe."""
    for i in range(15):
        dovecot.append(mailbox_user, make_mail(subject=f"Q{i}", sender=f"p{i}@example.test"))
    desk = mail_container.desks["relia"]

    class NoLease:
        def __init__(self, real) -> None:  # type: ignore[no-untyped-def]
            self.real = real

        async def lease(self, key, desk, owner, now, seconds):  # type: ignore[no-untyped-def]
            return await self.real.lease(key, desk, "shared", now, seconds)

        async def advance(self, key, owner, *args):  # type: ignore[no-untyped-def]
            return await self.real.advance(key, "shared", *args)

        async def release(self, key, owner, now, error=""):  # type: ignore[no-untyped-def]
            return None

    pollers = [
        MailPoller(
            intake=mail_container.mail,
            state=NoLease(mail_container.poller.state),
            clock=mail_container.clock,
            owner=f"p{i}",
        )
        for i in range(2)
    ]
    boxes = [mail_container.mailbox(desk, PASSWORD) for _ in range(2)]
    try:
        reports = await asyncio.gather(*(p.poll(desk, b) for p, b in zip(pollers, boxes, strict=True)))
    finally:
        for box in boxes:
            await box.close()
    assert all(r.skipped == "" for r in reports)
    assert sum(r.fetched for r in reports) >= 15
    assert await Ticket.count() == 15 and await InboundMail.count() == 15


async def test_a_new_uidvalidity_starts_over_without_duplicates(mail_container, dovecot, mailbox_user) -> None:
    for i in range(3):
        dovecot.append(mailbox_user, make_mail(subject=f"Q{i}", sender=f"p{i}@example.test"))
    await poll_desk(mail_container, "relia")
    await MailboxState.update({MailboxState.uidvalidity: 1}).where(MailboxState.id > 0)  # the server renumbered
    dovecot.append(mailbox_user, make_mail(subject="New"), flags="\\Seen")
    report = await poll_desk(mail_container, "relia")
    assert report.actions == {"duplicate": 3, "created": 1}
    assert await Ticket.count() == 4


async def test_a_message_too_large_to_fetch_stays_on_the_server(
    imap_settings, clock, dovecot, mailbox_user, tmp_path
) -> None:
    settings = replace(
        imap_settings, desks_file=imap_desks(tmp_path / "small.toml", dovecot.port, mailbox_user, max_fetch_bytes=65536)
    )
    c = await start(settings, clock)
    try:
        dovecot.append(mailbox_user, make_mail(attachments=[("scan.pdf", "application/pdf", b"%PDF" * 30000)]))
        report = await poll_desk(c, "relia")
        assert report.too_large == 1 and await Ticket.count() == 0
        row = await InboundMail.select().first()
        assert row["action"] == "quarantined" and "too large" in row["reason"] and row["size"] > 65536
        (flags,) = dovecot.flags(mailbox_user).values()
        assert "$TicketingTooLarge" in flags and dovecot.count(mailbox_user) == 1
        assert (await poll_desk(c, "relia")).too_large == 0  # not fetched again
    finally:
        await c.stop()


async def test_a_wrong_password_is_reported_and_nothing_is_lost(imap_settings, clock, dovecot, mailbox_user) -> None:
    c = await start(replace(imap_settings, imap_passwords={"relia": "wrong"}), clock)
    try:
        dovecot.append(mailbox_user, make_mail())
        report = await poll_desk(c, "relia")
        assert "login" in report.error and "wrong" not in report.error  # the password never shows
        assert await Ticket.count() == 0 and dovecot.count(mailbox_user) == 1
        assert (await MailboxState.select().first())["owner"] is None  # the lease is given back
    finally:
        await c.stop()
