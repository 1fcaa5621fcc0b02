"""Staff login (/login, /logout) and the /app pages: sessions, desk isolation, read logging."""

from __future__ import annotations

import dataclasses
import re

import httpx
import pytest

from tests.conftest import ticket_json
from ticketing.app import create_app
from ticketing.db.tables import AccessLog, StaffSession, StaffUser, Ticket
from ticketing.web.auth import SESSION_COOKIE


def csrf_token(page: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', page)
    assert match, "no CSRF token in the page"
    return match.group(1)


async def login(client: httpx.AsyncClient, email: str, password: str, next: str | None = None) -> httpx.Response:
    token = csrf_token((await client.get("/login")).text)
    data = {"_csrf_token": token, "email": email, "password": password}
    if next is not None:
        data["next"] = next
    return await client.post("/login", data=data)


async def logged_in(client: httpx.AsyncClient, staff) -> httpx.Response:  # type: ignore[no-untyped-def]
    r = await login(client, staff.email, staff.password)
    assert r.status_code == 303 and r.headers["location"] == "/app", r.text
    return r


@pytest.fixture
async def tickets(client, relia_agent, rcs_agent) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """One ticket on each desk, with different requesters."""
    refs = {}
    for staff, desk, name in ((relia_agent, "relia", "Hanako Yamada"), (rcs_agent, "rext-cs", "鈴木 一郎")):
        body = ticket_json(
            desk=desk, subject=f"About {desk}", requester={"name": name, "email": f"{desk}-requester@example.test"}
        )
        r = await client.post("/api/v1/tickets", json=body, headers=staff.headers)
        assert r.status_code == 201, r.text
        refs[desk] = r.json()["reference"]
    assert refs == {"relia": "REL-2026-000001", "rext-cs": "RCS-2026-000001"}
    return refs


async def test_app_without_a_session_goes_to_login(client):
    for path in ("/app", "/app/outbox", "/app/tickets/REL-2026-000001"):
        r = await client.get(path)
        assert r.status_code == 303, path
        assert r.headers["location"] == f"/login?next={path}"
    r = await client.get("/app", params={"page": "2", "q": "a&b"})
    assert r.headers["location"] == "/login?next=/app%3Fpage%3D2%26q%3Da%2526b"
    client.cookies.set(SESSION_COOKIE, "not-a-session")
    assert (await client.get("/app")).status_code == 303
    page = (await client.get("/login", params={"next": "/app/outbox"})).text
    assert '<input type="hidden" name="next" value="/app/outbox">' in page


async def test_wrong_password_is_401_and_sets_no_session(client, relia_agent):
    r = await login(client, relia_agent.email, "wrong horse battery")
    assert r.status_code == 401
    assert "Wrong e-mail or password." in r.text
    assert SESSION_COOKIE not in r.headers.get("set-cookie", "")
    assert SESSION_COOKIE not in client.cookies
    r = await login(client, "nobody@relia.test", relia_agent.password)
    assert r.status_code == 401 and SESSION_COOKIE not in client.cookies
    assert await StaffSession.count() == 0
    assert (await client.get("/app")).status_code == 303


async def test_login_sets_a_safe_session_cookie(client, relia_agent):
    r = await logged_in(client, relia_agent)
    cookie = next(v for k, v in r.headers.multi_items() if k == "set-cookie" and v.startswith(SESSION_COOKIE + "="))
    attributes = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")[1:]}
    assert "httponly" in attributes
    assert attributes["samesite"].lower() == "samesite=lax"
    assert attributes["path"] == "Path=/"
    assert await StaffSession.count() == 1
    # The token is stored hashed, not as sent.
    row = await StaffSession.select(StaffSession.token_hash).first()
    assert row["token_hash"] != client.cookies[SESSION_COOKIE]
    r = await client.get("/app")
    assert r.status_code == 200 and relia_agent.email in r.text
    assert r.headers["cache-control"] == "no-store"


async def test_login_form_is_csrf_protected(client, relia_agent):
    data = {"email": relia_agent.email, "password": relia_agent.password}
    r = await client.post("/login", data=data)
    assert r.status_code == 403
    assert SESSION_COOKIE not in client.cookies
    csrf_token((await client.get("/login")).text)  # now the CSRF cookie is set, but the field is missing
    r = await client.post("/login", data=data)
    assert r.status_code == 403 and "text/html" in r.headers["content-type"]
    assert SESSION_COOKIE not in client.cookies and await StaffSession.count() == 0


@pytest.mark.parametrize(
    ("next_value", "expected"),
    [
        ("//evil.example", "/app"),
        ("https://evil.example/app", "/app"),
        ("/app//evil.example", "/app"),
        ("/\\evil.example", "/app"),
        ("/app\\..\\\\evil.example", "/app"),
        ("/application", "/app"),
        ("/login", "/app"),
        ("javascript:alert(1)", "/app"),
        ("/app\r\nSet-Cookie: x=1", "/app"),
        ("", "/app"),
        ("/app/outbox", "/app/outbox"),
        ("/app/tickets/REL-2026-000001", "/app/tickets/REL-2026-000001"),
    ],
)
async def test_next_is_never_an_open_redirect(client, relia_agent, next_value, expected):
    r = await login(client, relia_agent.email, relia_agent.password, next=next_value)
    assert r.status_code == 303
    assert r.headers["location"] == expected
    page = (await client.get("/login", params={"next": next_value})).text
    assert f'name="next" value="{expected}"' in page


async def test_app_lists_only_the_tickets_of_my_desks(client, app, relia_agent, make_staff, tickets):
    await logged_in(client, relia_agent)
    page = (await client.get("/app")).text
    assert "REL-2026-000001" in page and "About relia" in page
    assert "RCS-2026-000001" not in page and "About rext-cs" not in page
    lists = await AccessLog.select().where(AccessLog.what == "ticket_list")  # subjects are personal data too
    assert [(r["target"], r["via"], r["rows_shown"]) for r in lists] == [("queue:open desks:relia", "web", 1)]

    both = await make_staff("manager@both.test", ["relia", "rext-cs"], role="manager")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as other:
        await logged_in(other, both)
        page = (await other.get("/app")).text
        assert "REL-2026-000001" in page and "RCS-2026-000001" in page


async def test_another_desks_ticket_is_404_and_the_attempt_is_logged(client, relia_agent, tickets):
    await logged_in(client, relia_agent)
    r = await client.get(f"/app/tickets/{tickets['rext-cs']}")
    assert r.status_code == 404
    assert "鈴木" not in r.text and "About rext-cs" not in r.text
    unknown = await client.get("/app/tickets/REL-2026-999999")
    assert unknown.status_code == 404
    assert unknown.text.replace("REL-2026-999999", "X") == r.text.replace(tickets["rext-cs"], "X")  # no hint
    assert await AccessLog.count().where(AccessLog.what == "ticket") == 0
    refused = await AccessLog.select().where(AccessLog.allowed == False).order_by(AccessLog.id)  # noqa: E712
    assert [r["target"] for r in refused] == [
        f"GET /app/tickets/{tickets['rext-cs']}",
        "GET /app/tickets/REL-2026-999999",
    ]
    assert {r["client"] for r in refused} == {"127.0.0.1"}


async def test_own_desks_ticket_shows_the_requester_and_logs_the_read(client, relia_agent, tickets):
    await logged_in(client, relia_agent)
    r = await client.get(f"/app/tickets/{tickets['relia']}")
    assert r.status_code == 200, r.text
    assert "Hanako Yamada" in r.text and "relia-requester@example.test" in r.text
    assert "Please tell me which personal data you keep." in r.text
    assert r.headers["cache-control"] == "no-store"
    user = await StaffUser.select(StaffUser.id).where(StaffUser.email == relia_agent.email).first()
    ticket = await Ticket.select(Ticket.id).where(Ticket.reference == tickets["relia"]).first()
    rows = await AccessLog.select().where(AccessLog.what == "ticket")
    assert len(rows) == 1
    assert (rows[0]["user"], rows[0]["ticket"], rows[0]["via"]) == (user["id"], ticket["id"], "web")
    assert rows[0]["client"] == "127.0.0.1" and rows[0]["desk"] == "relia"
    await client.get(f"/app/tickets/{tickets['relia']}")
    assert await AccessLog.count().where(AccessLog.what == "ticket") == 2  # every read is logged


async def test_logout_ends_the_session(client, relia_agent):
    await logged_in(client, relia_agent)
    session = client.cookies[SESSION_COOKIE]
    page = (await client.get("/app")).text
    assert 'action="/logout"' in page
    r = await client.post("/logout", data={})  # without the CSRF field: refused, still signed in
    assert r.status_code == 403
    assert (await client.get("/app")).status_code == 200

    r = await client.post("/logout", data={"_csrf_token": csrf_token(page)})
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert SESSION_COOKIE not in client.cookies
    assert await StaffSession.count() == 0
    client.cookies.set(SESSION_COOKIE, session)  # the old cookie, replayed
    r = await client.get("/app")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


async def test_outbox_shows_the_mail_of_my_desks_only(client, relia_agent, tickets):
    await logged_in(client, relia_agent)
    r = await client.get("/app/outbox")
    assert r.status_code == 200
    assert "ticket-received" in r.text and "relia-requester@example.test" in r.text
    assert "[REL-2026-000001]" in r.text
    assert "rext-cs-requester@example.test" not in r.text and "RCS-2026-000001" not in r.text
    assert "No SMTP relay is configured" in r.text


async def test_login_is_rate_limited(settings, container, relia_agent):
    limited = dataclasses.replace(settings, signin_rate_limit_per_minute=3)
    app = create_app(limited, container=container, migrate=False, scheduler=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        for _ in range(3):
            assert (await login(client, relia_agent.email, "wrong horse battery")).status_code == 401
        r = await login(client, relia_agent.email, relia_agent.password)
        assert r.status_code == 429
        assert SESSION_COOKIE not in client.cookies
