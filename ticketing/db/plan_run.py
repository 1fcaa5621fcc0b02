"""Running a plan (db/plan.py): SQLite step by step, PostgreSQL as one statement of data-modifying CTEs.

SQL text is put together here from identifiers in the plan (checked against the Piccolo tables);
every value is a bound parameter.
"""

# ruff: noqa: S608
from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from piccolo.columns import Column

from ticketing.db.plan import Coalesce, FindOrInsert, Insert, JsonWith, Lookup, NewId, Plan, Ref, Step, Update
from ticketing.db.schema import TABLES
from ticketing.db.sql import Dialect, Sql


@functools.cache
def _columns() -> dict[str, dict[str, Column]]:
    return {t._meta.tablename: {c._meta.db_column_name: c for c in t._meta.columns} for t in TABLES}


# Piccolo column class -> the PostgreSQL type its parameters are cast to.
_PG_TYPES = {
    "Serial": "integer",
    "ForeignKey": "integer",
    "Integer": "integer",
    "BigInt": "bigint",
    "Varchar": "varchar",
    "Text": "text",
    "Boolean": "boolean",
    "JSON": "json",
    "JSONB": "jsonb",
    "Timestamptz": "timestamptz",
}
_NAME = re.compile(r"[a-z_][a-z0-9_]*")


def _column_type(table: str, column: str) -> str:
    """The column's Piccolo type; an unknown table or column is a programming error (KeyError)."""
    return type(_columns()[table][column]).__name__


class _Render:
    """Renders step values as SQL with :pN parameters, for one dialect."""

    def __init__(self, dialect: Dialect, known: Mapping[str, Any], new_ids: Mapping[str, Any]) -> None:
        self.dialect = dialect
        self.known = known  # SQLite: ids returned so far
        self.new_ids = new_ids  # SQLite: drawn ids per table
        self.params: dict[str, Any] = {}

    def param(self, value: Any, kind: str) -> str:
        name = f"p{len(self.params)}"
        if kind in ("JSON", "JSONB") and value is not None and not isinstance(value, str):
            value = json.dumps(value)
        self.params[name] = value
        cast = f"::{_PG_TYPES[kind]}" if self.dialect is Dialect.POSTGRES and kind in _PG_TYPES else ""
        return f":{name}{cast}"

    def value(self, value: Any, table: str, column: str) -> str:
        kind = _column_type(table, column)
        if isinstance(value, Ref):
            if self.dialect is Dialect.POSTGRES:
                return f"(SELECT id FROM {_cte(value.step)} LIMIT 1)"
            return self.param(self.known.get(value.step), kind)
        if isinstance(value, NewId):
            if self.dialect is Dialect.POSTGRES:
                return f"(SELECT {value.table} FROM _ids)"
            return self.param(self.new_ids[value.table], kind)
        if isinstance(value, Lookup):
            return (
                f"(SELECT {_q(value.column)} FROM {value.table} WHERE {self.where(value.table, value.where)} "
                "ORDER BY id LIMIT 1)"
            )
        if isinstance(value, Coalesce):
            return f"COALESCE({self.value(value.first, table, column)}, {self.value(value.then, table, column)})"
        if isinstance(value, JsonWith):
            if self.dialect is Dialect.POSTGRES:
                ref = self.value(value.value, "ticket", "id")
                base = self.param(dict(value.base), "JSONB")
                return f"({base} || jsonb_build_object('{_check(value.key)}', {ref}))::json"
            return self.param({**value.base, value.key: self.known.get(value.value.step)}, "JSON")
        if value is None and self.dialect is Dialect.POSTGRES:
            return f"NULL::{_PG_TYPES[kind]}"  # part of the text, not a parameter: fewer to bind
        return self.param(value, kind)

    def where(self, table: str, where: Mapping[str, Any]) -> str:
        parts = []
        for column, value in where.items():
            if value is None:
                parts.append(f"{_q(column)} IS NULL")
            else:
                parts.append(f"{_q(column)} = {self.value(value, table, column)}")
        return " AND ".join(parts) or "TRUE"


def _cte(step: str) -> str:
    """A step's CTE name (prefixed: a step named like a table must not hide the table)."""
    return f"s_{_check(step)}"


def _q(column: str) -> str:
    return f'"{_check(column)}"'


