#!/usr/bin/env python3
"""Page benchmark: the staff workspace's queue, search and ticket pages on a million tickets (PostgreSQL).

Creates a database `ticketing_bench_pages_<pid>` on the server given by --database-url, migrates it
with `ticketing migrate`, adds the bench staff with `ticketing user add`, and fills it with --tickets
tickets over both seed desks as the service would have stored them (bench/pages_data.py: each
ticket's life runs through the real domain code; the rows go in with COPY while the big indexes
are down, then the indexes and constraints are rebuilt exactly as the migrations made them, and the
tables vacuumed and analysed). Then it starts `ticketing serve` on it, signs in through the login
form like a browser, and measures p50/p95 of

  - each queue's first page, `GET /app?queue=mine|unassigned|waiting|at_risk|breached|open|closed`,
    and the second page of `open` (the page's `<a rel="next">`),
  - search, `GET /app/search?q=開示`, `q=disclosure` and `q=個人情報`,
  - the ticket page, `GET /app/tickets/{reference}` over random tickets,
  - the manager's SLA dashboard, `GET /app/dashboard`, and its polled section `GET /app/dashboard/now`
    (without `seen=`, so every answer is the whole section, as after a change), signed in as the manager,
  - the monthly SLA report of the last whole month for each desk (the printable page, which holds
    the JSON report's figures, the 12-month trend and the charts) and the dashboard's "How we did"
    section (target < 1 s),

with 1 and 8 concurrent clients, after a warm-up. The database is dropped at the end, also after an
error or Ctrl-C, unless --keep; --reuse NAME measures a database kept earlier without generating.

    .venv/bin/python bench/pages.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/pages.py --database-url ... --tickets 20000          # a quick run
    .venv/bin/python bench/pages.py --database-url ... --keep                   # keep it for --reuse
    .venv/bin/python bench/pages.py --database-url ... --reuse ticketing_bench_pages_12345

See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import multiprocessing
import os
import random
import re
import signal
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pages_data as data
from intake import (
    BenchError,
    find_ticketing,
    free_port,
    percentile,
    redact,
    run_cli,
    running_server,
    with_database,
)

from ticketing.domain.queues import NO_DUE, RECENTLY_CLOSED_DAYS
from ticketing.domain.search import parse, pg_tsquery
from ticketing.domain.tickets import SETTLED, WAITING_ON_REQUESTER

BENCH_PASSWORD = "benchpass-123456"
STAFF = (  # email, role: the first is the one who signs in; all work on both desks
    ("bench@example.test", "agent"),
    ("agent2@example.test", "agent"),
    ("manager@example.test", "manager"),
)
QUEUES = ("mine", "unassigned", "waiting", "at_risk", "breached", "open", "closed")
SEARCHES = ("開示", "disclosure", "個人情報")
TARGET_MS = {"queue": 100.0, "ticket": 100.0, "search": 300.0, "dashboard": 300.0, "report": 1000.0}
CHUNK = 2000  # tickets per generated chunk
REQUEST_TIMEOUT_S = 60.0
NEXT_LINK = re.compile(r"<a\b[^>]*\brel=\"?next\"?[^>]*>", re.IGNORECASE)
HREF = re.compile(r"\bhref=\"([^\"]+)\"", re.IGNORECASE)
CSRF_FIELD = re.compile(r"name=\"_csrf_token\"\s+value=\"([^\"]+)\"")


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def pad(text: str, width: int) -> str:
    """Left-aligned in `width` columns of a terminal (a Japanese character takes two)."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - used)


def duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return (
        f"{seconds // 3600}h{seconds % 3600 // 60:02d}m" if seconds >= 3600 else f"{seconds // 60}m{seconds % 60:02d}s"
    )


# --- the database ----------------------------------------------------------------------------


