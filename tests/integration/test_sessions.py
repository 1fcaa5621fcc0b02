"""Ending sessions: `ticketing session revoke EMAIL`, and "Sign out everywhere" on the settings page."""

from __future__ import annotations

import httpx

from tests.integration.test_cli import run
from tests.integration.test_staff_pages import csrf_token, logged_in
from ticketing.db.tables import StaffSession
from ticketing.web.auth import SESSION_COOKIE


def browser(app) -> httpx.AsyncClient:  # type: ignore[no-untyped-def]
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def test_the_cli_revokes_every_session_of_a_user(app, client, settings, relia_agent, rcs_agent):
    await logged_in(client, relia_agent)
    async with browser(app) as laptop, browser(app) as colleague:
        await logged_in(laptop, relia_agent)
        await logged_in(colleague, rcs_agent)
        assert (await client.get("/app")).status_code == 200
        r = run(settings, "session", "revoke", "Agent@Relia.test")
        assert r.returncode == 0, r.stderr
        assert r.stdout.strip() == "2 session(s) of agent@relia.test ended"
        for signed_out in (client, laptop):
            r = await signed_out.get("/app/tickets/REL-2026-000001")
            assert r.status_code == 303 and r.headers["location"] == "/login?next=/app/tickets/REL-2026-000001"
        assert (await colleague.get("/app")).status_code == 200  # another user's session stays
    assert await StaffSession.count() == 1
    assert (await client.get("/api/v1/tickets", headers=relia_agent.headers)).status_code == 200  # tokens stay
    again = run(settings, "session", "revoke", "agent@relia.test")
    assert again.returncode == 0 and again.stdout.strip() == "0 session(s) of agent@relia.test ended"


def test_revoking_an_unknown_user_is_an_error_line(settings, container):
    r = run(settings, "session", "revoke", "nobody@relia.test")
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr == "ticketing: error: user 'nobody@relia.test' not found\n"
    usage = run(settings, "session", "revoke")
    assert usage.returncode == 2 and usage.stderr.startswith("ticketing: error: ")


async def test_sign_out_everywhere(app, client, relia_agent, rcs_agent):
    await logged_in(client, relia_agent)
    async with browser(app) as phone, browser(app) as colleague:
        await logged_in(phone, relia_agent)
        await logged_in(colleague, rcs_agent)
        page = await client.get("/app/settings")
        assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
        assert 'action="/app/settings/sign-out-everywhere"' in page.text and "Sign out everywhere</button>" in page.text

        refused = await client.post("/app/settings/sign-out-everywhere", data={})  # no CSRF field
        assert refused.status_code == 403 and "text/html" in refused.headers["content-type"]
        assert await StaffSession.count() == 3

        r = await client.post("/app/settings/sign-out-everywhere", data={"_csrf_token": csrf_token(page.text)})
        assert r.status_code == 303 and r.headers["location"] == "/login"
        assert SESSION_COOKIE not in client.cookies
        assert (await phone.get("/app/settings")).status_code == 303  # the other device is signed out too
        assert (await colleague.get("/app/settings")).status_code == 200
    assert await StaffSession.count() == 1


async def test_settings_need_a_session(client):
    r = await client.get("/app/settings")
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/app/settings"
