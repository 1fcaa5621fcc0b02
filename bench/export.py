#!/usr/bin/env python3
"""Export benchmark: GET /app/export.csv of a million-ticket list through a real server (PostgreSQL).

Measures what a manager's "Export CSV" costs: the server process's resident memory (it must stay
flat: the export is streamed in keyset chunks, never built whole), the time to the first byte and
to the last, the bytes and rows received, and how long other requests wait meanwhile.

Two ways to get a database:

- default: create `ticketing_bench_export_<pid>` on --database-url, `ticketing migrate` it, add the
  staff with `ticketing user add`, and load --tickets tickets (1,000,000) with COPY, all of them
  open (so that one list, All open, holds every one of them) over both seed desks, with a mix of
  categories, channels, states, assignees, answered and overdue tickets and the due instants a
  real ticket has; one requester for every four tickets. Dropped at the end unless --keep.
- --reuse NAME: a database made earlier (by this bench with --keep, or by bench/pages.py with
  --keep: its `manager@example.test` exports, and its All open list holds about 105,000 of its
  million tickets). Nothing is generated; `ticketing migrate` applies any newer migration.

Then it starts `ticketing serve` on it in a subprocess, holding the scheduler's leader lock itself
so that the server never sweeps or polls (the database's data stays as it is: the only writes are
the sign-in's session and the access log's lines), signs in as the manager through the login form,
warms up (a queue page and a small export), reads the server's VmRSS and VmHWM from
/proc/<pid>/status, then downloads --queue (default open) --repeat times (default 2) as a streaming
client, counting bytes and CRLF rows, while a thread samples the server's VmRSS every 20 ms and
another client asks GET /healthz every 100 ms.

    .venv/bin/python bench/export.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/export.py --database-url ... --tickets 100000          # a quick run
    .venv/bin/python bench/export.py --database-url ... --keep                    # keep it for --reuse
    .venv/bin/python bench/export.py --database-url ... --reuse ticketing_bench_export_12345
    .venv/bin/python bench/export.py --database-url ... --reuse ticketing_bench_pages_21096

See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from intake import (
    BenchError,
    find_ticketing,
    free_port,
    log_tail,
    percentile,
    redact,
    run_cli,
    with_database,
)
from pages import bring_up, clean_env, ensure_desks, take_down

from ticketing.desks_file import load_desks
from ticketing.domain.queues import NO_DUE
from ticketing.domain.tickets import WAITING_ON_REQUESTER
from ticketing.jobs.leader import LOCK_KEY
from ticketing.resources import BUNDLED_DESKS

PASSWORD = "benchpass-123456"  # bench/pages.py's too, so --reuse of its database signs in the same way
MANAGER = "manager@example.test"
STAFF = (("manager@example.test", "manager"), ("bench@example.test", "agent"), ("agent2@example.test", "agent"))
DESKS = ("relia", "rext-cs")
BATCH = 20_000  # tickets per COPY
SAMPLE_S = 0.02  # the server's VmRSS, every 20 ms
PROBE_S = 0.1  # GET /healthz, every 100 ms, during the export
CSRF_FIELD = re.compile(r"name=\"_csrf_token\"\s+value=\"([^\"]+)\"")
STATE_WEIGHTS = {
    "received": 8,
    "triage": 12,
    "awaiting_formal_request": 8,
    "awaiting_documents": 22,
    "identity_verification": 3,
    "fee_check": 1,
    "in_progress": 30,
    "decision_pending": 16,
}
TICKET_COLUMNS = (
    "id",
    "reference",
    "desk",
    "requester",
    "channel",
    "category",
    "request_types",
    "state",
    "assignee",
    "language",
    "subject",
    "status_token_hash",
    "received_at",
    "created_at",
    "updated_at",
    "first_responded_at",
    "first_response_due_at",
    "resolution_due_at",
    "statutory_due_at",
    "contact_name",
    "contact_email",
    "next_due_at",
    "risk",
)
REQUESTER_COLUMNS = ("id", "desk", "name", "email", "language", "created_at")


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def mib(kib: int | None) -> str:
    return "-" if kib is None else f"{kib / 1024:,.1f} MiB"


# --- the data --------------------------------------------------------------------------------


def tickets(n: int, seed: int, now: datetime, desk_ids: dict[str, int], staff: list[int]) -> Iterator[tuple[Any, ...]]:
    """Open tickets as the service stores them (the columns the export reads, and the ones it must not)."""
    rng = random.Random(seed)
    desks = load_desks(BUNDLED_DESKS)
    counters = {slug: 0 for slug in DESKS}
    states = list(STATE_WEIGHTS)
    weights = list(STATE_WEIGHTS.values())
    requesters = max(1, n // 4)
    for i in range(1, n + 1):
        requester = (i - 1) % requesters + 1
        slug = DESKS[0] if requester % 20 < 11 else DESKS[1]
        counters[slug] += 1
        received = now - timedelta(seconds=rng.randrange(365 * 86400))
        category = rng.choices(("inquiry", "complaint", "request"), (60, 25, 15))[0]
        channel = "post" if category == "request" else rng.choices(("email", "web", "phone"), (55, 35, 10))[0]
        state = rng.choices(states, weights)[0]
        answered = state not in ("received", "triage")
        first_due = received + timedelta(hours=rng.choice((4, 8, 24)))
        resolution_due = received + timedelta(days=14)
        statutory_due = received + timedelta(days=15) if category == "request" else None
        responded = received + timedelta(minutes=rng.randrange(30, 2000)) if answered else None
        if state in WAITING_ON_REQUESTER:
            running = [statutory_due] if statutory_due else []  # the business clocks are paused
        else:
            running = [resolution_due] if answered else [first_due]
            running += [statutory_due] if statutory_due else []
        next_due = min(running, default=NO_DUE)
        risk = 2 if next_due <= now else (1 if rng.random() < 0.05 else 0)
        roll = rng.random()
        assignee = None if roll < 0.4 or state == "received" else staff[int(roll * 10) % len(staff)]
        language = "en" if slug == "relia" else "ja"
        yield (
            i,
            f"{desks[slug].reference_prefix}-{received.year}-{counters[slug]:06d}",
            desk_ids[slug],
            requester,
            channel,
            category,
            '["disclosure"]' if category == "request" else "[]",
            state,
            assignee,
            language,
            f"Bench ticket {i}" if language == "en" else f"ベンチのお問い合わせ {i}",
            f"{i:064x}",
            received,
            received,
            received,
            responded,
            first_due,
            resolution_due,
            statutory_due,
            f"Requester {requester}",
            f"requester{requester}@example.test",
            next_due,
            risk,
        )


async def generate(url: str, n: int, seed: int) -> dict[str, Any]:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("SET synchronous_commit = off")
        desk_ids = {r["slug"]: r["id"] for r in await conn.fetch("SELECT id, slug FROM desk")}
        staff = [r["id"] for r in await conn.fetch("SELECT id FROM staff_user ORDER BY id")]
        now = datetime.now(UTC)
        t0 = time.perf_counter()
        rebuild = await take_down(conn, ("ticket", "requester"))
        requesters = max(1, n // 4)
        rows = [
            (
                r,
                desk_ids[DESKS[0] if r % 20 < 11 else DESKS[1]],
                f"Requester {r}",
                f"requester{r}@example.test",
                "en" if r % 20 < 11 else "ja",
                now,
            )
            for r in range(1, requesters + 1)
        ]
        await conn.copy_records_to_table("requester", records=rows, columns=REQUESTER_COLUMNS)
        batch: list[tuple[Any, ...]] = []
        done = 0
        for row in tickets(n, seed, now, desk_ids, staff):
            batch.append(row)
            if len(batch) == BATCH:
                await conn.copy_records_to_table("ticket", records=batch, columns=TICKET_COLUMNS)
                done += len(batch)
                batch.clear()
                if done % 200_000 == 0:
                    say(f"  {done:,}/{n:,} tickets loaded")
        if batch:
            await conn.copy_records_to_table("ticket", records=batch, columns=TICKET_COLUMNS)
        for table in ("ticket", "requester"):
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(max(id), 1) FROM {table}))"
            )
        load_s = time.perf_counter() - t0
    finally:
        await conn.close()
    t1 = time.perf_counter()
    await bring_up(url, rebuild)
    conn = await asyncpg.connect(url)
    try:
        for table in ("ticket", "requester"):
            await conn.execute(f"VACUUM (ANALYZE) {table}")
    finally:
        await conn.close()
    return {"tickets": n, "load_s": round(load_s, 1), "index_and_vacuum_s": round(time.perf_counter() - t1, 1)}


async def describe(url: str) -> dict[str, Any]:
    conn = await asyncpg.connect(url)
    try:
        return {
            "database_bytes": await conn.fetchval("SELECT pg_database_size(current_database())"),
            "tickets": await conn.fetchval("SELECT count(*) FROM ticket"),
            "open": await conn.fetchval("SELECT count(*) FROM ticket WHERE next_due_at IS NOT NULL"),
            "manager": await conn.fetchval("SELECT id FROM staff_user WHERE email = $1", MANAGER),
        }
    finally:
        await conn.close()


# --- the server and its memory ----------------------------------------------------------------


def reset_peak(pid: int) -> bool:
    """Set the process's VmHWM back to its current RSS (Linux: "5" to /proc/<pid>/clear_refs), so the
    VmHWM read after an export is that export's own peak; False when not allowed."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def status_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (the peak resident set since the process started) of a process, in KiB."""
    out: dict[str, int] = {}
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                out[name] = int(value.split()[0])
    return out


