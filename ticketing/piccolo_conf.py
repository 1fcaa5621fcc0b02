"""Piccolo configuration inside the package, so an installed `ticketing` finds it.

`DB` is looked up lazily: it is the engine ticketing.db.engine bound from Settings
(PostgreSQL when TICKETING_DATABASE_URL is set, SQLite otherwise).
"""

from typing import Any

from piccolo.conf.apps import AppRegistry

APP_REGISTRY = AppRegistry(apps=["ticketing.piccolo_app"])


def __getattr__(name: str) -> Any:
    if name == "DB":
        from ticketing.db import engine

        try:
            return engine.current_engine()
        except engine.EngineNotBound:  # the `piccolo` command line (e.g. migrations new --auto)
            from ticketing.settings import Settings

            return engine.bind(Settings.from_env())
    raise AttributeError(name)
