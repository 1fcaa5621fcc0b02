"""Staff languages not chosen: "" (the browser's Accept-Language applies), for users made before the
settings page, when "en" was only the column's default. New users get "" from add_user (SQLite
cannot alter a column's default, so the column keeps "en")."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Serial
from piccolo.table import Table


class StaffUser(Table, tablename="staff_user", schema=None):
    id = Serial(primary_key=True)


ID = "2026-12-06T04:17:46:966041"
VERSION = "1.38.0"
DESCRIPTION = "staff language: not chosen, so the browser's applies"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="ticketing", description=DESCRIPTION)

    async def unchosen() -> None:
        await StaffUser.raw("UPDATE staff_user SET language = ''")

    manager.add_raw(unchosen)
    return manager
