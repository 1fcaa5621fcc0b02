"""The intake service on a real database: atomicity, requester matching, attachments, health."""

from __future__ import annotations

import httpx
import pytest

from ticketing.app import create_app
from ticketing.container import Container
from ticketing.db import engine
from ticketing.db.tables import Attachment, Event, Message, Outbox, Requester, Ticket
from ticketing.domain.errors import ValidationFailed
from ticketing.domain.tickets import Channel
from ticketing.services import requester_mail as requester_mail_module
from ticketing.services.intake import Upload
from ticketing.settings import Settings

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489") + b"\x00" * 16


def data(**overrides: object) -> dict[str, object]:
    d: dict[str, object] = {
        "category": "complaint",
        "subject": "Calls",
        "message": "Stop calling me.",
        "requester": {"name": "Hanako", "email": "hanako@example.test"},
    }
    d.update(overrides)
    return d


async def test_a_failure_mid_transaction_leaves_no_half_ticket(container: Container, monkeypatch) -> None:
    """The acknowledgement is the last row written; make it violate the outbox's unique Message-ID."""
    first = await container.intake.open_ticket("relia", data(), channel=Channel.WEB)
    taken = (await Outbox.select(Outbox.message_id).first())["message_id"]
    monkeypatch.setattr(requester_mail_module, "make_message_id", lambda *args: taken)
    with pytest.raises(Exception):  # noqa: B017  (sqlite3.IntegrityError or asyncpg.UniqueViolationError)
        await container.intake.open_ticket(
            "relia", data(requester={"name": "Other", "email": "o@example.test"}), channel=Channel.WEB
        )
    assert first.reference == "REL-2026-000001"
    for table in (Ticket, Message, Event, Outbox, Requester):
        assert await table.count() == 1, table
    monkeypatch.undo()
    created = await container.intake.open_ticket("relia", data(), channel=Channel.WEB)
    assert created.reference == "REL-2026-000003"  # the counter moved on: unique, not gapless
    assert await Ticket.count() == 2 and await Outbox.count() == 2


async def test_returning_requester_is_matched_within_the_desk_only(container: Container) -> None:
    await container.intake.open_ticket("relia", data(), channel=Channel.WEB)
    await container.intake.open_ticket(
        "relia",
        data(requester={"name": "Hanako Y.", "email": "hanako@example.test", "phone": "03-1111-2222"}),
        channel=Channel.WEB,
    )
    await container.intake.open_ticket("rext-cs", data(language="ja"), channel=Channel.WEB)
    rows = await Requester.select().order_by(Requester.id)
    assert len(rows) == 2  # one per desk: two companies' data never share a row
    # A later contact never rewrites the record on file (test_security_requester.py): staff confirm it.
    assert rows[0]["name"] == "Hanako" and rows[0]["phone"] is None


async def test_attachments_are_stored_by_hash_with_sniffed_type(container: Container, settings: Settings) -> None:
    uploads = [Upload("photo.txt", "text/plain", PNG), Upload("../../copy.png", "image/png", PNG)]
    await container.intake.open_ticket("relia", data(), channel=Channel.WEB, uploads=uploads)
    rows = await Attachment.select().order_by(Attachment.id)
    assert [r["filename"] for r in rows] == ["photo.txt", "copy.png"]
    assert {r["content_type"] for r in rows} == {"image/png"}
    assert rows[0]["declared_type"] == "text/plain"
    digest = rows[0]["sha256"]
    assert rows[1]["sha256"] == digest
    stored = list(settings.attachments_dir.rglob(digest))
    assert len(stored) == 1 and stored[0].read_bytes() == PNG  # once per content


async def test_validation_failure_stores_nothing(container: Container) -> None:
    with pytest.raises(ValidationFailed) as info:
        await container.intake.open_ticket(
            "relia", data(subject=""), channel=Channel.WEB, uploads=[Upload("a.png", "image/png", PNG)]
        )
    assert info.value.errors == {"subject": "This field is required."}
    assert await Ticket.count() == 0
    assert not container.settings.attachments_dir.exists() or not any(container.settings.attachments_dir.rglob("*"))


async def test_ticket_language_and_acknowledgement_language(container: Container) -> None:
    await container.intake.open_ticket("rext-cs", data(), channel=Channel.WEB)  # the desk's language by default
    await container.intake.open_ticket("rext-cs", data(language="en"), channel=Channel.WEB)
    rows = await Outbox.select(Outbox.subject).order_by(Outbox.id)
    assert rows[0]["subject"].startswith("[RCS-2026-000001]") and "受け付けました" in rows[0]["subject"]
    assert "received" in rows[1]["subject"]


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    r = await client.get("/readyz")
    assert r.status_code == 200 and r.json()["status"] == "ok"


@pytest.mark.filterwarnings("ignore:.*Unable to fetch server version")  # Piccolo warns when it cannot connect
async def test_readiness_fails_when_the_database_is_unreachable(
    settings: Settings, container: Container, free_port: int
) -> None:
    down = Settings(
        data_dir=settings.data_dir,
        database_url=f"postgresql://postgres@127.0.0.1:{free_port}/none",
        secret_key=settings.secret_key,
        scheduler_enabled=False,
    )
    working = engine.current_engine()
    app = create_app(down, migrate=False, scheduler=False)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            assert (await c.get("/healthz")).status_code == 200
            r = await c.get("/readyz")
            assert r.status_code == 503 and r.json()["status"] == "unavailable"
    finally:
        engine.attach(working)  # give the `container` fixture its engine back for teardown
