"""PostgreSQL fast paths of the mail store: each step one statement on one pooled connection.

The ORM path in mail.py does the same on both engines (the tests run on both); this one exists
because ingest is hot (every delivery, every poll) and Piccolo's per-query overhead made a new
ticket from mail cost ~15 round trips. Statements are written with :named parameters, turned into
asyncpg's $n once at import.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ticketing.db.outbox import outbox_payload
from ticketing.db.sla import clock_json, due_columns
from ticketing.db.values import cut
from ticketing.domain.tickets import State
from ticketing.services.mail_ports import InboundRecord
from ticketing.services.ports import TicketDraft


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

CLAIM_COLUMNS = """desk, dedupe_key, source, mailbox, uidvalidity, uid, message_id, content_hash, raw_sha256, size,
    from_email, subject, received_at, action, reason, defects, deliveries, last_seen_at, review"""
CLAIM_VALUES = """:desk::int, :key::varchar, :source::varchar, :mailbox::varchar, :uidvalidity::bigint, :uid::bigint,
    :message_id::varchar, :content_hash::varchar, :raw_sha256::varchar, :size::int, :from_email::varchar,
    :subject::varchar, :received_at::timestamptz, :action::varchar, :reason::text, :defects::json, 1,
    :received_at::timestamptz, ''"""

# Constant SQL put together from the pieces above; every value is a bound parameter.
CLAIM = compile_named(f"""
INSERT INTO inbound_mail ({CLAIM_COLUMNS}) VALUES ({CLAIM_VALUES})
ON CONFLICT (dedupe_key) DO NOTHING RETURNING id
""")  # noqa: S608

# A new ticket from mail, all or nothing: the claim of the dedupe key guards every other insert
# (each selects FROM claim), so a duplicate writes nothing. Row ids are drawn first so the log row
# can point at the ticket and message it opened (foreign keys are checked at the end of the statement).
CREATE_FROM_MAIL = compile_named(f"""
WITH ids AS (
    SELECT nextval(pg_get_serial_sequence('ticket', 'id')) AS tid,
        nextval(pg_get_serial_sequence('message', 'id')) AS mid
), claim AS (
    INSERT INTO inbound_mail ({CLAIM_COLUMNS}, ticket, message)
    SELECT {CLAIM_VALUES}, ids.tid, ids.mid FROM ids
    ON CONFLICT (dedupe_key) DO NOTHING RETURNING id
), found AS (
    SELECT id, name FROM requester WHERE desk = :desk::int AND email = :email::varchar ORDER BY id LIMIT 1
), upd AS (
    UPDATE requester SET bouncing = false
    WHERE id = (SELECT id FROM found) AND EXISTS (SELECT 1 FROM claim) RETURNING id
), ins AS (
    INSERT INTO requester (desk, name, email, phone, postal_address, language, bouncing, created_at)
    SELECT :desk::int, :name::varchar, :email::varchar, NULL, NULL, :language::varchar, false,
        :received_at::timestamptz
    WHERE NOT EXISTS (SELECT 1 FROM found) AND EXISTS (SELECT 1 FROM claim) RETURNING id
), t AS (
    INSERT INTO ticket (id, reference, desk, requester, channel, category, request_types, state, language, subject,
        status_token_hash, flags, linked_ticket, received_at, created_at, updated_at,
        first_response_due_at, resolution_due_at, statutory_due_at, contact_name, contact_email)
    SELECT ids.tid, :reference::varchar, :desk::int, COALESCE((SELECT id FROM upd), (SELECT id FROM ins)),
        'email', :category::varchar, '[]'::json, :state::varchar, :language::varchar, :ticket_subject::varchar,
        :token_hash::varchar, :flags::json,
        (SELECT id FROM ticket WHERE reference = :linked::varchar AND desk = :desk::int),
        :received_at::timestamptz, :now::timestamptz, :now::timestamptz,
        :first_due::timestamptz, :resolution_due::timestamptz, :statutory_due::timestamptz,
        COALESCE((SELECT name FROM found), :name::varchar), :email::varchar
    FROM ids, claim RETURNING id
), m AS (
    INSERT INTO message (id, ticket, direction, channel, author, from_email, "to", cc, subject, "text", html,
        message_id, in_reply_to, "references", headers, raw_path, content_hash, kind, quote_start,
        signature_start, created_at)
    SELECT ids.mid, t.id, 'inbound', 'email', NULL, :email::varchar, :to::json, :cc::json,
        :mail_subject::varchar, :text::text, :html::text, :message_id::varchar, :in_reply_to::varchar,
        :references::json, :headers::json, :raw_sha256::varchar, :content_hash::varchar, :kind::varchar,
        :quote_start::int, :signature_start::int, :received_at::timestamptz
    FROM ids, t RETURNING id
), a AS (
    INSERT INTO attachment (ticket, message, filename, declared_type, content_type, size, sha256, created_at)
    SELECT t.id, m.id, x.filename, x.declared_type, x.content_type, x.size, x.sha256, :received_at::timestamptz
    FROM t, m, json_to_recordset(:attachments::json)
        AS x(filename varchar, declared_type varchar, content_type varchar, size int, sha256 varchar)
), e AS (
    INSERT INTO event (ticket, "at", actor, actor_label, action, from_state, to_state, reason, data)
    SELECT t.id, :now::timestamptz, NULL, 'requester', 'created', NULL, :state::varchar, '', :event::json FROM t
), o AS (
    INSERT INTO outbox (ticket, desk, kind, to_addr, subject, message_id, payload, status, attempts,
        next_attempt_at, last_error, created_at)
    SELECT t.id, :desk::int, x.kind, x.to_addr, x.subject, x.message_id, x.payload, 'pending', 0,
        :now::timestamptz, '', :now::timestamptz
    FROM t, json_to_recordset(:mails::json) AS x(kind varchar, to_addr varchar, subject varchar,
        message_id varchar, payload json)
), c AS (
    INSERT INTO sla_clock (ticket, kind, policy, started_at, budget_us, due_at, paused, stopped_at, breached_at,
        next_stage, next_fire_at)
    SELECT t.id, x.kind, x.policy, x.started_at, x.budget_us, x.due_at, false, NULL, NULL, 0, x.next_fire_at
    FROM t, json_to_recordset(:clocks::json) AS x(kind varchar, policy json, started_at timestamptz,
        budget_us bigint, due_at timestamptz, next_fire_at timestamptz)
)
SELECT (SELECT id FROM t) AS ticket_id
""")  # noqa: S608


def claim_values(record: InboundRecord, desk_id: int) -> dict[str, Any]:
    source = record.source
    return {
        "desk": desk_id, "key": record.dedupe_key, "source": source.kind, "mailbox": source.mailbox[:300],
        "uidvalidity": source.uidvalidity, "uid": source.uid, "message_id": cut(record.message_id, 500),
        "content_hash": record.content_hash, "raw_sha256": record.raw_sha256, "size": record.size,
        "from_email": cut(record.from_email, 254), "subject": record.subject[:300],
        "received_at": record.received_at, "action": record.action, "reason": record.reason,
        "defects": json.dumps(list(record.defects)),
    }


def create_values(record: InboundRecord, draft: TicketDraft, desk_id: int) -> dict[str, Any]:
    mail = draft.inbound
    assert mail is not None and draft.new.requester.email is not None
    now = draft.created_at or draft.received_at
    dues = due_columns(draft.clocks)
    mails: Sequence[Any] = ((draft.acknowledgement,) if draft.acknowledgement else ()) + draft.mails
    return {
        **claim_values(record, desk_id),
        "email": draft.new.requester.email, "name": draft.new.requester.name,
        "language": draft.new.language.value, "reference": draft.reference,
        "category": draft.new.category.value, "state": State.RECEIVED.value, "ticket_subject": draft.new.subject,
        "token_hash": draft.status_token_hash, "flags": json.dumps(dict(draft.flags)),
        "linked": draft.linked_reference, "now": now, "first_due": dues["first_response_due_at"],
        "resolution_due": dues["resolution_due_at"], "statutory_due": dues["statutory_due_at"],
        "to": json.dumps(list(mail.to)), "cc": json.dumps(list(mail.cc)), "mail_subject": mail.subject[:500],
        "text": mail.text, "html": mail.html, "in_reply_to": cut(mail.in_reply_to, 500),
        "references": json.dumps(list(mail.references[-50:])), "headers": json.dumps(dict(mail.headers)),
        "kind": mail.kind, "quote_start": mail.quote_start, "signature_start": mail.signature_start,
        "attachments": json.dumps([
            {"filename": a.filename, "declared_type": a.declared_type, "content_type": a.content_type,
             "size": a.size, "sha256": a.sha256} for a in draft.attachments
        ]),
        "event": json.dumps({
            "channel": "email", "attachments": len(draft.attachments), **draft.event_data,
            **({"linked": draft.linked_reference} if draft.linked_reference else {}),
            **({"flags": dict(draft.flags)} if draft.flags else {}),
        }),
        "mails": json.dumps([
            {"kind": m.kind, "to_addr": m.to_addr, "subject": m.subject[:500], "message_id": m.message_id,
             "payload": outbox_payload(m)} for m in mails
        ]),
        "clocks": json.dumps([clock_json(c) for c in draft.clocks]),
    }
