"""One SQL text for both databases, on the connection of the open transaction.

Statements are written once, PostgreSQL-flavoured, with `:name` parameters. For PostgreSQL the
names become asyncpg's `$n`; for SQLite (whose driver takes `:name` itself) the `::type` casts
and `FOR UPDATE ...` locks are dropped (an IMMEDIATE transaction already holds the write lock),
and `= ANY(:list)` becomes `IN (SELECT value FROM json_each(:list))`. Nothing else differs, so a
statement cannot drift between the two engines.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from piccolo.engine.postgres import PostgresEngine

from ticketing.db.engine import current_engine, write_transaction

_NAME = re.compile(r"(?<![:\w]):([a-z_][a-z0-9_]*)\b")
_CAST = re.compile(r"::[a-z_]+(?:\[\])?")
_ANY = re.compile(r"=\s*ANY\(\s*:([a-z_][a-z0-9_]*)(?:::[a-z_]+\[\])?\s*\)")
_LOCK = re.compile(r"\s+FOR UPDATE(?: OF \w+)?(?: SKIP LOCKED)?")


class Dialect(StrEnum):
    POSTGRES = "postgres"
    SQLITE = "sqlite"


@dataclass(frozen=True, slots=True)
class Compiled:
    text: str
    names: tuple[str, ...]  # PostgreSQL: the parameter of each $n, in order
    lists: frozenset[str]  # SQLite: parameters given as a JSON list (from `= ANY(:name)`)


@functools.lru_cache(maxsize=512)
def compile_sql(sql: str, dialect: Dialect) -> Compiled:
    """The statement as the driver of `dialect` takes it."""
    if dialect is Dialect.POSTGRES:
        names: list[str] = []

        def number(match: re.Match[str]) -> str:
            if match.group(1) not in names:
                names.append(match.group(1))
            return f"${names.index(match.group(1)) + 1}"

        return Compiled(_NAME.sub(number, sql), tuple(names), frozenset())
    lists = frozenset(_ANY.findall(sql))
    text = _ANY.sub(lambda m: f"IN (SELECT value FROM json_each(:{m.group(1)}))", sql)  # noqa: S608
    return Compiled(_CAST.sub("", _LOCK.sub("", text)), (), lists)


class Sql:
    """Statements on one connection (the open transaction's, or a pooled one)."""

    def __init__(self, connection: Any, dialect: Dialect) -> None:
        self.connection = connection
        self.dialect = dialect

    async def fetch(self, sql: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        compiled = compile_sql(sql, self.dialect)
        params = params or {}
        if self.dialect is Dialect.POSTGRES:
            rows = await self.connection.fetch(compiled.text, *[params[n] for n in compiled.names])
            return [dict(r) for r in rows]
        values = {k: (json.dumps(list(v)) if k in compiled.lists else v) for k, v in params.items()}
        cursor = await self.connection.execute(compiled.text, values)
        rows = await cursor.fetchall()
        await cursor.close()
        return [dict(r) for r in rows]

    async def fetchrow(self, sql: str, params: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
        rows = await self.fetch(sql, params)
        return rows[0] if rows else None

    async def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> None:
        await self.fetch(sql, params)

    async def executemany(self, sql: str, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        compiled = compile_sql(sql, self.dialect)
        if self.dialect is Dialect.POSTGRES:
            await self.connection.executemany(compiled.text, [[r[n] for n in compiled.names] for r in rows])
        else:
            await self.connection.executemany(compiled.text, [dict(r) for r in rows])


def instant(value: Any) -> datetime:
    """An aware UTC instant from a row (SQLite's converter gives one; text is read as a fallback)."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def maybe_instant(value: Any) -> datetime | None:
    return None if value is None else instant(value)


def dialect() -> Dialect:
    """The configured engine's dialect (the one place that asks)."""
    return Dialect.POSTGRES if isinstance(current_engine(), PostgresEngine) else Dialect.SQLITE


@contextlib.asynccontextmanager
async def connection() -> AsyncIterator[Sql]:
    """A connection for statements that are atomic by themselves: a pooled one on PostgreSQL
    (no BEGIN/COMMIT round trips), an IMMEDIATE transaction on SQLite."""
    engine = current_engine()
    if isinstance(engine, PostgresEngine) and engine.pool is not None:
        async with engine.pool.acquire() as conn:
            yield Sql(conn, Dialect.POSTGRES)
        return
    async with write_transaction():  # SQLite, or PostgreSQL before its pool is started
        yield in_transaction()


@contextlib.asynccontextmanager
async def reading() -> AsyncIterator[Sql]:
    """A connection for reads: a pooled one on PostgreSQL, a deferred (shared) transaction on SQLite."""
    engine = current_engine()
    if isinstance(engine, PostgresEngine) and engine.pool is not None:
        async with engine.pool.acquire() as conn:
            yield Sql(conn, Dialect.POSTGRES)
        return
    async with engine.transaction():
        yield in_transaction()


def in_transaction() -> Sql:
    """The open transaction's connection (call inside engine.write_transaction())."""
    tx = current_engine().current_transaction.get()
    if tx is None:
        raise RuntimeError("no transaction is open in this task")
    return Sql(tx.connection, dialect())


__all__ = [
    "Compiled", "Dialect", "Sql", "compile_sql", "connection", "dialect", "in_transaction", "instant", "maybe_instant",
    "reading",
]  # fmt: skip
