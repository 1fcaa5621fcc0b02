"""The ticket page in a real browser (Debian chromium through Playwright): an agent puts in a reply
template, sends it and sees it on the timeline; a second agent on the same ticket (another browser
context, in Japanese) and the first see each other in the presence notice, "replying" included; the
second one's reply, written on the older page, is refused with the message and the text kept. axe
finds no serious or critical violation, in English and Japanese.

Screenshots go to the test's tmp folder, and to $TICKETING_SCREENSHOTS when it is set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Browser, Page, expect

from tests.integration.test_case_pages_browser import serious_axe_violations, shot_path

POLL = 25_000  # ms: the page polls every 10 s, and a "replying" report waits 2 s after typing


async def sign_in(page: Page, server: str, email: str) -> None:
    await page.goto(f"{server}/login")
    await page.locator("#email").fill(email)  # the sign-in page speaks the browser's language
    await page.locator("#password").fill("correct horse battery")
    async with page.expect_navigation():
        await page.locator("form[action='/login'] button[type=submit]").click()


async def test_two_agents_work_one_ticket(server: str, browser: Browser, make_staff: Any, tmp_path: Path) -> None:
    agent = await make_staff("agent@relia.test", ["relia"])
    tanaka = await make_staff("tanaka@relia.test", ["relia"])
    body = {
        "desk": "relia",
        "category": "inquiry",
        "subject": "What do you hold about me?",
        "message": "Please tell me which personal data you keep.\n\n> an old quoted line",
        "language": "en",
        "requester": {"name": "Hanako Yamada", "email": "hanako@example.test"},
    }
    async with httpx.AsyncClient(base_url=server) as api:
        r = await api.post("/api/v1/tickets", json=body, headers=agent.headers)
        assert r.status_code == 201, r.text
        ref = r.json()["reference"]

    first = await (await browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")).new_page()
    await sign_in(first, server, agent.email)
    await first.goto(f"{server}/app/tickets/{ref}?lang=en")
    assert await first.locator("h1 .ref").inner_text() == ref
    assert await serious_axe_violations(first) == []
    await first.screenshot(path=shot_path(tmp_path, "ticket-en-open.png"), full_page=True)

    # A template fills the reply box; the reply goes out and joins the timeline.
    await first.get_by_label("Template", exact=True).select_option("acknowledgement")
    reply = first.get_by_label("Reply", exact=True)
    await expect(reply).not_to_have_value("")
    text = await reply.input_value()
    assert text.startswith("Dear Hanako Yamada,") and ref in text
    async with first.expect_navigation():
        await first.get_by_role("button", name="Send reply", exact=True).click()
    await expect(first.locator(".timeline .message-reply")).to_contain_text(f"registered it under the reference {ref}")
    assert await first.get_by_role("alert").count() == 0

    # A second agent opens the same ticket, in Japanese: each sees the other.
    second = await (await browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP")).new_page()
    await sign_in(second, server, tanaka.email)
    await second.goto(f"{server}/app/tickets/{ref}?lang=ja")
    await expect(second.locator("#presence")).to_contain_text("agent さんが閲覧中", timeout=POLL)
    await expect(first.locator("#presence")).to_contain_text("tanaka is viewing", timeout=POLL)
    assert await serious_axe_violations(second) == []
    await second.get_by_label("返信", exact=True).fill("山田様、お問い合わせの件、確認いたします。")
    await expect(first.locator("#presence")).to_contain_text("tanaka is replying", timeout=POLL)
    await first.screenshot(path=shot_path(tmp_path, "ticket-en-presence.png"), full_page=True)

    # The first agent changes the ticket; the second one's reply, from the older page, is refused.
    await first.get_by_label("Internal note", exact=True).fill("Checked the CRM: no record under this address.")
    async with first.expect_navigation():
        await first.get_by_role("button", name="Add note", exact=True).click()
    async with second.expect_navigation():
        await second.get_by_role("button", name="返信を送信", exact=True).click()
    alert = second.get_by_role("alert")
    await expect(alert).to_contain_text("入力中に他の担当者がこのチケットを変更しました")
    await expect(second.get_by_label("返信", exact=True)).to_have_value("山田様、お問い合わせの件、確認いたします。")
    await expect(second.locator(".timeline")).to_contain_text("Checked the CRM")
    assert await serious_axe_violations(second) == []
    await second.screenshot(path=shot_path(tmp_path, "ticket-ja-stale.png"), full_page=True)
    # Sent again from the page as it is now, it goes.
    async with second.expect_navigation():
        await second.get_by_role("button", name="返信を送信", exact=True).click()
    assert await second.get_by_role("alert").count() == 0
    await expect(second.locator(".timeline")).to_contain_text("お問い合わせの件、確認いたします。")

    # The page for a call that is no ticket yet.
    await first.goto(f"{server}/app/tickets/new")
    assert await serious_axe_violations(first) == []
    await first.screenshot(path=shot_path(tmp_path, "ticket-new-en.png"), full_page=True)
