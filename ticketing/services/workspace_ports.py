"""Ports of the agent workspace: the queues and search, and who has a ticket open."""

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
class Colleague:
    """A member of a desk, as the ticket page names them (assignment, presence)."""

    user_id: int
    email: str
    display_name: str = ""

    @property
    def name(self) -> str:
        return self.display_name or self.email.split("@", 1)[0]


@dataclass(frozen=True, slots=True)
class Seen:
    """Someone who has a ticket's page open (domain/presence.py)."""

    who: Colleague
    mode: str  # viewing | replying
    seen_at: datetime


class PresenceStore(Protocol):
    """Who has which ticket open; the desk's members; a ticket's version (without a lock)."""

    async def desk_of(self, reference: str) -> str | None: ...

    async def touch(self, reference: str, user_id: int, mode: str, at: datetime) -> None: ...

    async def seen(self, reference: str, since: datetime) -> list[Seen]: ...

    async def members(self, desk: str) -> list[Colleague]: ...

    async def version_of(self, reference: str) -> int | None: ...


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

    async def members(self, desks: Sequence[str]) -> list[Colleague]: ...


__all__ = ["Colleague", "PresenceStore", "QueueRow", "QueueStore", "Seen"]
