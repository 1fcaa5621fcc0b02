#!/usr/bin/env python3
"""Pipe start-up benchmark: seconds per `ticketing mail ingest` process, against a bare interpreter.

    .venv/bin/python bench/pipe_start.py                 # SQLite in a temporary data dir, N=20
    .venv/bin/python bench/pipe_start.py --n 50 --imports
    .venv/bin/python bench/pipe_start.py --database-url postgresql://postgres@127.0.0.1:5432/postgres

An MTA delivering to the pipe starts one `ticketing mail ingest --desk relia -` per message, so what
counts is the whole process: interpreter start, imports, settings, opening the database, storing
one message (a new ticket and its acknowledgement in the outbox), exit. This runs --n of them one
after the other, each a new message on standard input, from a folder that is not the data dir (as
an MTA would), each right after one `python -c "import asyncio, email, json"` (the floor: an
interpreter with the standard library an ingest needs at the least; interleaved, so both see the
same load on a shared machine), and prints seconds per run (wall clock, and CPU: user + system of
the child) and the ratio. Target: at most 4x the bare interpreter.

SQLite: a fresh data dir set up with `ticketing migrate`. PostgreSQL (--database-url, or
TICKETING_DATABASE_URL): a scratch database `ticketing_pipebench_<pid>` created on that server,
migrated, and dropped at the end (also after an error or Ctrl-C). No SMTP relay: acknowledgements
stay in the outbox. Bytecode is cached (PYTHONPYCACHEPREFIX in a temporary folder, filled by the
warm-up runs) as it is for an installed wheel, even where PYTHONDONTWRITEBYTECODE is set. See
bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BARE = "import asyncio, email, json"
TARGET = 4.0


class BenchError(Exception):
    pass


@dataclass
class Figures:
    case: str
    wall: list[float]
    cpu: list[float]

    @property
    def wall_median(self) -> float:
        return statistics.median(self.wall)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)


def find_ticketing(explicit: str | None) -> str:
    if explicit:
        path = shutil.which(explicit)
        if path is None:
            raise BenchError(f"--ticketing {explicit}: not found or not executable")
        return os.path.abspath(path)  # the runs start in another folder
    venv_bin = ROOT / ".venv" / "bin" / "ticketing"
    if venv_bin.exists():
        return str(venv_bin)
    found = shutil.which("ticketing")
    if found:
        return found
    raise BenchError(f"no `ticketing` executable: not at {venv_bin} and not on PATH (pip install -e . first)")


def interpreter_of(script: str) -> str:
    """The Python a console script runs with (its #! line), so the bare figure uses the same one."""
    with open(script, "rb") as fh:
        first = fh.readline().decode(errors="replace").strip()
    if first.startswith("#!") and "python" in first:
        return first[2:].strip().split()[0]
    return sys.executable


def message(i: int) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Hanako Yamada {i} <hanako{i}@example.test>"
    msg["To"] = "privacy@relia-group.com"
    msg["Subject"] = f"What do you hold about me? ({i})"
    msg["Date"] = "Tue, 24 Nov 2026 10:00:00 +0900"
    msg["Message-ID"] = f"<pipebench-{os.getpid()}-{i}@example.test>"
    msg.set_content("Please tell me which personal data you keep about me.\n")
    return msg.as_bytes(policy=policy.SMTP)


def env_for(data_dir: Path, database_url: str | None, pycache: Path) -> dict[str, str]:
    """No SMTP relay, the bench's data dir and database, and bytecode cached as an installed wheel has it
    (pip compiles at install time; with PYTHONDONTWRITEBYTECODE every run would compile every module)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TICKETING_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    env["TICKETING_DATA_DIR"] = str(data_dir)
    if database_url:
        env["TICKETING_DATABASE_URL"] = database_url
    return env


def timed(
    argv: list[str], env: dict[str, str], stdin: bytes = b"", cwd: Path | None = None
) -> tuple[float, float, subprocess.CompletedProcess[bytes]]:
    """(wall seconds, CPU seconds of the child, the finished process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(argv, input=stdin, env=env, cwd=cwd, capture_output=True, timeout=120, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc


def run_pairs(
    case: str, ticketing: str, python: str, n: int, env: dict[str, str], cwd: Path, first: int
) -> tuple[Figures, Figures, int]:
    """n times: one bare interpreter, then one ingest of a new message from `cwd`.

    Interleaved, so that both see the same load on a shared machine and the ratio stays meaningful.
    """
    bare, figures = Figures("bare", [], []), Figures(case, [], [])
    errors = 0
    for i in range(first, first + n):
        wall, cpu, _ = timed([python, "-c", BARE], env, cwd=cwd)
        bare.wall.append(wall)
        bare.cpu.append(cpu)
        wall, cpu, proc = timed([ticketing, "mail", "ingest", "--desk", "relia", "-"], env, message(i), cwd)
        figures.wall.append(wall)
        figures.cpu.append(cpu)
        try:
            ok = proc.returncode == 0 and json.loads(proc.stdout)["action"] == "created"
        except (ValueError, KeyError):
            ok = False
        if not ok:
            errors += 1
            if errors == 1:
                print(f"  first error: exit {proc.returncode}: {proc.stderr.decode().strip()[-500:]}")
    return bare, figures, errors


def import_profile(python: str, ticketing: str, env: dict[str, str], cwd: Path, top: int) -> None:
    """One ingest under -X importtime: how many modules, and the heaviest imports (two levels)."""
    argv = [python, "-X", "importtime", ticketing, "mail", "ingest", "--desk", "relia", "-"]
    proc = subprocess.run(argv, input=message(10**6), env=env, cwd=cwd, capture_output=True, timeout=120, check=False)
    rows = []
    for line in proc.stderr.decode().splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        self_us, cumulative_us, name = line.split(":", 1)[1].split("|", 2)
        rows.append((int(cumulative_us), int(self_us), name.rstrip()[1:]))  # one space after the bar
    total = sum(self_us for _, self_us, _ in rows)
    print(f"imports   {len(rows)} modules, {total / 1e6:.3f} s of import time (one ingest, -X importtime)")
    nested = [r for r in rows if r[2].startswith("  ") and not r[2].startswith("    ")]  # imported by top level
    for cumulative, _, name in sorted([r for r in rows if not r[2].startswith(" ")] + nested, reverse=True)[:top]:
        print(f"          {cumulative / 1e6:7.3f} s  {name}")


def report(figures: Figures, bare: Figures) -> dict[str, float | str]:
    wall_ratio = figures.wall_median / bare.wall_median
    cpu_ratio = figures.cpu_median / bare.cpu_median
    print(
        f"{figures.case:<9} {figures.wall_median:.3f} s per message (median wall; min {min(figures.wall):.3f} s), "
        f"CPU {figures.cpu_median:.3f} s; bare python alongside {bare.wall_median:.3f} s wall, "
        f"{bare.cpu_median:.3f} s CPU; ratio {wall_ratio:.1f}x wall, {cpu_ratio:.1f}x CPU"
    )
    return {
        "case": figures.case,
        "wall_s": round(figures.wall_median, 4),
        "cpu_s": round(figures.cpu_median, 4),
        "bare_wall_s": round(bare.wall_median, 4),
        "bare_cpu_s": round(bare.cpu_median, 4),
        "wall_ratio": round(wall_ratio, 2),
        "cpu_ratio": round(cpu_ratio, 2),
    }


async def create_database(url: str, name: str) -> str:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


async def drop_database(url: str, name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def bench_case(
    case: str, args: argparse.Namespace, ticketing: str, python: str, database_url: str | None, pycache: Path
) -> tuple[dict[str, float | str], int]:
    with tempfile.TemporaryDirectory(prefix="ticketing-pipebench-") as tmp:
        data_dir, elsewhere = Path(tmp) / "data", Path(tmp) / "mta"
        elsewhere.mkdir()
        env = env_for(data_dir, database_url, pycache)
        _, _, setup = timed([ticketing, "migrate"], env, cwd=elsewhere)
        if setup.returncode != 0:
            raise BenchError(f"`ticketing migrate` exited {setup.returncode}: {setup.stderr.decode().strip()}")
        run_pairs(case, ticketing, python, 2, env, elsewhere, first=10**5)  # warm-up: caches, the first ticket
        bare, figures, errors = run_pairs(case, ticketing, python, args.n, env, elsewhere, first=0)
        result = report(figures, bare)
        if args.imports:
            import_profile(python, ticketing, env, elsewhere, top=12)
        return result, errors


def run_all(args: argparse.Namespace, pycache: Path) -> tuple[list[dict[str, float | str]], int]:
    ticketing = find_ticketing(args.ticketing)
    python = interpreter_of(ticketing)
    print(f"python    {sys.version.split()[0]}, {sys.platform}, {os.cpu_count()} cores; N={args.n} sequential runs")
    print(f'bare      `{python} -c "{BARE}"`, one before each ingest')
    results: list[dict[str, float | str]] = []
    cases: list[tuple[str, str | None]] = [("sqlite", None)]
    name = f"ticketing_pipebench_{os.getpid()}"
    if args.database_url:
        cases.append(("postgres", asyncio.run(create_database(args.database_url, name))))
    errors = 0
    try:
        for case, url in cases:
            result, failed = bench_case(case, args, ticketing, python, url, pycache)
            results.append(result)
            errors += failed
    finally:
        if args.database_url:
            asyncio.run(drop_database(args.database_url, name))
    return results, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=20, help="ingest runs per database (and bare runs)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("TICKETING_DATABASE_URL"),
        help="PostgreSQL server to create a scratch database on (default: $TICKETING_DATABASE_URL)",
    )
    parser.add_argument("--ticketing", help="the executable to benchmark (default: .venv/bin/ticketing)")
    parser.add_argument("--imports", action="store_true", help="also profile one ingest with -X importtime")
    parser.add_argument("--json", action="store_true", help="also print the results as one JSON line")
    args = parser.parse_args()
    if args.n < 1:
        parser.error("--n must be at least 1")
    with tempfile.TemporaryDirectory(prefix="ticketing-pipebench-pycache-") as cache:
        try:
            results, errors = run_all(args, Path(cache))
        except BenchError as exc:
            print(f"bench/pipe_start.py: error: {exc}", file=sys.stderr)
            return 2
    worst = max(float(r["wall_ratio"]) for r in results)
    verdict = "met" if worst <= TARGET else "NOT met"
    print(f"target    at most {TARGET:.0f}x bare python (wall): {verdict} (worst {worst:.1f}x)")
    print(f"errors    {errors}")
    if args.json:
        print(json.dumps({"n": args.n, "results": results, "errors": errors}))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
