"""The annual records report through HTTP, on SQLite and PostgreSQL: tickets made and answered through
the API, the figures worked out by hand, the CSV read back with the csv module, and who may read it.

relia opens 09:30-12:00 and 13:00-17:00 Mon-Fri (a 390-minute business day) in Asia/Tokyo; the
clock starts on Tue 2026-11-24 10:00 JST, the day after Labour Thanksgiving Day (Mon 11-23).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.conftest import ticket_json

RCS_NAME = "株式会社レクストカスタマーサービス 個人情報お問い合わせ窓口"


def jst(text: str) -> str:
    return datetime.fromisoformat(text + "+09:00").astimezone(UTC).isoformat()


async def create(client: httpx.AsyncClient, who: Any, **fields: Any) -> str:
    r = await client.post("/api/v1/tickets", json=ticket_json(**fields), headers=who.headers)
    assert r.status_code == 201, r.text
    return str(r.json()["reference"])


async def send(client: httpx.AsyncClient, who: Any, path: str, body: dict[str, Any], status: int = 201) -> None:
    r = await client.post(path, json=body, headers=who.headers)
    assert r.status_code == status, r.text


async def report(client: httpx.AsyncClient, who: Any, desk: str = "relia", **params: Any) -> httpx.Response:
    return await client.get(f"/api/v1/desks/{desk}/reports/annual", params=params, headers=who.headers)


def read_csv(r: httpx.Response) -> tuple[list[str], dict[tuple[str, str, str], str]]:
    assert r.content.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads the file as UTF-8
    text = r.content[3:].decode("utf-8")
    assert "\r\n" in text  # the Excel dialect's line ends
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, body = rows[0], rows[1:]
    assert all(len(row) == len(header) for row in body)
    return header, {(row[2], row[3], row[4]): row[5] for row in body}


async def test_the_annual_report_counts_the_desks_year(client, make_staff, clock) -> None:
    manager = await make_staff("manager@relia.test", ["relia"], "manager")
    agent = await make_staff("agent@relia.test", ["relia"])
    a = await create(client, agent, category="complaint")  # Tue 10:00, answered 11:00: 60 minutes
    b = await create(client, agent, category="complaint", channel="phone", received_at=jst("2026-11-24T09:00:00"))
    # Mon 11-16 10:00, answered Tue 11-24 11:00: 360 + 4 x 390 + (Mon 11-23 a holiday) + 90 = 2010 minutes.
    c = await create(client, agent, category="inquiry", channel="post", received_at=jst("2026-11-16T10:00:00"))
    d = await create(client, agent, category="inquiry")  # becomes a request at triage
    await create(client, agent, category="incident")
    await create(client, agent, received_at=jst("2026-01-01T00:30:00"))  # 2026 in Tokyo, 2025 in UTC
    await create(client, agent, category="complaint", received_at=jst("2025-12-31T23:30:00"))  # 2025 in Tokyo
    h = await create(client, agent, category="request", channel="post", request_types=["purpose_notification"])
    await send(client, agent, f"/api/v1/tickets/{d}/requests", {"request_types": ["disclosure", "correction"]})
    await send(client, agent, f"/api/v1/tickets/{h}/transitions", {"action": "withdraw"}, status=200)
    clock.advance(hours=1)  # 11:00 JST
    for reference in (a, b, c):
        await send(client, agent, f"/api/v1/tickets/{reference}/replies", {"text": "Thank you; we are on it."})

    r = await report(client, manager, year=2026)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["desk"], body["year"], body["timezone"]) == ("relia", 2026, "Asia/Tokyo")
    assert body["period_start"] == "2026-01-01T00:00:00+09:00"
    assert body["period_end"] == "2027-01-01T00:00:00+09:00"
    tickets = body["tickets"]
    assert tickets["total"] == 7
    assert tickets["by_category"] == {
        "inquiry": 2,
        "complaint": 2,
        "request": 2,
        "accredited_org_inquiry": 0,
        "incident": 1,
    }
    assert tickets["by_channel"] == {"web": 0, "email": 0, "phone": 1, "post": 2, "api": 4}
    assert tickets["by_state"]["withdrawn"] == 1 and sum(tickets["by_state"].values()) == 7
    assert tickets["outcome_by_category"]["request"]["withdrawn"] == 1

    by_type = body["requests"]["by_type"]
    assert body["requests"]["total"] == 3
    assert by_type["disclosure"] == {"total": 1, "by_result": {}, "open": 1}
    assert by_type["correction"] == {"total": 1, "by_result": {}, "open": 1}
    assert by_type["purpose_notification"] == {"total": 1, "by_result": {"withdrawn": 1}, "open": 0}
    assert by_type["suspension_of_use"] == {"total": 0, "by_result": {}, "open": 0}

    ttr = body["time_to_respond"]
    assert (ttr["method"], ttr["business_day_minutes"]) == ("nearest-rank", 390)
    assert ttr["by_category"]["complaint"] == {
        "count": 2,
        "unanswered": 0,
        "median_business_days": 0.15,  # 60 / 390
        "p90_business_days": 0.23,  # 90 / 390 (09:00 counts from the 09:30 opening)
        "median_business_minutes": 60,
        "p90_business_minutes": 90,
    }
    inquiry = ttr["by_category"]["inquiry"]
    assert (inquiry["count"], inquiry["unanswered"], inquiry["median_business_days"]) == (1, 1, 5.15)  # 2010 / 390
    assert ttr["by_category"]["request"]["median_business_days"] is None
    # 60, 90, 2010: the median is rank 2, the 90th percentile rank ceil(2.7) = 3.
    assert ttr["overall"] == {
        "count": 3,
        "unanswered": 4,
        "median_business_days": 0.23,
        "p90_business_days": 5.15,
        "median_business_minutes": 90,
        "p90_business_minutes": 2010,
    }
    assert body["accredited_org"] == {"organisation": None, "informed": 0, "inquiries": 0, "inquiries_answered": 0}
    assert body["incidents"] == {"total": 1, "open": 1}
    # No personal data: the requester's name and address and the subject appear nowhere.
    for personal in ("Hanako", "hanako@example.test", "What do you hold"):
        assert personal not in r.text

    previous = (await report(client, manager, year=2025)).json()
    assert previous["tickets"]["total"] == 1 and previous["tickets"]["by_category"]["complaint"] == 1
    assert previous["period_end"] == "2026-01-01T00:00:00+09:00"

    r = await report(client, manager, year=2026, format="csv")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"] == 'attachment; filename="relia-annual-report-2026.csv"'
    header, cells = read_csv(r)
    assert header == ["desk", "year", "section", "item", "measure", "value"]
    assert cells[("tickets", "total", "count")] == "7"
    assert cells[("tickets.by_category", "complaint", "count")] == "2"
    assert cells[("tickets.by_channel", "post", "count")] == "2"
    assert cells[("requests.by_result", "purpose_notification", "withdrawn")] == "1"
    assert cells[("requests.by_type", "disclosure", "open")] == "1"
    assert cells[("time_to_respond", "complaint", "median_business_days")] == "0.15"
    assert cells[("time_to_respond", "overall", "p90_business_days")] == "5.15"
    assert cells[("time_to_respond", "request", "median_business_days")] == ""  # null: an empty cell
    assert cells[("time_to_respond", "business_day_minutes", "")] == "390"
    assert cells[("incidents", "total", "count")] == "1"
    assert cells[("report", "period_start", "")] == "2026-01-01T00:00:00+09:00"


async def test_the_csv_keeps_japanese_and_counts_the_accredited_organisation(client, make_staff) -> None:
    manager = await make_staff("manager@rext.test", ["rext-cs"], "manager")
    complaint = await create(client, manager, desk="rext-cs", language="ja", category="complaint")
    path = f"/api/v1/tickets/{complaint}/referrals"
    await send(client, manager, path, {"organisation": "JUAS", "kind": "informed"})
    due = jst("2026-12-04T16:00:00")
    await send(client, manager, path, {"organisation": "JUAS", "kind": "inquiry", "due_at": due})

    body = (await report(client, manager, desk="rext-cs", year=2026)).json()
    assert body["desk_name"] == RCS_NAME
    assert body["accredited_org"] == {"organisation": "JUAS", "informed": 1, "inquiries": 1, "inquiries_answered": 0}
    assert body["time_to_respond"]["business_day_minutes"] == 480  # 10:00-18:00

    r = await report(client, manager, desk="rext-cs", year=2026, format="csv")
    _, cells = read_csv(r)
    assert cells[("report", "desk_name", "")] == RCS_NAME  # round-trips through UTF-8 with the BOM
    assert cells[("accredited_org", "organisation", "")] == "JUAS"
    assert cells[("accredited_org", "inquiries", "count")] == "1"
    assert r.headers["content-disposition"] == 'attachment; filename="rext-cs-annual-report-2026.csv"'


async def test_only_the_desks_managers_and_admins_read_it(client, make_staff) -> None:
    agent = await make_staff("agent@relia.test", ["relia"])
    admin = await make_staff("admin@relia.test", ["relia"], "admin")
    manager = await make_staff("manager@relia.test", ["relia"], "manager")
    r = await report(client, agent, year=2026)
    assert r.status_code == 403 and "manager" in r.json()["detail"]
    assert (await report(client, agent, year=2026, format="csv")).status_code == 403
    assert (await report(client, admin, year=2026)).status_code == 200
    assert (await report(client, manager, desk="rext-cs", year=2026)).status_code == 404  # not their desk
    assert (await report(client, manager, desk="nowhere", year=2026)).status_code == 404
    unsigned = await client.get("/api/v1/desks/relia/reports/annual", params={"year": 2026})
    assert unsigned.status_code == 401


@pytest.mark.parametrize(
    ("params", "field"),
    [
        pytest.param({"year": 2004}, "year", id="before the APPI records"),
        pytest.param({"year": 2027}, "year", id="not begun"),
        pytest.param({"year": -1}, "year", id="negative"),
        pytest.param({"year": "twenty"}, "year", id="not a number"),
        pytest.param({"year": "2026.5"}, "year", id="not a whole number"),
        pytest.param({"year": 2026, "format": "xlsx"}, "format", id="unknown format"),
    ],
)
async def test_a_bad_year_or_format_is_a_400(client, make_staff, params: dict[str, Any], field: str) -> None:
    manager = await make_staff("manager@relia.test", ["relia"], "manager")
    r = await report(client, manager, **params)
    assert r.status_code == 400, r.text
    assert list(r.json()["errors"]) == [field]


async def test_the_year_is_required(client, make_staff) -> None:
    manager = await make_staff("manager@relia.test", ["relia"], "manager")
    r = await report(client, manager)
    assert r.status_code == 400 and "year" in r.json()["detail"]


async def test_the_schema_documents_both_forms_and_the_answers(client) -> None:
    spec = (await client.get("/schema/openapi.json")).json()
    operation = spec["paths"]["/api/v1/desks/{slug}/reports/annual"]["get"]
    assert {code for code in operation["responses"] if code.startswith("4")} == {"400", "401", "403", "404"}
    assert set(operation["responses"]["200"]["content"]) == {"application/json", "text/csv"}
    names = {p["name"]: p for p in operation["parameters"]}
    assert names["year"]["required"] and not names["format"].get("required", False)
