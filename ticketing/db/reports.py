"""Reads for the annual records report (domain/reports.py): grouped counts and first-response pairs of
one desk's tickets received in [start, end). One SQL text for both engines (db/sql.py); no personal
data is selected."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import datetime

from ticketing.db.sql import Dialect, Sql, instant, reading
from ticketing.domain.reports import FirstResponse, ReferralCount, RequestCount, TicketCount, YearFacts

TICKET_COUNTS = """
SELECT t.category, t.channel, t.state, COUNT(*) AS n
FROM ticket t JOIN desk d ON d.id = t.desk
WHERE d.slug = :desk AND t.received_at >= :start AND t.received_at < :end
GROUP BY t.category, t.channel, t.state
"""

REQUEST_COUNTS = """
SELECT r.type, r.result, COUNT(*) AS n
FROM ticket_request r JOIN ticket t ON t.id = r.ticket JOIN desk d ON d.id = t.desk
WHERE d.slug = :desk AND t.received_at >= :start AND t.received_at < :end
GROUP BY r.type, r.result
"""

REFERRAL_COUNTS = """
SELECT f.kind, COUNT(*) AS n, COUNT(f.answered_at) AS answered
FROM referral f JOIN ticket t ON t.id = f.ticket JOIN desk d ON d.id = t.desk
WHERE d.slug = :desk AND t.received_at >= :start AND t.received_at < :end
GROUP BY f.kind
"""

FIRST_RESPONSES = """
SELECT t.category, t.received_at, t.first_responded_at
FROM ticket t JOIN desk d ON d.id = t.desk
WHERE d.slug = :desk AND t.received_at >= :start AND t.received_at < :end AND t.first_responded_at IS NOT NULL
ORDER BY t.id
"""


@contextlib.asynccontextmanager
async def snapshot() -> AsyncIterator[Sql]:
    """One snapshot for the four reads, so the counts and the response pairs agree.

    SQLite: reading() is one deferred transaction, which reads a single snapshot in WAL mode.
    PostgreSQL: a pooled connection runs each statement on its own; a read-only REPEATABLE READ
    transaction makes them see the same rows.
    """
    async with reading() as sql:
        if sql.dialect is Dialect.POSTGRES and not sql.connection.is_in_transaction():
            async with sql.connection.transaction(isolation="repeatable_read", readonly=True):
                yield sql
        else:
            yield sql


class PiccoloReportStore:
    async def year_facts(self, desk: str, start: datetime, end: datetime) -> YearFacts:
        params = {"desk": desk, "start": start, "end": end}
        async with snapshot() as sql:
            tickets = await sql.fetch(TICKET_COUNTS, params)
            requests = await sql.fetch(REQUEST_COUNTS, params)
            referrals = await sql.fetch(REFERRAL_COUNTS, params)
            responses = await sql.fetch(FIRST_RESPONSES, params)
        return YearFacts(
            tickets=tuple(TicketCount(r["category"], r["channel"], r["state"], int(r["n"])) for r in tickets),
            requests=tuple(RequestCount(r["type"], r["result"], int(r["n"])) for r in requests),
            referrals=tuple(ReferralCount(r["kind"], int(r["n"]), int(r["answered"])) for r in referrals),
            responses=tuple(
                FirstResponse(r["category"], instant(r["received_at"]), instant(r["first_responded_at"]))
                for r in responses
            ),
        )


__all__ = ["PiccoloReportStore", "snapshot"]
