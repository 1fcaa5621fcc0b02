"""PostgreSQL fast path of a ticket change: the same reads and writes as workflow.py's ORM path, as
plain statements on the transaction's own asyncpg connection (Piccolo's per-query overhead was most
of a reply's cost). Both paths run under the whole test suite, on their own engine each."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from ticketing.db.outbox import outbox_payload
from ticketing.db.sla import clock_from_row, clock_values, due_columns
from ticketing.db.values import cut, loads
from ticketing.domain.errors import NotFound
from ticketing.domain.mail import REQUESTER_MAIL_KINDS
from ticketing.domain.sla import Pause
from ticketing.services.ports import TicketChange, TicketSnapshot

THREAD_LIMIT = 30
# The ticket row a change starts from (workflow.py's ORM path reads the same columns).
LOCK_SELECT = """
SELECT t.id, t.reference, t.state, t.subject, t.language, t.assignee, t.first_responded_at, t.desk AS desk_id,
    t.category, t.request_types, t.flags, t.status_token_hash, t.requester AS requester_id,
    d.slug AS desk, r.name AS r_name, r.email AS r_email, r.bouncing AS r_bouncing
FROM ticket t JOIN desk d ON d.id = t.desk JOIN requester r ON r.id = t.requester
"""
LOCK = LOCK_SELECT + "WHERE t.reference = $1 FOR UPDATE OF t"
THREAD = """
SELECT message_id, direction FROM (
    SELECT message_id, direction, created_at, 0 AS src, id FROM message
    WHERE ticket = $1 AND message_id IS NOT NULL AND kind = 'normal'
    UNION ALL
    SELECT message_id, 'outbound', created_at, 1, id FROM outbox WHERE ticket = $1 AND kind = ANY($2::varchar[])
) x ORDER BY created_at, src, id
"""


def snapshot_of(
    row: Mapping[str, Any], clocks: Sequence[Mapping[str, Any]], pauses: Sequence[Pause],
    thread: Sequence[tuple[str, str]],
) -> TicketSnapshot:
    """A TicketSnapshot from the ticket row, its clock rows, pauses and (Message-ID, direction), oldest first."""
    ids = tuple(dict.fromkeys(message_id for message_id, _ in thread))[-THREAD_LIMIT:]
    inbound = [message_id for message_id, direction in thread if direction == "inbound"]
    return TicketSnapshot(
        id=row["id"], reference=row["reference"], desk=row["desk"], state=row["state"], subject=row["subject"],
        language=row["language"], assignee_id=row["assignee"], requester_name=row["r_name"],
        requester_email=row["r_email"], first_responded_at=row["first_responded_at"],
        clocks=tuple(clock_from_row(c) for c in clocks), pauses=tuple(pauses),
        category=row["category"], request_types=tuple(loads(row["request_types"], [])),
        flags=loads(row["flags"], {}), requester_bouncing=bool(row["r_bouncing"]),
        status_token_hash=row["status_token_hash"], thread=ids,
        last_inbound_message_id=inbound[-1] if inbound else None,
    )


async def pg_snapshot(conn: Any, reference: str) -> tuple[TicketSnapshot, dict[str, Any]]:
    row = await conn.fetchrow(LOCK, reference)
    if row is None:
        raise NotFound("ticket", reference)
    ticket_id = row["id"]
    clocks = await conn.fetch("SELECT * FROM sla_clock WHERE ticket = $1 ORDER BY id", ticket_id)
    pauses = await conn.fetch(
        "SELECT started_at, ended_at, reason FROM clock_pause WHERE ticket = $1 ORDER BY started_at", ticket_id)
    thread = await conn.fetch(THREAD, ticket_id, sorted(REQUESTER_MAIL_KINDS))
    snapshot = snapshot_of(row, [dict(c) for c in clocks],
                           [Pause(p["started_at"], p["ended_at"], p["reason"]) for p in pauses],
                           [(r["message_id"], r["direction"]) for r in thread])
    return snapshot, dict(row)


def event_data(change: TicketChange, message_id: int | None) -> dict[str, Any]:
    """The change's event data, with the message it stored and any mail it did not send."""
    data = dict(change.data)
    if message_id:
        data["message"] = message_id
    if change.skipped_mail:
        data["mail_not_sent"] = change.skipped_mail
    return data


