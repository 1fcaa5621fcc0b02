"""Desk settings in the browser, on SQLite and PostgreSQL: a one-off closure is previewed, saved, moves
the open clocks it concerns, and counts for the next due computation without a restart, in this
process and (after its refresh) in another one; refused input keeps what was typed.

The clock stands at Tue 2026-11-24 10:00 JST. relia (09:30-12:00, 13:00-17:00): an inquiry received
now is due for its first response at the close of the next business day, Wed 11-25 17:00, and for
its resolution at the close of the fifth, Tue 12-01 17:00. Closing Wed 11-25 moves them to Thu 11-26
17:00 and Wed 12-02 17:00.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from typing import Any

import httpx

from tests.conftest import ticket_json
from tests.integration.test_staff_pages import csrf_token, logged_in
from ticketing.db.desk_settings import PiccoloDeskSettingsStore
from ticketing.desks_file import load_desks
from ticketing.services.calendars import CalendarService
from ticketing.services.desk_settings import DeskSettingsService
from ticketing.services.ports import Principal

SETTINGS = "/app/desks/relia/settings"


def jst(text: str) -> datetime:
    return datetime.fromisoformat(text + "+09:00").astimezone(UTC)


async def dues(client: httpx.AsyncClient, who: Any, reference: str) -> dict[str, datetime]:
    r = await client.get(f"/api/v1/tickets/{reference}/sla", headers=who.headers)
    assert r.status_code == 200, r.text
    return {c["clock"]: datetime.fromisoformat(c["due_at"]).astimezone(UTC) for c in r.json()["clocks"]}


async def post(client: httpx.AsyncClient, path: str, data: dict[str, str]) -> httpx.Response:
    token = csrf_token((await client.get(SETTINGS)).text)
    return await client.post(path, data={"_csrf_token": token, **data})


def version_of(page: str) -> str:
    match = re.search(r'name="version" value="(\d+)"', page)
    assert match
    return match.group(1)


async def test_a_closure_is_previewed_saved_and_moves_open_clocks(client, make_staff, container, settings) -> None:
    manager = await make_staff("manager@relia.test", ["relia"], "manager")
    agent = await make_staff("agent@relia.test", ["relia"])
    r = await client.post("/api/v1/tickets", json=ticket_json(category="inquiry"), headers=agent.headers)
    reference = r.json()["reference"]
    before = await dues(client, agent, reference)
    assert before == {"first_response": jst("2026-11-25T17:00:00"), "resolution": jst("2026-12-01T17:00:00")}
    await logged_in(client, manager)

    assert f'<a href="{SETTINGS}">Desk settings</a>' in (await client.get("/app/settings")).text
    page = (await client.get(SETTINGS)).text
    assert version_of(page) == "0"
    r = await post(
        client, f"{SETTINGS}/calendar-preview", {"version": "0", "closed_dates": "2026-11-25\n", "open_dates": ""}
    )
    assert r.status_code == 200, r.text
    preview = r.text
    assert "2 open deadlines move." in preview
    assert reference in preview and "2026-11-25 17:00" in preview and "2026-11-26 17:00" in preview
    assert "2026-12-02 17:00" in preview
    assert await dues(client, agent, reference) == before  # a preview saves nothing

    r = await post(client, f"{SETTINGS}/calendar", {"version": "0", "closed_dates": "2026-11-25", "open_dates": ""})
    assert r.status_code == 303, r.text
    assert r.headers["location"] == f"{SETTINGS}?saved=calendar&moved=2#calendar"
    assert await dues(client, agent, reference) == {
        "first_response": jst("2026-11-26T17:00:00"),
        "resolution": jst("2026-12-02T17:00:00"),
    }
    page = (await client.get(r.headers["location"])).text
    assert "The closures and opening hours are saved. 2 open deadlines moved." in page
    assert version_of(page) == "1" and "2026-11-25</textarea>" in page

    # The next due computation uses it, without a restart: a new ticket, and the what-if API.
    r = await client.post("/api/v1/tickets", json=ticket_json(category="inquiry"), headers=agent.headers)
    assert (await dues(client, agent, r.json()["reference"]))["first_response"] == jst("2026-11-26T17:00:00")
    r = await client.get(
        "/api/v1/desks/relia/calendar/due",
        params={"start": "2026-11-24T10:00:00+09:00", "business_days": 1},
        headers=agent.headers,
    )
    assert r.json()["due"] == "2026-11-26T17:00:00+09:00"

    # Another process (its own desks and calendars over the same database) sees it at its refresh.
    desks = load_desks(settings.desks_file)
    other = DeskSettingsService(desks, CalendarService(desks), PiccoloDeskSettingsStore(), container.clock)
    assert other.calendars.calendar("relia").is_business_day(jst("2026-11-25T12:00:00").date())
    await other.refresh(force=True)
    assert not other.calendars.calendar("relia").is_business_day(jst("2026-11-25T12:00:00").date())
    assert desks["relia"].closed_dates >= {jst("2026-11-25T12:00:00").date()}


async def test_refused_input_keeps_what_was_typed(client, make_staff) -> None:
    manager = await make_staff("manager@relia.test", ["relia"], "manager")
    await logged_in(client, manager)
    cases = [
        ({"closed_dates": "2026-11-20"}, "2026-11-20 is before today"),
        ({"closed_dates": "2026-11-30", "open_dates": "2026-11-30 10:00-12:00"}, "2026-11-30 is also closed"),
        ({"closed_dates": "30/11/2026"}, "is not &#34;YYYY-MM-DD&#34;"),
        ({"open_dates": "2026-11-28 12:00-10:00"}, "ends before it starts"),
        ({"closed_dates": "2029-01-05"}, "more than two years ahead"),
    ]
    for data, message in cases:
        r = await post(
            client, f"{SETTINGS}/calendar-preview", {"version": "0", "closed_dates": "", "open_dates": "", **data}
        )
        assert r.status_code == 400, (data, r.text)
        assert message in r.text, (message, r.text[:3000])
        for value in data.values():
            assert html.escape(value, quote=False) in r.text  # kept in its text area
    r = await post(client, f"{SETTINGS}/cap", {"version": "0", "auto_reply_daily_cap": "１０"})
    assert r.status_code == 400 and "a whole number from 0 to 10000" in r.text
    r = await post(
        client, f"{SETTINGS}/second-level", {"version": "0", "second_level": "boss@relia.test\nnot-an-address"}
    )
    assert r.status_code == 400 and "&#39;not-an-address&#39; is not an e-mail address" in r.text
    r = await post(
        client, f"{SETTINGS}/templates", {"version": "0", "key": "Bad Key", "language": "en", "title": "x", "body": "y"}
    )
    assert r.status_code == 400 and "Bad Key" in r.text
    r = await post(client, f"{SETTINGS}/cap", {"version": "x", "auto_reply_daily_cap": "5"})
    assert r.status_code == 400
    assert (await post(client, f"{SETTINGS}/nonsense", {"version": "0"})).status_code == 404


async def test_the_other_settings_take_effect_and_a_stale_form_is_refused(client, make_staff, container) -> None:
    manager = await make_staff("manager@relia.test", ["relia"], "manager")
    await logged_in(client, manager)
    assert container.desks["relia"].mail.auto_reply_daily_cap == 10
    r = await post(client, f"{SETTINGS}/cap", {"version": "0", "auto_reply_daily_cap": "3"})
    assert r.status_code == 303, r.text
    assert container.desks["relia"].mail.auto_reply_daily_cap == 3
    r = await post(
        client, f"{SETTINGS}/second-level", {"version": "1", "second_level": "boss@relia.test, Boss@relia.test"}
    )
    assert r.status_code == 303
    assert container.desks["relia"].escalation.second_level == ("boss@relia.test",)
    assert container.desks["relia"].mail.auto_reply_daily_cap == 3  # earlier settings stay

    r = await post(client, f"{SETTINGS}/cap", {"version": "1", "auto_reply_daily_cap": "4"})  # from an older page
    assert r.status_code == 409 and "Someone saved this desk" in r.text and 'value="4"' in r.text
    assert container.desks["relia"].mail.auto_reply_daily_cap == 3

    count = len(container.desks["relia"].reply_templates)
    body = {
        "version": "2",
        "key": "thanks",
        "language": "ja",
        "title": "お礼",
        "body": "{name} 様\n{reference} のお問い合わせありがとうございます。",
    }
    assert (await post(client, f"{SETTINGS}/templates", body)).status_code == 303
    added = [t for t in container.desks["relia"].reply_templates if t.key == "thanks"]
    assert len(container.desks["relia"].reply_templates) == count + 1 and added[0].title == "お礼"
    r = await post(client, f"{SETTINGS}/template-delete", {"version": "3", "template": "thanks:ja"})
    assert r.status_code == 303
    assert len(container.desks["relia"].reply_templates) == count


async def test_who_may_change_settings(client, make_staff) -> None:
    agent = await make_staff("agent@relia.test", ["relia"])
    await logged_in(client, agent)
    assert (await client.get(SETTINGS)).status_code == 403
    assert "Desk settings" not in (await client.get("/app/settings")).text
    assert (await client.get("/app/desks/rext-cs/settings")).status_code == 404
    token = csrf_token((await client.get("/app/settings")).text)
    r = await client.post(f"{SETTINGS}/cap", data={"_csrf_token": token, "version": "0", "auto_reply_daily_cap": "1"})
    assert r.status_code == 403


async def test_each_change_is_an_audit_event_with_who_and_when(client, make_staff, container) -> None:
    manager = await make_staff("manager@relia.test", ["relia"], "manager")
    admin = await make_staff("admin@relia.test", ["relia"], "admin")
    await logged_in(client, manager)
    assert (await post(client, f"{SETTINGS}/cap", {"version": "0", "auto_reply_daily_cap": "3"})).status_code == 303
    data = {"version": "1", "closed_dates": "2026-11-25", "open_dates": ""}
    assert (await post(client, f"{SETTINGS}/calendar", data)).status_code == 303
    who = Principal(0, admin.email, {"relia": "admin"})
    page = await container.audit.list(who, "relia")
    events = [(e.event.action, e.event.actor_email, dict(e.event.detail)) for e in page.events]
    assert events[0][:2] == ("desk_settings.calendar", "manager@relia.test")
    assert events[0][2]["dates"] == "2026-11-25" and events[0][2]["version"] == 2
    assert events[1] == ("desk_settings.auto_reply_cap", "manager@relia.test", {"old": 10, "new": 3})
    assert all(e.event.at == container.clock.now() for e in page.events)
