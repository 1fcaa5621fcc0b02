"""GET /metrics: the desks' state and the HTTP latency per route, in the Prometheus text format,
for the configured addresses only, with no personal data in it."""

from __future__ import annotations

import dataclasses

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import ticket_json
from ticketing.app import create_app


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


async def test_metrics_count_the_desks_and_name_no_one(client, relia_agent, container, clock):
    for subject in ("One", "Two"):
        r = await client.post(
            "/api/v1/tickets",
            json=ticket_json(subject=subject, requester={"name": "Hanako Yamada", "email": "hanako@example.test"}),
            headers=relia_agent.headers,
        )
        assert r.status_code == 201, r.text
    clock.advance(days=3)  # both inquiries' first response (1 business day) is overdue
    await client.get("/status/not-a-token")  # an unknown token: its route is labelled by the template
    r = await client.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    got = samples(r.text)
    assert got[("ticketing_tickets_open", (("desk", "relia"), ("state", "received")))] == 2
    assert got[("ticketing_tickets_breached", (("desk", "relia"), ("state", "received")))] == 2
    assert got[("ticketing_outbox_mails", (("desk", "relia"), ("status", "pending")))] == 2  # two acknowledgements
    assert got[("ticketing_outbox_oldest_age_seconds", (("desk", "relia"), ("status", "pending")))] == 3 * 86400
    routes = {dict(labels).get("path") for (name, labels) in got if name.startswith("ticketing_http_requests_total")}
    assert "/api/v1/tickets" in routes and "/status/{token}" in routes
    for secret in ("hanako", "Yamada", "not-a-token", "REL-2026"):
        assert secret not in r.text


async def test_metrics_are_not_there_for_other_addresses(settings, container):
    narrow = dataclasses.replace(settings, metrics_from=("10.9.8.0/24",))
    app = create_app(narrow, container=dataclasses.replace(container, settings=narrow), migrate=False, scheduler=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        denied = await c.get("/metrics")
        unknown = await c.get("/no-such-page")
    assert denied.status_code == 404 == unknown.status_code
    assert "ticketing_tickets_open" not in denied.text
