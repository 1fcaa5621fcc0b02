"""The desk settings managers change in the browser (domain/desk_settings.py): one row per desk with
the settings as JSON text and a version that every save bumps (other processes compare it to reload)."""

from __future__ import annotations

from piccolo.columns import Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table


class DeskSetting(Table, tablename="desk_setting"):
    id = Serial(primary_key=True)
    desk = Varchar(length=40, unique=True)  # the desk's slug (desks live in the desks file)
    version = Integer(default=0)
    data = Text(default="{}")  # domain/desk_settings.py to_json
    updated_at = Timestamptz()
    updated_by = Varchar(length=254, default="")  # the e-mail of whoever saved last


SETTINGS_TABLES: list[type[Table]] = [DeskSetting]

__all__ = ["SETTINGS_TABLES", "DeskSetting"]
