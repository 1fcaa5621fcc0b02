#!/usr/bin/env python3
"""Write-path benchmark: what one new ticket from mail costs the store, and one change to it.

    .venv/bin/python bench/writes.py                          # SQLite in a temporary data dir
    .venv/bin/python bench/writes.py --database-url postgresql://postgres@127.0.0.1:5432/postgres

No parsing, no HTTP: the same ready-made drafts go to `MailStore.create_ticket` (the claim of the
dedupe key, requester, ticket, clocks, message, event and acknowledgement: one plan, one statement
on PostgreSQL) one after another, then each ticket gets a reply through `TicketWorkflow.reply`
(lock, reads, one statement of writes). PostgreSQL runs on a scratch database
`ticketing_bench_writes_<pid>`, created and dropped here. Prints milliseconds per call.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from ticketing.container import Container
from ticketing.domain.intake import NewTicket, RequesterIn
from ticketing.domain.mail import MailKind, MessageKind, OutgoingMail
from ticketing.domain.tickets import Category, Channel, Language
from ticketing.services.mail_ports import InboundRecord, MailSource
from ticketing.services.ports import InboundMessage, Principal, TicketDraft
from ticketing.settings import Settings

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def _draft(container: Container, i: int) -> tuple[InboundRecord, TicketDraft]:
    sender = f"requester{i % 50}@example.test"
    new = NewTicket(
        "relia",
        Channel.EMAIL,
        Category.INQUIRY,
        (),
        f"Question {i}",
        "text",
        Language.EN,
        RequesterIn("Requester", sender, None, None),
    )
    ack = OutgoingMail(
        MailKind.TICKET_RECEIVED,
        "privacy@relia.test",
        "Desk",
        sender,
        f"[REL-2026-{i:06d}] Received",
        "t" * 800,
        "<p>" + "h" * 1500 + "</p>",
        f"<REL-2026-{i:06d}.ack@relia.test>",
    )
    inbound = InboundMessage(
        sender,
        f"Question {i}",
        "t" * 500,
        None,
        f"<bench-{i}@example.test>",
        None,
        (),
        ("privacy@relia.test",),
        (),
        "0" * 64,
        f"{i:064d}",
        MessageKind.NORMAL,
        {"x": "y"},
    )
    clocks = container.sla.clocks_for_new_ticket(container.desks["relia"], Category.INQUIRY, NOW)
    draft = TicketDraft(
        new,
        f"REL-2026-{i:06d}",
        f"{i:064d}",
        NOW,
        (),
        ack,
        inbound=inbound,
        clocks=tuple(clocks),
        keep_requester_name=True,
    )
    record = InboundRecord(
        "relia",
        f"{i:064d}",
        MailSource("pipe"),
        f"<bench-{i}@example.test>",
        f"{i:064d}",
        "0" * 64,
        2000,
        sender,
        f"Question {i}",
        NOW,
        "created",
    )
    return record, draft


async def run(settings: Settings, n: int) -> None:
    container = Container.build(settings)
    await container.start(migrate=True, pool_size=4)
    try:
        user = await container.accounts.add_user("bench@relia.test", "a long bench password", "agent", ["relia"])
        agent = Principal(user, "bench@relia.test", {"relia": "agent"})
        items = [_draft(container, i) for i in range(1, n + 51)]
        for record, draft in items[:50]:  # warm-up: prepared statements, caches
            await container.mail_store.create_ticket(record, draft)
        start = time.perf_counter()
        for record, draft in items[50:]:
            await container.mail_store.create_ticket(record, draft)
        created = (time.perf_counter() - start) / n
        start = time.perf_counter()
        for _, draft in items[50:]:
            await container.workflow.reply(agent, draft.reference, "Thank you, we are on it.")
        replied = (time.perf_counter() - start) / n
        kind = "postgres" if settings.database_url else "sqlite"
        print(f"{kind:9} new ticket from mail  {created * 1000:7.3f} ms per call (n={n}, one after another)")
        print(f"{kind:9} reply to it           {replied * 1000:7.3f} ms per call")
    finally:
        await container.stop()


async def main_async(args: argparse.Namespace) -> None:
    data = Path(tempfile.mkdtemp(prefix="ticketing-bench-writes-"))
    if not args.database_url:
        await run(Settings(data_dir=data, secret_key="bench-" + "x" * 40), args.n)
        return
    name = f"ticketing_bench_writes_{os.getpid()}"
    admin = await asyncpg.connect(args.database_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        parts = urlsplit(args.database_url)
        url = urlunsplit(parts._replace(path=f"/{name}"))
        await run(Settings(data_dir=data, database_url=url, secret_key="bench-" + "x" * 40), args.n)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("TICKETING_DATABASE_URL"))
    parser.add_argument("--n", type=int, default=1500)
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
