"""Exporting a queue of the workspace as a ticket register: every ticket of the filtered list, read in
keyset chunks (never the whole list at once), for the managers and admins of the desks exported.

Why these columns: an auditor (P-mark, ISMS, the accredited organisation, a PPC inquiry) checks the
desk's register of inquiries against its deadlines: which tickets came in when, by which channel,
of what kind, where each one stands, whether the first response, the resolution and the statutory
deadline (the APPI Art. 39 two-week mark, docs/business-time.md) were met, how far up the escalation
ladder it went, and who held it. That is `ExportRow`, all of it.

Why no requester data: the register answers "did the desk handle its cases on time", which needs no
one's name. A CSV file leaves the system's access control and its access log the moment it is
saved, is mailed and copied, and lives in spreadsheets nobody deletes; leaving out names, e-mail
addresses, phone numbers, postal addresses, subjects and message text keeps the file outside the
personal data the desk holds about requesters (APPI Art. 23: security control measures; the least
data for the purpose). An auditor who needs a case opens it by its reference, which is logged.

The export itself is one line in the access log (`ticket_list`, `export:<queue>` with the desks and
filters, and the number of tickets the list held when the export began), written before the first
byte is sent: a download that is cut off is logged all the same.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ticketing.domain.access import AccessKind
from ticketing.domain.errors import Forbidden, ValidationFailed
from ticketing.domain.queues import RULES, Cursor, Queue, QueueFilter, Risk
from ticketing.domain.staff import MANAGER_ROLES
from ticketing.services.access import AccessLog
from ticketing.services.ports import Principal

CHUNK_SIZE = 1000  # rows per query: about 250 kB of CSV per chunk, a thousand queries for a million rows
ONLY_MANAGERS = "Only the managers and admins of a desk may export its tickets."


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One ticket as the register lists it. Instants are aware UTC datetimes; None: not (yet) set."""

    id: int
    reference: str
    desk: str  # the desk's slug
    category: str
    channel: str
    state: str
    received_at: datetime
    first_responded_at: datetime | None
    closed_at: datetime | None
    first_response_due_at: datetime | None
    resolution_due_at: datetime | None
    statutory_due_at: datetime | None
    risk: Risk  # how far up the escalation ladder its running clocks went (domain/queues.py)
    assignee_email: str | None
    next_due_at: datetime | None  # the open queues' sort key (the keyset), not a column of the register


@dataclass(frozen=True, slots=True)
class TicketList:
    """What one export reads: a queue with its filters over some desks, as of `now`."""

    queue: Queue
    filters: QueueFilter
    desks: tuple[str, ...]
    me: int  # the caller (the "mine" queue)
    now: datetime  # the queue's instant, the same for every chunk
    count: int  # tickets in the list when the export began (the access log's count)


class ExportStore(Protocol):
    async def count(self, desks: Sequence[str], me: int, queue: Queue, filters: QueueFilter, now: datetime) -> int:
        """How many tickets the queue holds (all of them, not capped as the workspace's counts are)."""
        ...

    async def chunk(
        self,
        desks: Sequence[str],
        me: int,
        queue: Queue,
        filters: QueueFilter,
        after: Cursor | None,
        now: datetime,
        limit: int,
    ) -> list[ExportRow]:
        """Up to `limit` tickets of the queue after `after`, in the queue's order (the workspace's keyset)."""
        ...


def managed_desks(principal: Principal) -> list[str]:
    """The desks where the caller is a manager or an admin."""
    return sorted(desk for desk, role in principal.roles.items() if role in MANAGER_ROLES)


def target(ticket_list: TicketList) -> str:
    """The access log's words for an export: the queue, the desks and the filters."""
    filters = " ".join(
        f"{name}={value}"
        for name in ("category", "channel", "state", "assignee")
        if (value := getattr(ticket_list.filters, name)) is not None
    )
    words = f"export:{ticket_list.queue.value} desks:{','.join(ticket_list.desks)}"
    return f"{words} {filters}" if filters else words


class TicketExport:
    def __init__(self, store: ExportStore, access: AccessLog, chunk_size: int = CHUNK_SIZE) -> None:
        if chunk_size < 1:
            raise ValueError("chunk_size must be at least 1")
        self.store = store
        self.access = access
        self.chunk_size = chunk_size

    async def begin(self, principal: Principal, queue: Queue, filters: QueueFilter, now: datetime) -> TicketList:
        """Check who asks and for what, count the list and log the export; raises before anything is sent.

        ValidationFailed for a desk the caller is not a member of (as on the queue page: they may not
        learn that it exists); Forbidden for a caller who manages no desk, or asks for a desk where
        they are only an agent. Without a desk filter, the list covers the desks they manage only.
        """
        if filters.desk is not None and filters.desk not in principal.desks:
            raise ValidationFailed({"desk": "not a known value"})
        managed = managed_desks(principal)
        if filters.desk is not None:
            if filters.desk not in managed:
                raise Forbidden(ONLY_MANAGERS)
            desks = [filters.desk]
        elif managed:
            desks = managed
        else:
            raise Forbidden(ONLY_MANAGERS)
        count = await self.store.count(desks, principal.user_id, queue, filters, now)
        ticket_list = TicketList(queue, filters, tuple(desks), principal.user_id, now, count)
        await self.access.read(principal, AccessKind.TICKET_LIST, target(ticket_list), count=count)
        return ticket_list

    async def chunks(self, ticket_list: TicketList) -> AsyncIterator[list[ExportRow]]:
        """The list's tickets, `chunk_size` at a time, each chunk one short read.

        Each chunk continues after the last one's key, so memory stays flat whatever the size of the
        list, and no connection or transaction is held while the client downloads. A ticket whose
        next deadline moves while the export runs can therefore be listed twice or not at all (the
        open queues are ordered by it); the closed queue's order (closed_at) does not move.
        """
        settled = RULES[ticket_list.queue].settled
        after: Cursor | None = None
        while True:
            rows = await self.store.chunk(
                ticket_list.desks,
                ticket_list.me,
                ticket_list.queue,
                ticket_list.filters,
                after,
                ticket_list.now,
                self.chunk_size,
            )
            if rows:
                yield rows
            if len(rows) < self.chunk_size:
                return
            last = rows[-1]
            after = Cursor(last.closed_at if settled else last.next_due_at, last.id)


__all__ = ["CHUNK_SIZE", "ONLY_MANAGERS", "ExportRow", "ExportStore", "TicketExport", "TicketList", "managed_desks"]
