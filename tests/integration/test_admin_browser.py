"""The admin pages in a real browser (Debian chromium through Playwright): an admin adds a user and
changes their role with the keyboard alone, and reads the audit log; axe finds no serious or
critical violation, in Japanese and in English.

Screenshots go to the test's tmp folder, and to $TICKETING_SCREENSHOTS when it is set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, expect

from tests.integration.test_case_pages_browser import serious_axe_violations, shot_path, sign_in

TEXT = {
    "ja": {"added": "利用者を追加しました。", "changed": "役割を変更しました。", "manager": "マネージャー"},
    "en": {"added": "The user is added.", "changed": "The role is changed.", "manager": "Manager"},
}


@pytest.mark.parametrize("lang", ["ja", "en"])
async def test_an_admin_adds_a_user_and_changes_a_role_with_the_keyboard(
    server: str, browser: Browser, make_staff: Any, tmp_path: Path, lang: str
) -> None:
    admin = await make_staff("admin@relia.test", ["relia"], "admin")
    await make_staff("agent@relia.test", ["relia"])
    page = await browser.new_page(viewport={"width": 1280, "height": 900}, locale="ja-JP" if lang == "ja" else "en-GB")
    await sign_in(page, server, admin.email, lang)
    await page.goto(f"{server}/app/admin/users?lang={lang}")
    assert await serious_axe_violations(page) == []
    await page.screenshot(path=shot_path(tmp_path, f"admin-users-{lang}.png"), full_page=True)

    # The add-user form with the keyboard alone: type, Tab from field to field, arrows in the selects.
    await page.locator("#new-email").focus()
    await page.keyboard.type("new.agent@relia.test")
    await page.keyboard.press("Tab")
    await page.keyboard.type("山田 花子")
    await page.keyboard.press("Tab")
    await page.keyboard.type("a long first password")
    await page.keyboard.press("Tab")  # the desk (one: relia)
    await page.keyboard.press("Tab")  # the role: agent, then one down to manager
    await expect(page.locator("#new-role")).to_be_focused()
    await page.keyboard.press("ArrowDown")
    assert await page.locator("#new-role").input_value() == "manager"
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.type") == "submit"
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    await expect(page.get_by_role("status")).to_have_text(TEXT[lang]["added"])
    assert await page.locator("#role-relia").input_value() == "manager"

    # Its role on the desk: the select, then its button.
    await page.locator("#role-relia").focus()
    await page.keyboard.press("ArrowUp")  # manager -> agent
    await page.keyboard.press("Tab")
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    await expect(page.get_by_role("status")).to_have_text(TEXT[lang]["changed"])
    assert await page.locator("#role-relia").input_value() == "agent"
    assert await serious_axe_violations(page) == []
    await page.screenshot(path=shot_path(tmp_path, f"admin-user-{lang}.png"), full_page=True)

    await page.goto(f"{server}/app/admin/log?lang={lang}")
    rows = page.locator("tbody tr")
    await expect(rows).to_have_count(2)
    assert "new.agent@relia.test" in await rows.first.inner_text()
    assert TEXT[lang]["manager"] in await rows.first.inner_text()
    assert await serious_axe_violations(page) == []
    await page.screenshot(path=shot_path(tmp_path, f"admin-log-{lang}.png"), full_page=True)