def clean_env(data_dir: Path, database_url: str) -> dict[str, str]:
    """The server's and the CLI's environment: this database, the bundled desks, no SMTP relay."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TICKETING_")}
    env.update(
        TICKETING_DATA_DIR=str(data_dir),
        TICKETING_DATABASE_URL=database_url,
        TICKETING_SECRET_KEY="bench-pages-" + "k" * 40,  # the same on --reuse, whatever the data dir
        PYTHONUNBUFFERED="1",
    )
    return env


async def admin(server_url: str, sql: str) -> None:
    conn = await asyncpg.connect(server_url, timeout=15)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@dataclass
class Rebuild:
    """The indexes and constraints taken down for the load, with the statements that make them again."""

    indexes: list[tuple[str, str]] = field(default_factory=list)  # (name, CREATE INDEX ...)
    uniques: list[tuple[str, str]] = field(default_factory=list)  # (name, ALTER TABLE ... ADD CONSTRAINT)
    foreign: list[tuple[str, str]] = field(default_factory=list)


async def take_down(conn: asyncpg.Connection, tables: Sequence[str]) -> Rebuild:
    """Drop the secondary indexes (the queue and full-text indexes of migration 2026-12-06T03:54:19:500000
    among them), unique and foreign-key constraints of the loaded tables; primary keys stay."""
    rebuild = Rebuild()
    for r in await conn.fetch(
        "SELECT i.relname AS name, pg_get_indexdef(i.oid) AS ddl FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
        "JOIN pg_namespace n ON n.oid = t.relnamespace "
        "WHERE n.nspname = current_schema() AND t.relname = ANY($1::text[]) AND NOT x.indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.oid AND k.conrelid = t.oid) "
        "ORDER BY i.relname",
        list(tables),
    ):
        rebuild.indexes.append((r["name"], r["ddl"]))
    for r in await conn.fetch(
        "SELECT k.conrelid::regclass::text AS tbl, k.conname AS name, k.contype AS kind, "
        "pg_get_constraintdef(k.oid) AS def FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid "
        "JOIN pg_namespace n ON n.oid = t.relnamespace "
        "WHERE n.nspname = current_schema() AND t.relname = ANY($1::text[]) AND k.contype IN ('u', 'f') "
        "ORDER BY k.conname",
        list(tables),
    ):
        statement = f'ALTER TABLE {r["tbl"]} ADD CONSTRAINT "{r["name"]}" {r["def"]}'
        (rebuild.uniques if r["kind"] == "u" else rebuild.foreign).append((f"{r['tbl']}.{r['name']}", statement))
    async with conn.transaction():
        for name, _ in rebuild.foreign + rebuild.uniques:
            table, constraint = name.split(".", 1)
            await conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{constraint}"')
        for name, _ in rebuild.indexes:
            await conn.execute(f'DROP INDEX "{name}"')
    return rebuild


async def bring_up(url: str, rebuild: Rebuild) -> None:
    """The indexes (two connections: the GIN index alone takes as long as the rest), then the
    unique constraints and the foreign keys (each validated against the loaded rows)."""
    jobs = sorted(rebuild.indexes, key=lambda item: " gin " not in item[1])  # the longest first
    queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)
    total, done = len(jobs), 0

    async def worker() -> None:
        nonlocal done
        conn = await asyncpg.connect(url)
        try:
            await conn.execute("SET maintenance_work_mem = '1GB'")
            while not queue.empty():
                name, statement = queue.get_nowait()
                t0 = time.perf_counter()
                await conn.execute(statement)
                done += 1
                say(f"  index {done}/{total} {name}: {time.perf_counter() - t0:.1f} s")
        finally:
            await conn.close()

    await asyncio.gather(worker(), worker())
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("SET maintenance_work_mem = '1GB'")
        for name, statement in rebuild.uniques + rebuild.foreign:
            t0 = time.perf_counter()
            await conn.execute(statement)
            say(f"  constraint {name}: {time.perf_counter() - t0:.1f} s")
    finally:
        await conn.close()


# --- generation ------------------------------------------------------------------------------


def _quiet_worker() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle


class Progress:
    def __init__(self, total: int) -> None:
        self.total, self.start, self.last = total, time.perf_counter(), 0.0
        self.tty = sys.stderr.isatty()

    def show(self, done: int, rows: int, final: bool = False) -> None:
        now = time.perf_counter()
        if not final and now - self.last < (1.0 if self.tty else 15.0):
            return
        self.last = now
        elapsed = max(now - self.start, 1e-6)
        rate = done / elapsed
        eta = (self.total - done) / rate if rate > 0 else 0
        line = (
            f"  {done:,}/{self.total:,} tickets ({100 * done / self.total:.1f} %)  {rows:,} rows  "
            f"{rate:,.0f} tickets/s  {rows / elapsed:,.0f} rows/s  "
            + (f"ETA {duration(eta)}" if not final else f"in {duration(elapsed)}")
        )
        if self.tty:
            print("\r" + line + " " * 4, end="\n" if final else "", file=sys.stderr, flush=True)
        else:
            say(line)


async def generate(url: str, args: argparse.Namespace, staff_ids: dict[str, int]) -> dict[str, Any]:
    """Fill the migrated database; returns what was loaded and how long it took."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("SET synchronous_commit = off")
        desk_ids = {r["slug"]: r["id"] for r in await conn.fetch("SELECT id, slug FROM desk")}
        now = data.now_utc()
        start = now - timedelta(days=data.SPAN_DAYS, minutes=10)
        staff = tuple(data.Staff(staff_ids[email], email, role) for email, role in STAFF)
        setup = data.Setup(now, start, args.tickets, args.seed, CHUNK, desk_ids, staff)
        t0 = time.perf_counter()
        say("laying out tickets (desk, arrival, reference, requester) ...")
        layout = data.layout(args.tickets, CHUNK, args.seed, start, data.prefixes())
        say("dropping the secondary indexes and constraints of the loaded tables ...")
        rebuild = await take_down(conn, data.TABLES)
        say(f"generating with {args.workers} process(es) and loading with COPY ...")
        progress = Progress(args.tickets)
        rows: Counter[str] = Counter()
        stats: Counter[str] = Counter()
        loop = asyncio.get_running_loop()
        pool = multiprocessing.get_context("spawn").Pool(args.workers, initializer=_quiet_worker)
        try:
            pending: list[AsyncResult[Any]] = []
            chunks = iter(layout.chunks)
            done = 0
            for chunk in chunks:  # a few chunks ahead of the COPY, not all of them in memory
                pending.append(pool.apply_async(data.generate, (setup, chunk)))
                if len(pending) >= 2 * args.workers:
                    break
            while pending:
                index, out, chunk_stats = await loop.run_in_executor(None, pending.pop(0).get)
                nxt = next(chunks, None)
                if nxt is not None:
                    pending.append(pool.apply_async(data.generate, (setup, nxt)))
                async with conn.transaction():
                    for table in data.TABLES:
                        if out[table]:
                            await conn.copy_records_to_table(table, records=out[table], columns=data.COLUMNS[table])
                            rows[table] += len(out[table])
                stats.update(chunk_stats)
                done += len(layout.chunks[index].desks)
                progress.show(done, rows.total())
            progress.show(done, rows.total(), final=True)
            pool.close()
        finally:
            pool.terminate()  # after an error or Ctrl-C: the workers stop at once
        load_s = time.perf_counter() - t0

        say("setting the sequences and reference counters ...")
        for table in data.TABLES:
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(max(id), 1) FROM {table}))"
            )
        await conn.executemany(
            "INSERT INTO reference_counter (scope, value) VALUES ($1, $2) "
            "ON CONFLICT (scope) DO UPDATE SET value = GREATEST(reference_counter.value, EXCLUDED.value)",
            sorted(layout.counters.items()),
        )
    finally:
        await conn.close()
    t1 = time.perf_counter()
    say("creating the indexes and constraints again ...")
    await bring_up(url, rebuild)
    index_s = time.perf_counter() - t1
    t2 = time.perf_counter()
    say("VACUUM ANALYZE ...")
    conn = await asyncpg.connect(url)
    try:
        for table in data.TABLES:
            await conn.execute(f"VACUUM (ANALYZE) {table}")
        vacuum_s = time.perf_counter() - t2
        mismatched = await conn.fetchval(QUEUE_CHECK, NO_DUE, sorted(s.value for s in SETTLED))
    finally:
        await conn.close()
    return {
        "generated_at": now.isoformat(),
        "load_s": round(load_s, 1),
        "index_s": round(index_s, 1),
        "vacuum_s": round(vacuum_s, 1),
        "total_s": round(time.perf_counter() - t0, 1),
        "rows": dict(rows),
        "mix": {k.removeprefix("state:"): v for k, v in sorted(stats.items()) if k.startswith("state:")},
        "queue_columns_mismatched": mismatched,
    }


