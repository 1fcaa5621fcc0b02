"""The agent's queues: what each one holds and how a ticket is placed in them.

A queue is a filter and an order over two columns the ticket carries for that purpose, kept up to
date wherever its clocks change (the write plans and the SLA sweep):

- `next_due_at`: the earliest due instant of the ticket's running clocks; `NO_DUE` while none runs
  (waiting on the requester with only business clocks), NULL once the ticket is settled. An open
  queue is therefore "next_due_at IS NOT NULL", ordered by the next deadline, on one index.
- `risk`: a warning rung has fired on a running clock (1), or its breach rung has (2).

"Breached" is read live (a running clock's due instant has passed), not from `risk`: a deadline
that passes at closing time is breached at once, while the breach notice waits for the desk to
open (docs/business-time.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum, StrEnum

from ticketing.domain.clocks import ClockState
from ticketing.domain.tickets import SETTLED, WAITING_ON_REQUESTER, State

NO_DUE = datetime(9999, 12, 31, tzinfo=UTC)  # open, but no clock is running: after every real deadline
PAGE_SIZE = 50
COUNT_CAP = 1000  # counts above this show as "1000+": a count never scans a whole desk


class Risk(IntEnum):
    NONE = 0
    WARNED = 1  # a warning rung fired (e.g. 50 % or 80 % of the target used)
    BREACHED = 2  # the breach rung fired


class Queue(StrEnum):
    """The queues of the workspace, in the order the navigation shows them."""

    MINE = "mine"
    UNASSIGNED = "unassigned"
    WAITING = "waiting"  # waiting on the requester: documents, fee, the formal request
    AT_RISK = "at_risk"
    BREACHED = "breached"
    OPEN = "open"
    CLOSED = "closed"  # recently settled, newest first


@dataclass(frozen=True, slots=True)
class QueueRule:
    """What a queue asks of a ticket (the adapter turns it into indexed SQL)."""

    settled: bool = False  # settled tickets (the closed queue) or open ones
    mine: bool = False
    unassigned: bool = False
    states: frozenset[State] = frozenset()  # empty: any
    warned: bool = False  # a warning fired and the next deadline is still ahead
    overdue: bool = False  # the next deadline has passed


RULES: dict[Queue, QueueRule] = {
    Queue.MINE: QueueRule(mine=True),
    Queue.UNASSIGNED: QueueRule(unassigned=True),
    Queue.WAITING: QueueRule(states=WAITING_ON_REQUESTER),
    Queue.AT_RISK: QueueRule(warned=True),
    Queue.BREACHED: QueueRule(overdue=True),
    Queue.OPEN: QueueRule(),
    Queue.CLOSED: QueueRule(settled=True),
}


RECENTLY_CLOSED_DAYS = 30  # the closed queue: tickets settled in the last 30 days, newest first


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """Narrowing a queue: each field None means "any"."""

    desk: str | None = None
    category: str | None = None
    channel: str | None = None
    state: str | None = None
    assignee: int | None = None  # a staff user's id; 0 means nobody (unassigned)


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a page ended: the sort key of its last row (keyset paging, never OFFSET)."""

    at: datetime | None  # next_due_at (open queues) or closed_at (the closed queue); None for search
    id: int

    def token(self) -> str:
        return f"{self.at.isoformat() if self.at else ''}~{self.id}"

    @classmethod
    def parse(cls, token: str) -> Cursor | None:
        """A token from a "next" link; None for anything else (a bad link starts at the top)."""
        stamp, sep, ident = token.partition("~")
        if not sep or not ident.isdigit() or len(token) > 80:
            return None
        try:
            at = datetime.fromisoformat(stamp) if stamp else None
        except ValueError:
            return None
        if at is not None and at.tzinfo is None:
            return None
        return cls(at, int(ident))


def next_due(state: State, clocks: Iterable[ClockState]) -> datetime | None:
    """The ticket's sort key in the open queues (None: settled, in no open queue)."""
    if state in SETTLED:
        return None
    dues = [c.due_at for c in clocks if c.running and c.due_at is not None]
    return min(dues, default=NO_DUE)


def risk(clocks: Iterable[ClockState]) -> Risk:
    """How far up the escalation ladder the ticket's running clocks are."""
    level = Risk.NONE
    for clock in clocks:
        if not clock.running:
            continue
        if clock.breached_at is not None:
            return Risk.BREACHED
        if clock.next_stage > 0:
            level = Risk.WARNED
    return level


def queue_columns(state: State, clocks: Iterable[ClockState]) -> dict[str, object]:
    """The ticket columns the queues read, as the write plans store them."""
    clocks = tuple(clocks)
    return {"next_due_at": next_due(state, clocks), "risk": int(risk(clocks))}


__all__ = [
    "COUNT_CAP",
    "NO_DUE",
    "PAGE_SIZE",
    "RECENTLY_CLOSED_DAYS",
    "RULES",
    "Cursor",
    "Queue",
    "QueueFilter",
    "QueueRule",
    "Risk",
    "next_due",
    "queue_columns",
    "risk",
]
