"""The monthly SLA report's indexes: a desk's clocks by the instant they were due.

The report reads the clocks due in a month (db/sla_report.py): a range on `due_at`, and, for clocks
stopped while paused (no due instant), a range on `stopped_at` among those only. Without them the
report read every clock of the desk, 2.5 million at a million tickets.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Serial
from piccolo.table import Table


class SlaClock(Table, tablename="sla_clock", schema=None):
    id = Serial(primary_key=True)


ID = "2026-12-06T07:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "indexes of the monthly SLA report: clocks by due instant, undue stopped clocks by stop"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="ticketing", description=DESCRIPTION)

    async def index() -> None:
        await SlaClock.raw("CREATE INDEX sla_clock_due ON sla_clock (due_at, ticket)")
        await SlaClock.raw("CREATE INDEX sla_clock_undue_stop ON sla_clock (stopped_at, ticket) WHERE due_at IS NULL")

    manager.add_raw(index)
    return manager
