"""The agent workspace: the queues (with their counts and filters) and search, over the caller's desks.

Every page shown is one line in the access log (`ticket_list`, with the queue or the words searched
and how many tickets were shown): requester names and subjects are personal data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ticketing.domain.access import AccessKind
from ticketing.domain.errors import ValidationFailed
from ticketing.domain.queues import PAGE_SIZE, RULES, Cursor, Queue, QueueFilter
from ticketing.domain.search import parse
from ticketing.services.access import AccessLog
from ticketing.services.ports import Principal
from ticketing.services.workspace_ports import Colleague, QueueRow, QueueStore


@dataclass(frozen=True, slots=True)
class QueuePage:
    """One page of a queue (`queue` set) or of search results (`query` set)."""

    queue: Queue | None
    query: str
    filters: QueueFilter
    rows: tuple[QueueRow, ...]
    counts: dict[Queue, int] = field(default_factory=dict)
    members: tuple[Colleague, ...] = ()
    next: Cursor | None = None  # where the next page starts; None on the last page


class Workspace:
    def __init__(self, store: QueueStore, access: AccessLog, page_size: int = PAGE_SIZE) -> None:
        self.store = store
        self.access = access
        self.page_size = page_size

    @staticmethod
    def _desks(principal: Principal, desk: str | None) -> list[str]:
        """The caller's desks, or the one asked for when it is one of them."""
        if desk is None:
            return sorted(principal.desks)
        if desk not in principal.desks:
            raise ValidationFailed({"desk": "not a known value"})
        return [desk]

    async def queue(
        self, principal: Principal, queue: Queue, filters: QueueFilter, after: Cursor | None, now: datetime
    ) -> QueuePage:
        desks = self._desks(principal, filters.desk)
        rows = await self.store.page(desks, principal.user_id, queue, filters, after, now, self.page_size + 1)
        shown = tuple(rows[: self.page_size])
        following = None
        if len(rows) > self.page_size:
            last = shown[-1]
            following = Cursor(last.closed_at if RULES[queue].settled else last.next_due_at, last.id)
        counts = await self.store.counts(desks, principal.user_id, filters, now)
        members = tuple(await self.store.members(sorted(principal.desks)))
        target = f"queue:{queue.value} desks:{','.join(desks)}"
        await self.access.read(principal, AccessKind.TICKET_LIST, target, count=len(shown))
        return QueuePage(queue, "", filters, shown, counts, members, following)

    async def search(self, principal: Principal, text: str, desk: str | None, after: Cursor | None) -> QueuePage:
        desks = self._desks(principal, desk)
        query = parse(text)
        if query.empty:
            return QueuePage(None, query.text, QueueFilter(desk=desk), ())
        rows = await self.store.search(desks, query, desk, after, self.page_size + 1)
        shown = tuple(rows[: self.page_size])
        following = Cursor(None, shown[-1].id) if len(rows) > self.page_size else None
        target = f"search:{query.text[:150]} desks:{','.join(desks)}"
        await self.access.read(principal, AccessKind.TICKET_LIST, target, count=len(shown))
        return QueuePage(None, query.text, QueueFilter(desk=desk), shown, next=following)


__all__ = ["QueuePage", "Workspace"]