class RssSampler(threading.Thread):
    """The server's VmRSS every SAMPLE_S while it runs: the highest seen, and how it ended."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.samples = pid, 0, 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            try:
                self.peak = max(self.peak, status_kib(self.pid)["VmRSS"])
                self.samples += 1
            except (OSError, KeyError):
                return
            self.done.wait(SAMPLE_S)

    def stop(self) -> int:
        self.done.set()
        self.join()
        return self.peak


class LeaderLock:
    """The scheduler's advisory lock, held by the bench: the server then runs no sweep and no poll."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.conn: asyncpg.Connection | None = None

    async def take(self) -> None:
        self.conn = await asyncpg.connect(self.url)
        if not await self.conn.fetchval("SELECT pg_try_advisory_lock($1)", LOCK_KEY):
            raise BenchError("another ticketing process holds the scheduler's lock on this database; stop it first")

    async def release(self) -> None:
        if self.conn is not None:
            await self.conn.close()


# --- the client ------------------------------------------------------------------------------


async def sign_in(client: httpx.AsyncClient) -> None:
    form = await client.get("/login")
    found = CSRF_FIELD.search(form.text)
    if form.status_code != 200 or found is None:
        raise BenchError(f"GET /login: HTTP {form.status_code}, no _csrf_token field")
    data = {"email": MANAGER, "password": PASSWORD, "_csrf_token": found.group(1), "next": "/app"}
    answer = await client.post("/login", data=data)
    if answer.status_code != 303 or "ticketing_session" not in client.cookies:
        raise BenchError(f"POST /login as {MANAGER}: HTTP {answer.status_code}: {answer.text[:300]}")


