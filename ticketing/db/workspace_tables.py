"""Piccolo tables of the agent workspace: the search index and who has a ticket open.

`search_doc` holds the index terms of a ticket (domain/search.py): one row for the ticket's
reference, requester and subject, and one per message, written by the same plan that writes the
ticket or the message (rows are only ever added). The full-text index over it is engine specific
and made by its migration: a generated tsvector column with a GIN index on PostgreSQL, an FTS5
table kept by triggers on SQLite.
"""

from __future__ import annotations

from piccolo.columns import ForeignKey, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from ticketing.db.tables import StaffUser, Ticket


class SearchDoc(Table, tablename="search_doc"):
    id = Serial(primary_key=True)
    ticket = ForeignKey(references=Ticket, on_delete=OnDelete.cascade, null=False, index=True)
    doc = Text(default="")


class TicketPresence(Table, tablename="ticket_presence"):
    """Who has a ticket's page open, and whether they are writing a reply (one row per user and
    ticket, refreshed while the page is open; rows older than a minute mean nothing)."""

    id = Serial(primary_key=True)
    ticket = ForeignKey(references=Ticket, on_delete=OnDelete.cascade, null=False, index=True)
    user = ForeignKey(references=StaffUser, on_delete=OnDelete.cascade, null=False)
    mode = Varchar(length=10, default="viewing")  # viewing | replying
    seen_at = Timestamptz(index=True)


WORKSPACE_TABLES: list[type[Table]] = [SearchDoc, TicketPresence]

__all__ = ["WORKSPACE_TABLES", "SearchDoc", "TicketPresence"]
