"""Reads of the requester's status page: a ticket by its link's hash, and its messages.

Only what the page may show is read: no contact details, subject or addresses of anyone (the page's
rules are in domain/status_page.py). One SQL text per read for both engines (db/sql.py).
"""

from __future__ import annotations

from typing import Any

from ticketing.db.sql import reading
from ticketing.db.values import loads
from ticketing.domain.tickets import Channel, State
from ticketing.services.requester_portal import PortalMessageRow, PortalTicket

TICKET = """
SELECT t.id, t.reference, d.slug AS desk, t.channel, t.category, t.request_types, t.state, t.language,
    t.created_at, t.updated_at, t.closed_at, t.formal_request_at
FROM ticket t JOIN desk d ON d.id = t.desk
WHERE t.status_token_hash = :token_hash
"""
# Every message of the ticket with what the page decides on; the author's display name, never an address.
MESSAGES = """
SELECT m.id, m.direction, m.channel, m.kind, m.author IS NOT NULL AS by_staff,
    COALESCE(u.display_name, '') AS staff_name, m.text, m.quote_start, m.signature_start, m.created_at
FROM message m LEFT JOIN staff_user u ON u.id = m.author
WHERE m.ticket = :ticket
ORDER BY m.created_at, m.id
"""
ATTACHMENTS = "SELECT message, filename FROM attachment WHERE ticket = :ticket ORDER BY id"


def _ticket(row: dict[str, Any]) -> PortalTicket:
    return PortalTicket(
        id=int(row["id"]),
        reference=row["reference"],
        desk=row["desk"],
        channel=Channel(row["channel"]),
        category=row["category"],
        request_types=tuple(loads(row["request_types"], [])),
        state=State(row["state"]),
        language=row["language"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        closed_at=row["closed_at"],
        formal_request_at=row["formal_request_at"],
    )


class PiccoloPortalStore:
    async def by_token_hash(self, token_hash: str) -> PortalTicket | None:
        async with reading() as sql:
            row = await sql.fetchrow(TICKET, {"token_hash": token_hash})
        return None if row is None else _ticket(row)

    async def messages(self, ticket_id: int) -> list[PortalMessageRow]:
        params = {"ticket": ticket_id}
        async with reading() as sql:
            rows = await sql.fetch(MESSAGES, params)
            files: dict[int, list[str]] = {}
            for a in await sql.fetch(ATTACHMENTS, params):
                files.setdefault(int(a["message"]), []).append(a["filename"])
        return [
            PortalMessageRow(
                direction=r["direction"],
                channel=r["channel"],
                kind=r["kind"],
                by_staff=bool(r["by_staff"]),
                staff_name=r["staff_name"],
                text=r["text"],
                created_at=r["created_at"],
                quote_start=r["quote_start"],
                signature_start=r["signature_start"],
                attachments=tuple(files.get(int(r["id"]), ())),
            )
            for r in rows
        ]


__all__ = ["PiccoloPortalStore"]
