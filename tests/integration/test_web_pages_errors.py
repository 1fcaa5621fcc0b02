"""`/` and unknown URLs: pages answer the HTML error page, the JSON API keeps answering JSON."""

from __future__ import annotations

import pytest

from tests.integration.test_staff_pages import logged_in
from ticketing.web.auth import SESSION_COOKIE


async def test_the_root_sends_visitors_to_sign_in_and_staff_to_the_app(client, relia_agent):
    r = await client.get("/")
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert r.headers["cache-control"] == "no-store"  # the answer depends on the session cookie
    client.cookies.set(SESSION_COOKIE, "not-a-session")
    assert (await client.get("/")).headers["location"] == "/login"
    client.cookies.clear()
    await logged_in(client, relia_agent)
    r = await client.get("/")
    assert r.status_code == 303 and r.headers["location"] == "/app"


@pytest.mark.parametrize("path", ["/nothing-here", "/desks", "/status", "/static/nope.css", "/index.html"])
async def test_an_unknown_page_is_the_html_error_page_in_both_languages(client, path):
    r = await client.get(path)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert '<html lang="en">' in r.text and "<h1" in r.text
    assert "This page does not exist." in r.text and "ページが見つかりません" in r.text
    assert r.headers["content-security-policy"].startswith("default-src 'self'")
    ja = await client.get(path, headers={"Accept-Language": "ja,en;q=0.5"})
    assert '<html lang="ja">' in ja.text


@pytest.mark.parametrize("path", ["/app/nothing-here", "/app/tickets", "/app/tickets/REL-2026-000001/more"])
async def test_an_unknown_staff_url_is_the_staff_error_page(client, relia_agent, path):
    for signed_in in (False, True):
        if signed_in:
            await logged_in(client, relia_agent)
        r = await client.get(path)
        assert r.status_code == 404, (path, signed_in)
        assert r.headers["content-type"].startswith("text/html")
        assert "This page does not exist." in r.text and 'href="/app"' in r.text
        assert "ページ" not in r.text  # the staff UI is English


async def test_a_refused_method_on_a_page_is_a_page(client):
    r = await client.put("/login")
    assert r.status_code == 405 and r.headers["content-type"].startswith("text/html")
    assert "could not be processed" in r.text


@pytest.mark.parametrize("path", ["/api/v1/nothing", "/api/v2/tickets", "/api", "/schema/nothing.json"])
async def test_the_api_keeps_answering_json(client, relia_agent, path):
    r = await client.get(path, headers=relia_agent.headers)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()["status_code"] == 404


async def test_a_refused_body_field_is_named_in_errors_like_a_domain_refusal(client, relia_agent):
    r = await client.post("/api/v1/tickets", json={"desk": "relia", "category": "gossip"}, headers=relia_agent.headers)
    assert r.status_code == 400
    assert "category" in r.json()["errors"]


async def test_a_failure_on_our_side_is_a_page_for_pages_and_json_for_the_api(
    client, container, relia_agent, monkeypatch
):
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the database fell over")

    monkeypatch.setattr(container.portal, "view", broken)
    monkeypatch.setattr(container.queries, "list_for_staff", broken)
    page = await client.get("/status/some-token")
    assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
    assert "Something went wrong on our side" in page.text and "システムで問題が発生しました" in page.text
    assert "fell over" not in page.text
    api = await client.get("/api/v1/tickets", headers=relia_agent.headers)
    assert api.status_code == 500 and api.json() == {"status_code": 500, "detail": "Internal server error"}
