"""PostgreSQL fast path: a new ticket with its requester (created on first contact, never
updated: domain.contacts), message, attachments, event and outbox mail written by one statement
(data-modifying CTEs), so it is atomic without BEGIN/COMMIT round trips. SQLite takes the ORM
path in tickets.py; both produce the same rows (tests run on both)."""

from __future__ import annotations

import json
from typing import Any

from ticketing.db.outbox import outbox_payload
from ticketing.db.sla import clock_json, due_columns
from ticketing.domain.tickets import State
from ticketing.services.ports import TicketDraft

CREATE_TICKET_SQL = """
WITH found AS (
    SELECT id FROM requester WHERE desk = $1::int AND email = $2::varchar ORDER BY id LIMIT 1
), ins AS (
    INSERT INTO requester (desk, name, email, phone, postal_address, language, bouncing, created_at)
    SELECT $1::int, $3::varchar, $2::varchar, $5::varchar, $6::text, $4::varchar, false, $7::timestamptz
    WHERE NOT EXISTS (SELECT 1 FROM found) RETURNING id
), t AS (
    INSERT INTO ticket (reference, desk, requester, channel, category, request_types, state, language, subject,
        status_token_hash, flags, received_at, created_at, updated_at,
        first_response_due_at, resolution_due_at, statutory_due_at,
        contact_name, contact_email, contact_phone, contact_postal_address)
    SELECT $8::varchar, $1::int, COALESCE((SELECT id FROM found), (SELECT id FROM ins)), $9::varchar, $10::varchar,
        $11::json, $12::varchar, $4::varchar, $13::varchar, $14::varchar, '{}'::json,
        $7::timestamptz, $22::timestamptz, $22::timestamptz, $23::timestamptz, $24::timestamptz, $25::timestamptz,
        $3::varchar, $2::varchar, $5::varchar, $6::text
    RETURNING id
), m AS (
    INSERT INTO message (ticket, direction, channel, author, from_email, "to", subject, "text", "references",
        headers, created_at)
    SELECT t.id, 'inbound', $9::varchar, $15::int, $2::varchar, '[]'::json, $13::varchar, $16::text, '[]'::json,
        '{}'::json, $7::timestamptz
    FROM t RETURNING id
), a AS (
    INSERT INTO attachment (ticket, message, filename, declared_type, content_type, size, sha256, created_at)
    SELECT t.id, m.id, x.filename, x.declared_type, x.content_type, x.size, x.sha256, $7::timestamptz
    FROM t, m, json_to_recordset($17::json)
        AS x(filename varchar, declared_type varchar, content_type varchar, size int, sha256 varchar)
), e AS (
    INSERT INTO event (ticket, "at", actor, actor_label, action, from_state, to_state, reason, data)
    SELECT t.id, $22::timestamptz, $15::int, $18::varchar, 'created', NULL, $12::varchar, '', $19::json FROM t
), o AS (
    INSERT INTO outbox (ticket, desk, kind, to_addr, subject, message_id, payload, status, attempts,
        next_attempt_at, last_error, created_at)
    SELECT t.id, $1::int, x.kind, x.to_addr, x.subject, x.message_id, x.payload, 'pending', 0,
        $22::timestamptz, '', $22::timestamptz
    FROM t, json_to_recordset($20::json) AS x(kind varchar, to_addr varchar, subject varchar, message_id varchar,
        payload json)
), c AS (
    INSERT INTO sla_clock (ticket, kind, policy, started_at, budget_us, due_at, paused, stopped_at, breached_at,
        next_stage, next_fire_at)
    SELECT t.id, x.kind, x.policy, x.started_at, x.budget_us, x.due_at, false, NULL, NULL, 0, x.next_fire_at
    FROM t, json_to_recordset($21::json) AS x(kind varchar, policy json, started_at timestamptz, budget_us bigint,
        due_at timestamptz, next_fire_at timestamptz)
)
SELECT id FROM t
"""


def create_ticket_args(draft: TicketDraft, desk_id: int) -> tuple[Any, ...]:
    new, who = draft.new, draft.new.requester
    dues = due_columns(draft.clocks)
    attachments = [
        {"filename": a.filename, "declared_type": a.declared_type, "content_type": a.content_type,
         "size": a.size, "sha256": a.sha256}
        for a in draft.attachments
    ]
    mails = []
    if (ack := draft.acknowledgement) is not None:
        mails.append({"kind": ack.kind, "to_addr": ack.to_addr, "subject": ack.subject[:500],
                      "message_id": ack.message_id, "payload": outbox_payload(ack)})
    return (
        desk_id, who.email, who.name, new.language.value, who.phone, who.postal_address, draft.received_at,
        draft.reference, new.channel.value, new.category.value, json.dumps([t.value for t in new.request_types]),
        State.RECEIVED.value, new.subject, draft.status_token_hash, draft.actor_user_id, new.message,
        json.dumps(attachments), draft.actor_label,
        json.dumps({"channel": new.channel.value, "attachments": len(draft.attachments), **draft.event_data}),
        json.dumps(mails),
        json.dumps([clock_json(c) for c in draft.clocks]), draft.created_at or draft.received_at,
        dues["first_response_due_at"], dues["resolution_due_at"], dues["statutory_due_at"],
    )
