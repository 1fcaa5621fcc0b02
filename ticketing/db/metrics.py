"""What `/metrics` reports of the desks' state: counts only, by desk and state (no personal data).

Each is one grouped query over indexed columns: open tickets come from the queue columns
(`next_due_at` is NULL once settled), quarantined mail from the inbound log, the outbox backlog
from its status index.
"""

from __future__ import annotations

from datetime import datetime

from ticketing.db.sql import reading
from ticketing.services.metrics import DeskState

OPEN = """
SELECT d.slug AS desk, t.state, count(*) AS n,
    sum(CASE WHEN t.risk >= 1 AND t.next_due_at > :now THEN 1 ELSE 0 END) AS at_risk,
    sum(CASE WHEN t.next_due_at <= :now THEN 1 ELSE 0 END) AS breached
FROM ticket t JOIN desk d ON d.id = t.desk
WHERE t.next_due_at IS NOT NULL
GROUP BY d.slug, t.state
"""
OUTBOX = """
SELECT d.slug AS desk, o.status, count(*) AS n, min(o.created_at) AS oldest
FROM outbox o JOIN desk d ON d.id = o.desk
WHERE o.status IN ('pending', 'sending', 'failed')
GROUP BY d.slug, o.status
"""
QUARANTINE = """
SELECT d.slug AS desk, count(*) AS n FROM inbound_mail m JOIN desk d ON d.id = m.desk
WHERE m.action = 'quarantined' AND m.review = '' GROUP BY d.slug
"""


def _instant(value: datetime | str | None) -> datetime | None:
    """SQLite's min() of a timestamp column is its text, PostgreSQL's a datetime."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


class PiccoloMetricsStore:
    async def state(self, now: datetime) -> DeskState:
        async with reading() as sql:
            open_rows = await sql.fetch(OPEN, {"now": now})
            outbox_rows = await sql.fetch(OUTBOX)
            quarantine_rows = await sql.fetch(QUARANTINE)
        return DeskState(
            open={(r["desk"], r["state"]): int(r["n"]) for r in open_rows},
            at_risk={(r["desk"], r["state"]): int(r["at_risk"] or 0) for r in open_rows},
            breached={(r["desk"], r["state"]): int(r["breached"] or 0) for r in open_rows},
            outbox={(r["desk"], r["status"]): int(r["n"]) for r in outbox_rows},
            outbox_oldest={(r["desk"], r["status"]): _instant(r["oldest"]) for r in outbox_rows},
            quarantined={r["desk"]: int(r["n"]) for r in quarantine_rows},
        )


__all__ = ["PiccoloMetricsStore"]
