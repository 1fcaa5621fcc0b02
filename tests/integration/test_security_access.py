"""Every staff read of personal data is in the access log, every refusal too; another desk is 404
whatever is asked; the outbox shows no status links; headers and files keep data private."""

from __future__ import annotations

import dataclasses
import re
import stat

import httpx

from tests.conftest import PG_URL, ticket_json
from tests.integration.test_staff_pages import logged_in
from ticketing.app import create_app
from ticketing.db.tables import AccessLog
from ticketing.services.mail_ports import MailSource

QUARANTINED = b"From: \r\nTo: privacy@relia-group.com\r\nSubject: broken\r\n\r\nno sender\r\n"


async def _ticket(client, staff, desk="relia") -> str:  # type: ignore[no-untyped-def]
    r = await client.post("/api/v1/tickets", json=ticket_json(desk=desk, language="en"), headers=staff.headers)
    assert r.status_code == 201, r.text
    return str(r.json()["reference"])


async def _log() -> list[tuple[str, str, bool]]:
    rows = await AccessLog.select().order_by(AccessLog.id)
    return [(r["what"], r["target"], r["allowed"]) for r in rows]


async def test_every_api_read_of_personal_data_is_logged(client, container, make_staff):
    manager = await make_staff("manager@relia.test", ["relia"], role="manager")
    ref = await _ticket(client, manager)
    mail = await container.mail.ingest("relia", QUARANTINED, MailSource("pipe"))
    assert mail.action == "quarantined"
    mail_id = (await client.get("/api/v1/mail", headers=manager.headers)).json()[0]["id"]
    await AccessLog.delete(force=True)
    for path in (
        f"/api/v1/tickets/{ref}",
        f"/api/v1/tickets/{ref}/sla",
        f"/api/v1/tickets/{ref}/participants",
        "/api/v1/tickets",
        "/api/v1/mail",
        f"/api/v1/mail/{mail_id}",
        f"/api/v1/mail/{mail_id}/raw",
    ):
        r = await client.get(path, headers=manager.headers)
        assert r.status_code == 200, (path, r.text)
    assert await _log() == [
        ("ticket", ref, True),
        ("sla", ref, True),
        ("participants", ref, True),
        ("ticket_list", "desks:relia", True),
        ("mail_log", "desks:relia", True),
        ("mail", str(mail_id), True),
        ("mail_raw", str(mail_id), True),
    ]
    rows = await AccessLog.select().order_by(AccessLog.id)
    assert {r["via"] for r in rows} == {"api"} and {r["client"] for r in rows} == {"127.0.0.1"}
    assert rows[0]["ticket"] is not None and rows[0]["desk"] == "relia"


async def test_refused_cross_desk_attempts_are_logged_and_all_404(client, relia_agent, rcs_agent, make_staff):
    theirs = await _ticket(client, rcs_agent, desk="rext-cs")
    colleague = await make_staff("colleague@rext.test", ["rext-cs"])
    await AccessLog.delete(force=True)
    attempts = [
        ("GET", f"/api/v1/tickets/{theirs}", None),
        ("GET", f"/api/v1/tickets/{theirs}/sla", None),
        ("GET", f"/api/v1/tickets/{theirs}/participants", None),
        ("POST", f"/api/v1/tickets/{theirs}/transitions", {"action": "triage"}),
        ("POST", f"/api/v1/tickets/{theirs}/replies", {"text": "hello"}),
        # Whether the assignee is on that desk's staff or not, the answer is the same 404.
        ("PUT", f"/api/v1/tickets/{theirs}/assignee", {"assignee": colleague.email}),
        ("PUT", f"/api/v1/tickets/{theirs}/assignee", {"assignee": "nobody@example.test"}),
        ("PUT", "/api/v1/tickets/RCS-2026-999999/assignee", {"assignee": colleague.email}),
        ("POST", f"/api/v1/tickets/{theirs}/requester/confirm", None),
    ]
    for method, path, body in attempts:
        r = await client.request(method, path, json=body, headers=relia_agent.headers)
        assert r.status_code == 404, (method, path, r.status_code, r.text)
        assert "鈴木" not in r.text and "colleague" not in r.text
    assert await _log() == [("refused", f"{m} {p}", False) for m, p, _ in attempts]


async def test_the_outbox_page_is_logged_and_shows_no_status_links(client, relia_agent):
    await _ticket(client, relia_agent)
    await logged_in(client, relia_agent)
    await AccessLog.delete(force=True)
    page = (await client.get("/app/outbox")).text
    assert "ticket-received" in page and "/status/(private link)" in page
    assert re.search(r"/status/[A-Za-z0-9_\-]{16,}", page) is None
    assert await _log() == [("outbox", "desks:relia", True)]


async def test_security_headers_on_pages_and_the_api(client, relia_agent, settings, container):
    ref = await _ticket(client, relia_agent)
    for path, headers in (
        ("/desks/relia/contact", {}),
        ("/login", {}),
        (f"/api/v1/tickets/{ref}", relia_agent.headers),
        ("/healthz", {}),
    ):
        r = await client.get(path, headers=headers)
        assert r.status_code == 200
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        assert "script-src 'self'" in r.headers["content-security-policy"]
        assert r.headers["referrer-policy"] in ("same-origin", "no-referrer")
        assert "strict-transport-security" not in r.headers  # plain HTTP here
    api = await client.get(f"/api/v1/tickets/{ref}", headers=relia_agent.headers)
    assert api.headers["cache-control"] == "no-store"
    status = await client.get(api.json()["events"] and "/status/nope")
    assert status.headers["referrer-policy"] == "no-referrer"  # a handler's own value is kept

    https = create_app(
        dataclasses.replace(settings, base_url="https://desk.example", secure_cookies=True),
        container=container,
        migrate=False,
        scheduler=False,
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=https), base_url="https://testserver") as c:
        r = await c.get("/login")
        assert r.headers["strict-transport-security"].startswith("max-age=31536000")


async def test_the_data_directory_and_database_are_private(settings, container):
    directory = stat.S_IMODE(settings.data_dir.stat().st_mode)
    assert directory == 0o700
    if not PG_URL:
        assert stat.S_IMODE(settings.sqlite_path.stat().st_mode) == 0o600
