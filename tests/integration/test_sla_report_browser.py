"""The monthly SLA report page and the desk settings page in Debian's chromium: a manager reads the
report in English and Japanese, previews a one-off closure and saves it, with the keyboard where a
person would use it; axe finds no serious violation. Screenshots go to the test's tmp folder (and to
$TICKETING_SCREENSHOTS when set)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from playwright.async_api import Browser, expect

from tests.integration.test_case_pages_browser import serious_axe_violations, shot_path
from tests.integration.test_sla_report_api import story
from tests.integration.test_workspace_story_browser import live, mail_server, sign_in  # noqa: F401 (fixtures)

TOKYO = ZoneInfo("Asia/Tokyo")


def next_weekday() -> str:
    day = datetime.now(UTC).astimezone(TOKYO).date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day.isoformat()


async def test_the_report_page_and_a_closure_saved_in_the_browser(
    live: str,  # noqa: F811
    client: Any,
    clock: Any,
    make_staff: Any,
    browser: Browser,
    tmp_path: Path,
) -> None:
    manager = await make_staff("manager@relia.test", ["relia"], "manager")
    agent = await make_staff("agent@relia.test", ["relia"])
    other = await make_staff("agent@rext.test", ["rext-cs"])
    await story(client, clock, agent, other)  # November 2026, on the frozen clock of this process

    page = await browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-GB")
    await sign_in(page, live, manager.email)
    await page.goto(f"{live}/app/desks/relia/reports/sla?month=2026-11&lang=en")
    await expect(page.locator("h1")).to_have_text("Monthly SLA report")
    await expect(page.get_by_role("table", name="SLA compliance by clock and category")).to_be_visible()
    await expect(
        page.get_by_role("img", name="Breaches by cause: the figures are in the table beside the chart.")
    ).to_be_visible()
    assert await serious_axe_violations(page) == []
    await page.screenshot(path=shot_path(tmp_path, "sla-report-en.png"), full_page=True)
    await page.get_by_role("link", name="日本語").click()
    await expect(page.locator("h1")).to_have_text("月次SLA報告書")
    assert await serious_axe_violations(page) == []
    await page.screenshot(path=shot_path(tmp_path, "sla-report-ja.png"), full_page=True)

    await page.goto(f"{live}/app/dashboard?desk=relia&month=2026-11")
    how = page.get_by_role("heading", name="How we did: relia, inc. Personal Information Inquiries Desk, 2026-11")
    await expect(how).to_be_visible()  # fetched by htmx after the page
    await expect(page.get_by_role("table", name="SLA compliance by month (met / breached)")).to_be_visible()
    assert await serious_axe_violations(page) == []
    await page.screenshot(path=shot_path(tmp_path, "dashboard-how-en.png"), full_page=True)
    await page.get_by_role("link", name="Previous month (2026-10)").click()
    await expect(
        page.get_by_role("heading", name="How we did: relia, inc. Personal Information Inquiries Desk, 2026-10")
    ).to_be_visible()

    day = next_weekday()
    await page.goto(f"{live}/app/desks/relia/settings")
    await expect(page.locator("h1")).to_contain_text("Desk settings")
    await page.get_by_label("Closed dates").fill(day)
    await page.get_by_label("Closed dates").press("Tab")
    await page.keyboard.press("Tab")  # past the hours to the button
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", name="What saving will do")).to_be_visible()
    await expect(page.get_by_text("open deadlines move.")).to_be_visible()
    assert await serious_axe_violations(page) == []
    await page.screenshot(path=shot_path(tmp_path, "desk-settings-preview-en.png"), full_page=True)
    await page.get_by_role("button", name="Save the closures and hours").click()
    await expect(page.get_by_role("status")).to_contain_text("The closures and opening hours are saved.")
    await expect(page.get_by_label("Closed dates")).to_have_value(day)
    assert await serious_axe_violations(page) == []
    await page.screenshot(path=shot_path(tmp_path, "desk-settings-saved-en.png"), full_page=True)
    await page.close()
