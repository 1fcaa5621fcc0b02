"""The status page's reply form in a real browser (Debian chromium through Playwright): the controls are
found by the accessible names external checks use, a refused reply puts the keyboard on its error,
a sent one lands on the ticket, and axe finds nothing either way, at 390 px."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.async_api import Browser, expect

from tests.integration.test_public_pages_browser import fits, no_axe_violations
from tests.integration.test_status_portal import PNG
from ticketing.db.tables import Attachment, Message
from ticketing.domain.tickets import Channel


async def test_a_requester_replies_with_a_file_from_the_status_page(
    server: str, browser: Browser, container: Any, tmp_path: Path
) -> None:
    data = {
        "category": "request",
        "request_types": ["disclosure"],
        "subject": "Disclosure",
        "message": "Please disclose what you hold about me.",
        "language": "en",
        "requester": {"name": "Hanako Yamada", "email": "hanako@example.test"},
    }
    created = await container.intake.open_ticket("relia", data, channel=Channel.WEB)
    url = f"{server}/status/{created.status_url.split('/status/', 1)[1]}"
    page = await browser.new_page(viewport={"width": 390, "height": 844})
    await page.goto(url)
    await no_axe_violations(page)
    await fits(page)

    async with page.expect_navigation():
        await page.get_by_role("button", name="Send").click()  # nothing written, nothing attached
    # The browser applies `autofocus` at its next rendering step, which may come after the load event.
    await expect(page.locator("#error-summary")).to_be_focused()
    assert await page.get_by_label("Your message").get_attribute("aria-invalid") == "true"
    await no_axe_violations(page)
    await page.screenshot(path=str(tmp_path / "status-error.png"), full_page=True)

    licence = tmp_path / "licence.png"
    licence.write_bytes(PNG)
    await page.get_by_label("Your message").fill("Here is a copy of my driving licence.")
    await page.get_by_label("Attach a file").set_input_files(str(licence))
    async with page.expect_navigation():
        await page.get_by_role("button", name="Send").click()
    assert page.url.endswith("?sent=1")
    assert "Your message was sent." in await page.get_by_role("status").inner_text()
    assert "Here is a copy of my driving licence." in await page.locator("#messages").inner_text()
    await no_axe_violations(page)
    await fits(page)
    await page.screenshot(path=str(tmp_path / "status-sent.png"), full_page=True)
    stored = await Message.select(Message.channel).where(Message.text == "Here is a copy of my driving licence.")
    assert [m["channel"] for m in stored] == ["web"]
    assert [a["content_type"] for a in await Attachment.select(Attachment.content_type)] == ["image/png"]
    print(f"screenshots: {tmp_path}")
