"""A real `ticketing serve` subprocess on the test database, for tests that need a live server."""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import httpx

from tests.integration.test_sla_processes import _env, _free_ports, _read, _start_server, _stop_server
from ticketing.settings import Settings


def wait_ready(proc: subprocess.Popen[bytes], base: str, log: IO[str], within: float = 60) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"ticketing serve exited with {proc.returncode}:\n{_read(log)}")
        try:
            if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"ticketing serve did not become ready:\n{_read(log)}")


@contextlib.contextmanager
def running_server(settings: Settings, log_path: Path) -> Iterator[str]:
    """Start `ticketing serve` on a free port with the test's settings; yield its base URL; stop it."""
    (port,) = _free_ports(1)
    base = f"http://127.0.0.1:{port}"
    proc, _, log = _start_server(port, _env(settings, TICKETING_SECRET_KEY=settings.secret_key or ""), log_path)
    try:
        wait_ready(proc, base, log)
        yield base
        assert proc.poll() is None, f"ticketing serve died during the test:\n{_read(log)}"
    finally:
        _stop_server(proc, log)
