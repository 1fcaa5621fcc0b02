"""The monthly SLA report's indexes, and the desk and category of the clocks there are.

The report reads a desk's clocks due in a month (db/sla_report.py): a range of this index on (desk,
due_at), holding every column the report's grouped read takes, so PostgreSQL reads a month from the
index alone and joins no ticket. A clock stopped while paused has no due instant and counts in the
month it stopped: a range on (desk, stopped_at) among those only (the partial index). Without them
the report read the whole `sla_clock` table, 2.5 million rows with their policy snapshots at a
million tickets, and joined half a million tickets for their desk.

`desk` and `category` come from each clock's policy snapshot (the desk and the category whose target
it runs on). In a migration of its own: a migration's raw steps run before its new columns
(2026-12-06T08:20:00).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Serial
from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table


class SlaClock(Table, tablename="sla_clock", schema=None):
    id = Serial(primary_key=True)


ID = "2026-12-06T08:20:00:500000"
VERSION = "1.38.0"
DESCRIPTION = "the monthly SLA report's indexes; desk and category of the clocks there are"

COVERED = "kind, category, stopped_at, breached_at, paused, used_us, ticket"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="ticketing", description=DESCRIPTION)

    async def fill_and_index() -> None:
        if isinstance(SlaClock._meta.db, PostgresEngine):
            await SlaClock.raw(
                "UPDATE sla_clock SET desk = policy->>'desk', category = policy->>'category' WHERE desk IS NULL"
            )
        else:
            await SlaClock.raw(
                "UPDATE sla_clock SET desk = json_extract(policy, '$.desk'), "
                "category = json_extract(policy, '$.category') WHERE desk IS NULL"
            )
        await SlaClock.raw(f"CREATE INDEX sla_clock_report_due ON sla_clock (desk, due_at, {COVERED})")
        await SlaClock.raw(
            f"CREATE INDEX sla_clock_report_undue ON sla_clock (desk, stopped_at, {COVERED}) WHERE due_at IS NULL"
        )

    manager.add_raw(fill_and_index)
    return manager
