"""Operators' metrics: the desks' state at this instant, as counts by desk and state (web/metrics.py
serves them in the Prometheus text format with the durations the jobs and the web layer observe)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from ticketing.services.ports import Clock


@dataclass(frozen=True, slots=True)
class DeskState:
    open: Mapping[tuple[str, str], int] = field(default_factory=dict)  # (desk, state) -> tickets
    at_risk: Mapping[tuple[str, str], int] = field(default_factory=dict)
    breached: Mapping[tuple[str, str], int] = field(default_factory=dict)
    outbox: Mapping[tuple[str, str], int] = field(default_factory=dict)  # (desk, status) -> mails
    outbox_oldest: Mapping[tuple[str, str], datetime | None] = field(default_factory=dict)
    quarantined: Mapping[str, int] = field(default_factory=dict)  # desk -> mails not yet reviewed


class MetricsStore(Protocol):
    async def state(self, now: datetime) -> DeskState: ...


class Metrics:
    def __init__(self, store: MetricsStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    async def current(self) -> tuple[DeskState, datetime]:
        now = self.clock.now()
        return await self.store.state(now), now


__all__ = ["DeskState", "Metrics", "MetricsStore"]
