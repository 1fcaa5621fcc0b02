"""Benchmark: one SLA sweep over a large PostgreSQL database.

Loads --total tickets (default 1,000,000), of which --open (default 100,000) are open with running
clocks, the rest settled with stopped clocks, into a fresh database `ticketing_bench_sla_<pid>`;
spreads the open clocks' next rung over the coming 30 days so that about --due-percent of them
are due at the sweep instant; then runs ONE sweep in-process (the real SlaService and
PiccoloSlaStore) and prints its wall time, the clocks and rows it touched (from
pg_stat_user_tables) and the plan of the claim query (an index range scan on next_fire_at).

    .venv/bin/python bench/sla_sweep.py --database-url postgresql://postgres@127.0.0.1:5432/postgres

The database is dropped at the end (also after an error). Loading 1M tickets takes a minute or two.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import mkdtemp
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from ticketing.container import Container
from ticketing.db.sla import clock_values
from ticketing.domain.tickets import Category
from ticketing.settings import Settings

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # Wed 11:00 in Tokyo: the relia desk is open
TABLES = ("ticket", "sla_clock", "sla_firing", "event", "outbox")


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


async def stats(conn: asyncpg.Connection) -> dict[str, tuple[int, int, int, int]]:
    await conn.execute("SELECT pg_stat_force_next_flush()")
    rows = await conn.fetch(
        "SELECT relname, seq_tup_read, idx_tup_fetch, n_tup_ins, n_tup_upd FROM pg_stat_user_tables "
        "WHERE relname = ANY($1::text[])",
        list(TABLES),
    )
    return {r["relname"]: (r["seq_tup_read"], r["idx_tup_fetch"] or 0, r["n_tup_ins"], r["n_tup_upd"]) for r in rows}


async def load(
    conn: asyncpg.Connection, container: Container, total: int, open_count: int, due_percent: float, rng: random.Random
) -> int:
    desk_id = await conn.fetchval("SELECT id FROM desk WHERE slug = 'relia'")
    created = datetime(2026, 1, 5, tzinfo=UTC)
    await conn.copy_records_to_table(
        "requester",
        columns=["desk", "name", "email", "language", "bouncing", "created_at"],
        records=[(desk_id, f"Requester {i}", f"r{i}@example.test", "en", False, created) for i in range(1000)],
    )
    requester_ids = [r["id"] for r in await conn.fetch("SELECT id FROM requester")]
    template = container.sla.clocks_for_new_ticket(container.desks["relia"], Category.COMPLAINT, NOW)
    policies = {c.kind.value: json.dumps(clock_values(c)["policy"]) for c in template}
    budgets = {c.kind.value: c.budget_us for c in template}

    ticket_rows, due_clocks = [], 0
    for i in range(total):
        is_open = i < open_count
        received = NOW - timedelta(minutes=rng.randint(10, 60 * 24 * 200))
        ticket_rows.append(
            (
                f"REL-2026-{i + 1:07d}",
                desk_id,
                rng.choice(requester_ids),
                "web",
                "complaint",
                "[]",
                "in_progress" if is_open else "closed",
                "en",
                f"Bench complaint {i}",
                f"{i:064x}",
                "{}",
                received,
                received,
                received,
                None if is_open else received + timedelta(days=3),
            )
        )
    await conn.copy_records_to_table(
        "ticket",
        columns=[
            "reference",
            "desk",
            "requester",
            "channel",
            "category",
            "request_types",
            "state",
            "language",
            "subject",
            "status_token_hash",
            "flags",
            "received_at",
            "created_at",
            "updated_at",
            "closed_at",
        ],
        records=ticket_rows,
    )
    del ticket_rows
    ids = [r["id"] for r in await conn.fetch("SELECT id FROM ticket ORDER BY id")]
    clock_rows = []
    for n, ticket_id in enumerate(ids):
        is_open = n < open_count
        for kind in ("first_response", "resolution"):
            started = NOW - timedelta(days=1)
            if is_open:
                if rng.random() * 100 < due_percent / 2:  # two clocks per ticket
                    fire = NOW - timedelta(minutes=rng.randint(0, 120))
                    due_clocks += 1
                else:
                    fire = NOW + timedelta(minutes=rng.randint(1, 60 * 24 * 30))
                stopped, due_at = None, fire + timedelta(hours=2)
            else:
                fire, stopped, due_at = None, started + timedelta(hours=5), started + timedelta(hours=8)
            clock_rows.append(
                (ticket_id, kind, policies[kind], started, budgets[kind], due_at, False, stopped, None, 0, fire)
            )
    await conn.copy_records_to_table(
        "sla_clock",
        columns=[
            "ticket",
            "kind",
            "policy",
            "started_at",
            "budget_us",
            "due_at",
            "paused",
            "stopped_at",
            "breached_at",
            "next_stage",
            "next_fire_at",
        ],
        records=clock_rows,
    )
    await conn.execute("ANALYZE")
    return due_clocks


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="a PostgreSQL server the bench may create a database on")
    parser.add_argument("--total", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--due-percent", type=float, default=1.0, help="share of open clocks due at the sweep")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    name = f"ticketing_bench_sla_{os.getpid()}"
    admin = await asyncpg.connect(args.database_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = with_database(args.database_url, name)
    settings = Settings(data_dir=Path(mkdtemp(prefix="bench-sla-")), database_url=url, scheduler_enabled=False)
    container = Container.build(settings)
    try:
        await container.start(migrate=True, pool_size=4)
        for email, role in (("agent@relia.test", "agent"), ("cpo@relia.test", "manager")):
            await container.accounts.add_user(email, "bench password 1234", role, ["relia"])
        conn = await asyncpg.connect(url)
        t0 = time.perf_counter()
        due = await load(conn, container, args.total, args.open, args.due_percent, random.Random(args.seed))
        load_s = time.perf_counter() - t0
        counts = await conn.fetchrow(
            "SELECT (SELECT count(*) FROM ticket) AS tickets, "
            "(SELECT count(*) FROM ticket WHERE state <> 'closed') AS open, (SELECT count(*) FROM sla_clock) AS clocks"
        )
        plan = await conn.fetch(
            "EXPLAIN (ANALYZE, BUFFERS) SELECT c.id FROM sla_clock c JOIN ticket t ON t.id = c.ticket "
            "JOIN desk d ON d.id = t.desk WHERE c.next_fire_at IS NOT NULL AND c.next_fire_at <= $1 "
            "ORDER BY c.next_fire_at, c.id LIMIT 500",
            NOW,
        )
        before = await stats(conn)
        t0 = time.perf_counter()
        report = await container.sla.sweep(NOW)
        sweep_s = time.perf_counter() - t0
        # Other backends flush their table statistics when idle, at most every 10 s (PostgreSQL >= 15).
        await asyncio.sleep(11)
        after = await stats(conn)
        second_t0 = time.perf_counter()
        again = await container.sla.sweep(NOW)
        second_s = time.perf_counter() - second_t0
        await conn.close()

        print(f"database           PostgreSQL {name} (dropped afterwards)")
        print(f"tickets            {counts['tickets']:,} ({counts['open']:,} open); clocks {counts['clocks']:,}")
        print(f"load time          {load_s:.1f} s (COPY; not part of the figure)")
        print(f"due clocks         {due:,} (next rung at or before the sweep instant)")
        print(
            f"sweep              {sweep_s * 1000:.0f} ms: {report.clocks:,} clocks examined, "
            f"{report.firings:,} rungs fired, {report.batches} batch(es)"
        )
        print(f"second sweep       {second_s * 1000:.0f} ms: {again.clocks:,} clocks, {again.firings} rungs fired")
        print("rows touched       table: seq-read / idx-fetched / inserted / updated during the sweep")
        for table in TABLES:
            b, a = before.get(table, (0, 0, 0, 0)), after.get(table, (0, 0, 0, 0))
            print(f"  {table:<16} " + " / ".join(f"{a[i] - b[i]:,}" for i in range(4)))
        print("claim query plan (first batch, before the sweep):")
        for row in plan:
            print("  " + row[0])
    finally:
        await container.stop()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