# The queue columns as migration 2026-12-06T03:54:19:500000 computes them from the clocks, against
# what was loaded (domain/queues.py's rules, written down a second time): 0 is the answer.
QUEUE_CHECK = """
WITH c AS (
    SELECT ticket,
        min(due_at) FILTER (WHERE stopped_at IS NULL AND NOT paused AND due_at IS NOT NULL) AS due,
        max(CASE WHEN breached_at IS NOT NULL THEN 2 WHEN next_stage > 0 THEN 1 ELSE 0 END)
            FILTER (WHERE stopped_at IS NULL AND NOT paused) AS risk
    FROM sla_clock GROUP BY ticket
)
SELECT count(*) FROM ticket t LEFT JOIN c ON c.ticket = t.id
WHERE t.next_due_at IS DISTINCT FROM (CASE WHEN t.state = ANY($2::text[]) THEN NULL ELSE COALESCE(c.due, $1) END)
   OR t.risk <> COALESCE(c.risk, 0)
"""


async def describe(url: str, name: str) -> dict[str, Any]:
    """What the database holds: size, rows, the bench user's queues and the search words' hits."""
    conn = await asyncpg.connect(url)
    try:
        now = await conn.fetchval("SELECT now()")
        bench = await conn.fetchval("SELECT id FROM staff_user WHERE email = $1", STAFF[0][0])
        if bench is None:
            raise BenchError(f"database {name} has no user {STAFF[0][0]}: not one this bench generated")
        size = await conn.fetchval("SELECT pg_database_size(current_database())")
        tables = {
            r["relname"]: {"rows": r["n"], "bytes": r["bytes"]}
            for r in await conn.fetch(
                "SELECT c.relname, c.reltuples::bigint AS n, pg_total_relation_size(c.oid) AS bytes FROM pg_class c "
                "JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = current_schema() "
                "AND c.relkind = 'r' AND c.relname = ANY($1::text[])",
                list(data.TABLES),
            )
        }
        tickets = await conn.fetchval("SELECT count(*) FROM ticket")
        waiting = sorted(s.value for s in WAITING_ON_REQUESTER)
        since = now - timedelta(days=RECENTLY_CLOSED_DAYS)
        queues = dict(
            await conn.fetchrow(
                "SELECT count(*) FILTER (WHERE next_due_at IS NOT NULL AND assignee = $1) AS mine, "
                "count(*) FILTER (WHERE next_due_at IS NOT NULL AND assignee IS NULL) AS unassigned, "
                "count(*) FILTER (WHERE next_due_at IS NOT NULL AND state = ANY($2::text[])) AS waiting, "
                "count(*) FILTER (WHERE next_due_at IS NOT NULL AND risk >= 1 AND next_due_at > $3) AS at_risk, "
                "count(*) FILTER (WHERE next_due_at <= $3) AS breached, "
                "count(*) FILTER (WHERE next_due_at IS NOT NULL) AS open, "
                "count(*) FILTER (WHERE next_due_at IS NULL AND closed_at >= $4) AS closed FROM ticket",
                bench,
                waiting,
                now,
                since,
            )
        )
        hits = {}
        for word in SEARCHES:
            hits[word] = await conn.fetchval(
                "SELECT count(DISTINCT ticket) FROM search_doc WHERE tsv @@ to_tsquery('simple', $1)",
                pg_tsquery(parse(word)),
            )
        return {"database": name, "bytes": size, "tickets": tickets, "tables": tables, "queues": queues, "hits": hits}
    finally:
        await conn.close()


