"""Engine selection from Settings, and migrations.

Everything comes from the Settings passed to `bind` / `start`; nothing here reads the environment.
The bound engine is process-wide (Piccolo tables carry their engine as class state, `_meta.db`), so
the stores' module functions (`write_transaction()`, db/sql.py's `connection()` ...) need no engine
argument.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sqlite3
import warnings
from collections.abc import AsyncIterator
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.table import Table

from ticketing.db.files import private_file
from ticketing.db.schema import TABLES
from ticketing.settings import Settings

log = logging.getLogger(__name__)
_current: Engine[Any] | None = None


def make_engine(settings: Settings) -> Engine[Any]:
    if settings.database_url:
        # Piccolo checks the server version on construction and warns (in colour, over several lines)
        # when it cannot connect; the real error comes, once and clearly, when the pool starts.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return PostgresEngine(config={"dsn": settings.database_url}, log_queries=False)
    private_file(settings.sqlite_path)  # 0600 in a 0700 data dir; SQLite gives -wal/-shm the same mode
    return SQLiteEngine(path=str(settings.sqlite_path), timeout=30)


def bind(settings: Settings) -> Engine[Any]:
    """Point every table (and piccolo_conf.DB) at the engine the settings choose."""
    return attach(make_engine(settings))


def attach(engine: Engine[Any]) -> Engine[Any]:
    """Make `engine` the one every table uses."""
    global _current
    tables: list[type[Table]] = list(TABLES)  # Piccolo's own Migration table: bound in migrate()
    for table in tables:
        table._meta.db = engine
    _current = engine
    return engine


class EngineNotBound(RuntimeError):
    def __str__(self) -> str:
        return "no database engine is bound: call ticketing.db.engine.bind(settings) first"


def current_engine() -> Engine[Any]:
    """The engine `bind` chose; never one guessed from the environment."""
    if _current is None:
        raise EngineNotBound()
    return _current


@contextlib.asynccontextmanager
async def write_transaction() -> AsyncIterator[Any]:
    """A write transaction: IMMEDIATE on SQLite (a DEFERRED one deadlocks on upgrade; docs/testing.md, trap 3).

    Piccolo 1.38 leaks the SQLite connection (and its thread, which then keeps the process from
    exiting) when BEGIN IMMEDIATE fails after the busy timeout ("database is locked"); the
    connection is closed here in that case, and the error still reaches the caller.
    """
    engine = current_engine()
    if not isinstance(engine, SQLiteEngine):
        async with engine.transaction() as tx:
            yield tx
        return
    tx = engine.transaction(transaction_type=TransactionType.immediate)
    try:
        await tx.__aenter__()
    except BaseException:
        connection = getattr(tx, "connection", None)
        if connection is not None:
            await connection.close()
        raise
    try:
        yield tx
    except BaseException as exc:
        await tx.__aexit__(type(exc), exc, exc.__traceback__)
        raise
    else:
        await tx.__aexit__(None, None, None)


async def _keep_session(connection: Any) -> None:
    """Pool release without asyncpg's default reset query (RESET ALL, UNLISTEN *, advisory unlock ...).

    Nothing here changes session state on pooled connections (no SET, LISTEN or advisory locks: the
    scheduler lock has a connection of its own), and asyncpg still rolls back an open transaction
    before this runs. The default reset was a second round trip for every pooled query.
    """


async def start(settings: Settings, *, pool_size: int = 20) -> Engine[Any]:
    engine = current_engine()
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=pool_size, reset=_keep_session)
    else:
        # Open it once synchronously first: when the file cannot be opened, aiosqlite leaves a worker
        # thread behind that prints a traceback after the loop closes; this fails cleanly instead.
        sqlite3.connect(settings.sqlite_path).close()
        await engine.run_ddl("PRAGMA journal_mode=WAL")
    return engine


async def stop() -> None:
    engine = current_engine()
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()


async def ping() -> None:
    await current_engine().run_ddl("SELECT 1")


async def migrate() -> None:
    """Apply the ticketing app's migrations (quietly; Piccolo prints progress to stdout)."""
    # Imported here: the migration machinery is a tenth of a second of start-up that only this needs.
    from piccolo.apps.migrations.commands.forwards import run_forwards
    from piccolo.apps.migrations.tables import Migration

    Migration._meta.db = current_engine()

    # Piccolo's migration runner finds its app registry only through this variable (it is Piccolo's
    # own, not configuration: an installed ticketing has no piccolo_conf module on the path).
    os.environ["PICCOLO_CONF"] = "ticketing.piccolo_conf"
    with contextlib.redirect_stdout(io.StringIO()) as out:
        result = await run_forwards(app_name="ticketing")
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}\n{out.getvalue()}")
    log.info("migrations: %s", result.message)