@dataclass
class Download:
    status: int = 0
    first_byte_s: float = 0.0
    seconds: float = 0.0
    bytes: int = 0
    rows: int = 0  # data rows: the lines after the header (each ends CRLF; no cell holds a line break)
    bom: bool = False
    filename: str = ""
    peak_reset: bool = False  # VmHWM was set back to the RSS at the start of this export
    rss_start_kib: int = 0
    rss_peak_kib: int = 0
    hwm_after_kib: int = 0
    probes_ms: list[float] = field(default_factory=list)


async def download(client: httpx.AsyncClient, params: dict[str, str], pid: int, base: str) -> Download:
    out = Download()
    out.peak_reset = reset_peak(pid)
    out.rss_start_kib = status_kib(pid)["VmRSS"]
    sampler = RssSampler(pid)
    sampler.start()
    stop = asyncio.Event()

    async def probe() -> None:  # another user's request while the export runs
        async with httpx.AsyncClient(base_url=base, timeout=60) as other:
            while not stop.is_set():
                t = time.perf_counter()
                await other.get("/healthz")
                out.probes_ms.append((time.perf_counter() - t) * 1000)
                try:
                    await asyncio.wait_for(stop.wait(), PROBE_S)
                except TimeoutError:
                    pass

    prober = asyncio.create_task(probe())
    t0 = time.perf_counter()
    try:
        async with client.stream("GET", "/app/export.csv", params=params) as response:
            out.status = response.status_code
            out.filename = response.headers.get("content-disposition", "")
            first = True
            async for piece in response.aiter_raw():
                if first:
                    out.first_byte_s = time.perf_counter() - t0
                    out.bom = piece.startswith(b"\xef\xbb\xbf")
                    first = False
                out.bytes += len(piece)
                out.rows += piece.count(b"\n")  # every row ends CRLF; a CR and its LF may arrive apart
        out.seconds = time.perf_counter() - t0
    finally:
        stop.set()
        await prober
        out.rss_peak_kib = sampler.stop()
    out.rows -= 1  # the header
    out.hwm_after_kib = status_kib(pid)["VmHWM"]
    return out