def _check(name: str) -> str:
    """Identifiers come from the plan (code), never from input; checked all the same."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"not an SQL identifier: {name!r}")
    return name


def _select_rows(
    render: _Render, table: str, rows: Sequence[Mapping[str, Any]], columns: list[str], condition: str
) -> str:
    selects = [
        "SELECT "
        + ", ".join(render.value(row[c], table, c) for c in columns)
        + (f" WHERE {condition}" if condition else "")
        for row in rows
    ]
    return " UNION ALL ".join(selects)


def _insert_sql(render: _Render, step: Insert | FindOrInsert, rows: Sequence[Mapping[str, Any]], condition: str) -> str:
    columns = list(rows[0])
    head = f"INSERT INTO {step.table} ({', '.join(_q(c) for c in columns)}) "
    if render.dialect is Dialect.SQLITE and not condition:
        body = "VALUES " + ", ".join(
            "(" + ", ".join(render.value(row[c], step.table, c) for c in columns) + ")" for row in rows
        )
    else:
        body = _select_rows(render, step.table, rows, columns, condition or "TRUE")
    conflict = f" ON CONFLICT ({step.conflict}) DO NOTHING" if isinstance(step, Insert) and step.conflict else ""
    return head + body + conflict + " RETURNING id"


def compile_postgres(plan: Plan) -> tuple[str, dict[str, Any]]:
    """The whole plan as one statement of data-modifying CTEs, and its parameters.

    The text depends only on the plan's shape (its steps, columns and kinds of value), so it is
    built once per shape; later plans of that shape only collect their parameters, in the order
    the text numbers them (checked when the shape is first built).
    """
    key = _shape(plan)
    text = _COMPILED.get(key)
    if text is not None:
        return text, _parameters(plan)
    text, params = _compile_postgres(plan)
    assert list(params.values()) == list(_parameters(plan).values()), "parameter order differs"
    if len(_COMPILED) < 1000:
        _COMPILED[key] = text
    return text, params


_COMPILED: dict[Any, str] = {}
_SPECIAL = frozenset({Ref, NewId, Lookup, Coalesce, JsonWith})


@functools.cache
def _json_columns() -> dict[str, frozenset[str]]:
    return {
        table: frozenset(c for c in columns if _column_type(table, c) in ("JSON", "JSONB"))
        for table, columns in _columns().items()
    }


@functools.lru_cache(maxsize=64)
def _param_names(count: int) -> tuple[str, ...]:
    return tuple(f"p{i}" for i in range(count))


def _value_shape(value: Any) -> Any:
    if type(value) not in _SPECIAL:
        return "null" if value is None else None  # None: a parameter (the common case)
    if isinstance(value, Ref):
        return ("R", value.step)
    if isinstance(value, NewId):
        return ("N", value.table)
    if isinstance(value, Lookup):
        return ("L", value.table, value.column, _where_shape(value.where))
    if isinstance(value, Coalesce):
        return ("C", _value_shape(value.first), _value_shape(value.then))
    assert isinstance(value, JsonWith)
    return ("J", value.key, value.value.step)


def _where_shape(where: Mapping[str, Any]) -> Any:
    return tuple((c, "null" if v is None else _value_shape(v)) for c, v in where.items())


def _row_shape(row: Mapping[str, Any]) -> Any:
    return tuple((c, _value_shape(v)) if type(v) in _SPECIAL or v is None else c for c, v in row.items())


def _shape(plan: Plan) -> Any:
    steps: list[Any] = []
    for step in plan.steps:
        if isinstance(step, Insert):
            steps.append(("I", step.table, step.name, step.conflict, step.guard, tuple(map(_row_shape, step.rows))))
        elif isinstance(step, Update):
            steps.append(("U", step.table, step.name, step.guard, _row_shape(step.set), _where_shape(step.where)))
        else:
            steps.append(("F", step.table, step.name, step.guard, _where_shape(step.match), _row_shape(step.row)))
    return (tuple(steps), plan.returns)


def _parameters(plan: Plan) -> dict[str, Any]:
    """The plan's parameters in the order _compile_postgres numbers them."""
    out: list[Any] = []

    def value(v: Any, table: str, column: str) -> None:
        if type(v) not in _SPECIAL:
            if v is None:
                return  # written as NULL in the text
            dump = v is not None and not isinstance(v, str) and column in _json_columns()[table]
            out.append(json.dumps(v) if dump else v)
        elif isinstance(v, Ref | NewId):
            return
        elif isinstance(v, Lookup):
            where(v.table, v.where)
        elif isinstance(v, Coalesce):
            value(v.first, table, column)
            value(v.then, table, column)
        elif isinstance(v, JsonWith):
            out.append(json.dumps(dict(v.base)))

    def where(table: str, conditions: Mapping[str, Any]) -> None:
        for column, v in conditions.items():
            if v is not None:
                value(v, table, column)

    def rows(table: str, items: Sequence[Mapping[str, Any]]) -> None:
        columns = list(items[0])
        for row in items:
            for column in columns:
                value(row[column], table, column)

    for step in plan.steps:
        if isinstance(step, Insert):
            if step.rows:
                rows(step.table, step.rows)
        elif isinstance(step, Update):
            for column, v in step.set.items():
                value(v, step.table, column)
            where(step.table, step.where)
        else:
            where(step.table, step.match)
            rows(step.table, [step.row])
    return dict(zip(_param_names(len(out)), out, strict=True))


