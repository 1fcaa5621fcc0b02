"""Durations the jobs observe, for `GET /metrics` (prometheus-client's process-wide registry)."""

from __future__ import annotations

from prometheus_client import Histogram

SWEEP_SECONDS = Histogram("ticketing_sla_sweep_seconds", "Duration of one SLA sweep")
IMAP_POLL_SECONDS = Histogram("ticketing_imap_poll_seconds", "Duration of one IMAP poll of a desk inbox", ["desk"])

__all__ = ["IMAP_POLL_SECONDS", "SWEEP_SECONDS"]
