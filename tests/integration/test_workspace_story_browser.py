"""The workspace end to end, in Debian's chromium: an agent signs in, finds a ticket in the At risk
queue, replies with a template; the reply reaches a real SMTP server; the requester opens the status
link from that mail and uploads a document; the agent sees it in the timeline. axe checks the queue
and search pages in both languages.

Screenshots go to the test's tmp folder, and to $TICKETING_SCREENSHOTS when it is set."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from tests.integration.test_api_schemathesis import _cli
from tests.integration.test_case_pages_browser import serious_axe_violations, shot_path
from tests.integration.test_sla_processes import _env, _free_ports, _start_server, _stop_server
from tests.serving import wait_ready
from tests.smtp_server import running_smtp_server
from ticketing.settings import Settings

TOKYO = ZoneInfo("Asia/Tokyo")
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x1f\x15\xc4\x89" + bytes(12)


@pytest.fixture
def mail_server(free_port: int) -> Iterator[Any]:
    with running_smtp_server(free_port) as server:
        yield server


@pytest.fixture
def live(settings: Settings, container: object, tmp_path: Path, mail_server: Any) -> Iterator[str]:
    """`ticketing serve` that sends its mail to the test's SMTP server, with links to itself."""
    if settings.database_url:
        _cli(settings, "migrate")
    (port,) = _free_ports(1)
    base = f"http://127.0.0.1:{port}"
    env = _env(
        settings,
        TICKETING_SECRET_KEY=settings.secret_key or "",
        TICKETING_BASE_URL=base,
        TICKETING_SMTP_HOST="127.0.0.1",
        TICKETING_SMTP_PORT=str(mail_server.port),
        TICKETING_OUTBOX_INTERVAL_SECONDS="1",
    )
    proc, _, log = _start_server(port, env, tmp_path / "serve.log")
    try:
        wait_ready(proc, base, log)
        yield base
    finally:
        _stop_server(proc, log)


def next_open_minute(after: datetime) -> datetime:
    """11:45 Tokyo time on the first weekday after `after` (relia is open then, past the 50 % rung of a
    complaint that arrived while the desk was closed or early that morning)."""
    day = after.astimezone(TOKYO).date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, 11, 45, tzinfo=TOKYO).astimezone(UTC)