# --- measuring -------------------------------------------------------------------------------


@dataclass
class Page:
    name: str
    group: str  # queue | search | ticket | dashboard | report
    urls: Callable[[int], str]  # the n-th request's URL
    missing: str | None = None  # why it cannot be asked at all (a "next" link not found)
    manager: bool = False  # asked as the manager (the dashboard is for managers), not the bench agent


@dataclass
class Sample:
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str | None = None
    rows: int | None = None  # table rows on the first page answered (tickets listed), None: no table

    def error(self, text: str) -> None:
        self.errors += 1
        if self.first_error is None:
            self.first_error = text


async def sign_in(base: str, email: str = STAFF[0][0]) -> httpx.Cookies:
    """The browser's way in: the login form for its CSRF cookie and field, then POST /login."""
    async with httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT_S) as client:
        form = await client.get("/login")
        found = CSRF_FIELD.search(form.text)
        if form.status_code != 200 or found is None:
            raise BenchError(f"GET /login: HTTP {form.status_code}, no _csrf_token field")
        answer = await client.post(
            "/login",
            data={"email": email, "password": BENCH_PASSWORD, "_csrf_token": found.group(1), "next": "/app"},
        )
        if answer.status_code != 303 or "ticketing_session" not in client.cookies:
            raise BenchError(f"POST /login: HTTP {answer.status_code}, no session cookie: {answer.text[:300]}")
        return client.cookies


