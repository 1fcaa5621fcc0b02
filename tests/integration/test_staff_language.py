"""The staff pages' language: a setting of the user (/app/settings), carried by the language cookie that
sign-in sets from it; with none chosen, the browser's. The sign-in page follows the browser."""

from __future__ import annotations

import httpx

from tests.conftest import ticket_json
from tests.integration.test_staff_pages import csrf_token, logged_in, login
from ticketing.db.tables import StaffUser
from ticketing.web.case_view import LANG_COOKIE

JA = {"Accept-Language": "ja,en;q=0.5"}


def browser(app, headers: dict[str, str] | None = None) -> httpx.AsyncClient:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver", headers=headers)


async def _choose(client: httpx.AsyncClient, language: str) -> httpx.Response:
    page = (await client.get("/app/settings")).text
    return await client.post("/app/settings", data={"_csrf_token": csrf_token(page), "language": language})


async def test_the_chosen_language_persists_across_sign_in(app, client, relia_agent):
    r = await client.post("/api/v1/tickets", json=ticket_json(), headers=relia_agent.headers)
    reference = r.json()["reference"]
    await logged_in(client, relia_agent)
    page = (await client.get("/app/settings")).text
    assert '<html lang="en">' in page and "<h1>Settings</h1>" in page
    assert 'name="language" value="" checked' in page  # nothing chosen yet: the browser's

    r = await _choose(client, "ja")
    assert r.status_code == 303 and r.headers["location"] == "/app/settings?saved=1"
    assert client.cookies[LANG_COOKIE] == "ja"
    saved = (await client.get(r.headers["location"])).text
    assert '<html lang="ja">' in saved and "<h1>設定</h1>" in saved and 'value="ja" checked' in saved
    stored = await StaffUser.select(StaffUser.language).where(StaffUser.email == relia_agent.email).first()
    assert stored["language"] == "ja"

    # Another browser, which prefers English: after sign-in the pages are in Japanese.
    async with browser(app) as other:
        r = await logged_in(other, relia_agent)
        assert any(v.startswith(f"{LANG_COOKIE}=ja;") and "Path=/app" in v for v in r.headers.get_list("set-cookie"))
        assert "<h1>設定</h1>" in (await other.get("/app/settings")).text
        ticket = (await other.get(f"/app/tickets/{reference}")).text
        assert '<html lang="ja">' in ticket and "時刻は窓口のタイムゾーン" in ticket

        r = await _choose(other, "en")
        assert r.status_code == 303 and other.cookies[LANG_COOKIE] == "en"
        assert "<h1>Settings</h1>" in (await other.get("/app/settings")).text
    async with browser(app, JA) as third:
        await logged_in(third, relia_agent)
        assert "<h1>Settings</h1>" in (await third.get("/app/settings")).text  # the setting beats the browser


async def test_with_nothing_chosen_the_browser_decides(app, relia_agent):
    async with browser(app, JA) as client:
        client.cookies.set(LANG_COOKIE, "en", domain="testserver.local", path="/app")  # an earlier ?lang= switch
        r = await logged_in(client, relia_agent)
        cleared = [v for v in r.headers.get_list("set-cookie") if v.startswith(LANG_COOKIE + "=")]
        assert len(cleared) == 1 and "Max-Age=0" in cleared[0]
        assert LANG_COOKIE not in client.cookies
        assert "<h1>設定</h1>" in (await client.get("/app/settings")).text
        await _choose(client, "en")
        r = await _choose(client, "")  # back to the browser's language
        assert r.status_code == 303 and LANG_COOKIE not in client.cookies
        assert "<h1>設定</h1>" in (await client.get("/app/settings")).text
    stored = await StaffUser.select(StaffUser.language).where(StaffUser.email == relia_agent.email).first()
    assert stored["language"] == ""


async def test_a_language_that_is_not_offered_is_refused(client, relia_agent):
    await logged_in(client, relia_agent)
    page = (await client.get("/app/settings")).text
    for data in ({"language": "fr"}, {}):
        r = await client.post("/app/settings", data={"_csrf_token": csrf_token(page), **data})
        assert r.status_code == 400 and "Choose 日本語, English or the browser&#39;s language." in r.text
    r = await client.post("/app/settings", data={"language": "ja"})  # no CSRF field
    assert r.status_code == 403 and "text/html" in r.headers["content-type"]
    stored = await StaffUser.select(StaffUser.language).where(StaffUser.email == relia_agent.email).first()
    assert stored["language"] == ""


async def test_the_sign_in_page_follows_the_browser(app, client, relia_agent):
    page = (await client.get("/login")).text
    for english in ('<label for="email">Email</label>', '<label for="password">Password</label>', ">Sign in</button>"):
        assert english in page
    async with browser(app, JA) as japanese:
        page = (await japanese.get("/login")).text
        # The English names stay beside the Japanese ones: outside checks find the controls by them.
        assert '<html lang="ja">' in page and "<h1>サインイン (Sign in)</h1>" in page
        assert ">メールアドレス (Email)</label>" in page and ">パスワード (Password)</label>" in page
        r = await login(japanese, relia_agent.email, "wrong horse battery")
        assert r.status_code == 401 and "メールアドレスまたはパスワードが違います。" in r.text
    r = await login(client, relia_agent.email, "wrong horse battery")
    assert r.status_code == 401 and "Wrong e-mail or password." in r.text