async def sign_in(page: Page, base: str, email: str) -> None:
    await page.goto(f"{base}/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill("correct horse battery")
    async with page.expect_navigation():
        await page.get_by_role("button", name="Sign in").click()


async def test_an_at_risk_ticket_is_answered_and_the_requester_sends_a_document(
    live: str, mail_server: Any, container: Any, make_staff: Any, browser: Browser, tmp_path: Path
) -> None:
    agent = await make_staff("agent@relia.test", ["relia"])
    body = {
        "desk": "relia",
        "category": "complaint",
        "subject": "You keep calling me",
        "message": "Please stop calling my number.",
        "language": "en",
        "requester": {"name": "Hanako Yamada", "email": "hanako@example.test"},
    }
    async with httpx.AsyncClient(base_url=live) as api:
        r = await api.post("/api/v1/tickets", json=body, headers=agent.headers)
        assert r.status_code == 201, r.text
        ref = r.json()["reference"]
    # The first-response clock passes its 50 % rung on the next working morning: a sweep at that
    # instant (in this process, on the same database) fires the warning; the deadline is still ahead.
    report = await container.sla.sweep(next_open_minute(datetime.now(UTC)))
    assert report.firings >= 1

    page = await browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-GB")
    await sign_in(page, live, agent.email)
    await page.get_by_role("link", name="At risk").click()
    await expect(page.locator("h1")).to_have_text("At risk")
    assert await serious_axe_violations(page) == []
    await page.screenshot(path=shot_path(tmp_path, "workspace-at-risk-en.png"), full_page=True)
    await page.get_by_role("link", name=ref).click()
    await expect(page.locator("h1")).to_contain_text(ref)

    await page.get_by_label("Template").select_option(index=1)  # the desk's first template
    reply = page.get_by_label("Reply", exact=True)
    await expect(reply).to_have_value(re.compile("Dear Hanako Yamada"))  # the requester's name filled in
    await expect(reply).to_have_value(re.compile(ref))
    async with page.expect_navigation():
        await page.get_by_role("button", name="Send reply").click()
    await page.screenshot(path=shot_path(tmp_path, "workspace-ticket-replied-en.png"), full_page=True)

    # The reply reaches the requester's mailbox, with the private status link.
    replies = []
    for _ in range(60):  # the outbox sends every second
        sent = [m for m in mail_server.messages() if "hanako@example.test" in m.rcpt_tos]
        replies = [m.message for m in sent if m.message["Auto-Submitted"] is None]
        if replies:
            break
        await asyncio.sleep(0.5)
    assert replies, [m.message["Subject"] for m in mail_server.messages()]
    text = replies[0].get_body(("plain",)).get_content()
    assert replies[0]["Subject"].startswith(f"[{ref}]") and "Hanako Yamada" in text
    link = re.search(rf"{re.escape(live)}/status/\S+", text)
    assert link, text

    requester = await browser.new_page(viewport={"width": 390, "height": 844}, locale="en-GB")
    await requester.goto(link.group(0))
    await expect(requester.locator("h1")).to_contain_text(ref)
    await requester.get_by_label("Your message").fill("Here is a copy of my ID.")
    await requester.get_by_label("Attach a file").set_input_files(
        {"name": "id-card.png", "mimeType": "image/png", "buffer": PNG}
    )
    async with requester.expect_navigation():
        await requester.get_by_role("button", name="Send").click()
    await requester.screenshot(path=shot_path(tmp_path, "workspace-status-sent-en.png"), full_page=True)
    assert "Here is a copy of my ID." in await requester.content()

    await page.reload()
    timeline = await page.content()
    assert "Here is a copy of my ID." in timeline and "id-card.png" in timeline
    await page.screenshot(path=shot_path(tmp_path, "workspace-ticket-uploaded-en.png"), full_page=True)


@pytest.mark.parametrize("lang", ["en", "ja"])
async def test_queue_and_search_pages_pass_axe_in_both_languages(
    live: str, make_staff: Any, browser: Browser, tmp_path: Path, lang: str
) -> None:
    agent = await make_staff("agent@rext-cs.test", ["rext-cs"])
    body = {
        "desk": "rext-cs",
        "category": "request",
        "request_types": ["disclosure"],
        "subject": "保有個人データの開示請求",
        "message": "開示をお願いします。",
        "language": "ja",
        "requester": {"name": "山田 花子", "email": "hanako@example.test"},
    }
    async with httpx.AsyncClient(base_url=live) as api:
        r = await api.post("/api/v1/tickets", json=body, headers=agent.headers)
        assert r.status_code == 201, r.text
        ref = r.json()["reference"]
    page = await browser.new_page(viewport={"width": 1280, "height": 900}, locale="ja-JP" if lang == "ja" else "en-GB")
    await page.goto(f"{live}/login")  # in the browser's language
    assert await page.get_attribute("html", "lang") == lang
    assert await serious_axe_violations(page) == []
    await page.screenshot(path=shot_path(tmp_path, f"workspace-login-{lang}.png"), full_page=True)
    await sign_in(page, live, agent.email)  # the English names work on the Japanese page too
    await page.goto(f"{live}/app?queue=open&lang={lang}")
    assert ref in await page.content()
    assert await serious_axe_violations(page) == []
    await page.screenshot(path=shot_path(tmp_path, f"workspace-open-{lang}.png"), full_page=True)
    # Search with the keyboard: the search box, type, Enter.
    await page.get_by_role("searchbox").fill("開示")
    async with page.expect_navigation():
        await page.get_by_role("searchbox").press("Enter")
    assert ref in await page.content()
    assert await serious_axe_violations(page) == []
    await page.screenshot(path=shot_path(tmp_path, f"workspace-search-{lang}.png"), full_page=True)
    # A filter change swaps the results in place (htmx) and keeps the address shareable.
    await page.goto(f"{live}/app?queue=open")
    await page.get_by_label("Category" if lang == "en" else "種別").select_option("complaint")
    await expect(page.locator("#results")).not_to_contain_text(ref)
    assert "category=complaint" in page.url
