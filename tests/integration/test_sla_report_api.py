"""The monthly SLA report through HTTP, on SQLite and PostgreSQL: tickets made and worked through the
API on a clock moved by hand, every figure worked out by hand below, the CSV read back with the csv
module, and who may read it.

relia opens 09:30-12:00 and 13:00-17:00 Mon-Fri (Asia/Tokyo); Mon 2026-11-23 is Labour Thanksgiving
Day. Targets (desks.toml): complaint first response 240 business minutes, resolution 10 business
days; incident 60 minutes and 3 business days; request 1 business day, 10 business days and the
statutory 14 calendar days.

The story, in JST:
- Mon 11-16 10:00: B (complaint; first response due 15:00), G (incident; due 11:00, resolution due
  Thu 11-19 17:00) and H (request; first response due Tue 11-17 17:00, statutory Mon 11-30 23:59:59).
  10:30: G and H answered (30 minutes each). 11:00: G responded, which stops its resolution clock.
- Tue 11-17 10:00: G reopened; the settled spell (11-16 11:00-17:00 and 11-17 09:30-10:00, 330
  minutes) moves its resolution due to Fri 11-20 16:00, which passes unanswered: breached, reopened.
- Tue 11-24 10:00: A and D (complaints), C and E (incidents), K (complaint).
  10:15 E waits on the requester; 10:30 D and K wait too; 10:45 E's requester answers (E's first
  response due moves 30 minutes to 11:30; its resolution to Mon 11-30 10:00); 11:00 A answered
  (60 minutes), B answered (11-16 10:00 to 11-24 11:00: 360 + 4 x 390 + 90 = 2010 minutes, late),
  K answered while waiting (30 minutes used; a clock stopped while paused has no due instant and
  counts in the month it stopped); 14:00 D's requester answers (150 minutes paused: D's due moves
  from 15:00 to Wed 11-25 10:00); 15:30 D answered (10:00-10:30 and 14:00-15:30: 120 minutes).
- The report is read at 16:00. C (due 11:00) and E (due 11:30) are past due, unanswered.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.conftest import ticket_json
from ticketing.db.sql import connection
from ticketing.domain.sla_month_facts import counts_of, times_of
from ticketing.domain.sla_report import Month, Tally, month_period, times_of_minutes
from ticketing.services.ports import Principal

RCS_NAME = "株式会社レクストカスタマーサービス 個人情報お問い合わせ窓口"


def jst(text: str) -> datetime:
    return datetime.fromisoformat(text + "+09:00").astimezone(UTC)


async def create(client: httpx.AsyncClient, who: Any, **fields: Any) -> str:
    r = await client.post("/api/v1/tickets", json=ticket_json(**fields), headers=who.headers)
    assert r.status_code == 201, r.text
    return str(r.json()["reference"])


async def act(client: httpx.AsyncClient, who: Any, reference: str, *actions: str) -> None:
    for action in actions:
        r = await client.post(f"/api/v1/tickets/{reference}/transitions", json={"action": action}, headers=who.headers)
        assert r.status_code == 200, (action, r.text)


async def answer(client: httpx.AsyncClient, who: Any, reference: str) -> None:
    r = await client.post(f"/api/v1/tickets/{reference}/replies", json={"text": "Thank you."}, headers=who.headers)
    assert r.status_code == 201, r.text


async def report(client: httpx.AsyncClient, who: Any, desk: str = "relia", **params: Any) -> httpx.Response:
    return await client.get(f"/api/v1/desks/{desk}/reports/sla", params=params, headers=who.headers)


async def story(client: httpx.AsyncClient, clock: Any, agent: Any, other: Any) -> None:
    clock.at = jst("2026-11-16T10:00:00")
    b = await create(client, agent, category="complaint")
    g = await create(client, agent, category="incident")
    h = await create(client, agent, category="request", channel="post", request_types=["disclosure"])
    await create(client, other, desk="rext-cs", category="incident")  # another desk: never in relia's report
    clock.at = jst("2026-11-16T10:30:00")
    await answer(client, agent, g)
    await answer(client, agent, h)
    clock.at = jst("2026-11-16T11:00:00")
    await act(client, agent, g, "triage", "start_work", "respond")
    clock.at = jst("2026-11-17T10:00:00")
    await act(client, agent, g, "reopen")

    clock.at = jst("2026-11-24T10:00:00")
    a = await create(client, agent, category="complaint")
    await create(client, agent, category="incident")  # C
    d = await create(client, agent, category="complaint")
    e = await create(client, agent, category="incident")
    k = await create(client, agent, category="complaint")
    clock.at = jst("2026-11-24T10:15:00")
    await act(client, agent, e, "triage", "request_documents")
    clock.at = jst("2026-11-24T10:30:00")
    await act(client, agent, d, "triage", "request_documents")
    await act(client, agent, k, "triage", "request_documents")
    clock.at = jst("2026-11-24T10:45:00")
    await act(client, agent, e, "requester_replied")
    clock.at = jst("2026-11-24T11:00:00")
    for reference in (a, b, k):
        await answer(client, agent, reference)
    clock.at = jst("2026-11-24T14:00:00")
    await act(client, agent, d, "requester_replied")
    clock.at = jst("2026-11-24T15:30:00")
    await answer(client, agent, d)
    clock.at = jst("2026-11-24T16:00:00")


def tally(met: int, breached: int, open_: int, compliance: float | None) -> dict[str, Any]:
    return {"met": met, "breached": breached, "open": open_, "compliance": compliance}


def minutes(count: int, median: int | None, p90: int | None) -> dict[str, Any]:
    return {
        "count": count,
        "median_business_minutes": median,
        "p90_business_minutes": p90,
        "median_business_hours": None if median is None else round(median / 60, 2),
        "p90_business_hours": None if p90 is None else round(p90 / 60, 2),
    }


NONE = tally(0, 0, 0, None)


async def test_the_monthly_report_counts_clocks_due_in_the_month(client, make_staff, clock) -> None:
    manager = await make_staff("manager@relia.test", ["relia"], "manager")
    agent = await make_staff("agent@relia.test", ["relia"])
    other = await make_staff("agent@rext.test", ["rext-cs"])
    await story(client, clock, agent, other)

    r = await report(client, manager, month="2026-11")
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["desk"], body["month"], body["timezone"], body["method"]) == (
        "relia",
        "2026-11",
        "Asia/Tokyo",
        "nearest-rank",
    )
    assert body["period_start"] == "2026-11-01T00:00:00+09:00"
    assert body["period_end"] == "2026-12-01T00:00:00+09:00"
    assert body["generated_at"] == "2026-11-24T16:00:00+09:00"
    assert list(body["by_kind"]) == ["first_response", "resolution", "statutory"]

    first = body["by_kind"]["first_response"]
    # met: A, D, K (complaints), G (incident), H (request); breached: B (late), C and E (incidents).
    assert {k: first[k] for k in ("met", "breached", "open", "compliance")} == tally(5, 3, 0, 0.625)
    assert first["by_category"]["complaint"] == tally(3, 1, 0, 0.75)
    assert first["by_category"]["incident"] == tally(1, 2, 0, 0.3333)
    assert first["by_category"]["request"] == tally(1, 0, 0, 1.0)
    assert first["by_category"]["inquiry"] == NONE

    resolution = body["by_kind"]["resolution"]
    # G breached on Fri 11-20 16:00; C (due Fri 11-27 17:00) and E (Mon 11-30 10:00) still open; the
    # complaints' and H's resolution clocks fall due in December, and K's is paused (no due instant).
    assert {k: resolution[k] for k in ("met", "breached", "open", "compliance")} == tally(0, 1, 2, 0.0)
    assert resolution["by_category"]["incident"] == tally(0, 1, 2, 0.0)
    assert resolution["by_category"]["complaint"] == NONE

    statutory = body["by_kind"]["statutory"]  # H: due Mon 11-30 23:59:59
    assert {k: statutory[k] for k in ("met", "breached", "open", "compliance")} == tally(0, 0, 1, None)

    times = body["times"]["first_response"]
    # Used: B 2010, D 120, A 60, G 30, H 30, K 30 -> sorted 30 30 30 60 120 2010: median rank 3, p90 rank 6.
    assert times["all"] == minutes(6, 30, 2010)
    assert times["complaint"] == minutes(4, 60, 2010)  # 30 60 120 2010: ranks 2 and 4
    assert times["incident"] == minutes(1, 30, 30)
    assert times["inquiry"] == minutes(0, None, None)
    assert body["times"]["resolution"]["all"] == minutes(0, None, None)  # G's runs again since its reopening

    causes = body["breach_causes"]
    assert causes["first_response"] == {"reopened": 0, "waiting_on_us": 1, "never_answered": 1, "answered_late": 1}
    assert causes["resolution"] == {"reopened": 1, "waiting_on_us": 0, "never_answered": 0, "answered_late": 0}
    assert causes["statutory"] == {"reopened": 0, "waiting_on_us": 0, "never_answered": 0, "answered_late": 0}

    october = (await report(client, manager, month="2026-10")).json()
    assert october["by_kind"]["first_response"]["by_category"]["complaint"] == NONE


async def test_the_csv_holds_the_same_figures(client, make_staff, clock) -> None:
    manager = await make_staff("manager@relia.test", ["relia"], "manager")
    agent = await make_staff("agent@relia.test", ["relia"])
    other = await make_staff("agent@rext.test", ["rext-cs"])
    await story(client, clock, agent, other)

    r = await report(client, manager, month="2026-11", format="csv")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"] == 'attachment; filename="relia-sla-report-2026-11.csv"'
    assert r.content.startswith(b"\xef\xbb\xbf")
    text = r.content.decode("utf-8-sig")
    assert "\r\n" in text
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["desk", "month", "section", "kind", "item", "measure", "value"]
    cells = {(row[2], row[3], row[4], row[5]): row[6] for row in rows[1:]}
    assert all(row[:2] == ["relia", "2026-11"] for row in rows[1:])
    assert cells[("report", "", "desk_name", "")] == "relia, inc. Personal Information Inquiries Desk"
    assert cells[("clocks", "first_response", "all", "compliance")] == "0.625"
    assert cells[("clocks", "first_response", "complaint", "breached")] == "1"
    assert cells[("clocks", "statutory", "all", "compliance")] == ""
    assert cells[("times", "first_response", "all", "p90_business_hours")] == "33.5"
    assert cells[("breach_causes", "resolution", "reopened", "count")] == "1"

    rcs = await make_staff("manager@rext.test", ["rext-cs"], "manager")  # its desk's name is Japanese
    rows = list(
        csv.reader(
            io.StringIO(
                (await report(client, rcs, desk="rext-cs", month="2026-11", format="csv")).content.decode("utf-8-sig"),
                newline="",
            )
        )
    )
    assert rows[1][2:] == ["report", "", "desk_name", "", RCS_NAME]
    assert ["rext-cs", "2026-11", "clocks", "first_response", "incident", "breached", "1"] in rows  # due 11-16 11:00


async def test_who_may_read_it_and_which_months(client, make_staff, clock) -> None:
    manager = await make_staff("manager@relia.test", ["relia"], "manager")
    agent = await make_staff("agent@relia.test", ["relia"])
    assert (await report(client, agent, month="2026-11")).status_code == 403
    assert (await report(client, manager, desk="rext-cs", month="2026-11")).status_code == 404
    assert (await report(client, manager, desk="nowhere", month="2026-11")).status_code == 404
    for bad in ("2026-13", "2026-1", "November", "2027-01", "2004-12", "２０２６-１１"):
        r = await report(client, manager, month=bad)
        assert r.status_code == 400, (bad, r.text)
        assert "month" in r.text
    r = await report(client, manager, month="2026-11", format="xml")
    assert r.status_code == 400
    assert (await client.get("/api/v1/desks/relia/reports/sla", params={"month": "2026-11"})).status_code == 401


@pytest.mark.parametrize("month", ["2026-11", "2026-10"])
async def test_an_empty_month_lists_every_category_with_zeros(client, make_staff, month) -> None:
    manager = await make_staff("manager@relia.test", ["relia"], "manager")
    body = (await report(client, manager, month=month)).json()
    assert body["by_kind"]["first_response"]["by_category"]["complaint"] == NONE
    assert body["times"]["resolution"]["all"]["count"] == 0


async def test_the_trend_counts_twelve_months_in_the_database(client, make_staff, clock, container) -> None:
    manager = await make_staff("manager@relia.test", ["relia"], "manager")
    agent = await make_staff("agent@relia.test", ["relia"])
    other = await make_staff("agent@rext.test", ["rext-cs"])
    await story(client, clock, agent, other)
    who = Principal(0, manager.email, {"relia": "manager"})  # the report reads no personal data: no log

    points = await container.sla_reports.trend(who, "relia", Month(2026, 11))
    assert [str(p.month) for p in points] == [f"2025-{m:02d}" for m in (12,)] + [f"2026-{m:02d}" for m in range(1, 12)]
    november = points[-1].by_kind
    # The same outcomes as the month's report, counted by the database instead.
    assert november["first_response"] == Tally(5, 3, 0)
    assert november["resolution"] == Tally(0, 1, 2)
    assert november["statutory"] == Tally(0, 0, 1)
    assert all(p.by_kind == {} for p in points[:-1])

    clock.at = jst("2026-12-02T10:00:00")  # December: H's statutory clock is now past due, unanswered
    points = await container.sla_reports.trend(who, "relia", Month(2026, 12))
    assert points[-2].by_kind["statutory"] == Tally(0, 1, 0)
    december = points[-1].by_kind  # B's and H's resolution clocks (Tue 12-01 17:00) are past due too
    assert december["resolution"].breached == 2


async def test_the_database_and_the_clock_by_clock_figures_agree(client, make_staff, clock, container) -> None:
    """The report's grouped SQL (outcomes, causes, stored uses) and the same rules applied clock
    by clock in Python (domain/sla_month_facts.py) give the same figures; so does the report of clocks
    stopped before their use was kept, before and after `fill_used` stores it."""
    manager = await make_staff("manager@relia.test", ["relia"], "manager")
    agent = await make_staff("agent@relia.test", ["relia"])
    other = await make_staff("agent@rext.test", ["rext-cs"])
    await story(client, clock, agent, other)
    store, now = container.sla_reports.store, clock.now()
    period = month_period(Month(2026, 11), "Asia/Tokyo", now)
    counts, uses, missing = await store.month_figures("relia", *period, now)
    facts, pauses = await store.month_facts("relia", *period)
    assert missing == 0
    key = lambda c: (c.kind, c.category, c.outcome.value, c.cause.value if c.cause else "")  # noqa: E731
    assert sorted(counts, key=key) == sorted(counts_of(facts, pauses, now), key=key)
    calendar = container.calendars.calendar("relia")
    by_python = times_of(facts, pauses, calendar)
    for kind, per_category in times_of_minutes(uses).items():
        for category, figures in per_category.items():
            assert by_python[kind][category] == figures, (kind, category)

    before = (await report(client, manager, month="2026-11")).json()
    async with connection() as sql:
        await sql.execute("UPDATE sla_clock SET used_us = NULL")
    assert (await store.month_figures("relia", *period, now))[2] == 6  # six stopped timed clocks
    assert (await report(client, manager, month="2026-11")).json() | {"generated_at": None} == before | {
        "generated_at": None
    }
    assert await container.sla_reports.fill_used(batch=4) == 6  # the stopped ones, two batches
    assert (await store.month_figures("relia", *period, now))[2] == 0
    assert (await report(client, manager, month="2026-11")).json() == before
