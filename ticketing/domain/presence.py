"""Two agents on one ticket: who has its page open, and whether they are writing a reply.

A page that is open reports itself every few seconds (web/ticket_pages.py); a report older than
`PRESENCE_WINDOW` means the page was closed. Presence is a courtesy, not a lock: a change sent from
an older page is refused by the ticket's version (domain/errors.py StaleChange), whoever was seen.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

PRESENCE_WINDOW = timedelta(seconds=45)  # the page polls every 10 s: a few missed polls still count
POLL_SECONDS = 10


class PresenceMode(StrEnum):
    VIEWING = "viewing"
    REPLYING = "replying"  # the reply box holds text


def presence_mode(raw: str | None) -> PresenceMode:
    """What a page reports; anything unknown is plain viewing."""
    try:
        return PresenceMode(raw or PresenceMode.VIEWING.value)
    except ValueError:
        return PresenceMode.VIEWING


__all__ = ["POLL_SECONDS", "PRESENCE_WINDOW", "PresenceMode", "presence_mode"]
