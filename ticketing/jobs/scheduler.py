"""The in-process scheduler (APScheduler 3; 4.x is alpha: docs/testing.md, trap 1).

Outbox delivery runs in every process (rows are claimed with SKIP LOCKED, so more senders means
more throughput and no double mail). The SLA sweep runs only in the process that holds the
scheduler lock (jobs/leader.py); the sweep is safe to run twice anyway (unique firing keys).
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from ticketing.container import Container
from ticketing.jobs.durations import SWEEP_SECONDS
from ticketing.jobs.mail import poll_desk

log = logging.getLogger(__name__)
SWEEP_JOB = "sla-sweep"
PRUNE_JOB = "throttle-prune"


async def deliver_outbox(container: Container) -> None:
    """Send due mail. Safe in every process: rows are claimed (SKIP LOCKED on PostgreSQL)."""
    if container.outbox is None:
        return
    result = await container.outbox.deliver_due()
    if result.sent or result.retried or result.failed:
        log.info("outbox: sent=%s retried=%s failed=%s", result.sent, result.retried, result.failed)


async def sla_sweep(container: Container) -> None:
    with SWEEP_SECONDS.time():
        await container.desk_settings.refresh()  # a calendar another process changed counts now
        report = await container.sla.sweep(container.clock.now())
    if report.firings:
        log.info("sla sweep: %s clocks examined, %s stages fired", report.clocks, report.firings)


async def prune_throttles(container: Container) -> None:
    """Counted attempts too old for any limit are deleted (they are keyed hashes, but still data)."""
    await container.throttle.prune()


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


def poll_jobs(container: Container) -> dict[str, str]:
    """Job id -> desk slug of every desk inbox with IMAP settings and a password."""
    return {
        f"imap-{slug}": slug
        for slug, desk in container.desks.items()
        if desk.imap is not None and slug in container.settings.imap_passwords
    }


def add_leader_jobs(scheduler: AsyncIOScheduler, container: Container) -> None:
    """Called when this process becomes the leader: the sweep and the inbox polls run now and then
    every interval. (Each poll also holds a lease on its mailbox, so a poll run by hand elsewhere,
    or a leader that overlaps a dying one, never works a mailbox at the same time.)"""
    scheduler.add_job(
        sla_sweep,
        IntervalTrigger(seconds=container.settings.sla_sweep_seconds),
        args=[container],
        id=SWEEP_JOB,
        replace_existing=True,
        next_run_time=container.clock.now(),
    )
    scheduler.add_job(
        prune_throttles,
        IntervalTrigger(minutes=15),
        args=[container],
        id=PRUNE_JOB,
        replace_existing=True,
        next_run_time=container.clock.now(),
    )
    for job_id, slug in poll_jobs(container).items():
        account = container.desks[slug].imap
        assert account is not None
        scheduler.add_job(
            poll_desk,
            IntervalTrigger(seconds=account.poll_seconds),
            args=[container, slug],
            id=job_id,
            replace_existing=True,
            next_run_time=container.clock.now(),
        )


def remove_leader_jobs(scheduler: AsyncIOScheduler) -> None:
    for job in scheduler.get_jobs():
        if job.id in (SWEEP_JOB, PRUNE_JOB) or job.id.startswith("imap-"):
            scheduler.remove_job(job.id)