def table_rows(page: str) -> int | None:
    """How many rows the page's first table body lists (a queue or search page: its tickets)."""
    start = page.find("<tbody")
    if start < 0:
        return None
    end = page.find("</tbody>", start)
    return page.count("<tr", start, end if end > 0 else len(page))


def describe_error(resp: httpx.Response) -> str:
    where = f" -> {resp.headers.get('location')}" if resp.is_redirect else ""
    body = re.sub(r"\s+", " ", resp.text)[:200] if not resp.is_redirect else ""
    return f"HTTP {resp.status_code}{where} {body}".strip()


async def measure(base: str, cookies: httpx.Cookies, page: Page, clients: int, n: int, warmup: int) -> Sample:
    sample = Sample()
    if page.missing:
        sample.error(page.missing)
        sample.errors = n
        return sample
    counter = iter(range(warmup + n))
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)

    async def client_loop(client: httpx.AsyncClient) -> None:
        for i in counter:
            t0 = time.perf_counter()
            try:
                resp = await client.get(page.urls(i))
            except httpx.HTTPError as exc:
                if i >= warmup:
                    sample.error(f"{type(exc).__name__}: {exc}")
                continue
            elapsed = (time.perf_counter() - t0) * 1000
            if i < warmup:
                continue
            if resp.status_code != 200:
                sample.error(describe_error(resp))
            else:
                sample.latencies_ms.append(elapsed)
                if sample.rows is None and page.group != "ticket":
                    sample.rows = table_rows(resp.text)

    opened = [
        httpx.AsyncClient(base_url=base, cookies=cookies, limits=limits, timeout=REQUEST_TIMEOUT_S)
        for _ in range(clients)
    ]
    try:
        await asyncio.gather(*(client_loop(c) for c in opened))
    finally:
        for c in opened:
            await c.aclose()
    return sample


