"""`ticketing sla sweep`: one SLA sweep by hand (e.g. from cron on a box without the scheduler);
`ticketing sla fill-used`: the time used by clocks stopped before it was kept (once, after upgrading)."""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timedelta
from typing import Any

from ticketing.commands import EX_USAGE, fail, run_with_container
from ticketing.settings import Settings

# How far `--now` may run ahead of this host's clock (another host's clock, a slow cron), no more.
AHEAD = timedelta(minutes=5)


def sweep(args: argparse.Namespace, settings: Settings) -> int:
    """Run one sweep and print what it did as JSON.

    What fires is written to the live database (firings, events, mail), so `--now` may lie in the
    past (catching up on missed sweeps) but not in the future: firings dated ahead of time would
    stand, and a reply sent on time afterwards would count as late.
    """
    from ticketing.clock import SystemClock

    real_now = SystemClock().now()
    now = real_now
    if args.now:
        try:
            now = datetime.fromisoformat(args.now)
        except ValueError:
            return fail(f"--now: {args.now!r} is not an ISO 8601 timestamp", EX_USAGE)
        if now.tzinfo is None:
            return fail("--now: give a UTC offset, e.g. 2026-12-01T10:00:00+09:00", EX_USAGE)
        if now > real_now + AHEAD:
            return fail(
                f"--now: {args.now} is in the future (it is {real_now.isoformat(timespec='seconds')} now); "
                f"a sweep writes what fires, so it may run at most {AHEAD.seconds // 60} minutes ahead"
            )

    async def work(container: Any) -> int:
        report = await container.sla.sweep(now)
        print(json.dumps(report.as_json()))
        return 0

    return run_with_container(settings, work)


def fill_used(args: argparse.Namespace, settings: Settings) -> int:
    """Store the use of every stopped clock that has none and print how many as JSON."""
    if not 1 <= args.batch <= 100_000:
        return fail("--batch: a whole number from 1 to 100000", EX_USAGE)

    async def work(container: Any) -> int:
        filled = await container.sla_reports.fill_used(args.batch)
        print(json.dumps({"filled": filled}))
        return 0

    return run_with_container(settings, work)
