"""Mail jobs: one IMAP poll of a desk inbox (the scheduler's job and `ticketing mail poll`)."""

from __future__ import annotations

import logging

from ticketing.container import Container
from ticketing.jobs.durations import IMAP_POLL_SECONDS
from ticketing.services.mail_poller import PollReport

log = logging.getLogger(__name__)


async def poll_desk(container: Container, slug: str) -> PollReport:
    """Open a session on the desk's inbox, store what is new, close it. Never raises: errors are reported."""
    desk = container.desks[slug]
    password = container.settings.imap_passwords.get(slug)
    if desk.imap is None or password is None:
        variable = "TICKETING_IMAP_PASSWORD_" + slug.upper().replace("-", "_")
        why = f"no [desks.{slug}.imap] settings" if desk.imap is None else f"{variable} is not set"
        return PollReport(slug, error=why)
    mailbox = container.mailbox(desk, password)
    try:
        with IMAP_POLL_SECONDS.labels(desk=slug).time():
            report = await container.poller.poll(desk, mailbox)
    finally:
        await mailbox.close()
    if report.fetched or report.too_large or report.error:
        log.info("imap %s: %s", slug, report.as_json())
    return report