async def pages_to_ask(base: str, cookies: httpx.Cookies, references: Sequence[str]) -> list[Page]:
    pages = [Page(f"queue {q}", "queue", lambda _i, q=q: f"/app?queue={q}") for q in QUEUES]
    # The second page of `open`: the first page's "next" link, as a browser follows it.
    missing, href = None, ""
    async with httpx.AsyncClient(base_url=base, cookies=cookies, timeout=REQUEST_TIMEOUT_S) as client:
        first = await client.get("/app?queue=open")
    if first.status_code != 200:
        missing = f"no first page to take the next link from: {describe_error(first)}"
    else:
        link = NEXT_LINK.search(first.text)
        found = HREF.search(link.group(0)) if link else None
        if found is None:
            missing = 'the first page of queue=open has no <a rel="next" href=...>'
        else:
            href = urljoin(str(first.url), html.unescape(found.group(1)))  # relative to the page, as a browser does
    pages.append(Page("queue open, page 2", "queue", lambda _i: href, missing))
    pages += [Page(f"search {w}", "search", lambda _i, w=w: "/app/search?" + urlencode({"q": w})) for w in SEARCHES]
    pages.append(Page("ticket page", "ticket", lambda i: f"/app/tickets/{references[i % len(references)]}"))
    pages.append(Page("dashboard", "dashboard", lambda _i: "/app/dashboard", manager=True))
    pages.append(Page("dashboard now (poll)", "dashboard", lambda _i: "/app/dashboard/now", manager=True))
    # The monthly SLA report of the last whole month (the printable page: the report, the 12-month
    # trend and both charts; the JSON API reads the same), and the dashboard's "How we did" of the
    # current month, as htmx fetches it after the dashboard.
    last = last_month()
    for desk in ("relia", "rext-cs"):
        report = f"/app/desks/{desk}/reports/sla?month={last}"
        pages.append(Page(f"SLA report {desk} {last}", "report", lambda _i, u=report: u, manager=True))
    how = "/app/dashboard/how?desk=relia"
    pages.append(Page("dashboard how we did (relia)", "report", lambda _i: how, manager=True))
    return pages


def last_month() -> str:
    """YYYY-MM of the month before this one in Tokyo (both desks' zone)."""
    today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Tokyo")).date()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year:04d}-{month:02d}"


async def sample_references(url: str, count: int, seed: int) -> list[str]:
    conn = await asyncpg.connect(url)
    try:
        top = await conn.fetchval("SELECT max(id) FROM ticket")
        rng = random.Random(seed)
        ids = [rng.randint(1, top) for _ in range(count)]
        rows = await conn.fetch("SELECT id, reference FROM ticket WHERE id = ANY($1::int[])", ids)
    finally:
        await conn.close()
    by_id = {r["id"]: r["reference"] for r in rows}
    return [by_id[i] for i in ids if i in by_id]


def summarise(page: Page, clients: int, sample: Sample) -> dict[str, Any]:
    lat = sorted(sample.latencies_ms)
    target = TARGET_MS[page.group]
    p95 = percentile(lat, 95) if lat else None
    return {
        "page": page.name,
        "clients": clients,
        "count": len(lat),
        "errors": sample.errors,
        "rows_listed": sample.rows,
        "mean_ms": round(sum(lat) / len(lat), 1) if lat else None,
        "p50_ms": round(percentile(lat, 50), 1) if lat else None,
        "p95_ms": round(p95, 1) if p95 is not None else None,
        "max_ms": round(lat[-1], 1) if lat else None,
        "target_p95_ms": target,
        "met": bool(lat) and not sample.errors and p95 is not None and p95 < target,
        "first_error": sample.first_error,
    }


