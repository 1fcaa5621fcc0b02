"""The monthly SLA report as pages: the printable report in Japanese and English, and the dashboard's
"How we did" section, on the story of test_sla_report_api.py (its figures are worked out there)."""

from __future__ import annotations

import base64
import html
import re

from tests.integration.test_sla_report_api import story
from tests.integration.test_staff_pages import logged_in


async def test_the_printable_report_in_both_languages(client, make_staff, clock) -> None:
    manager = await make_staff("manager@relia.test", ["relia"], "manager")
    agent = await make_staff("agent@relia.test", ["relia"])
    other = await make_staff("agent@rext.test", ["rext-cs"])
    await story(client, clock, agent, other)
    await logged_in(client, manager)

    r = await client.get("/app/desks/relia/reports/sla", params={"month": "2026-11", "lang": "en"})
    assert r.status_code == 200, r.text
    page = r.text
    assert "<h1>Monthly SLA report</h1>" in page
    assert "2026-11" in page and "2026-11-24 16:00 JST" in page
    assert "62.5 %" in page  # first response: 5 met, 3 breached
    assert "33.50" in page  # its 90th percentile in business hours
    assert "Waiting on us after the requester replied" in page
    assert 'href="/api/v1/desks/relia/reports/sla?month=2026-11&amp;format=csv"' in page
    images = re.findall(r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)" alt="([^"]+)"', page)
    assert len(images) == 2
    for data, alt in images:
        svg = base64.b64decode(data).decode("utf-8")
        assert svg.startswith("<svg") and "<script" not in svg and "http://pygal" not in svg
        assert "table beside the chart" in alt
    assert "Hanako" not in page and "hanako@example.test" not in page  # no personal data

    ja = (await client.get("/app/desks/relia/reports/sla", params={"month": "2026-11", "lang": "ja"})).text
    assert "<h1>月次SLA報告書</h1>" in ja and "62.5 %" in ja and "申出人の返信後に当方で滞留" in ja
    assert '<html lang="ja">' in ja


async def test_the_dashboard_section_and_who_may_see_it(client, make_staff, clock) -> None:
    manager = await make_staff("manager@relia.test", ["relia"], "manager")
    agent = await make_staff("agent@relia.test", ["relia"])
    other = await make_staff("agent@rext.test", ["rext-cs"])
    await story(client, clock, agent, other)
    await logged_in(client, manager)

    r = await client.get("/app/dashboard/how", params={"desk": "relia"})  # the current month: November
    assert r.status_code == 200, r.text
    assert r.text.startswith('<section class="how" id="how-relia"')
    assert "62.5 %" in r.text and "Previous month" in r.text and "Next month" not in r.text
    october = (await client.get("/app/dashboard/how", params={"desk": "relia", "month": "2026-10"})).text
    assert "Next month (2026-11)" in october

    assert (await client.get("/app/dashboard/how", params={"desk": "rext-cs"})).status_code == 404
    assert (await client.get("/app/dashboard/how", params={"desk": "relia", "month": "2026-12"})).status_code == 400
    assert (await client.get("/app/desks/relia/reports/sla", params={"month": "nope"})).status_code == 400

    client.cookies.clear()
    await logged_in(client, agent)
    r = await client.get("/app/desks/relia/reports/sla", params={"month": "2026-11"})
    assert r.status_code == 403 and "<html" in r.text


async def test_every_figure_links_to_the_clocks_behind_it(client, make_staff, clock) -> None:
    manager = await make_staff("manager@relia.test", ["relia"], "manager")
    agent = await make_staff("agent@relia.test", ["relia"])
    other = await make_staff("agent@rext.test", ["rext-cs"])
    await story(client, clock, agent, other)
    await logged_in(client, manager)

    page = (await client.get("/app/desks/relia/reports/sla", params={"month": "2026-11", "lang": "en"})).text
    link = (
        "/app/desks/relia/reports/sla/clocks?month=2026-11"
        "&amp;kind=first_response&amp;category=incident&amp;outcome=breached"
    )
    assert f'<a href="{link}">2</a>' in page
    r = await client.get(html.unescape(link))
    assert r.status_code == 200, r.text
    rows = re.findall(r'<th scope="row"><a href="/app/tickets/(REL-2026-\d+)">', r.text)
    assert len(rows) == 2  # C (never answered) and E (waiting on us)
    assert "Never answered" in r.text and "Waiting on us after the requester replied" in r.text
    assert "2026-11-24 11:00 JST" in r.text and "2026-11-24 11:30 JST" in r.text  # their due instants

    causes = await client.get(
        "/app/desks/relia/reports/sla/clocks",
        params={"month": "2026-11", "kind": "first_response", "outcome": "met"},
    )
    assert len(re.findall(r'<th scope="row"><a href="/app/tickets/', causes.text)) == 5
    assert "33.50" not in causes.text and "0.50" in causes.text  # hours used; B (late) is not met
    for bad in ({"kind": "nope"}, {"outcome": "late"}, {"cause": "x"}, {"category": "spam"}):
        r = await client.get("/app/desks/relia/reports/sla/clocks", params={"month": "2026-11", **bad})
        assert r.status_code == 400, bad