async def measure(base: str, pid: int, url: str, args: argparse.Namespace) -> dict[str, Any]:
    params = {"queue": args.queue, **dict(f.split("=", 1) for f in args.filter)}
    async with httpx.AsyncClient(base_url=base, timeout=600) as client:
        await sign_in(client)
        warm = await client.get("/app", params={"queue": args.queue})
        if warm.status_code != 200:
            raise BenchError(f"GET /app?queue={args.queue}: HTTP {warm.status_code}")
        small = await client.get(
            "/app/export.csv", params={"queue": "at_risk", "category": "complaint", "state": "fee_check"}
        )
        if small.status_code != 200:
            raise BenchError(f"warm-up export: HTTP {small.status_code}: {small.text[:300]}")
        before = status_kib(pid)
        runs = []
        for n in range(args.repeat):
            say(f"export {n + 1}/{args.repeat}: GET /app/export.csv?{httpx.QueryParams(params)} ...")
            d = await download(client, params, pid, base)
            if d.status != 200:
                raise BenchError(f"GET /app/export.csv: HTTP {d.status}")
            runs.append(d)
    conn = await asyncpg.connect(url)
    try:
        logged = await conn.fetch(
            "SELECT target, rows_shown FROM access_log WHERE target LIKE 'export:%' ORDER BY id DESC LIMIT $1",
            args.repeat,
        )
    finally:
        await conn.close()
    return {"params": params, "before": before, "runs": runs, "logged": [dict(r) for r in logged]}


