"""Data step of the security migration: fill the new tables and columns, then drop ticket_access.

Piccolo runs a migration's raw steps before its schema steps, so this follows the migration that
created `access_log` and the ticket's `contact_*` columns.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Serial
from piccolo.table import Table


class Ticket(Table, tablename="ticket", schema=None):
    id = Serial(primary_key=True)


ID = "2026-12-01T19:26:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "copy ticket_access into access_log; tickets keep their requester's details as opened"

COPY_ACCESS = """
INSERT INTO access_log ("user", "at", via, what, target, desk, ticket, client, allowed, rows_shown)
SELECT a."user", a."at", a.via, 'ticket', t.reference, d.slug, a.ticket, '', TRUE, 1
FROM ticket_access a JOIN ticket t ON t.id = a.ticket JOIN desk d ON d.id = t.desk
ORDER BY a.id
"""
# Existing tickets take the requester's details as they stand now (the best record there is).
FILL_CONTACTS = """
UPDATE ticket SET
    contact_name = (SELECT r.name FROM requester r WHERE r.id = ticket.requester),
    contact_email = (SELECT r.email FROM requester r WHERE r.id = ticket.requester),
    contact_phone = (SELECT r.phone FROM requester r WHERE r.id = ticket.requester),
    contact_postal_address = (SELECT r.postal_address FROM requester r WHERE r.id = ticket.requester)
"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="ticketing", description=DESCRIPTION)

    async def fill() -> None:
        await Ticket.raw(COPY_ACCESS)
        await Ticket.raw(FILL_CONTACTS)

    manager.add_raw(fill)
    manager.drop_table(class_name="TicketAccess", tablename="ticket_access", schema=None)
    return manager
