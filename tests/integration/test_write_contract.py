"""The same story through SQLite and PostgreSQL writes the same rows (db/plan_run.py runs one plan of
writes on each engine: step by step on SQLite, one statement on PostgreSQL).

Runs in the PostgreSQL pass (it needs both engines); the story goes through the services as the
API and the mail paths use them: form-like and mail-opened tickets, a reply, moves that pause and
resume and settle and reopen the clocks, a requester's mail joining by its reference, an
assignment, a sweep that fires the ladder, and a duplicate delivery.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PG_URL, FrozenClock, _truncate
from tests.mailbuilder import make_mail
from ticketing.container import Container
from ticketing.db.tables import (
    Attachment,
    ClockPause,
    Event,
    InboundMail,
    Message,
    Outbox,
    Requester,
    SlaClock,
    SlaFiring,
    Ticket,
)
from ticketing.domain.tickets import Channel
from ticketing.services.mail_ports import MailSource
from ticketing.settings import Settings

pytestmark = pytest.mark.skipif(not PG_URL, reason="compares SQLite with PostgreSQL: runs in the PostgreSQL pass")

TABLES = (Requester, Ticket, SlaClock, ClockPause, Message, Attachment, Event, Outbox, InboundMail, SlaFiring)
# The same bytes in both stories (a MIME boundary is random).
OPENING = make_mail(
    sender="Taro <taro@example.test>",
    attachments=[("notes.txt", "text/plain", b"hello")],
    message_id="<contract-1@example.test>",
)
JOINING = make_mail(subject="Re: [REL-2026-000001] documents", message_id="<contract-2@example.test>")
NONCE = re.compile(r"<([A-Z]+-\d{4}-\d{6})\.[^@>]+@")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return _plain(json.loads(value))
        except ValueError:
            return value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


async def _dump() -> dict[str, list[dict[str, Any]]]:
    result = {}
    for table in TABLES:
        rows = await table.select().order_by(table.id).output(load_json=True)
        result[table._meta.tablename] = [_plain(r) for r in rows]
    # Message-IDs carry a random nonce: compare them without it.
    return json.loads(NONCE.sub(r"<\1.*@", json.dumps(result, sort_keys=True, ensure_ascii=False)))


async def _story(settings: Settings, *, fresh_pg: bool) -> dict[str, list[dict[str, Any]]]:
    clock = FrozenClock(datetime(2026, 11, 24, 1, 0, tzinfo=UTC))
    c = Container.build(settings, clock=clock)
    await c.start(migrate=False, pool_size=4)
    try:
        if fresh_pg:
            await _truncate()
            await c.tickets.ensure_desks(list(c.desks), clock.now())
        await c.accounts.add_user("agent@relia.test", "correct horse battery", "agent", ["relia"])
        principal = await c.accounts.authenticate("agent@relia.test", "correct horse battery")
        body = {
            "category": "inquiry",
            "subject": "What do you hold?",
            "message": "Please tell me.",
            "language": "en",
            "requester": {"name": "Hanako Yamada", "email": "hanako@example.test", "phone": "03-1234-5678"},
        }
        first = await c.intake.open_ticket(
            "relia", body, channel=Channel.API, staff_user_id=principal.user_id, staff_label=principal.email
        )
        # the same address again with other details: flagged, the record on file unchanged
        clock.advance(minutes=5)
        await c.intake.open_ticket(
            "relia", {**body, "requester": {"name": "H. Yamada", "email": "hanako@example.test"}}, channel=Channel.API
        )
        clock.advance(minutes=5)
        opened = await c.mail.ingest("relia", OPENING, MailSource("pipe"))
        assert opened.action == "created"
        ref = first.reference
        assert ref == "REL-2026-000001"
        clock.advance(minutes=30)
        await c.workflow.reply(principal, ref, "We are looking into it.")
        await c.workflow.transition(principal, ref, "triage")
        await c.workflow.transition(principal, ref, "request_documents", note="Please send a copy of your ID.")
        clock.advance(days=1)
        joined = await c.mail.ingest("relia", JOINING, MailSource("lmtp"))
        assert joined.action == "appended"
        await c.workflow.assign(principal, ref, "agent@relia.test")
        await c.workflow.transition(principal, ref, "start_work")
        await c.workflow.transition(principal, ref, "respond")
        clock.advance(days=2)
        await c.workflow.transition(principal, ref, "reopen", reason="they wrote again")
        clock.advance(days=6)
        await c.sla.sweep(clock.now())
        dup = await c.mail.ingest("relia", OPENING, MailSource("lmtp"))
        assert dup.action == "duplicate"
        return await _dump()
    finally:
        await c.stop()


async def test_sqlite_and_postgresql_write_the_same_rows(settings: Settings, tmp_path: Path) -> None:
    lite_dir = tmp_path / "sqlite"
    lite_dir.mkdir()
    lite = replace(settings, data_dir=lite_dir, database_url=None)
    # Migrated by the CLI in its own process (Piccolo's migration modules keep the engine they first ran on).
    env = {k: v for k, v in os.environ.items() if k != "TICKETING_DATABASE_URL"}
    env["TICKETING_DATA_DIR"] = str(lite_dir)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "ticketing", "migrate", env=env, stderr=asyncio.subprocess.PIPE
    )
    _, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    on_sqlite = await _story(lite, fresh_pg=False)
    on_postgres = await _story(settings, fresh_pg=True)
    shutil.rmtree(lite_dir, ignore_errors=True)
    assert set(on_sqlite) == set(on_postgres)
    for table in on_sqlite:
        assert len(on_sqlite[table]) == len(on_postgres[table]), table
        for a, b in zip(on_sqlite[table], on_postgres[table], strict=True):
            assert a == b, table
    assert len(on_sqlite["event"]) > 10 and on_sqlite["sla_firing"] and on_sqlite["clock_pause"]
    assert any(t["flags"].get("contact_details_differ") for t in on_sqlite["ticket"])
    assert on_sqlite["inbound_mail"][0]["deliveries"] == 2 and on_sqlite["attachment"]