async def measure_all(base: str, url: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    cookies = await sign_in(base)
    manager = await sign_in(base, next(email for email, role in STAFF if role == "manager"))
    references = await sample_references(url, args.warmup + args.requests, args.seed)
    pages = await pages_to_ask(base, cookies, references)
    if args.only:
        groups = {g.strip() for g in args.only.split(",")}
        pages = [p for p in pages if p.group in groups]
    results = []
    for clients in args.clients:
        for page in pages:
            say(f"  {clients} client(s): {page.name} ...")
            sample = await measure(
                base, manager if page.manager else cookies, page, clients, args.requests, args.warmup
            )
            results.append(summarise(page, clients, sample))
    return results


# --- report ----------------------------------------------------------------------------------


def ms(value: float | None) -> str:
    return f"{value:7.1f}" if value is not None else "      -"


def report(result: dict[str, Any]) -> None:
    info, gen = result["data"], result.get("generation")
    print(f"database     {info['database']} ({info['bytes'] / 2**30:.2f} GiB, {info['tickets']:,} tickets)")
    if gen:
        print(
            f"generation   {duration(gen['total_s'])}: load {duration(gen['load_s'])} (generate + COPY), "
            f"indexes {duration(gen['index_s'])}, vacuum/analyze {duration(gen['vacuum_s'])}"
        )
        print("rows         " + ", ".join(f"{t} {n:,}" for t, n in sorted(gen["rows"].items(), key=lambda x: -x[1])))
        print("states       " + ", ".join(f"{s} {n:,}" for s, n in sorted(gen["mix"].items(), key=lambda x: -x[1])))
        print(
            "check        queue columns that differ from the clocks' (migration SQL): "
            f"{gen['queue_columns_mismatched']}"
        )
    print("queues       " + ", ".join(f"{q} {n:,}" for q, n in info["queues"].items()) + f"  (for {STAFF[0][0]})")
    total = max(info["tickets"], 1)
    print("search hits  " + ", ".join(f"{w} {n:,} ({100 * n / total:.1f} %)" for w, n in info["hits"].items()))
    print(f"server       {result['server']}")
    for clients in sorted({r["clients"] for r in result["pages"]}):
        print()
        print(f"{clients} client(s), {result['requests']} requests per page after {result['warmup']} warm-up; ms")
        print(
            f"  {'page':<22} {'rows':>4} {'count':>5} {'errors':>6} {'mean':>7} {'p50':>7} {'p95':>7} {'max':>7}"
            "  target p95"
        )
        for r in (r for r in result["pages"] if r["clients"] == clients):
            verdict = "met" if r["met"] else ("errors" if r["errors"] else "missed")
            listed = "-" if r["rows_listed"] is None else str(r["rows_listed"])
            print(
                f"  {pad(r['page'], 22)} {listed:>4} {r['count']:>5} {r['errors']:>6} {ms(r['mean_ms'])} "
                f"{ms(r['p50_ms'])} {ms(r['p95_ms'])} {ms(r['max_ms'])}  < {r['target_p95_ms']:.0f} {verdict}"
            )
    errors = [r for r in result["pages"] if r["first_error"]]
    if errors:
        print()
        print("first error per page:")
        seen = set()
        for r in errors:
            if r["page"] not in seen:
                seen.add(r["page"])
                print(f"  {r['page']}: {r['first_error']}")


# --- main ------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/pages.py",
        description="Benchmark the staff queue, search and ticket pages on a generated PostgreSQL database.",
        epilog="Example: .venv/bin/python bench/pages.py --database-url postgresql://postgres@127.0.0.1:5432/postgres "
        "--tickets 20000",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("TICKETING_DATABASE_URL"),
        help="a PostgreSQL server to create the bench database on (any database name; default $TICKETING_DATABASE_URL)",
    )
    parser.add_argument("--tickets", type=int, default=1_000_000, help="tickets to generate (default 1000000)")
    parser.add_argument("--keep", action="store_true", help="keep the generated database (for --reuse)")
    parser.add_argument("--reuse", metavar="NAME", help="measure this database generated earlier; generate nothing")
    parser.add_argument("--generate-only", action="store_true", help="generate (with --keep), measure nothing")
    parser.add_argument("--requests", type=int, default=200, help="measured requests per page and client count")
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured requests per page first (default 20)")
    parser.add_argument("--clients", default="1,8", help="concurrent clients, comma-separated (default 1,8)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="generating processes")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated data and the ticket sample")
    parser.add_argument("--ticketing", default=None, help="the ticketing executable (default .venv/bin/ticketing)")
    parser.add_argument("--json", action="store_true", help="also print the results as one JSON line")
    parser.add_argument(
        "--only",
        default="",
        help="measure only these page groups, comma-separated: queue, search, ticket, dashboard, report",
    )
    args = parser.parse_args(argv)
    if not args.database_url or not args.database_url.startswith(("postgresql://", "postgres://")):
        parser.error("--database-url postgresql://... is needed (or TICKETING_DATABASE_URL)")
    if args.tickets < 1 or args.requests < 1 or args.warmup < 0 or args.workers < 1:
        parser.error("--tickets, --requests and --workers must be at least 1, --warmup at least 0")
    try:
        args.clients = [int(c) for c in args.clients.split(",")]
    except ValueError:
        parser.error("--clients: numbers separated by commas, e.g. 1,8")
    if args.generate_only and (args.reuse or not args.keep):
        parser.error("--generate-only goes with --keep (and not with --reuse)")
    return args