async def pg_write_change(conn: Any, snap: TicketSnapshot, row: dict[str, Any], change: TicketChange) -> int | None:
    """What workflow.write_change does, statement for statement."""
    at = change.at
    if change.close_pause:
        await conn.execute("UPDATE clock_pause SET ended_at = $1 WHERE ticket = $2 AND ended_at IS NULL", at, snap.id)
    for pause in (change.open_pause, change.closed_pause):
        if pause is not None:
            await conn.execute("INSERT INTO clock_pause (ticket, started_at, ended_at, reason) VALUES ($1, $2, $3, $4)",
                               snap.id, pause.start, pause.end, pause.reason[:100])
    before = {c.id: c for c in snap.clocks}
    for clock in change.clocks:
        if before.get(clock.id) != clock:
            v = clock_values(clock)
            await conn.execute(
                "UPDATE sla_clock SET due_at = $1, paused = $2, stopped_at = $3, breached_at = $4, next_stage = $5, "
                "next_fire_at = $6 WHERE id = $7",
                v["due_at"], v["paused"], v["stopped_at"], v["breached_at"], v["next_stage"], v["next_fire_at"],
                clock.id,
            )
    dues = due_columns(change.clocks)
    await conn.execute(
        """UPDATE ticket SET updated_at = $1, first_response_due_at = $2, resolution_due_at = $3,
            statutory_due_at = $4, state = COALESCE($5, state),
            closed_at = CASE WHEN $6 THEN $1 ELSE closed_at END,
            first_responded_at = CASE WHEN $7 THEN $1 ELSE first_responded_at END,
            assignee = CASE WHEN $8 THEN $9 ELSE assignee END,
            flags = COALESCE($10::json, flags), status_token_hash = COALESCE($11, status_token_hash)
        WHERE id = $12""",
        at, dues["first_response_due_at"], dues["resolution_due_at"], dues["statutory_due_at"], change.state,
        change.closed, change.first_responded, change.set_assignee, change.assignee_id,
        json.dumps(dict(change.flags)) if change.flags is not None else None, change.status_token_hash or None, snap.id,
    )
    if change.requester_bouncing is not None:
        await conn.execute("UPDATE requester SET bouncing = $1 WHERE id = $2", change.requester_bouncing,
                           row["requester_id"])
    message_id = None
    if (mail_in := change.inbound) is not None:
        message_id = await conn.fetchval(
            """INSERT INTO message (ticket, direction, channel, author, from_email, "to", cc, subject, "text", html,
                message_id, in_reply_to, "references", headers, raw_path, content_hash, kind, quote_start,
                signature_start, created_at)
            VALUES ($1, 'inbound', 'email', NULL, $2, $3::json, $4::json, $5, $6, $7, $8, $9, $10::json, $11::json,
                $12, $13, $14, $15, $16, $17) RETURNING id""",
            snap.id, mail_in.from_email, json.dumps(list(mail_in.to)), json.dumps(list(mail_in.cc)),
            mail_in.subject[:500], mail_in.text, mail_in.html, cut(mail_in.message_id, 500),
            cut(mail_in.in_reply_to, 500), json.dumps(list(mail_in.references[-50:])),
            json.dumps(dict(mail_in.headers)),
            mail_in.raw_path, mail_in.content_hash, mail_in.kind, mail_in.quote_start, mail_in.signature_start,
            mail_in.received_at or at,
        )
        if mail_in.attachments:
            await conn.executemany(
                "INSERT INTO attachment (ticket, message, filename, declared_type, content_type, size, sha256, "
                "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                [(snap.id, message_id, a.filename, a.declared_type, a.content_type, a.size, a.sha256, at)
                 for a in mail_in.attachments],
            )
    elif change.reply_text is not None:
        mail = change.mail
        message_id = await conn.fetchval(
            """INSERT INTO message (ticket, direction, channel, author, from_email, "to", cc, subject, "text", html,
                message_id, in_reply_to, "references", headers, raw_path, content_hash, kind, created_at)
            VALUES ($1, 'outbound', $2, $3, NULL, $4::json, '[]'::json, $5, $6, NULL, $7, $8, $9::json, '{}'::json,
                NULL, NULL, 'normal', $10) RETURNING id""",
            snap.id, "email" if mail else "note", change.actor_id, json.dumps([mail.to_addr] if mail else []),
            mail.subject if mail else "", change.reply_text, mail.message_id if mail else None,
            mail.in_reply_to if mail else None, json.dumps(list(mail.references) if mail else []), at,
        )
    data = event_data(change, message_id)
    await conn.execute(
        """INSERT INTO event (ticket, "at", actor, actor_label, action, from_state, to_state, reason, data)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::json)""",
        snap.id, at, change.actor_id, change.actor_label[:100], change.action, change.from_state, change.state,
        change.reason, json.dumps(data),
    )
    mails = ((change.mail,) if change.mail else ()) + change.mails
    if mails:
        await conn.executemany(
            """INSERT INTO outbox (ticket, desk, kind, to_addr, subject, message_id, payload, status, attempts,
                next_attempt_at, last_error, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7::json, 'pending', 0, $8, '', $8)""",
            [(snap.id, row["desk_id"], m.kind, m.to_addr, m.subject[:500], m.message_id,
              json.dumps(outbox_payload(m)), at) for m in mails],
        )
    return int(message_id) if message_id else None