# --- the run ---------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, Any]:
    ticketing = find_ticketing(args.ticketing)
    name = args.reuse or f"ticketing_bench_export_{os.getpid()}"
    url = with_database(args.database_url, name)
    created = False
    result: dict[str, Any] = {"database": name}
    with tempfile.TemporaryDirectory(prefix="ticketing-bench-export-") as tmp:
        (Path(tmp) / "data").mkdir()
        env = clean_env(Path(tmp) / "data", url)
        try:
            if not args.reuse:
                say(f"creating database {name} on {redact(args.database_url)} ...")
                asyncio.run(admin_sql(args.database_url, f'CREATE DATABASE "{name}"'))
                created = True
                run_cli(ticketing, ["migrate"], env)
                asyncio.run(ensure_desks(url))
                for email, role in STAFF:
                    run_cli(
                        ticketing,
                        ["user", "add", email, "--role", role, "--desk", *DESKS, "--password-stdin"],
                        env,
                        stdin=PASSWORD + "\n",
                    )
                say(f"loading {args.tickets:,} open tickets with COPY ...")
                result["generation"] = asyncio.run(generate(url, args.tickets, args.seed))
            else:
                say(f"applying any migrations newer than {name} (`ticketing migrate`) ...")
                run_cli(ticketing, ["migrate"], env)
            result["data"] = asyncio.run(describe(url))
            if result["data"]["manager"] is None:
                raise BenchError(f"database {name} has no user {MANAGER}: not one a bench generated")
            result["measured"] = asyncio.run(serve_and_measure(ticketing, env, url, Path(tmp), args))
        finally:
            if created and not args.keep:
                say(f"dropping database {name} ...")
                try:
                    asyncio.run(admin_sql(args.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                except Exception as exc:
                    say(f"warning: could not drop database {name}: {exc}")
            elif created:
                say(f"kept database {name}: measure it again with --reuse {name}")
    return result


async def admin_sql(server_url: str, sql: str) -> None:
    conn = await asyncpg.connect(server_url, timeout=15)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def wait_until_ready(proc: asyncio.subprocess.Process, base: str, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    last = "no answer"
    async with httpx.AsyncClient(base_url=base, timeout=2) as client:
        while time.monotonic() < deadline:
            if proc.returncode is not None:
                raise BenchError(f"`ticketing serve` exited with {proc.returncode} before it was ready")
            try:
                answer = await client.get("/readyz")
                if answer.status_code == 200:
                    return
                last = f"HTTP {answer.status_code}"
            except httpx.HTTPError as exc:
                last = str(exc) or type(exc).__name__
            await asyncio.sleep(0.1)
    raise BenchError(f"/readyz not 200 after 60 s (last: {last})")


async def serve_and_measure(
    ticketing: str, env: dict[str, str], url: str, tmp: Path, args: argparse.Namespace
) -> dict[str, Any]:
    lock = LeaderLock(url)
    await lock.take()
    port = free_port()
    log_path = tmp / "server.log"
    try:
        with log_path.open("wb") as log:
            proc = await asyncio.create_subprocess_exec(
                ticketing,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                env=env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
            )
        try:
            base = f"http://127.0.0.1:{port}"
            await wait_until_ready(proc, base, log_path)
            started = status_kib(proc.pid)
            measured = await measure(base, proc.pid, url, args)
            measured["started"] = started
            measured["server"] = f"ticketing serve (pid {proc.pid}) on {base}"
            return measured
        except BenchError as exc:
            raise BenchError(f"{exc}\n{log_tail(log_path)}") from exc
        finally:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(proc.wait(), 20)
                except TimeoutError:
                    proc.kill()
                    await proc.wait()
    finally:
        await lock.release()


def report(result: dict[str, Any]) -> None:
    data, m = result["data"], result["measured"]
    print(f"database          {result['database']} ({data['database_bytes'] / 2**30:.2f} GiB)")
    print(f"tickets           {data['tickets']:,} ({data['open']:,} open)")
    if "generation" in result:
        g = result["generation"]
        print(f"generation        load {g['load_s']} s, indexes and vacuum {g['index_and_vacuum_s']} s")
    print(f"server            {m['server']}")
    print(f"export            GET /app/export.csv?{httpx.QueryParams(m['params'])} as {MANAGER}")
    print(f"server RSS        {mib(m['started']['VmRSS'])} when ready; {mib(m['before']['VmRSS'])} after warm-up")
    print(f"server peak RSS   {mib(m['before']['VmHWM'])} before the exports (VmHWM: start-up and warm-up)")
    for n, d in enumerate(m["runs"], 1):
        probes = sorted(d.probes_ms)
        print(f"run {n}")
        print(f"  rows            {d.rows:,} ({'BOM' if d.bom else 'no BOM'}; {d.filename})")
        print(f"  bytes           {d.bytes:,} ({d.bytes / 2**20:,.1f} MiB)")
        print(f"  first byte      {d.first_byte_s * 1000:,.0f} ms")
        rate = f"{d.rows / d.seconds:,.0f} rows/s, {d.bytes / 2**20 / d.seconds:.1f} MiB/s"
        print(f"  time            {d.seconds:,.1f} s ({rate})")
        hwm = "this export's peak" if d.peak_reset else "the peak since start: clear_refs refused"
        print(
            f"  server RSS      {mib(d.rss_start_kib)} at the start; {mib(d.rss_peak_kib)} highest sampled; "
            f"VmHWM {mib(d.hwm_after_kib)} ({hwm})"
        )
        if probes:
            print(
                f"  /healthz        {len(probes)} during: p50 {percentile(probes, 50):.1f} ms, "
                f"p95 {percentile(probes, 95):.1f} ms, max {probes[-1]:.1f} ms"
            )
    for line in m["logged"]:
        print(f"access log        {line['target']}  rows_shown {line['rows_shown']:,}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/export.py",
        description="Benchmark the streamed CSV export of a ticket list on a PostgreSQL database.",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("TICKETING_DATABASE_URL"),
        help="a PostgreSQL server (the database name in it is not used; default $TICKETING_DATABASE_URL)",
    )
    parser.add_argument("--tickets", type=int, default=1_000_000, help="open tickets to generate (default 1000000)")
    parser.add_argument("--keep", action="store_true", help="keep the generated database (for --reuse)")
    parser.add_argument("--reuse", metavar="NAME", help="measure this existing database; generate nothing")
    parser.add_argument("--queue", default="open", help="the queue exported (default open: All open)")
    parser.add_argument("--filter", action="append", default=[], metavar="NAME=VALUE", help="e.g. desk=relia")
    parser.add_argument("--repeat", type=int, default=2, help="exports measured one after the other (default 2)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated data")
    parser.add_argument("--ticketing", default=None, help="the ticketing executable (default .venv/bin/ticketing)")
    parser.add_argument("--json", action="store_true", help="also print the results as one JSON line")
    args = parser.parse_args(argv)
    if not args.database_url or not args.database_url.startswith(("postgresql://", "postgres://")):
        parser.error("--database-url postgresql://... is needed (or TICKETING_DATABASE_URL)")
    if args.tickets < 1 or args.repeat < 1:
        parser.error("--tickets and --repeat must be at least 1")
    if any("=" not in f for f in args.filter):
        parser.error("--filter takes NAME=VALUE, e.g. --filter desk=relia")
    return args


def _terminated(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM cleans up as Ctrl-C does: the server stopped, the database dropped


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminated)
    try:
        result = run(args)
    except BenchError as exc:
        print(f"bench/export.py: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("bench/export.py: interrupted", file=sys.stderr)
        return 130
    report(result)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, default=lambda o: getattr(o, "__dict__", str(o))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
