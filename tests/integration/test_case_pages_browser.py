"""The request workflow on the ticket page in a real browser (Debian chromium through Playwright): an
agent records a document with the keyboard and sees the checklist change; a manager approves a
decision; axe finds no serious or critical violation, in Japanese and in English.

Screenshots go to the test's tmp folder, and to $TICKETING_SCREENSHOTS when it is set."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page

SERIOUS = ("serious", "critical")


async def serious_axe_violations(page: Page) -> list[str]:
    results = await Axe().run(page)
    return [v["id"] for v in results.response["violations"] if v.get("impact") in SERIOUS]


def shot_path(tmp_path: Path, name: str) -> str:
    folder = Path(os.environ.get("TICKETING_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / name)


async def sign_in(page: Page, server: str, email: str, lang: str) -> None:
    await page.goto(f"{server}/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill("correct horse battery")
    async with page.expect_navigation():
        await page.get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize("lang", ["ja", "en"])
async def test_an_agent_works_a_request_on_the_page(
    server: str, browser: Browser, make_staff: Any, tmp_path: Path, lang: str
) -> None:
    agent = await make_staff("agent@rext-cs.test", ["rext-cs"])
    manager = await make_staff("manager@rext-cs.test", ["rext-cs"], "manager")
    body = {
        "desk": "rext-cs",
        "channel": "post",
        "category": "request",
        "request_types": ["disclosure"],
        "subject": "開示等請求書",
        "message": "所定の請求書が届きました。",
        "language": "ja",
        "requester": {"name": "山田 花子", "email": "hanako@example.test"},
    }
    async with httpx.AsyncClient(base_url=server) as api:
        r = await api.post("/api/v1/tickets", json=body, headers=agent.headers)
        assert r.status_code == 201, r.text
        ref = r.json()["reference"]
        fee = {"amount_yen": 1500, "instrument": "postal_money_order", "issued_on": "2026-11-20"}
        for path, data in (
            ("documents", {"kind": "passport", "valid_until": "2030-01-01"}),
            ("fee", fee),
            ("transitions", {"action": "triage"}),
        ):
            r = await api.post(f"/api/v1/tickets/{ref}/{path}", json=data, headers=agent.headers)
            assert r.is_success, r.text

    page = await browser.new_page(viewport={"width": 1280, "height": 900}, locale="ja-JP" if lang == "ja" else "en-GB")
    await sign_in(page, server, agent.email, lang)
    await page.goto(f"{server}/app/tickets/{ref}?lang={lang}")
    assert await page.locator("h1 .ref").inner_text() == ref
    checklist = page.locator("#case .card").first
    missing = "所定の請求書" if lang == "ja" else "prescribed request form"
    assert missing in await checklist.inner_text()
    assert await serious_axe_violations(page) == []
    await page.screenshot(path=shot_path(tmp_path, f"case-{lang}-start.png"), full_page=True)

    # The document form with the keyboard alone: choose the kind, tab to the button, press Enter.
    kind = page.locator("select[name=kind]").first
    await kind.focus()
    await kind.select_option("request_form")
    for _ in range(20):  # the date fields take several stops each
        await page.keyboard.press("Tab")
        if await page.evaluate("document.activeElement.type") == "submit":
            break
    assert await page.evaluate("document.activeElement.form.action") == f"{server}/app/tickets/{ref}/documents"
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    assert missing not in await page.locator("#case .card").first.inner_text()

    # A refused document comes back with its reason, announced.
    await page.locator("select[name=kind]").first.select_option(
        "my_number_card_back" if False else "health_insurance_card"
    )
    async with page.expect_navigation():
        await page.get_by_role("button", name="書類を記録" if lang == "ja" else "Record document").click()
    alert = page.get_by_role("alert")
    assert ("マスキング" if lang == "ja" else "mask") in (await alert.inner_text())
    await page.screenshot(path=shot_path(tmp_path, f"case-{lang}-refused.png"), full_page=True)

    # Work starts (the checklist is complete, the fee passed); a decision proposed by the agent is
    # approved by the manager in another browser.
    await page.goto(f"{server}/app/tickets/{ref}?lang={lang}")
    await page.locator("select[name=action]").select_option("start_work")
    async with page.expect_navigation():
        await page.get_by_role("button", name="実行" if lang == "ja" else "Apply").click()
    assert await page.get_by_role("alert").count() == 0
    await page.locator("select[name=outcome]").first.select_option("no_data")
    async with page.expect_navigation():
        await page.get_by_role("button", name="決定を起案" if lang == "ja" else "Propose decision").click()
    other = await browser.new_page(viewport={"width": 1280, "height": 900})
    await sign_in(other, server, manager.email, lang)
    await other.goto(f"{server}/app/decisions?lang={lang}")
    assert ref in await other.locator("main").inner_text()
    await other.goto(f"{server}/app/tickets/{ref}?lang={lang}")
    approve = other.get_by_role("button", name="決定を承認" if lang == "ja" else "Approve decision")
    async with other.expect_navigation():
        await approve.click()
    assert await serious_axe_violations(other) == []
    await other.screenshot(path=shot_path(tmp_path, f"case-{lang}-approved.png"), full_page=True)
