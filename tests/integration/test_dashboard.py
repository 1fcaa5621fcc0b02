"""The managers' SLA dashboard at /app/dashboard and its polled section, on both engines: the figures,
the links to the queues, the statutory watch and the outside clocks, access, and no personal data.

relia tickets arrive Tue 2026-11-24 10:00 JST (the frozen clock). A complaint's first-response clock
(240 business minutes) warns at 12:00 (fired at 13:00, after lunch), and is due at 15:00.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import ticket_json
from tests.integration.test_staff_pages import logged_in
from ticketing.db.case_tables import Decision
from ticketing.db.tables import Desk, InboundMail, Outbox, StaffUser, Ticket

NAME, EMAIL, SUBJECT = "Hanako Yamada", "hanako@example.test", "You keep calling me"


def jst(text: str) -> datetime:
    return datetime.fromisoformat(text + "+09:00").astimezone(UTC)


def section(page: str, title: str) -> str:
    """The card under the heading that starts with `title`, up to the next card."""
    start = page.index(f"<h3>{title}")
    end = page.find('<div class="card', start)
    return page[start : end if end > 0 else len(page)]


async def create(client, staff, **overrides) -> str:  # type: ignore[no-untyped-def]
    body = ticket_json(requester={"name": NAME, "email": EMAIL}, **overrides)
    r = await client.post("/api/v1/tickets", json=body, headers=staff.headers)
    assert r.status_code == 201, r.text
    return str(r.json()["reference"])


@pytest.fixture
async def board(client, make_staff):  # type: ignore[no-untyped-def]
    """A manager of both desks, an agent of relia, and four tickets (three at relia)."""
    manager = await make_staff("manager@relia.test", ["relia", "rext-cs"], "manager")
    agent = await make_staff("agent@relia.test", ["relia"])
    rcs_agent = await make_staff("agent@rext.test", ["rext-cs"])
    complaint = await create(client, agent, category="complaint", subject=SUBJECT)
    inquiry = await create(client, agent, subject="What do you hold about me?")
    request = await create(
        client, agent, category="request", channel="post", request_types=["disclosure"], subject="Disclosure"
    )
    rcs = await create(client, rcs_agent, desk="rext-cs", category="complaint", subject="対応への苦情")
    return {
        "manager": manager,
        "agent": agent,
        "rcs_agent": rcs_agent,
        "complaint": complaint,
        "inquiry": inquiry,
        "request": request,
        "rcs": rcs,
    }


async def test_open_tickets_by_state_and_desk_link_to_their_queues(client, board):
    await logged_in(client, board["manager"])
    r = await client.get("/app/dashboard", params={"lang": "en"})
    assert r.status_code == 200, r.text
    page = r.text
    assert "<h1>SLA dashboard</h1>" in page
    opened = page.split("<tfoot>")[0]  # the rows by state
    assert 'href="/app?queue=open&amp;desk=relia&amp;state=received">3</a>' in opened
    assert 'href="/app?queue=open&amp;desk=rext-cs&amp;state=received">1</a>' in opened
    assert 'href="/app?queue=open&amp;state=received">4</a>' in opened  # both desks: the queue without desk=
    assert 'href="/app?queue=open&amp;desk=relia">3</a>' in page  # the desk's total
    # The dashboard link is in the header for a manager.
    assert '<a href="/app/dashboard">Dashboard</a>' in page
    # One desk: every link names it, totals too.
    one = (await client.get("/app/dashboard", params={"desk": "relia", "lang": "en"})).text
    assert "rext-cs" not in one.split("<main")[1].split("</select>")[1]
    assert 'href="/app?queue=open&amp;desk=relia">3</a>' in one


async def test_the_at_risk_and_breached_lists_word_the_time_left_and_the_last_rung(client, container, clock, board):
    await container.sla.sweep(jst("2026-11-24T13:00:00"))  # the complaint's 50 % rung fires
    clock.at = jst("2026-11-24T13:05:00")
    await logged_in(client, board["manager"])
    page = (await client.get("/app/dashboard", params={"lang": "en"})).text
    risk = section(page, "At risk")
    assert f'href="/app/tickets/{board["complaint"]}"' in risk
    assert "1 h 55 min left" in risk  # 13:05 to 15:00, the desk open throughout
    assert "2026-11-24 15:00" in risk and "First response" in risk and "warning at 50%" in risk
    assert 'href="/app?queue=at_risk"' in risk
    assert 'href="/app?queue=at_risk&amp;desk=relia">1</a>' in page
    assert board["complaint"] not in section(page, "Breached")

    await container.sla.sweep(jst("2026-11-24T15:00:00"))  # 80 % and the breach notice
    clock.at = jst("2026-11-24T16:30:00")
    page = (await client.get("/app/dashboard", params={"lang": "en"})).text
    late = section(page, "Breached")
    assert f'href="/app/tickets/{board["complaint"]}"' in late
    assert "1 h 30 min over" in late and "breach notice" in late
    assert 'href="/app?queue=breached&amp;desk=relia">1</a>' in page
    assert board["complaint"] not in section(page, "At risk")
    # After closing time the business clock stands still: 17:00 to next morning's 09:30 adds nothing.
    clock.at = jst("2026-11-25T09:00:00")
    await logged_in(client, board["manager"])  # a new day, a new session
    late = section((await client.get("/app/dashboard", params={"lang": "en"})).text, "Breached")
    assert "2 h over" in late
    ja = (await client.get("/app/dashboard", params={"lang": "ja"})).text
    assert "2時間超過" in section(ja, "期限超過") and "期限超過の通知" in ja


async def test_the_statutory_watch_and_the_outside_clocks(client, clock, board):
    row = await Ticket.select(Ticket.statutory_due_at).where(Ticket.reference == board["request"]).first()
    due = row["statutory_due_at"]
    assert due is not None  # a request by post: the two weeks run (APPI Art. 39)
    r = await client.post(
        f"/api/v1/tickets/{board['rcs']}/referrals",
        json={
            "organisation": "JUAS",
            "kind": "inquiry",
            "their_reference": "JUAS-1",
            "due_at": "2026-12-04T23:59:00+09:00",
        },
        headers=board["rcs_agent"].headers,
    )
    assert r.status_code == 201, r.text
    await logged_in(client, board["manager"])
    page = (await client.get("/app/dashboard", params={"lang": "en"})).text
    assert board["request"] not in section(page, "Statutory watch (APPI Art. 39)")  # two weeks ahead
    outside = section(page, "Accredited organisation and incidents")
    assert f'href="/app/tickets/{board["rcs"]}"' in outside and "2026-12-04 16:00" in outside  # JUAS closes at 16:00

    clock.at = due - timedelta(days=3)  # the end of the third calendar day from today
    await logged_in(client, board["manager"])
    watch = section((await client.get("/app/dashboard", params={"lang": "en"})).text, "Statutory watch")
    assert f'href="/app/tickets/{board["request"]}"' in watch
    assert due.astimezone(ZoneInfo("Asia/Tokyo")).strftime("%Y-%m-%d 23:59") in watch  # the desk's zone
    clock.at = due + timedelta(hours=2)  # past: still watched, as over
    await logged_in(client, board["manager"])
    watch = section((await client.get("/app/dashboard", params={"lang": "en"})).text, "Statutory watch")
    assert board["request"] in watch and "2 h over" in watch


async def test_what_waits_on_a_manager_is_counted_with_links(client, clock, board):
    ticket = await Ticket.select(Ticket.id).where(Ticket.reference == board["request"]).first()
    agent = await StaffUser.select(StaffUser.id).where(StaffUser.email == board["agent"].email).first()
    relia = await Desk.select(Desk.id).where(Desk.slug == "relia").first()
    now = clock.now()
    await Decision.insert(
        Decision(
            ticket=ticket["id"],
            outcome="refusal",
            reason="r",
            status="pending",
            proposed_by=agent["id"],
            proposed_at=now,
        )
    )
    await InboundMail.insert(
        InboundMail(
            desk=relia["id"], dedupe_key="k1", source="pipe", content_hash="h", raw_sha256="s", size=1,
            received_at=now, action="quarantined", last_seen_at=now,
        ),
        InboundMail(
            desk=relia["id"], dedupe_key="k2", source="pipe", content_hash="h", raw_sha256="s", size=1,
            received_at=now, action="quarantined", last_seen_at=now, review="released",
        ),
    )  # fmt: skip
    await Outbox.insert(
        *[
            Outbox(
                desk=relia["id"], kind="status-changed", to_addr="x@example.test", subject="s", message_id=f"<m{i}@x>",
                status=status, attempts=attempts, next_attempt_at=now, created_at=now - timedelta(minutes=minutes),
            )
            for i, (status, attempts, minutes) in enumerate(
                (("failed", 5, 125), ("pending", 2, 30), ("pending", 0, 500))  # the last: not tried yet
            )
        ]
    )  # fmt: skip
    await logged_in(client, board["manager"])
    page = (await client.get("/app/dashboard", params={"lang": "en"})).text
    facts = section(page, "Waiting on a manager")
    assert re.search(r'href="/app/decisions">Decisions waiting for approval</a>: <strong>1</strong>', facts)
    assert re.search(r'href="/app/mail">Mail in quarantine</a>: <strong>1</strong>', facts)
    assert re.search(r'href="/app/outbox">Outbox mail failing to send</a>: <strong>2</strong>', facts)
    assert "oldest 2 h 5 min ago" in facts


async def test_access_agents_foreign_desks_and_signed_out(client, make_staff, board):
    r = await client.get("/app/dashboard")
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/app/dashboard"
    r = await client.get("/app/dashboard/now")
    assert r.status_code == 286 and "signed out" in r.text  # htmx stops polling
    await logged_in(client, board["agent"])
    r = await client.get("/app/dashboard", params={"lang": "en"})
    assert r.status_code == 403 and "The dashboard is for the managers of a desk." in r.text
    assert (await client.get("/app/dashboard/now")).status_code == 403
    assert '<a href="/app/dashboard">' not in (await client.get("/app")).text  # no link for an agent
    relia_manager = await make_staff("m2@relia.test", ["relia"], "manager")
    await logged_in(client, relia_manager)
    for desk in ("rext-cs", "nowhere"):
        r = await client.get("/app/dashboard", params={"desk": desk, "lang": "en"})
        assert r.status_code == 404 and "No such desk among the desks you manage." in r.text, desk
    page = (await client.get("/app/dashboard")).text
    assert board["rcs"] not in page and "rext-cs" not in page.split("<main")[1]


async def test_no_personal_data_on_the_page_or_in_the_poll(client, container, clock, board):
    await container.sla.sweep(jst("2026-11-24T15:00:00"))
    clock.at = jst("2026-11-24T16:00:00")
    await logged_in(client, board["manager"])
    for path in ("/app/dashboard", "/app/dashboard/now"):
        page = (await client.get(path)).text
        assert board["complaint"] in page
        for personal in (NAME, EMAIL, SUBJECT, "Yamada", "hanako", "対応への苦情"):
            assert personal not in page, (path, personal)
        assert "no-store" in (await client.get(path)).headers["cache-control"]


async def test_the_poll_answers_204_until_the_figures_change(client, board):
    await logged_in(client, board["manager"])
    page = (await client.get("/app/dashboard", params={"lang": "en"})).text
    poll = re.search(r'hx-get="([^"]+)" hx-trigger="every 5s" hx-swap="outerHTML"', page)
    assert poll, page
    url = poll.group(1).replace("&amp;", "&")
    assert url.startswith("/app/dashboard/now?seen=")
    assert (await client.get(url)).status_code == 204  # nothing changed: htmx swaps nothing
    r = await client.post(
        f"/api/v1/tickets/{board['inquiry']}/transitions", json={"action": "triage"}, headers=board["agent"].headers
    )
    assert r.status_code == 200, r.text
    r = await client.get(url, params={"lang": "en"})
    assert r.status_code == 200
    assert r.text.startswith('<section id="now"') or '<section id="now"' in r.text
    assert 'href="/app?queue=open&amp;desk=relia&amp;state=triage">1</a>' in r.text
    assert 'id="now-status" hx-swap-oob="innerHTML">Updated ' in r.text
    fresh = re.search(r'hx-get="([^"]+)"', r.text)
    assert fresh and (await client.get(fresh.group(1).replace("&amp;", "&"))).status_code == 204
