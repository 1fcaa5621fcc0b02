"""The managers' dashboard in Debian's chromium: it follows the desk without a reload when an agent
moves a ticket (through the API, or in the agent's own browser), keeps the keyboard's focus, and axe
finds no serious or critical violation, in English and in Japanese.

Screenshots go to the test's tmp folder, and to $TICKETING_SCREENSHOTS when it is set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Browser, expect

from tests.conftest import ticket_json
from tests.integration.test_case_pages_browser import serious_axe_violations, shot_path
from tests.integration.test_workspace_story_browser import sign_in

POLL_WAIT_MS = 15_000  # the section polls every 5 s


async def test_the_dashboard_follows_the_desk_without_a_reload(
    server: str, browser: Browser, make_staff: Any, tmp_path: Path
) -> None:
    manager = await make_staff("manager@relia.test", ["relia", "rext-cs"], "manager")
    agent = await make_staff("agent@relia.test", ["relia"])
    async with httpx.AsyncClient(base_url=server) as api:
        refs = []
        for category in ("complaint", "inquiry"):
            body = ticket_json(category=category, requester={"name": "Hanako Yamada", "email": "hanako@example.test"})
            r = await api.post("/api/v1/tickets", json=body, headers=agent.headers)
            assert r.status_code == 201, r.text
            refs.append(r.json()["reference"])

    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = await context.new_page()
    await sign_in(page, server, manager.email)
    await page.get_by_role("link", name="Dashboard").click()
    await expect(page.locator("h1")).to_have_text("SLA dashboard")
    await expect(page.locator("#open-relia-received")).to_have_text("2")
    await expect(page.locator("#now-status")).to_contain_text("Updated")
    assert "Hanako" not in await page.content()
    await page.evaluate("window.notReloaded = true")
    assert await serious_axe_violations(page) == []
    await page.screenshot(path=shot_path(tmp_path, "dashboard-en.png"), full_page=True)

    # The keyboard is on the relia total; an agent triages a ticket through the API.
    total = page.locator("#sum-open-relia")
    await total.focus()
    async with httpx.AsyncClient(base_url=server) as api:
        r = await api.post(f"/api/v1/tickets/{refs[1]}/transitions", json={"action": "triage"}, headers=agent.headers)
        assert r.status_code == 200, r.text
    await expect(page.locator("#open-relia-triage")).to_have_text("1", timeout=POLL_WAIT_MS)
    await expect(page.locator("#open-relia-received")).to_have_text("1")
    await expect(page.locator("#sum-open-relia")).to_be_focused()  # the swap kept the focus
    assert await page.evaluate("window.notReloaded") is True

    # The agent, in a browser of their own, starts work on the same ticket from its page.
    other = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    desk = await other.new_page()
    await sign_in(desk, server, agent.email)
    await desk.goto(f"{server}/app/tickets/{refs[1]}?lang=en")
    await expect(desk.locator("h1")).to_contain_text(refs[1])
    await desk.locator("#move-action").select_option("start_work")
    async with desk.expect_navigation():
        await desk.locator("#move").get_by_role("button", name="Apply").click()
    await expect(page.locator("#open-relia-in_progress")).to_have_text("1", timeout=POLL_WAIT_MS)
    await expect(page.locator("#open-relia-triage")).to_have_count(0)  # none left: no link
    assert await page.evaluate("window.notReloaded") is True
    await other.close()

    # Japanese, for the manager who reads it so.
    await page.goto(f"{server}/app/dashboard?lang=ja")
    await expect(page.locator("h1")).to_have_text("SLAダッシュボード")
    assert await serious_axe_violations(page) == []
    await page.screenshot(path=shot_path(tmp_path, "dashboard-ja.png"), full_page=True)
    await context.close()
