"""Sign-in throttling that holds: per account and per client, failures only, its own bucket, and
forwarded headers believed only from configured proxies."""

from __future__ import annotations

import contextlib
import dataclasses

import httpx

from tests.integration.test_contact_form import FORM, fields, open_form
from tests.integration.test_staff_pages import login
from ticketing.app import create_app
from ticketing.db.tables import ThrottleHit
from ticketing.web.auth import SESSION_COOKIE

WRONG = "wrong horse battery"


@contextlib.asynccontextmanager
async def app_client(settings, container, client_ip="192.0.2.10", **changes):  # type: ignore[no-untyped-def]
    app = create_app(dataclasses.replace(settings, **changes), container=container, migrate=False, scheduler=False)
    transport = httpx.ASGITransport(app=app, client=(client_ip, 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def test_form_posts_never_lock_staff_out(settings, container, relia_agent):
    async with app_client(settings, container, form_rate_limit_per_minute=3, signin_rate_limit_per_minute=3) as c:
        for _ in range(5):
            await c.post(FORM, data=fields(await open_form(c)))
        r = await login(c, relia_agent.email, relia_agent.password)
        assert r.status_code == 303 and SESSION_COOKIE in c.cookies  # separate buckets


async def test_an_account_is_locked_after_ten_failures_from_anywhere(settings, container, relia_agent):
    for n in range(10):  # ten different clients: a distributed guess
        async with app_client(settings, container, client_ip=f"198.51.100.{n + 1}") as c:
            assert (await login(c, relia_agent.email, WRONG)).status_code == 401
    async with app_client(settings, container, client_ip="203.0.113.50") as c:
        r = await login(c, relia_agent.email, WRONG)
        assert r.status_code == 429 and "15 minutes" in r.text and r.headers["retry-after"] == "900"
        r = await login(c, relia_agent.email.upper(), relia_agent.password)
        assert r.status_code == 429 and SESSION_COOKIE not in c.cookies  # no password is checked while locked
    container.clock.advance(minutes=16)  # a soft lock-out: it ends by itself
    async with app_client(settings, container, client_ip="203.0.113.50") as c:
        assert (await login(c, relia_agent.email, relia_agent.password)).status_code == 303


async def test_a_success_clears_the_accounts_count_and_keys_are_not_stored_in_clear(settings, container, relia_agent):
    async with app_client(settings, container) as c:
        for _ in range(9):
            assert (await login(c, relia_agent.email, WRONG)).status_code == 401
        assert (await login(c, relia_agent.email, relia_agent.password)).status_code == 303
    async with app_client(settings, container, client_ip="192.0.2.99") as c:
        for _ in range(9):  # nine more would have locked it without the clear
            assert (await login(c, relia_agent.email, WRONG)).status_code == 401
        assert (await login(c, relia_agent.email, relia_agent.password)).status_code == 303
    keys = [r["key_hash"] for r in await ThrottleHit.select(ThrottleHit.key_hash)]
    assert keys and all(len(k) == 64 and "@" not in k and "192.0.2" not in k for k in keys)


async def test_one_client_spraying_many_accounts_is_stopped(settings, container, make_staff):
    async with app_client(settings, container) as c:
        for n in range(30):
            assert (await login(c, f"nobody{n}@relia.test", WRONG)).status_code == 401
        staff = await make_staff("late@relia.test", ["relia"])
        assert (await login(c, staff.email, staff.password)).status_code == 429
    async with app_client(settings, container, client_ip="192.0.2.77") as other:
        assert (await login(other, staff.email, staff.password)).status_code == 303  # others are not held


async def test_a_rotating_x_forwarded_for_is_ignored_without_a_trusted_proxy(settings, container, relia_agent):
    async with app_client(settings, container, client_ip="127.0.0.1", signin_rate_limit_per_minute=5) as c:
        answers = []
        for n in range(8):
            token = (await c.get("/login")).text.split('name="_csrf_token" value="')[1].split('"')[0]
            r = await c.post(
                "/login",
                data={"_csrf_token": token, "email": relia_agent.email, "password": WRONG},
                headers={"X-Forwarded-For": f"10.9.{n}.1"},
            )
            answers.append(r.status_code)
        assert answers == [401] * 5 + [429] * 3  # one client, one bucket, whatever it claims


async def test_a_configured_proxy_is_believed(settings, container, relia_agent):
    async with app_client(
        settings, container, client_ip="127.0.0.1", signin_rate_limit_per_minute=5, trusted_proxies=("127.0.0.1",)
    ) as c:
        for n in range(8):  # each forwarded client has its own bucket now
            token = (await c.get("/login")).text.split('name="_csrf_token" value="')[1].split('"')[0]
            r = await c.post(
                "/login",
                data={"_csrf_token": token, "email": relia_agent.email, "password": WRONG},
                headers={"X-Forwarded-For": f"198.51.100.{n + 1}"},
            )
            assert r.status_code == 401


async def test_old_attempts_are_pruned(settings, container, relia_agent):
    async with app_client(settings, container) as c:
        for _ in range(3):
            await login(c, relia_agent.email, WRONG)
    assert await ThrottleHit.count() == 6  # per account and per client
    container.clock.advance(minutes=14)
    assert await container.throttle.prune() == 0
    container.clock.advance(minutes=47)  # past the longest window (the form's hour)
    assert await container.throttle.prune() == 6 and await ThrottleHit.count() == 0