def run(args: argparse.Namespace) -> dict[str, Any]:
    ticketing = find_ticketing(args.ticketing)
    name = args.reuse or f"ticketing_bench_pages_{os.getpid()}"
    url = with_database(args.database_url, name)
    created = False
    result: dict[str, Any] = {"requests": args.requests, "warmup": args.warmup}
    with tempfile.TemporaryDirectory(prefix="ticketing-bench-pages-") as tmp:
        env = clean_env(Path(tmp) / "data", url)
        (Path(tmp) / "data").mkdir()
        try:
            if not args.reuse:
                say(f"creating database {name} on {redact(args.database_url)} ...")
                asyncio.run(admin(args.database_url, f'CREATE DATABASE "{name}"'))
                created = True
                run_cli(ticketing, ["migrate"], env)
                asyncio.run(ensure_desks(url))
                for email, role in STAFF:
                    run_cli(
                        ticketing,
                        ["user", "add", email, "--role", role, "--desk", *data.DESKS, "--password-stdin"],
                        env,
                        stdin=BENCH_PASSWORD + "\n",
                    )
                staff_ids = asyncio.run(user_ids(url))
                result["generation"] = asyncio.run(generate(url, args, staff_ids))
            else:
                say(f"applying any migrations newer than the kept database {name} (`ticketing migrate`) ...")
                run_cli(ticketing, ["migrate"], env)
            result["data"] = asyncio.run(describe(url, name))
            if args.generate_only:
                result["server"], result["pages"] = "(not started: --generate-only)", []
                return result
            say("one SLA sweep first (`ticketing sla sweep`): rungs due since the data was made")
            run_cli(ticketing, ["sla", "sweep"], env)
            port = free_port()
            with running_server(ticketing, env, port, Path(tmp) / "server.log") as base:
                result["server"] = f"ticketing serve on {base}"
                say(f"measuring against {base} ...")
                result["pages"] = asyncio.run(measure_all(base, url, args))
        finally:
            if created and not args.keep:
                say(f"dropping database {name} ...")
                try:
                    asyncio.run(admin(args.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                except Exception as exc:
                    say(f"warning: could not drop database {name}: {exc}")
            elif created:
                say(f"kept database {name}: measure it again with --reuse {name}")
    return result


async def ensure_desks(url: str) -> None:
    """The desk rows `ticketing serve` makes at start-up (PiccoloTicketStore.ensure_desks), made now
    because the users and the tickets point at them."""
    conn = await asyncpg.connect(url)
    try:
        for slug in data.DESKS:
            await conn.execute(
                "INSERT INTO desk (slug, created_at) VALUES ($1, $2) ON CONFLICT (slug) DO NOTHING",
                slug,
                datetime.now(UTC),
            )
    finally:
        await conn.close()


async def user_ids(url: str) -> dict[str, int]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT id, email FROM staff_user WHERE email = ANY($1::text[])", [e for e, _ in STAFF])
    finally:
        await conn.close()
    return {r["email"]: r["id"] for r in rows}


def _terminated(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM cleans up as Ctrl-C does: the server stopped, the database dropped


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminated)
    try:
        result = run(args)
    except BenchError as exc:
        print(f"bench/pages.py: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("bench/pages.py: interrupted", file=sys.stderr)
        return 130
    report(result)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, default=str))
    return 1 if any(r["errors"] for r in result["pages"]) else 0


if __name__ == "__main__":
    sys.exit(main())
