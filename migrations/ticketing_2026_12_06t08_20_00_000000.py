"""`sla_clock.used_us`: the time a clock used when it stopped, pauses taken out; `sla_clock.desk` and
`sla_clock.category`: the desk and category of its policy snapshot (filled for the clocks there are
in 2026-12-06T08:20:00:500000).

The monthly SLA report's median and 90th percentile read it instead of working out business time
for every clock of the month (9 s for 160,000 clocks in Python, bench/pages.py). Clocks stopped
before this migration have none; `ticketing sla fill-used` works theirs out once, and until then
the report works out the missing ones itself (correct, only slower). The desk and category let the
report read a desk's month from one index without joining a million tickets.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T08:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "time used by a stopped SLA clock, and its desk and category (sla_clock)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="ticketing", description=DESCRIPTION)

    manager.add_column(
        table_class_name="SlaClock",
        tablename="sla_clock",
        column_name="used_us",
        db_column_name="used_us",
        column_class_name="BigInt",
        column_class=BigInt,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    for name, length in (("desk", 40), ("category", 30)):
        manager.add_column(
            table_class_name="SlaClock",
            tablename="sla_clock",
            column_name=name,
            db_column_name=name,
            column_class_name="Varchar",
            column_class=Varchar,
            params={
                "length": length,
                "default": None,
                "null": True,
                "primary_key": False,
                "unique": False,
                "index": False,
                "index_method": IndexMethod.btree,
                "choices": None,
                "db_column_name": None,
                "secret": False,
            },
            schema=None,
        )

    return manager
