"""`ticketing sla sweep --now` (issue 10): a past instant catches up, a future one is refused.

A sweep writes what fires (firings, events, mail) to the live database; a "what-if" sweep in the
future used to leave firings dated ahead of time, and a reply sent on time afterwards counted late.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from tests.integration.test_cli import run
from ticketing.db.tables import Event, SlaFiring
from ticketing.domain.tickets import Channel


async def _open_complaint(container) -> None:  # type: ignore[no-untyped-def]
    await container.intake.open_ticket(
        "relia",
        {
            "category": "complaint",
            "subject": "Why did you call me?",
            "message": "Twice, at night.",
            "language": "en",
            "requester": {"name": "Taro", "email": "taro@example.test"},
        },
        channel=Channel.API,
    )


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="seconds")


async def test_a_sweep_in_the_future_is_refused_and_writes_nothing(settings, container) -> None:  # type: ignore[no-untyped-def]
    await _open_complaint(container)  # opened on the frozen clock: Tue 2026-11-24 10:00 JST
    events = await Event.count()
    for ahead in (timedelta(hours=1), timedelta(days=30)):
        r = run(settings, "sla", "sweep", "--now", _iso(datetime.now(UTC) + ahead))
        assert r.returncode == 1, r.stderr
        lines = r.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("ticketing: error: --now:") and "future" in lines[0]
        assert r.stdout == ""
    assert await SlaFiring.count() == 0 and await Event.count() == events


async def test_a_sweep_in_the_past_catches_up_and_one_a_little_ahead_runs(settings, container) -> None:  # type: ignore[no-untyped-def]
    await _open_complaint(container)
    # Catching up: the next morning, the complaint was past its first-response target.
    r = run(settings, "sla", "sweep", "--now", "2026-11-25T10:00:00+09:00")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["stages_fired"] > 0
    assert await SlaFiring.count() > 0
    r = run(settings, "sla", "sweep", "--now", _iso(datetime.now(UTC) + timedelta(minutes=2)))  # another host's clock
    assert r.returncode == 0, r.stderr


def test_the_help_says_what_now_may_be(settings) -> None:  # type: ignore[no-untyped-def]
    r = run(settings, "sla", "sweep", "--help")
    assert r.returncode == 0
    text = " ".join(r.stdout.split())
    assert "catches up" in text and "5 minutes ahead" in text and "no dry run" in text
