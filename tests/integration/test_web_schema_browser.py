"""/schema in a real browser (Debian chromium through Playwright): Swagger UI comes from /static/vendor,
runs under the site's CSP and shows every operation of /schema/openapi.json, with no request elsewhere.

The screenshot is written to the test's tmp folder (see the test output)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from playwright.async_api import Browser, Request

METHODS = {"get", "put", "post", "delete", "patch"}


async def test_the_schema_page_shows_every_operation_from_this_server_only(
    server: str, browser: Browser, tmp_path: Path
) -> None:
    async with httpx.AsyncClient() as http:
        spec = (await http.get(f"{server}/schema/openapi.json")).json()
    operations = [(m, p) for p, item in spec["paths"].items() for m in item if m in METHODS]
    assert len(operations) > 10

    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    requested: list[str] = []
    problems: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))

    async def forbid_elsewhere(route, request: Request) -> None:  # type: ignore[no-untyped-def]
        if request.url.startswith((server + "/", "data:")):
            await route.continue_()
        else:
            await route.abort()  # recorded above; fails the test below

    await page.route("**/*", forbid_elsewhere)
    response = await page.goto(f"{server}/schema")
    assert response is not None and response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    await page.locator(".opblock").first.wait_for(timeout=20_000)
    await page.wait_for_load_state("networkidle")

    shown = await page.locator(".opblock").count()
    assert shown == len(operations)
    summaries = await page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/tickets" in {s.replace("\u200b", "").strip() for s in summaries}
    assert await page.locator(".info .title").inner_text() != ""
    await page.screenshot(path=str(tmp_path / "schema.png"), full_page=False)

    create = page.locator("#operations-tickets-ApiV1TicketsCreate .opblock-summary")
    await create.click()  # the body's schema: the enums and required fields of task 3 are shown
    body = page.locator("#operations-tickets-ApiV1TicketsCreate .opblock-body")
    await body.locator(".model-example").first.wait_for()
    await page.screenshot(path=str(tmp_path / "schema-create.png"), full_page=True)
    print(f"screenshots: {tmp_path}")

    elsewhere = [u for u in requested if not u.startswith((server + "/", "data:"))]
    assert elsewhere == []
    assert f"{server}/static/vendor/swagger-ui/swagger-ui-bundle.js" in requested
    assert f"{server}/schema/openapi.json" in requested
    assert problems == [], json.dumps(problems, indent=2)
