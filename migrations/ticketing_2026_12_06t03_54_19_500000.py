"""Data step of the workspace migration: the queue indexes, the full-text index, and the queue
columns and search terms of the tickets already stored.

Piccolo runs a migration's raw steps before its schema steps, so this follows the migration that
added `search_doc`, `ticket_presence` and the ticket's `next_due_at`, `risk` and `version`.
"""

# ruff: noqa: S608
from datetime import UTC, datetime

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import ForeignKey, Serial, Text
from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table

from ticketing.domain.search import message_document, ticket_document


class Ticket(Table, tablename="ticket", schema=None):
    id = Serial(primary_key=True)


class SearchDoc(Table, tablename="search_doc", schema=None):
    id = Serial(primary_key=True)
    ticket = ForeignKey(references=Ticket)
    doc = Text()


ID = "2026-12-06T03:54:19:500000"
VERSION = "1.38.0"
DESCRIPTION = "queue indexes, full-text index, queue columns and search terms of stored tickets"

NO_DUE = datetime(9999, 12, 31, tzinfo=UTC)  # domain/queues.py NO_DUE (a migration keeps its own copy)
SETTLED = "('responded', 'forwarded', 'closed', 'withdrawn', 'rejected')"

# Each queue is one range scan: its filter column first, then the sort key (domain/queues.py).
INDEXES = (
    "CREATE INDEX ticket_queue_due ON ticket (next_due_at, id)",
    "CREATE INDEX ticket_queue_desk ON ticket (desk, next_due_at, id)",
    "CREATE INDEX ticket_queue_assignee ON ticket (assignee, next_due_at, id)",
    "CREATE INDEX ticket_queue_risk ON ticket (risk, next_due_at, id)",
    "CREATE INDEX ticket_queue_state ON ticket (state, next_due_at, id)",
    "CREATE INDEX ticket_queue_closed ON ticket (closed_at, id)",
    'CREATE UNIQUE INDEX ticket_presence_one ON ticket_presence (ticket, "user")',
)
POSTGRES_FULL_TEXT = (
    "ALTER TABLE search_doc ADD COLUMN tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', doc)) STORED",
    "CREATE INDEX search_doc_tsv ON search_doc USING gin (tsv)",
)
SQLITE_FULL_TEXT = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(doc, content='search_doc', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER search_doc_added AFTER INSERT ON search_doc BEGIN "
    "INSERT INTO search_fts(rowid, doc) VALUES (new.id, new.doc); END",
    "CREATE TRIGGER search_doc_removed AFTER DELETE ON search_doc BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, doc) VALUES ('delete', old.id, old.doc); END",
)
FILL_QUEUE_COLUMNS = f"""
UPDATE ticket SET
    next_due_at = CASE WHEN state IN {SETTLED} THEN NULL ELSE COALESCE(
        (SELECT min(c.due_at) FROM sla_clock c
         WHERE c.ticket = ticket.id AND c.stopped_at IS NULL AND NOT c.paused AND c.due_at IS NOT NULL),
        {{}}) END,
    risk = COALESCE(
        (SELECT max(CASE WHEN c.breached_at IS NOT NULL THEN 2 WHEN c.next_stage > 0 THEN 1 ELSE 0 END)
         FROM sla_clock c WHERE c.ticket = ticket.id AND c.stopped_at IS NULL AND NOT c.paused),
        0)
"""
TICKETS = "SELECT id, reference, contact_name, contact_email, contact_phone, subject FROM ticket WHERE id > {} ORDER BY id LIMIT 500"
MESSAGES = "SELECT id, ticket, text, quote_start FROM message WHERE id > {} ORDER BY id LIMIT 500"


async def fill_search() -> None:
    last = 0
    while rows := await Ticket.raw(TICKETS, last):
        docs = [
            SearchDoc(ticket=r["id"], doc=ticket_document(
                r["reference"], r["contact_name"], r["contact_email"], r["contact_phone"], r["subject"]
            ))
            for r in rows
        ]  # fmt: skip
        await SearchDoc.insert(*docs)
        last = rows[-1]["id"]
    last = 0
    while rows := await Ticket.raw(MESSAGES, last):
        docs = []
        for r in rows:
            text = r["text"] or ""
            new = text[: r["quote_start"]] if r["quote_start"] is not None else text
            if doc := message_document([new]):
                docs.append(SearchDoc(ticket=r["ticket"], doc=doc))
        if docs:
            await SearchDoc.insert(*docs)
        last = rows[-1]["id"]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="ticketing", description=DESCRIPTION)

    async def run() -> None:
        postgres = isinstance(Ticket._meta.db, PostgresEngine)
        for statement in (*INDEXES, *(POSTGRES_FULL_TEXT if postgres else SQLITE_FULL_TEXT)):
            await Ticket.raw(statement)
        await Ticket.raw(FILL_QUEUE_COLUMNS, NO_DUE)
        await fill_search()

    manager.add_raw(run)
    return manager
