"""Ports of the agent workspace: the queue store and what it returns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ticketing.domain.queues import Cursor, Queue, QueueFilter
from ticketing.domain.search import SearchQuery


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One line of a queue or of search results: what an agent needs to pick the next ticket."""

    id: int
    reference: str
    desk: str
    category: str
    request_types: tuple[str, ...]
    state: str
    channel: str
    language: str
    subject: str
    requester_name: str
    assignee_email: str | None
    assignee_name: str
    next_due_at: datetime | None
    risk: int
    received_at: datetime
    closed_at: datetime | None


@dataclass(frozen=True, slots=True)
class StaffMember:
    id: int
    email: str
    display_name: str


class QueueStore(Protocol):
    async def page(
        self,
        desks: Sequence[str],
        me: int,
        queue: Queue,
        filters: QueueFilter,
        after: Cursor | None,
        now: datetime,
        limit: int,
    ) -> list[QueueRow]: ...

    async def counts(self, desks: Sequence[str], me: int, filters: QueueFilter, now: datetime) -> dict[Queue, int]: ...

    async def search(
        self, desks: Sequence[str], query: SearchQuery, desk: str | None, after: Cursor | None, limit: int
    ) -> list[QueueRow]: ...

    async def members(self, desks: Sequence[str]) -> list[StaffMember]: ...


__all__ = ["QueueRow", "QueueStore", "StaffMember"]
