"""Piccolo app config: the ticketing tables and their top-level migrations folder."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from ticketing.db.tables import TABLES

APP_CONFIG = AppConfig(
    app_name="ticketing",
    table_classes=TABLES,
    migration_dependencies=[],
    commands=[],
    migrations_folder_path=str(Path(__file__).resolve().parent.parent / "migrations"),
)
