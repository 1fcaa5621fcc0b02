"""Piccolo app config: the ticketing tables and their top-level migrations folder."""

from piccolo.conf.apps import AppConfig

from ticketing.db.schema import TABLES
from ticketing.resources import MIGRATIONS_DIR

APP_CONFIG = AppConfig(
    app_name="ticketing",
    table_classes=TABLES,
    migration_dependencies=[],
    commands=[],
    migrations_folder_path=str(MIGRATIONS_DIR),
)
