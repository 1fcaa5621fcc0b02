"""Several real processes against one database: rungs still fire once, and a follower takes over.

`ticketing sla sweep` runs as subprocesses; the leader test starts two `ticketing serve`
processes on PostgreSQL with a desk open around the clock, kills the one holding the scheduler
lock, and checks that the other one carries on.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

import httpx
import pytest

from tests.conftest import PG_URL
from tests.integration.test_cli import run
from ticketing.db.tables import SlaFiring
from ticketing.domain.tickets import Channel

ALWAYS_OPEN = """
[desks.allday]
name = "All-day desk"
language = "en"
timezone = "Europe/Berlin"
reference_prefix = "ALL"
inbox = "privacy@allday.test"
manager_title = "DPO"
holidays = ""
closures = []

[desks.allday.hours]
mon = ["00:00-24:00"]
tue = ["00:00-24:00"]
wed = ["00:00-24:00"]
thu = ["00:00-24:00"]
fri = ["00:00-24:00"]
sat = ["00:00-24:00"]
sun = ["00:00-24:00"]
"""


async def _open_complaints(container, n: int) -> None:  # type: ignore[no-untyped-def]
    await container.accounts.add_user("agent@relia.test", "correct horse battery", "agent", ["relia"])
    user = await container.accounts_store.user_id_by_email("agent@relia.test")
    for i in range(n):
        await container.intake.open_ticket(
            "relia",
            {
                "category": "complaint",
                "subject": f"Complaint {i}",
                "message": "Why did you call me?",
                "language": "en",
                "requester": {"name": "Taro", "email": f"taro{i}@example.test"},
            },
            channel=Channel.API,
            staff_user_id=user,
            staff_label="agent@relia.test",
        )


async def test_two_sweep_processes_fire_each_rung_once(settings, container):
    await _open_complaints(container, 40)
    # Wed 2026-11-25 10:00 JST: every complaint is past 50 %, 80 % and 100 % of its first response.
    args = ("sla", "sweep", "--now", "2026-11-25T10:00:00+09:00")
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-m", "ticketing", *args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(settings)
        )
        for _ in range(2)
    ]
    outputs = await asyncio.gather(*(p.communicate() for p in procs))
    for p, (_, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err.decode()
    fired = sum(json.loads(out)["stages_fired"] for out, _ in outputs)
    assert fired == 120
    assert await SlaFiring.count() == 120
    again = run(settings, *args)
    assert again.returncode == 0 and json.loads(again.stdout)["stages_fired"] == 0


def test_sla_sweep_cli_refuses_a_bad_now(settings, container):
    r = run(settings, "sla", "sweep", "--now", "yesterday")
    assert r.returncode == 2 and r.stderr.startswith("ticketing: error: --now")
    r = run(settings, "sla", "sweep", "--now", "2026-11-25T10:00:00")
    assert r.returncode == 2 and "offset" in r.stderr


def _env(settings, **extra: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TICKETING_")}
    env["TICKETING_DATA_DIR"] = str(settings.data_dir)
    if settings.database_url:
        env["TICKETING_DATABASE_URL"] = settings.database_url
    env.update(extra)
    return env


def _free_ports(n: int) -> list[int]:
    """n distinct free ports (all bound at once, so the kernel cannot hand out one twice)."""
    import socket

    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [int(s.getsockname()[1]) for s in sockets]
    finally:
        for s in sockets:
            s.close()


@pytest.mark.skipif(not PG_URL, reason="leader election is a PostgreSQL feature; SQLite runs one process")
async def test_a_follower_takes_over_the_sweep_when_the_leader_dies(settings, container, tmp_path: Path):
    desks_file = tmp_path / "desks.toml"
    desks_file.write_text(ALWAYS_OPEN)
    env = _env(
        settings,
        TICKETING_DESKS=str(desks_file),
        TICKETING_SLA_SWEEP_SECONDS="0.5",
        TICKETING_LEADER_POLL_SECONDS="0.3",
    )
    extra = {"TICKETING_DESKS": str(desks_file)}
    r = run(
        settings,
        "user",
        "add",
        "agent@allday.test",
        "--role",
        "agent",
        "--desk",
        "allday",
        "--password-stdin",
        stdin="correct horse battery\n",
        extra_env=extra,
    )
    assert r.returncode == 0, r.stderr
    token = run(settings, "token", "create", "agent@allday.test", extra_env=extra).stdout.strip()

    servers = [_start_server(port, env, tmp_path / f"serve-{port}.log") for port in _free_ports(2)]
    try:
        async with httpx.AsyncClient(timeout=5) as http:
            for proc, port, log in servers:
                await _wait_ready(http, proc, port, log)

            async def backdated_complaint(port: int) -> str:
                arrived = (datetime.now(UTC) - timedelta(hours=3)).isoformat()
                r = await http.post(
                    f"http://127.0.0.1:{port}/api/v1/tickets",
                    json={
                        "desk": "allday",
                        "category": "complaint",
                        "subject": "Backdated",
                        "message": "A call.",
                        "channel": "phone",
                        "received_at": arrived,
                        "language": "en",
                        "requester": {"name": "Erika", "email": "erika@example.test"},
                    },
                    headers={"Authorization": f"Bearer {token}"},
                )
                assert r.status_code == 201, r.text
                return str(r.json()["reference"])

            # 240 business minutes, 3 hours gone on an always-open desk: the 50 % rung is due now.
            await backdated_complaint(servers[0][1])
            await _wait_for(lambda: SlaFiring.count(), 1)
            leader = next(s for s in servers if "runs the scheduled jobs" in _read(s[2]))
            os.killpg(leader[0].pid, signal.SIGKILL)
            leader[0].wait(timeout=10)
            follower = next(s for s in servers if s is not leader)
            await backdated_complaint(follower[1])
            await _wait_for(lambda: SlaFiring.count(), 2, within=20)
            assert "runs the scheduled jobs" in _read(follower[2])
            await asyncio.sleep(2)  # several more sweeps: still one firing per rung
            assert await SlaFiring.count() == 2
    finally:
        for proc, _, log in servers:
            _stop_server(proc, log)


def _stop_server(proc: subprocess.Popen[bytes], log: IO[str]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    log.close()


def _start_server(port: int, env: dict[str, str], log_path: Path) -> tuple[subprocess.Popen[bytes], int, IO[str]]:
    log = log_path.open("w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ticketing", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return proc, port, log


def _read(log) -> str:  # type: ignore[no-untyped-def]
    log.flush()
    log.seek(0)
    return str(log.read())


async def _wait_ready(  # type: ignore[no-untyped-def]
    http: httpx.AsyncClient, proc, port: int, log, within: float = 60
) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server on port {port} exited with {proc.returncode}:\n{_read(log)}")
        try:
            if (await http.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    raise AssertionError(f"server on port {port} did not become ready:\n{_read(log)}")


async def _wait_for(count, expected: int, within: float = 15) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if await count() >= expected:
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"expected {expected} firings within {within} s, saw {await count()}")
