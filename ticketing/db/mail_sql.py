"""PostgreSQL fast paths of the mail store's two hot reads (writes are plans: db/ticket_writes.py).

The ORM path in mail.py answers the same on both engines (the tests run on both); these exist
because ingest is hot (every delivery, every poll) and Piccolo's per-query overhead is most of it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any


def compile_named(sql: str) -> tuple[str, tuple[str, ...]]:
    """`:name` placeholders -> `$n`, and the order of the names."""
    names: list[str] = []

    def number(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    return re.sub(r"(?<![:\w]):([a-z_][a-z0-9_]*)\b", number, sql), tuple(names)


def bind(compiled: tuple[str, tuple[str, ...]], values: Mapping[str, Any]) -> list[Any]:
    return [values[name] for name in compiled[1]]


FIND_INBOUND = compile_named("""
SELECT i.id, i.action, t.reference FROM inbound_mail i LEFT JOIN ticket t ON t.id = i.ticket
WHERE i.dedupe_key = :key
""")

# Our mail first (outbox), then messages on tickets; per Message-ID the best hit, in the caller's order.
THREAD_MATCHES = compile_named("""
WITH ids AS (
    SELECT m, ord FROM unnest(:ids::varchar[]) WITH ORDINALITY AS u(m, ord)
), hits AS (
    SELECT ids.ord, o.ticket, 'outbound' AS via, o.kind AS kind, 0 AS rank
    FROM ids JOIN outbox o ON o.message_id = ids.m
    WHERE o.desk = :desk AND o.ticket IS NOT NULL
    UNION ALL
    SELECT ids.ord, m.ticket, CASE WHEN m.direction = 'outbound' THEN 'outbound' ELSE 'inbound' END,
        CASE WHEN m.direction = 'outbound' THEN 'agent-reply' ELSE '' END, 1
    FROM ids JOIN message m ON m.message_id = ids.m JOIN ticket tk ON tk.id = m.ticket
    WHERE tk.desk = :desk
)
SELECT DISTINCT ON (h.ord) h.ord, t.reference, r.email, h.via, h.kind,
    ARRAY(SELECT p.email FROM ticket_participant p WHERE p.ticket = t.id ORDER BY p.id) AS people
FROM hits h JOIN ticket t ON t.id = h.ticket JOIN requester r ON r.id = t.requester
ORDER BY h.ord, h.rank
""")
