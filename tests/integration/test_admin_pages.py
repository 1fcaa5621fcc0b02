"""The admin pages (/app/admin): users, memberships and roles, activation, API tokens and the audit
log, against a real database (SQLite, or PostgreSQL when TICKETING_DATABASE_URL is set)."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from tests.integration.test_staff_pages import csrf_token, logged_in, login
from ticketing.db.admin_tables import AdminEvent
from ticketing.db.tables import ApiToken, StaffUser
from ticketing.domain.errors import ValidationFailed


def client_for(app) -> httpx.AsyncClient:  # type: ignore[no-untyped-def]
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def post(client: httpx.AsyncClient, page: str, action: str, **data: str) -> httpx.Response:
    token = csrf_token((await client.get(page)).text)
    return await client.post(action, data={"_csrf_token": token, **data})


async def user_id(email: str) -> int:
    row = await StaffUser.select(StaffUser.id).where(StaffUser.email == email).first()
    assert row is not None
    return int(row["id"])


@pytest.fixture
async def admin(make_staff, client):  # type: ignore[no-untyped-def]
    staff = await make_staff("admin@relia.test", ["relia"], "admin")
    await logged_in(client, staff)
    return staff


async def test_an_agent_gets_403_and_a_stranger_the_login_page(app, client, relia_agent):
    r = await client.get("/app/admin/users")
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/app/admin/users"
    await logged_in(client, relia_agent)
    for path in ("/app/admin/users", "/app/admin/log", "/app/admin"):
        r = await client.get(path, headers={"accept-language": "en"})
        assert r.status_code == 403 and "Only a desk&#39;s admins may manage its users." in r.text, path
    assert 'href="/app/admin/users"' not in (await client.get("/app")).text  # no Admin link for an agent
    token = csrf_token((await client.get("/app/settings")).text)
    r = await client.post("/app/admin/users", data={"_csrf_token": token, "email": "x@relia.test"})
    assert r.status_code == 403


async def test_an_admin_adds_a_user_who_can_sign_in_and_changes_their_role(app, client, admin):
    page = await client.get("/app/admin/users")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert 'href="/app/admin/users"' in page.text and "admin@relia.test" in page.text
    r = await post(
        client,
        "/app/admin/users",
        "/app/admin/users",
        email="New.Agent@Relia.test",
        display_name="山田 花子",
        password="a first password",
        desk="relia",
        role="agent",
    )
    assert r.status_code == 303, r.text
    new_id = await user_id("new.agent@relia.test")
    assert r.headers["location"] == f"/app/admin/users/{new_id}?done=added"
    shown = await client.get(r.headers["location"], headers={"accept-language": "en"})
    assert "The user is added." in shown.text and "山田 花子" in shown.text

    async with client_for(app) as other:
        assert (await login(other, "new.agent@relia.test", "a first password")).status_code == 303

    r = await post(
        client, f"/app/admin/users/{new_id}", f"/app/admin/users/{new_id}/memberships/relia/role", role="manager"
    )
    assert r.status_code == 303 and r.headers["location"].endswith("?done=role")
    users = await client.get("/app/admin/users", headers={"accept-language": "en"})
    row = re.search(r"new\.agent@relia\.test</a></td>.*?</tr>", users.text, re.S)
    assert row and "Manager" in row.group(0)

    events = await AdminEvent.select().order_by(AdminEvent.id).output(load_json=True)
    assert [(e["action"], e["desk"], e["target"]) for e in events] == [
        ("user_added", "relia", "new.agent@relia.test"),
        ("role_changed", "relia", "new.agent@relia.test"),
    ]
    assert events[1]["detail"] == {"old_role": "agent", "new_role": "manager"}
    assert all(e["actor_email"] == "admin@relia.test" and e["at"] is not None for e in events)
    assert "a first password" not in json.dumps([str(e) for e in events])

    log = await client.get("/app/admin/log", headers={"accept-language": "en"})
    assert log.status_code == 200 and "admin@relia.test" in log.text and "2026-11-24 10:00" in log.text  # Tokyo
    assert "Agent → Manager" in log.text


async def test_an_existing_email_gets_a_membership_instead(client, admin, make_staff):
    both = await make_staff("shared@rext.test", ["rext-cs"])
    r = await post(
        client,
        "/app/admin/users",
        "/app/admin/users",
        email=both.email,
        display_name="",
        password="",
        desk="relia",
        role="agent",
    )
    assert r.status_code == 303 and r.headers["location"].endswith("?done=attached")
    page = await client.get(r.headers["location"], headers={"accept-language": "en"})
    assert "already had an account" in page.text and "1 desk(s) you do not administer" in page.text
    again = await post(
        client,
        "/app/admin/users",
        "/app/admin/users",
        email=both.email,
        display_name="",
        password="",
        desk="relia",
        role="agent",
    )
    assert again.status_code == 409 and "already belongs to the desk relia" in again.text


async def test_no_desk_is_left_without_an_active_admin(client, admin, make_staff):
    me = await user_id(admin.email)
    page = f"/app/admin/users/{me}"
    r = await post(client, page, f"{page}/memberships/relia/role", role="agent")
    assert r.status_code == 409 and "without an active admin" in r.text
    r = await post(client, page, f"{page}/memberships/relia/remove")
    assert r.status_code == 409
    other = await make_staff("admin2@relia.test", ["relia"], "admin")
    r = await post(client, page, f"{page}/memberships/relia/role", role="agent")  # another admin exists now
    assert r.status_code == 409 and "your last admin membership" in r.text
    r = await post(client, page, f"{page}/active", active="0")
    assert r.status_code == 409 and "cannot deactivate your own account" in r.text
    # The other admin may be demoted while this one stays; then this one is the last again.
    their = f"/app/admin/users/{await user_id(other.email)}"
    assert (await post(client, their, f"{their}/memberships/relia/role", role="manager")).status_code == 303
    assert (await post(client, their, f"{their}/memberships/relia/role", role="admin")).status_code == 303
    assert (await post(client, their, f"{their}/active", active="0")).status_code == 303
    r = await post(client, page, f"{page}/memberships/relia/remove")  # the other admin is inactive
    assert r.status_code == 409 and "without an active admin" in r.text


async def test_deactivation_ends_sessions_and_tokens_at_once(app, client, admin, relia_agent):
    api = {"Authorization": f"Bearer {relia_agent.token}"}
    async with client_for(app) as agent:
        await logged_in(agent, relia_agent)
        assert (await agent.get("/api/v1/tickets", headers=api)).status_code == 200  # cached now
        page = f"/app/admin/users/{await user_id(relia_agent.email)}"
        r = await post(client, page, f"{page}/active", active="0")
        assert r.status_code == 303 and r.headers["location"].endswith("?done=deactivated")
        assert (await agent.get("/app")).status_code == 303
        assert (await agent.get("/api/v1/tickets", headers=api)).status_code == 401
        assert (await login(agent, relia_agent.email, relia_agent.password)).status_code != 303
        r = await post(client, page, f"{page}/active", active="1")
        assert r.status_code == 303
        assert (await agent.get("/api/v1/tickets", headers=api)).status_code == 200
    actions = [e["action"] for e in await AdminEvent.select(AdminEvent.action).order_by(AdminEvent.id)]
    assert actions == ["user_deactivated", "user_reactivated"]


async def test_a_token_is_shown_once_and_revoked(app, client, admin, relia_agent):
    uid = await user_id(relia_agent.email)
    page = f"/app/admin/users/{uid}"
    r = await post(client, page, f"{page}/tokens")
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    token = re.search(r'value="(tkt_[A-Za-z0-9_-]+)"', r.text)
    assert token and "shown only this once" in r.text
    secret = token.group(1)
    assert secret not in (await client.get(page)).text
    rows = await ApiToken.select(ApiToken.id, ApiToken.prefix, ApiToken.token_hash).where(ApiToken.user == uid)
    assert len(rows) == 2 and all(secret not in (row["token_hash"], row["prefix"]) for row in rows)
    assert (await client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {secret}"})).status_code == 200
    new = next(row for row in rows if secret.startswith(row["prefix"]))
    r = await post(client, page, f"{page}/tokens/{new['id']}/revoke")
    assert r.status_code == 303 and r.headers["location"].endswith("?done=revoked")
    assert (await client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {secret}"})).status_code == 401
    again = await post(client, page, f"{page}/tokens/{new['id']}/revoke")
    assert again.status_code == 409
    events = await AdminEvent.select().order_by(AdminEvent.id).output(load_json=True)
    assert [(e["action"], e["target"]) for e in events] == [
        ("token_created", new["prefix"]),
        ("token_revoked", new["prefix"]),
    ]
    assert secret not in json.dumps([str(e) for e in events])


async def test_another_desks_admin_cannot_touch_this_desks_memberships(app, make_staff, relia_agent):
    rcs_admin = await make_staff("admin@rext.test", ["rext-cs"], "admin")
    both = await make_staff("both@relia.test", ["relia", "rext-cs"])
    await make_staff("admin@relia.test", ["relia"], "admin")
    async with client_for(app) as c:
        await logged_in(c, rcs_admin)
        relia_only = await user_id(relia_agent.email)
        assert (await c.get(f"/app/admin/users/{relia_only}")).status_code == 404
        r = await post(c, "/app/admin/users", f"/app/admin/users/{relia_only}/memberships/relia/role", role="admin")
        assert r.status_code == 404
        shared = f"/app/admin/users/{await user_id(both.email)}"
        page = await c.get(shared)
        assert page.status_code == 200 and "/memberships/relia/" not in page.text
        assert (await post(c, shared, f"{shared}/memberships/relia/role", role="admin")).status_code == 403
        assert (await post(c, shared, f"{shared}/memberships/relia/remove")).status_code == 403
        assert (await post(c, shared, f"{shared}/tokens")).status_code == 403  # a token would reach relia too
        r = await post(
            c,
            "/app/admin/users",
            "/app/admin/users",
            email="x@relia.test",
            password="p" * 12,
            desk="relia",
            role="agent",
        )
        assert r.status_code == 403
        # Deactivating narrows access, so a shared desk is enough; reactivating needs all the user's desks.
        assert (await post(c, shared, f"{shared}/active", active="0")).status_code == 303
        assert (await post(c, shared, f"{shared}/active", active="1")).status_code == 403
    assert await AdminEvent.count() == 1


async def test_relia_admin_sees_desk_less_events_about_relia_users(app, client, admin, make_staff):
    rcs_admin = await make_staff("admin@rext.test", ["rext-cs"], "admin")
    both = await make_staff("both@relia.test", ["relia", "rext-cs"])
    async with client_for(app) as c:
        await logged_in(c, rcs_admin)
        shared = f"/app/admin/users/{await user_id(both.email)}"
        assert (await post(c, shared, f"{shared}/name", display_name="Both Desks")).status_code == 303
    log = await client.get("/app/admin/log", headers={"accept-language": "en"})
    assert "admin@rext.test" in log.text and "both@relia.test" in log.text
    narrowed = await client.get("/app/admin/log?desk=relia")
    assert "admin@rext.test" not in narrowed.text
    assert (await client.get("/app/admin/log?desk=rext-cs")).status_code == 403


async def test_the_log_pages_newest_first(container, client, admin):
    principal = await container.accounts.authenticate(admin.email, admin.password)
    for n in range(55):
        await container.audit.record(principal, "desk_setting_changed", "relia", f"setting-{n:02d}", {"n": n})
    first = await client.get("/app/admin/log")
    assert first.text.index("setting-54") < first.text.index("setting-53") and "setting-04" not in first.text
    older = re.search(r'href="(/app/admin/log\?before=\d+)" rel="next"', first.text)
    assert older
    second = await client.get(older.group(1))
    assert "setting-04" in second.text and "setting-00" in second.text and "setting-05" not in second.text
    assert 'rel="next"' not in second.text
    with pytest.raises(ValidationFailed, match="secret"):
        await container.audit.record(principal, "x", None, "t", {"password": "hunter2"})


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": "not an address"}, "Enter an e-mail address"),
        ({"password": "short"}, "at least 12 characters"),
        ({"role": "owner"}, "Choose agent, manager or admin."),
        ({"display_name": "two\nlines"}, "line breaks"),
    ],
)
async def test_bad_input_is_a_400_page_with_the_form_kept(client, admin, fields, message):
    data = {
        "email": "kept@relia.test",
        "display_name": "Kept Name",
        "password": "long enough password",
        "desk": "relia",
        "role": "agent",
    }
    data |= fields
    r = await post(client, "/app/admin/users", "/app/admin/users", **data)
    assert r.status_code == 400 and message in r.text and 'role="alert"' in r.text
    assert "long enough password" not in r.text and 'value="short"' not in r.text  # a password is never echoed
    if "email" not in fields:
        assert 'value="kept@relia.test"' in r.text
    assert await AdminEvent.count() == 0


async def test_forms_need_the_csrf_token(client, admin):
    r = await client.post("/app/admin/users", data={"email": "x@relia.test"})
    assert r.status_code == 403
