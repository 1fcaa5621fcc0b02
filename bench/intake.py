#!/usr/bin/env python3
"""Intake benchmark: how fast `POST /api/v1/tickets` creates tickets through a real server.

Starts its own `ticketing serve` on a free port with a fresh data dir (and, for PostgreSQL, a
fresh database it creates and drops), makes a staff user and an API token with the CLI, warms up,
then POSTs N tickets from C concurrent clients and prints throughput and latency percentiles.

    .venv/bin/python bench/intake.py                                   # SQLite, N=2000, C=16
    .venv/bin/python bench/intake.py --db postgres \\
        --database-url postgresql://postgres@127.0.0.1:5432/postgres   # PostgreSQL

Uses only the standard library and httpx (asyncpg too, for --db postgres; all are in the venv).
See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_EMAIL = "bench@example.test"
BENCH_PASSWORD = "benchpass-123456"
BENCH_DESK = "relia"
WARMUP_REQUESTS = 50
READY_TIMEOUT_S = 60.0
REQUEST_TIMEOUT_S = 60.0


class BenchError(Exception):
    """A set-up step failed; the message says which."""


# --- helpers ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def find_ticketing(explicit: str | None) -> str:
    if explicit:
        path = shutil.which(explicit)
        if path is None:
            raise BenchError(f"--ticketing {explicit}: not found or not executable")
        return path
    venv_bin = ROOT / ".venv" / "bin" / "ticketing"
    if venv_bin.exists():
        return str(venv_bin)
    found = shutil.which("ticketing")
    if found:
        return found
    raise BenchError(f"no `ticketing` executable: not at {venv_bin} and not on PATH (pip install -e . first)")


def server_env(data_dir: Path, database_url: str | None) -> dict[str, str]:
    """The environment for the server and the CLI calls: a fresh data dir, the chosen database,
    no SMTP relay (mail stays in the outbox, so the benchmark never sends real mail)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TICKETING_SMTP_")}
    env["TICKETING_DATA_DIR"] = str(data_dir)
    env.pop("TICKETING_DATABASE_URL", None)
    if database_url:
        env["TICKETING_DATABASE_URL"] = database_url
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def run_cli(ticketing: str, args: list[str], env: dict[str, str], stdin: str | None = None) -> str:
    proc = subprocess.run(
        [ticketing, *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if proc.returncode != 0:
        raise BenchError(
            f"`ticketing {' '.join(args)}` exited {proc.returncode}:\n{proc.stderr.strip() or proc.stdout.strip()}"
        )
    return proc.stdout


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list (p in 0..100)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), int(-(-p * len(sorted_values) // 100))))
    return sorted_values[rank - 1]


# --- PostgreSQL: a fresh database per run ----------------------------------------------------


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


async def _pg_admin(server_url: str, sql: str) -> None:
    try:
        import asyncpg  # installed with piccolo[postgres]
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise BenchError("--db postgres needs asyncpg (pip install -e . installs it)") from exc
    conn = await asyncpg.connect(server_url, timeout=15)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def create_database(server_url: str, name: str) -> None:
    try:
        asyncio.run(_pg_admin(server_url, f'CREATE DATABASE "{name}"'))
    except BenchError:
        raise
    except Exception as exc:
        raise BenchError(f"could not create database {name} via {redact(server_url)}: {exc}") from exc


def drop_database(server_url: str, name: str) -> None:
    try:
        asyncio.run(_pg_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    except Exception as exc:
        print(f"warning: could not drop database {name}: {exc}", file=sys.stderr)


def redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return url


# --- the server ------------------------------------------------------------------------------


@contextmanager
def running_server(ticketing: str, env: dict[str, str], port: int, log_path: Path) -> Iterator[str]:
    base = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [ticketing, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_ready(proc, base, log_path)
        yield base
    finally:
        stop_process(proc)


def log_tail(log_path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log_path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def wait_ready(proc: subprocess.Popen[bytes], base: str, log_path: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    last = "no answer"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError(
                f"`ticketing serve` exited with {proc.returncode} before it was ready:\n{log_tail(log_path)}"
            )
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=2) as resp:
                if resp.status == 200:
                    return
                last = f"HTTP {resp.status}"
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}"
        except (urllib.error.URLError, OSError) as exc:
            last = str(exc)
        time.sleep(0.1)
    raise BenchError(f"/readyz not 200 after {READY_TIMEOUT_S:.0f}s (last: {last}):\n{log_tail(log_path)}")


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


# --- the load --------------------------------------------------------------------------------


def ticket_body(i: int | str) -> dict[str, Any]:
    return {
        "desk": BENCH_DESK,
        "category": "inquiry",
        "subject": f"Bench inquiry {i}",
        "message": f"Please tell me what you hold about me. {i}",
        "language": "en",
        "requester": {"name": f"Bench Person {i}", "email": f"bench{i}@example.test"},
    }


@dataclass
class Outcome:
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str | None = None

    def error(self, text: str) -> None:
        self.errors += 1
        if self.first_error is None:
            self.first_error = text


async def post_tickets(base: str, token: str, labels: list[int | str], concurrency: int) -> tuple[Outcome, float]:
    """POST one ticket per label with `concurrency` workers; return the outcome and wall seconds."""
    import httpx

    outcome = Outcome()
    queue: asyncio.Queue[int | str] = asyncio.Queue()
    for label in labels:
        queue.put_nowait(label)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"Authorization": f"Bearer {token}"}

    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=REQUEST_TIMEOUT_S) as client:

        async def worker() -> None:
            while True:
                try:
                    label = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                t0 = time.perf_counter()
                try:
                    resp = await client.post("/api/v1/tickets", json=ticket_body(label))
                except httpx.HTTPError as exc:
                    outcome.error(f"{type(exc).__name__}: {exc}")
                    continue
                elapsed_ms = (time.perf_counter() - t0) * 1000
                if resp.status_code != 201:
                    outcome.error(f"HTTP {resp.status_code}: {resp.text[:500]}")
                    continue
                try:
                    reference = resp.json().get("reference")
                except ValueError:
                    reference = None
                if not reference:
                    outcome.error(f"201 without a reference: {resp.text[:500]}")
                    continue
                outcome.latencies_ms.append(elapsed_ms)

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - start
    return outcome, wall


# --- main ------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/intake.py",
        description="Benchmark ticket intake: POST /api/v1/tickets against a real `ticketing serve`.",
        epilog="Example: .venv/bin/python bench/intake.py --db postgres "
        "--database-url postgresql://postgres@127.0.0.1:5432/postgres --n 5000 --concurrency 32",
    )
    parser.add_argument("--n", type=int, default=2000, help="tickets to create after the warm-up (default 2000)")
    parser.add_argument("--concurrency", "-c", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument(
        "--db", choices=["sqlite", "postgres"], default="sqlite", help="database for the server (default sqlite)"
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="for --db postgres: a URL of the PostgreSQL server to create the throw-away bench database on, "
        "e.g. postgresql://postgres@127.0.0.1:5432/postgres (default: $TICKETING_DATABASE_URL)",
    )
    parser.add_argument("--ticketing", default=None, help="the ticketing executable (default: .venv/bin/ticketing)")
    parser.add_argument("--json", action="store_true", help="also print the results as one JSON line")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("--n must be at least 1")
    if args.concurrency < 1:
        parser.error("--concurrency must be at least 1")
    if args.db == "postgres":
        args.database_url = args.database_url or os.environ.get("TICKETING_DATABASE_URL")
        if not args.database_url:
            parser.error("--db postgres needs --database-url postgresql://... (or TICKETING_DATABASE_URL)")
        if not args.database_url.startswith(("postgresql://", "postgres://")):
            parser.error("--database-url must be a postgresql:// URL")
    elif args.database_url:
        parser.error("--database-url is only used with --db postgres")
    return args


def run(args: argparse.Namespace) -> dict[str, Any]:
    ticketing = find_ticketing(args.ticketing)
    bench_db: str | None = None
    database_url: str | None = None
    with tempfile.TemporaryDirectory(prefix="ticketing-bench-") as tmp:
        data_dir = Path(tmp) / "data"
        data_dir.mkdir()
        try:
            if args.db == "postgres":
                name = f"ticketing_bench_{os.getpid()}"
                create_database(args.database_url, name)
                bench_db = name  # created: drop it at the end
                database_url = with_database(args.database_url, bench_db)
            env = server_env(data_dir, database_url)
            if database_url:
                run_cli(ticketing, ["migrate"], env)  # `serve` migrates only the embedded SQLite

            port = free_port()
            with running_server(ticketing, env, port, Path(tmp) / "server.log") as base:
                run_cli(
                    ticketing,
                    ["user", "add", BENCH_EMAIL, "--role", "agent", "--desk", BENCH_DESK, "--password-stdin"],
                    env,
                    stdin=BENCH_PASSWORD + "\n",
                )
                out_lines = [
                    line.strip() for line in run_cli(ticketing, ["token", "create", BENCH_EMAIL], env).splitlines()
                ]
                token = next((line for line in reversed(out_lines) if line), "")
                if not token:
                    raise BenchError("`ticketing token create` printed no token")

                warm, _ = asyncio.run(
                    post_tickets(base, token, [f"w{k}" for k in range(WARMUP_REQUESTS)], args.concurrency)
                )
                if warm.errors == WARMUP_REQUESTS:
                    raise BenchError(f"every warm-up request failed; first error: {warm.first_error}")

                outcome, wall = asyncio.run(post_tickets(base, token, list(range(1, args.n + 1)), args.concurrency))
        finally:
            if bench_db is not None:
                drop_database(args.database_url, bench_db)

    lat = sorted(outcome.latencies_ms)
    ok = len(lat)
    return {
        "database": args.db,
        "n": args.n,
        "concurrency": args.concurrency,
        "wall_s": round(wall, 3),
        "tickets_per_s": round(ok / wall, 1) if wall > 0 else None,
        "p50_ms": round(percentile(lat, 50), 2),
        "p95_ms": round(percentile(lat, 95), 2),
        "p99_ms": round(percentile(lat, 99), 2),
        "created": ok,
        "errors": outcome.errors,
        "first_error": outcome.first_error,
        "warmup_errors": warm.errors,
    }


def report(r: dict[str, Any]) -> None:
    rows = [
        ("database", r["database"]),
        ("tickets (N)", r["n"]),
        ("concurrency (C)", r["concurrency"]),
        ("wall", f"{r['wall_s']:.2f} s"),
        ("throughput", f"{r['tickets_per_s']} tickets/s (created {r['created']})"),
        ("latency p50", f"{r['p50_ms']:.1f} ms"),
        ("latency p95", f"{r['p95_ms']:.1f} ms"),
        ("latency p99", f"{r['p99_ms']:.1f} ms"),
        ("errors", r["errors"]),
    ]
    if r["first_error"]:
        rows.append(("first error", r["first_error"]))
    if r["warmup_errors"]:
        rows.append(("warm-up errors", r["warmup_errors"]))
    for name, value in rows:
        print(f"{name:<16} {value}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        result = run(args)
    except BenchError as exc:
        print(f"bench/intake.py: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("bench/intake.py: interrupted", file=sys.stderr)
        return 130
    report(result)
    if args.json:
        print(json.dumps(result))
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
