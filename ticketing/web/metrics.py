"""`GET /metrics`: Prometheus text format for the operators, from the configured addresses only.

The desks' state (open tickets by desk and state, at risk, breached, the outbox backlog and its
oldest mail's age, quarantined mail) is read per scrape; the job durations (jobs/durations.py) and
the HTTP latency per route template (Litestar's Prometheus middleware, see app.py) come from
prometheus-client's process-wide registry. Labels never carry personal data: desks, states,
statuses, methods and route templates (`/status/{token}`, never the token). Anyone else gets
the same 404 as an unknown path.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.response import Response
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

from ticketing.services.metrics import DeskState, Metrics
from ticketing.web.auth import client_address
from ticketing.web.deps import PageOptions


def families(state: DeskState, now: datetime) -> Iterator[Metric]:
    """The state as Prometheus metric families."""
    tickets = GaugeMetricFamily("ticketing_tickets_open", "Open tickets by desk and state", labels=["desk", "state"])
    risk = GaugeMetricFamily(
        "ticketing_tickets_at_risk", "Open tickets a warning rung fired on, deadline ahead", labels=["desk", "state"]
    )
    over = GaugeMetricFamily(
        "ticketing_tickets_breached", "Open tickets whose next deadline has passed", labels=["desk", "state"]
    )
    for (desk, st), n in sorted(state.open.items()):
        tickets.add_metric([desk, st], n)
        risk.add_metric([desk, st], state.at_risk.get((desk, st), 0))
        over.add_metric([desk, st], state.breached.get((desk, st), 0))
    backlog = GaugeMetricFamily("ticketing_outbox_mails", "Mail not sent yet, by status", labels=["desk", "status"])
    age = GaugeMetricFamily(
        "ticketing_outbox_oldest_age_seconds", "Age of the oldest mail not sent, by status", labels=["desk", "status"]
    )
    for (desk, status), n in sorted(state.outbox.items()):
        backlog.add_metric([desk, status], n)
        oldest = state.outbox_oldest.get((desk, status))
        age.add_metric([desk, status], max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)
    held = GaugeMetricFamily("ticketing_mail_quarantined", "Quarantined inbound mail not reviewed", labels=["desk"])
    for desk, n in sorted(state.quarantined.items()):
        held.add_metric([desk], n)
    yield from (tickets, risk, over, backlog, age, held)


class _Snapshot(Collector):
    def __init__(self, state: DeskState, now: datetime) -> None:
        self.state, self.now = state, now

    def collect(self) -> Iterator[Metric]:
        return families(self.state, self.now)


def allowed(address: str, networks: Sequence[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(n, strict=False) for n in networks)


@get("/metrics", include_in_schema=False)
async def metrics(
    request: Request[Any, Any, Any], metrics: NamedDependency[Metrics], options: NamedDependency[PageOptions]
) -> Response[bytes]:
    if not allowed(client_address(request), options.metrics_from):
        raise NotFoundException()
    state, now = await metrics.current()
    scrape = CollectorRegistry(auto_describe=False)
    scrape.register(_Snapshot(state, now))
    body = generate_latest(scrape) + generate_latest(REGISTRY)
    return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})


__all__ = ["allowed", "families", "metrics"]
