"""The waiting and at-risk queues' own indexes: their tickets only, by next deadline.

Two states (waiting) or two risk levels (at risk) cannot be read in deadline order from a
(state | risk, next_due_at, id) index, one range each, so these queues sorted thousands of rows at
a million tickets; a partial index holds only their tickets, in order. The queues' SQL states each
condition in the same literal form, which both engines need before they use a partial index
(db/queues.py states_sql and WARNED).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Serial
from piccolo.table import Table


class Ticket(Table, tablename="ticket", schema=None):
    id = Serial(primary_key=True)


ID = "2026-12-06T04:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "indexes of the waiting-on-requester and at-risk queues"

WAITING = "state IN ('awaiting_documents', 'awaiting_formal_request')"
WARNED = "risk >= 1"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="ticketing", description=DESCRIPTION)

    async def index() -> None:
        await Ticket.raw(f"CREATE INDEX ticket_queue_waiting ON ticket (next_due_at, id) WHERE {WAITING}")  # noqa: S608
        await Ticket.raw(f"CREATE INDEX ticket_queue_warned ON ticket (next_due_at, id) WHERE {WARNED}")  # noqa: S608

    manager.add_raw(index)
    return manager
