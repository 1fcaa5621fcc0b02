#!/usr/bin/env python3
"""Mail benchmark: messages parsed per second, and ingested per second (parse + store + thread).

    .venv/bin/python bench/mail.py                      # parse figures, then ingest on SQLite
    .venv/bin/python bench/mail.py --db postgres --database-url postgresql://postgres@127.0.0.1:5432/postgres

Parsing runs over the fixture corpus (tests/fixtures/mail/*.eml). Ingest runs the real service
(ticketing.container.Container, the same code `ticketing mail ingest`, the LMTP receiver and the
IMAP poller call) against a fresh database: a new SQLite file, or a PostgreSQL database it creates
and drops. The ingest workload is three phases: new messages (each opens a ticket and queues an
acknowledgement), replies to those acknowledgements (threaded by In-Reply-To onto the tickets),
and the same new messages delivered again (answered "duplicate"). See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CORPUS = ROOT / "tests" / "fixtures" / "mail"


@dataclass
class Phase:
    name: str
    count: int
    seconds: float
    latencies: list[float]
    actions: dict[str, int]

    def as_json(self) -> dict[str, Any]:
        lat = sorted(self.latencies)

        def pct(p: float) -> float:
            return round(lat[min(len(lat) - 1, int(p * len(lat)))] * 1000, 2) if lat else 0.0

        return {
            "phase": self.name,
            "messages": self.count,
            "seconds": round(self.seconds, 3),
            "per_second": round(self.count / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": pct(0.50),
            "p99_ms": pct(0.99),
            "actions": self.actions,
        }


def bench_parse(min_seconds: float) -> dict[str, Any]:
    from ticketing.mail.parse import parse_message

    corpus = [p.read_bytes() for p in sorted(CORPUS.glob("*.eml"))]
    for raw in corpus:  # warm up imports and caches
        parse_message(raw)
    count = size = 0
    start = time.perf_counter()
    while time.perf_counter() - start < min_seconds:
        for raw in corpus:
            parse_message(raw)
            size += len(raw)
        count += len(corpus)
    seconds = time.perf_counter() - start
    return {
        "corpus_files": len(corpus),
        "messages": count,
        "seconds": round(seconds, 3),
        "per_second": round(count / seconds, 1),
        "mb_per_second": round(size / seconds / 1e6, 2),
    }


def new_message(i: int, rng: random.Random) -> bytes:
    """A plausible requester mail: Japanese or English, sometimes HTML, sometimes with a small attachment."""
    msg = EmailMessage()
    japanese = i % 2 == 0
    who = f"requester{i}@example.{'jp' if japanese else 'test'}"
    msg["From"] = f"{'山田 花子' if japanese else 'Hanako Yamada'} {i} <{who}>"
    msg["To"] = "privacy@relia-group.com"
    msg["Subject"] = f"個人情報の開示について {i}" if japanese else f"Please stop the marketing calls ({i})"
    msg["Date"] = "Tue, 24 Nov 2026 10:00:00 +0900"
    msg["Message-ID"] = f"<bench-{i}-{rng.getrandbits(48):x}@example.test>"
    body = (
        "お世話になっております。登録されている私の個人情報の開示をお願いします。\n" * 8
        if japanese
        else "Hello,\nplease tell me which personal data you hold about me and stop calling me.\n" * 8
    )
    msg.set_content(body, charset="iso-2022-jp" if japanese and i % 4 == 0 else "utf-8")
    if i % 3 == 0:
        msg.add_alternative(f"<html><body><p>{body.replace(chr(10), '<br>')}</p></body></html>", subtype="html")
    if i % 5 == 0:
        msg.add_attachment(
            b"%PDF-1.4\n" + bytes(rng.getrandbits(8) for _ in range(20_000)),
            maintype="application",
            subtype="pdf",
            filename=f"id-{i}.pdf",
        )
    return msg.as_bytes(policy=policy.SMTP)


def reply_message(i: int, sender: str, to_message_id: str, reference: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "privacy@relia-group.com"
    msg["Subject"] = f"Re: [{reference}] We have received your inquiry"
    msg["Date"] = "Wed, 25 Nov 2026 10:00:00 +0900"
    msg["Message-ID"] = f"<bench-reply-{i}@example.test>"
    msg["In-Reply-To"] = to_message_id
    msg["References"] = to_message_id
    msg.set_content("Thank you. Any news?\n\n> We have received your inquiry.\n")
    return msg.as_bytes(policy=policy.SMTP)


async def run_phase(container: Any, name: str, messages: list[bytes], concurrency: int) -> Phase:
    from ticketing.services.mail_ports import MailSource

    queue = list(enumerate(messages))
    latencies: list[float] = []
    actions: dict[str, int] = {}

    async def worker() -> None:
        while queue:
            _, raw = queue.pop()
            t0 = time.perf_counter()
            result = await container.mail.ingest("relia", raw, MailSource("pipe"))
            latencies.append(time.perf_counter() - t0)
            actions[result.action] = actions.get(result.action, 0) + 1

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Phase(name, len(messages), time.perf_counter() - start, latencies, actions)


def _worker(
    settings_args: dict[str, Any], messages: list[bytes], concurrency: int, name: str, barrier: Any, results: Any
) -> None:
    """One ingest process (--processes): its own container and pool, started together with the others."""

    async def run() -> None:
        from ticketing.container import Container
        from ticketing.settings import Settings

        container = Container.build(Settings(**settings_args))
        await container.start(migrate=False, pool_size=max(concurrency, 4))
        try:
            barrier.wait()
            phase = await run_phase(container, name, messages, concurrency)
            results.put((phase.latencies, phase.actions))
        finally:
            await container.stop()

    _run(run())


def _run(coro: Any) -> Any:
    """uvloop when installed: `ticketing serve` runs on it (uvicorn's default), and so do its LMTP and IMAP."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)


async def run_processes(
    settings_args: dict[str, Any], name: str, messages: list[bytes], concurrency: int, processes: int
) -> Phase:
    """The phase split over several processes, as several `serve` processes share one PostgreSQL."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(processes + 1), ctx.Queue()
    workers = [
        ctx.Process(target=_worker, args=(settings_args, messages[i::processes], concurrency, name, barrier, results))
        for i in range(processes)
    ]
    for w in workers:
        w.start()
    await asyncio.to_thread(barrier.wait)  # everyone connected: the clock starts now
    start = time.perf_counter()
    parts = [await asyncio.to_thread(results.get) for _ in workers]
    seconds = time.perf_counter() - start
    for w in workers:
        await asyncio.to_thread(w.join)
    actions: dict[str, int] = {}
    for _, acts in parts:
        for k, v in acts.items():
            actions[k] = actions.get(k, 0) + v
    return Phase(name, len(messages), seconds, [x for lat, _ in parts for x in lat], actions)


async def bench_ingest(
    db: str, database_url: str | None, n: int, concurrency: int, processes: int = 1
) -> dict[str, Any]:
    from ticketing.container import Container
    from ticketing.db.tables import Outbox
    from ticketing.settings import Settings

    rng = random.Random(7)
    data_dir = Path(tempfile.mkdtemp(prefix="ticketing-mailbench-"))
    bench_url = admin_url = None
    if db == "postgres":
        import asyncpg

        if not database_url:
            raise SystemExit("bench/mail.py: --db postgres needs --database-url or TICKETING_DATABASE_URL")
        parts = urlsplit(database_url)
        name = f"ticketing_mailbench_{os.getpid()}"
        admin_url = database_url
        bench_url = urlunsplit(parts._replace(path=f"/{name}"))
        conn = await asyncpg.connect(admin_url)
        await conn.execute(f'CREATE DATABASE "{name}"')
        await conn.close()
    settings_args = {
        "data_dir": data_dir,
        "database_url": bench_url,
        "secret_key": "bench-secret-" + "x" * 32,
        "scheduler_enabled": False,
    }
    settings = Settings(**settings_args)
    container = Container.build(settings)

    async def phase(name: str, messages: list[bytes]) -> Phase:
        if processes > 1:
            return await run_processes(settings_args, name, messages, concurrency, processes)
        return await run_phase(container, name, messages, concurrency)

    await container.start(migrate=True, pool_size=max(concurrency, 4))
    try:
        originals = [new_message(i, rng) for i in range(n)]
        await run_phase(container, "warm-up", [new_message(n + i, rng) for i in range(50)], concurrency)
        phases = [await phase("new", originals)]
        acks = (
            await Outbox.select(Outbox.message_id, Outbox.to_addr, Outbox.ticket.reference.as_alias("ref"))
            .where(Outbox.kind == "ticket-received")
            .order_by(Outbox.id)
        )
        replies = [
            reply_message(i, a["to_addr"], a["message_id"], a["ref"]) for i, a in enumerate(acks[50 : 50 + n // 2])
        ]
        phases.append(await phase("reply", replies))
        phases.append(await phase("duplicate", originals[: n // 2]))
        total = sum(p.count for p in phases)
        seconds = sum(p.seconds for p in phases)
        return {
            "db": db,
            "concurrency": concurrency,
            "processes": processes,
            "phases": [p.as_json() for p in phases],
            "overall_per_second": round(total / seconds, 1),
            "messages": total,
        }
    finally:
        await container.stop()
        if db == "postgres" and admin_url:
            import asyncpg

            conn = await asyncpg.connect(admin_url)
            await conn.execute(f'DROP DATABASE IF EXISTS "ticketing_mailbench_{os.getpid()}" WITH (FORCE)')
            await conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--db",
        choices=["sqlite", "postgres", "none"],
        default="sqlite",
        help="database for the ingest figures (none: parse figures only)",
    )
    parser.add_argument("--database-url", default=os.environ.get("TICKETING_DATABASE_URL"))
    parser.add_argument("--n", type=int, default=1000, help="new messages (replies and duplicates: n/2 each)")
    parser.add_argument("-c", "--concurrency", type=int, default=8, help="concurrent ingests per process")
    parser.add_argument(
        "-p",
        "--processes",
        type=int,
        default=1,
        help="ingest processes sharing the database (PostgreSQL only), like several serve processes",
    )
    parser.add_argument("--parse-seconds", type=float, default=3.0)
    parser.add_argument("--json", action="store_true", help="also print the results as one JSON line")
    args = parser.parse_args()

    results: dict[str, Any] = {"parse": bench_parse(args.parse_seconds)}
    p = results["parse"]
    print(
        f"parse     {p['per_second']:>8} messages/s  ({p['mb_per_second']} MB/s; {p['corpus_files']} corpus files, "
        f"{p['messages']} parses in {p['seconds']} s, one core)"
    )
    if args.db != "none":
        if args.processes > 1 and args.db != "postgres":
            parser.error("--processes needs --db postgres (SQLite is one process by design)")
        results["ingest"] = _run(bench_ingest(args.db, args.database_url, args.n, args.concurrency, args.processes))
        r = results["ingest"]
        for phase in r["phases"]:
            print(
                f"ingest    {phase['per_second']:>8} messages/s  {args.db}, p={args.processes} c={args.concurrency}, "
                f"{phase['phase']:<9} n={phase['messages']:<5} p50 {phase['p50_ms']} ms, p99 {phase['p99_ms']} ms, "
                f"{phase['actions']}"
            )
        print(f"ingest    {r['overall_per_second']:>8} messages/s  overall ({r['messages']} messages)")
    if args.json:
        print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
