"""Fixtures of the browser tests: a live `ticketing serve` and Debian's chromium through Playwright."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.test_api_schemathesis import _cli
from tests.serving import running_server
from ticketing.settings import Settings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# The flags this machine needs (no sandbox as root; no background traffic on a closed network).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def server(settings: Settings, container: object, tmp_path: Path) -> Iterator[str]:
    """`ticketing serve` on the test database; yields its base URL."""
    if settings.database_url:
        _cli(settings, "migrate")
    with running_server(settings, tmp_path / "serve.log") as base:
        yield base


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    """Debian's chromium (executable_path: Playwright downloads no browser)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        b = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            await b.close()
