"""The in-process scheduler (APScheduler 3; 4.x is alpha: stack-check.md §1)."""

from __future__ import annotations

import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from ticketing.container import Container

log = logging.getLogger(__name__)


async def deliver_outbox(container: Container) -> None:
    """Send due mail. Safe in every process: rows are claimed (SKIP LOCKED on PostgreSQL)."""
    if container.outbox is None:
        return
    result = await container.outbox.deliver_due()
    if result.sent or result.retried or result.failed:
        log.info("outbox: sent=%s retried=%s failed=%s", result.sent, result.retried, result.failed)


def build_scheduler(container: Container) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(
        timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30}
    )
    if container.outbox is not None:
        scheduler.add_job(
            deliver_outbox,
            IntervalTrigger(seconds=container.settings.outbox_interval_seconds),
            args=[container],
            id="outbox",
            replace_existing=True,
        )
    return scheduler