def _compile_postgres(plan: Plan) -> tuple[str, dict[str, Any]]:
    render = _Render(Dialect.POSTGRES, {}, {})
    ctes: list[str] = []
    new_tables = sorted({v.table for step in plan.steps for v in _values(step) if isinstance(v, NewId)})
    if new_tables:
        ctes.append(
            "_ids AS (SELECT "
            + ", ".join(f"nextval(pg_get_serial_sequence('{t}', 'id')) AS {t}" for t in new_tables)
            + ")"
        )
    guards: list[str] = []
    for index, step in enumerate(plan.steps):
        name = _cte(step.name or f"step{index}")
        condition = " AND ".join(f"EXISTS (SELECT 1 FROM {g})" for g in guards)
        if isinstance(step, Insert):
            if not step.rows:
                continue
            ctes.append(f"{name} AS ({_insert_sql(render, step, step.rows, condition)})")
        elif isinstance(step, Update):
            sets = ", ".join(f"{_q(c)} = {render.value(v, step.table, c)}" for c, v in step.set.items())
            where = render.where(step.table, step.where) + (f" AND {condition}" if condition else "")
            ctes.append(f"{name} AS (UPDATE {step.table} SET {sets} WHERE {where} RETURNING id)")
        else:
            match = render.where(step.table, step.match)
            ctes.append(f"{name}_found AS (SELECT id FROM {step.table} WHERE {match} ORDER BY id LIMIT 1)")
            new_condition = f"NOT EXISTS (SELECT 1 FROM {name}_found)" + (f" AND {condition}" if condition else "")
            ctes.append(f"{name}_new AS ({_insert_sql(render, step, [step.row], new_condition)})")
            ctes.append(f"{name} AS (SELECT id FROM {name}_found UNION ALL SELECT id FROM {name}_new)")
        if step.guard:
            guards.append(name)
    result = ", ".join(f"(SELECT id FROM {_cte(n)} LIMIT 1) AS {n}" for n in plan.returns) or "1 AS done"
    if guards:
        result += ", " + " AND ".join(f"EXISTS (SELECT 1 FROM {g})" for g in guards) + " AS _written"
    return "WITH " + ",\n".join(ctes) + "\nSELECT " + result, render.params


def _values(step: Step) -> list[Any]:
    if isinstance(step, Insert):
        return [v for row in step.rows for v in row.values()]
    if isinstance(step, Update):
        return [*step.set.values(), *step.where.values()]
    return [*step.match.values(), *step.row.values()]


async def run(sql: Sql, plan: Plan) -> dict[str, int] | None:
    """Write the plan; the ids of `plan.returns`, or None when a guard wrote nothing."""
    if not plan.steps:
        return {}
    if sql.dialect is Dialect.POSTGRES:
        text, params = compile_postgres(plan)
        row = await sql.fetchrow(text, params)
        assert row is not None
        if "_written" in row and not row["_written"]:
            return None
        return {n: row[n] for n in plan.returns}
    return await _run_sqlite(sql, plan)


async def _run_sqlite(sql: Sql, plan: Plan) -> dict[str, int] | None:
    await sql.execute("PRAGMA defer_foreign_keys = ON")
    new_ids: dict[str, int] = {}
    for table in sorted({v.table for step in plan.steps for v in _values(step) if isinstance(v, NewId)}):
        row = await sql.fetchrow(f"SELECT COALESCE(MAX(id), 0) + 1 AS next FROM {table}")
        assert row is not None
        new_ids[table] = int(row["next"])
    known: dict[str, Any] = {}
    for step in plan.steps:
        render = _Render(Dialect.SQLITE, known, new_ids)
        if isinstance(step, Insert):
            if not step.rows:
                continue
            rows = await sql.fetch(_insert_sql(render, step, step.rows, ""), render.params)
        elif isinstance(step, Update):
            sets = ", ".join(f"{_q(c)} = {render.value(v, step.table, c)}" for c, v in step.set.items())
            text = f"UPDATE {step.table} SET {sets} WHERE {render.where(step.table, step.where)} RETURNING id"
            rows = await sql.fetch(text, render.params)
        else:
            text = f"SELECT id FROM {step.table} WHERE {render.where(step.table, step.match)} ORDER BY id LIMIT 1"
            rows = await sql.fetch(text, render.params)
            if not rows:
                render = _Render(Dialect.SQLITE, known, new_ids)
                rows = await sql.fetch(_insert_sql(render, step, [step.row], ""), render.params)
        if step.name:
            known[step.name] = rows[0]["id"] if rows else None
        if step.guard and not rows:
            return None
    return {n: known[n] for n in plan.returns}


__all__ = ["compile_postgres", "run"]
