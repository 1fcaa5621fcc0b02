"""The public form in a real browser (Debian chromium through Playwright): axe finds nothing, it
fits a 390 px screen, and a failed submission puts the keyboard on a summary that links each field.

Screenshots of each state are written to the test's tmp folder (see the test output)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page, expect

from ticketing.domain.tickets import Channel

TITLE_PREFIX = {"ja": "エラー：", "en": "Error:"}
REQUIRED_FIELDS = ["category", "name", "email", "subject", "message"]


async def no_axe_violations(page: Page) -> None:
    results = await Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


async def fits(page: Page) -> None:
    overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px"


@pytest.mark.parametrize("lang", ["ja", "en"])
async def test_the_form_is_accessible_and_a_failed_submission_leads_to_each_field(
    server: str, browser: Browser, tmp_path: Path, lang: str
) -> None:
    page = await browser.new_page(viewport={"width": 390, "height": 844})
    await page.goto(f"{server}/desks/rext-cs/contact?lang={lang}")
    await no_axe_violations(page)
    await fits(page)
    assert await page.locator("#category").get_attribute("aria-invalid") is None  # nothing is wrong yet
    assert "21" in await page.locator("#purpose").inner_text()  # why we collect it (APPI Art. 21)
    assert await page.locator("header .brand").get_attribute("lang") == "ja"  # the desk's name is Japanese
    await page.screenshot(path=str(tmp_path / f"form-{lang}.png"), full_page=True)

    await page.locator("button[type=submit]").focus()
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    assert (await page.title()).startswith(TITLE_PREFIX[lang])
    # The browser applies `autofocus` at its next rendering step, which may come after the load event.
    await expect(page.locator("#error-summary")).to_be_focused()
    links = page.locator("#error-summary a")
    targets = [str(await links.nth(i).get_attribute("href")) for i in range(await links.count())]
    assert targets == [f"#{name}" for name in REQUIRED_FIELDS]
    for target in targets:
        assert await page.locator(target).count() == 1
        assert await page.locator(target).get_attribute("aria-invalid") == "true"
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.getAttribute('href')") == "#category"
    await no_axe_violations(page)
    await fits(page)
    await page.screenshot(path=str(tmp_path / f"form-errors-{lang}.png"), full_page=True)
    print(f"screenshots: {tmp_path}")


@pytest.mark.parametrize("lang", ["ja", "en"])
async def test_the_status_page_and_the_not_found_page_pass_axe(
    server: str, browser: Browser, container: Any, tmp_path: Path, lang: str
) -> None:
    data = {
        "category": "request",
        "request_types": ["disclosure"],
        "subject": "開示のお願い",
        "message": "よろしく",
        "language": lang,
        "requester": {"name": "山田 花子", "email": "hanako@example.test"},
    }
    created = await container.intake.open_ticket("rext-cs", data, channel=Channel.WEB)
    path = created.status_url.split("/status/", 1)[1]
    page = await browser.new_page(viewport={"width": 390, "height": 844})
    await page.goto(f"{server}/status/{path}")
    assert created.reference in await page.locator("h1").inner_text()
    await no_axe_violations(page)
    await fits(page)
    await page.screenshot(path=str(tmp_path / f"status-{lang}.png"), full_page=True)
    response = await page.goto(f"{server}/status/not-a-real-token")
    assert response is not None and response.status == 404
    await no_axe_violations(page)
    await fits(page)
