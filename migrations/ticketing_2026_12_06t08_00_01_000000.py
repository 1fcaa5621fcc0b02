"""The audit log's indexes: newest first over all events (at), and per desk (desk, at).

The log is read newest first with a keyset cursor (at, id) (db/admin.py): over the caller's desks, and
over the desk-less events the caller made or that concern their users. The id breaks ties between two
events of the same instant and makes each index an exact match for the cursor's order.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Serial
from piccolo.table import Table


class AdminEvent(Table, tablename="admin_event", schema=None):
    id = Serial(primary_key=True)


ID = "2026-12-06T08:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "indexes of the audit log: (at) and (desk, at)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="ticketing", description=DESCRIPTION)

    async def index() -> None:
        await AdminEvent.raw("CREATE INDEX admin_event_at ON admin_event (at, id)")
        await AdminEvent.raw("CREATE INDEX admin_event_desk_at ON admin_event (desk, at, id)")
        await AdminEvent.raw("CREATE INDEX admin_event_subject ON admin_event (subject_user, at, id)")

    manager.add_raw(index)
    return manager
