"""Every table of the app, in creation order: Piccolo's app config, the plan executors and the
tests read this list."""

from __future__ import annotations

from piccolo.table import Table

from ticketing.db.admin_tables import ADMIN_TABLES
from ticketing.db.case_tables import CASE_TABLES
from ticketing.db.settings_tables import SETTINGS_TABLES
from ticketing.db.tables import CORE_TABLES
from ticketing.db.workspace_tables import WORKSPACE_TABLES

TABLES: list[type[Table]] = [*CORE_TABLES, *CASE_TABLES, *WORKSPACE_TABLES, *ADMIN_TABLES, *SETTINGS_TABLES]

__all__ = ["TABLES"]
