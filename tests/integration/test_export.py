"""GET /app/export.csv: a queue's whole filtered list as a CSV ticket register, for managers and admins.

The export reads 2 rows a query here (the constructor's chunk size), so every list below takes
several chunks. Tickets arrive Tue 2026-11-24 10:00 JST (the frozen clock); both seed desks are in
Asia/Tokyo. The rext-cs desk's name is Japanese: it is the text that must survive Excel's way in.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from tests.integration.test_staff_pages import logged_in
from tests.integration.test_workspace_queues import create, move, refs
from ticketing.app import create_app
from ticketing.db.export import PiccoloExportStore
from ticketing.db.tables import AccessLog, Desk, DeskMembership, StaffUser
from ticketing.domain.queues import Risk
from ticketing.services.export import ExportRow, TicketExport
from ticketing.web.export import HEADER, CsvEncoder

CHUNK = 2
PERSONAL = (
    "開示してほしい",
    "山田花子",
    "hanako@example.test",
    "03-1234-5678",
    "Hanako Yamada",
    "千代田区",
    "A letter",
)


@pytest.fixture
def app(settings, container):  # type: ignore[no-untyped-def]
    container.ticket_export = TicketExport(PiccoloExportStore(), container.access, chunk_size=CHUNK)
    return create_app(settings, container=container, migrate=False, scheduler=False)


def table(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    """The file as Excel and Python read it: BOM, CRLF rows, the header row first."""
    raw = response.content
    assert raw.startswith(codecs.BOM_UTF8)
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")  # every row ends CRLF, and only rows
    reader = csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""))
    header = next(reader)
    assert tuple(header) == HEADER
    return [dict(zip(header, row, strict=True)) for row in reader]


@pytest.fixture
async def rcs(client, make_staff):  # type: ignore[no-untyped-def]
    """Five open rext-cs tickets (a complaint, a disclosure request by post, one assigned to the
    manager, one answered, one in Japanese with its requester's details), two closed ones, and one
    relia ticket."""
    agent = await make_staff("agent@rext.test", ["rext-cs"])
    manager = await make_staff("manager@rext.test", ["rext-cs"], role="manager")
    jp = {"name": "山田花子", "email": "hanako@example.test", "phone": "03-1234-5678"}
    made = {
        "japanese": await create(
            client, agent, desk="rext-cs", language="ja", subject="開示してほしい", requester=jp, message="開示"
        ),
        "complaint": await create(client, agent, desk="rext-cs", category="complaint", subject="Noise"),
        "request": await create(
            client,
            agent,
            desk="rext-cs",
            category="request",
            request_types=["disclosure"],
            channel="post",
            subject="A letter",
            requester={"name": "Hanako Yamada", "postal_address": "東京都千代田区1-1", "phone": "03-1234-5678"},
        ),
        "assigned": await create(client, agent, desk="rext-cs", subject="Assigned"),
        "answered": await create(client, agent, desk="rext-cs", subject="Answered"),
        "closed1": await create(client, agent, desk="rext-cs", subject="Closed 1"),
        "closed2": await create(client, agent, desk="rext-cs", subject="Closed 2"),
        "relia": await create(client, await make_staff("agent@relia.test", ["relia"]), subject="relia"),
    }
    r = await client.put(
        f"/api/v1/tickets/{made['assigned']}/assignee", json={"assignee": manager.email}, headers=agent.headers
    )
    assert r.status_code == 200, r.text
    r = await client.post(f"/api/v1/tickets/{made['answered']}/replies", json={"text": "On it."}, headers=agent.headers)
    assert r.status_code == 201, r.text
    for name in ("closed1", "closed2"):
        await move(client, agent, made[name], "triage", "start_work", "respond")
    return {"agent": agent, "manager": manager, **made}


async def test_a_manager_gets_every_ticket_of_the_list_as_an_excel_friendly_register(client, container, rcs):
    await logged_in(client, rcs["manager"])
    r = await client.get("/app/export.csv", params={"queue": "open"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"] == 'attachment; filename="tickets-open-20261124.csv"'
    assert r.headers["x-content-type-options"] == "nosniff" and "no-store" in r.headers["cache-control"]
    rows = table(r)
    # Every ticket of the list, over three chunks of 2, 2 and 1, in the queue page's order.
    page = (await client.get("/app", params={"queue": "open"})).text
    assert [row["reference"] for row in rows] == refs(page) and len(rows) == 5
    assert rcs["relia"] not in r.text and rcs["closed1"] not in r.text
    by_ref = {row["reference"]: row for row in rows}
    japanese = by_ref[rcs["japanese"]]
    assert japanese["desk"] == "rext-cs"
    assert (
        japanese["desk_name"]
        == container.desks["rext-cs"].name
        == "株式会社レクストカスタマーサービス 個人情報お問い合わせ窓口"
    )
    assert japanese["received_at"] == "2026-11-24T10:00:00+09:00"
    assert japanese["first_response_due_at"].endswith("+09:00") and japanese["resolution_due_at"].endswith("+09:00")
    assert japanese["statutory_due_at"] == ""  # an inquiry has no statutory clock
    assert japanese["closed_at"] == "" and japanese["first_responded_at"] == "" and japanese["assignee"] == ""
    assert (japanese["category"], japanese["channel"], japanese["state"], japanese["risk"]) == (
        "inquiry",
        "api",
        "received",
        "none",
    )
    assert by_ref[rcs["assigned"]]["assignee"] == "manager@rext.test"
    assert by_ref[rcs["answered"]]["first_responded_at"] == "2026-11-24T10:00:00+09:00"
    request = by_ref[rcs["request"]]
    assert (request["category"], request["channel"]) == ("request", "post")
    assert request["statutory_due_at"] == "2026-12-08T23:59:59+09:00"  # APPI Art. 39: two weeks from 11/25
    for text in PERSONAL:  # no requester's name, address, phone, subject or message
        assert text not in r.text
    # One line in the access log: the queue, the desks and how many tickets the list held.
    logged = await AccessLog.select(AccessLog.what, AccessLog.target, AccessLog.rows_shown).where(
        AccessLog.target.like("export:%")
    )
    assert logged == [{"what": "ticket_list", "target": "export:open desks:rext-cs", "rows_shown": 5}]


async def test_filters_narrow_the_export_as_they_narrow_the_queue(client, rcs):
    await logged_in(client, rcs["manager"])

    async def exported(**params: str) -> list[str]:
        r = await client.get("/app/export.csv", params=params)
        assert r.status_code == 200, r.text
        return [row["reference"] for row in table(r)]

    assert await exported(queue="open", category="complaint") == [rcs["complaint"]]
    assert await exported(queue="open", channel="post") == [rcs["request"]]
    assert await exported(queue="mine") == [rcs["assigned"]]
    manager_id = (await StaffUser.select(StaffUser.id).where(StaffUser.email == "manager@rext.test").first())["id"]
    assert await exported(queue="open", assignee=str(manager_id)) == [rcs["assigned"]]
    # Exactly two full chunks: the third read finds nothing and the file ends.
    unassigned = await exported(queue="open", assignee="none", desk="rext-cs")
    assert len(unassigned) == 4 and rcs["assigned"] not in unassigned
    assert len(await exported(queue="open", category="inquiry")) == 3
    assert await exported(queue="open", state="closed") == []
    # The closed queue runs backwards (newest first) across chunks too.
    closed = await exported(queue="closed")
    assert sorted(closed) == sorted([rcs["closed1"], rcs["closed2"]])
    assert closed == refs((await client.get("/app", params={"queue": "closed"})).text)
    # No queue is All open, as on /app.
    assert len(await exported()) == 5
    targets = [
        row["target"] for row in await AccessLog.select(AccessLog.target).where(AccessLog.target.like("export:%"))
    ]
    assert "export:open desks:rext-cs category=complaint" in targets
    assert f"export:open desks:rext-cs assignee={manager_id}" in targets


async def test_rows_come_only_from_the_desks_the_caller_manages(client, container, rcs, make_staff):
    both = await make_staff("both@example.test", ["relia", "rext-cs"], role="manager")
    # A manager on rext-cs who is only an agent on relia.
    user = await StaffUser.select(StaffUser.id).where(StaffUser.email == both.email).first()
    relia = await Desk.select(Desk.id).where(Desk.slug == "relia").first()
    await DeskMembership.update({DeskMembership.role: "agent"}).where(
        (DeskMembership.user == user["id"]) & (DeskMembership.desk == relia["id"])
    )
    await logged_in(client, both)
    r = await client.get("/app/export.csv", params={"queue": "open"})
    assert r.status_code == 200
    refs_ = [row["reference"] for row in table(r)]
    assert len(refs_) == 5 and all(ref.startswith("RCS-") for ref in refs_) and rcs["relia"] not in r.text
    r = await client.get("/app/export.csv", params={"queue": "open", "desk": "relia"})
    assert r.status_code == 403
    assert "Only the managers and admins of a desk may export its tickets." in r.text
    assert rcs["relia"] not in r.text
    # A manager of rext-cs only never sees relia's rows, and asking for relia is "not a known value".
    await logged_in(client, rcs["manager"])
    assert rcs["relia"] not in (await client.get("/app/export.csv?queue=open")).text
    r = await client.get("/app/export.csv", params={"queue": "open", "desk": "relia"})
    assert r.status_code == 400 and "desk" in r.text and rcs["relia"] not in r.text


async def test_an_agent_gets_403_and_the_refusal_is_logged(client, rcs):
    r = await client.get("/app/export.csv?queue=open")
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=/app/export.csv")
    await logged_in(client, rcs["agent"])
    r = await client.get("/app/export.csv", params={"queue": "open", "category": "complaint"})
    assert r.status_code == 403 and r.headers["content-type"].startswith("text/html")
    assert "Only the managers and admins of a desk may export its tickets." in r.text
    assert rcs["complaint"] not in r.text
    refused = await AccessLog.select(AccessLog.what, AccessLog.target, AccessLog.allowed).where(
        AccessLog.what == "refused"
    )
    assert refused == [{"what": "refused", "target": "GET /app/export.csv", "allowed": False}]
    r = await client.get("/app/export.csv?queue=open", headers={"accept-language": "ja"})
    assert r.status_code == 403 and "チケットを書き出せるのは" in r.text


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"queue": "everything"}, "queue"),
        ({"queue": "open", "category": "gossip"}, "category"),
        ({"queue": "open", "channel": "pigeon"}, "channel"),
        ({"queue": "open", "state": "limbo"}, "state"),
        ({"queue": "open", "assignee": "nobody"}, "assignee"),
        ({"queue": "open", "assignee": "99999999999"}, "assignee"),
        ({"queue": "open", "desk": "nowhere"}, "desk"),
    ],
)
async def test_a_bad_filter_is_a_400_that_names_it(client, rcs, params, field):
    await logged_in(client, rcs["manager"])
    r = await client.get("/app/export.csv", params=params)
    assert r.status_code == 400, r.text
    assert f"This export cannot be made: {field} not valid." in r.text and 'href="/app"' in r.text


async def test_the_queue_page_links_managers_to_the_export_of_what_it_shows(client, rcs):
    await logged_in(client, rcs["manager"])
    page = (await client.get("/app", params={"queue": "open", "category": "complaint", "after": "~1"})).text
    links = re.findall(r'<a href="([^"]+)" download>Export CSV</a>', page)
    # Inside the results, which htmx swaps when a filter changes: the link follows the filters.
    assert page.index("Export CSV") > page.index('<section id="results"')
    assert links == ["/app/export.csv?queue=open&amp;category=complaint"]  # the filters, not the page cursor
    r = await client.get(links[0].replace("&amp;", "&"))
    assert [row["reference"] for row in table(r)] == [rcs["complaint"]]
    assert "Export CSV" not in (await client.get("/app/search", params={"q": "Noise"})).text
    await logged_in(client, rcs["agent"])
    assert "Export CSV" not in (await client.get("/app", params={"queue": "open"})).text


async def test_an_admin_exports_too_and_an_empty_list_is_the_header_alone(client, make_staff):
    manager = await make_staff("lonely@relia.test", ["relia"], role="admin")
    await logged_in(client, manager)
    r = await client.get("/app/export.csv", params={"queue": "breached"})
    assert r.status_code == 200 and table(r) == []
    assert r.content == codecs.BOM_UTF8 + (",".join(HEADER) + "\r\n").encode()
    assert r.headers["content-disposition"] == 'attachment; filename="tickets-breached-20261124.csv"'


def test_the_encoder_uses_each_instants_offset_and_defuses_formulas(container):
    """A desk in a zone with daylight saving gets the offset of each instant; a cell that a
    spreadsheet would run as a formula starts with an apostrophe."""
    desks = {"relia": replace(container.desks["relia"], timezone="America/New_York", name="=HYPERLINK(1)")}
    winter, summer = datetime(2026, 1, 15, 15, 0, tzinfo=UTC), datetime(2026, 7, 15, 15, 0, tzinfo=UTC)
    row = ExportRow(
        1, "REL-2026-000001", "relia", "inquiry", "web", "closed", winter, None, summer, None, None, None,
        Risk.WARNED, "+1@example.test", None,
    )  # fmt: skip
    encoder = CsvEncoder(desks)
    text = (encoder.header() + encoder.rows([row])).decode("utf-8-sig")
    assert text.splitlines()[1] == (
        "REL-2026-000001,relia,'=HYPERLINK(1),inquiry,web,closed,2026-01-15T10:00:00-05:00,,"
        "2026-07-15T11:00:00-04:00,,,,warned,'+1@example.test"
    )
