"""A write described once (db/plan_run.py runs it on either engine).

A `Plan` lists the rows a change writes: inserts, updates and a find-or-insert, whose values may
point at ids returned by earlier steps (`Ref`), at ids drawn before any row is written (`NewId`,
so an earlier row can point at a later one), or at a one-row lookup (`Lookup`). A step marked
`guard` stops the plan when it writes nothing (a message whose dedupe key is taken).

- SQLite runs the steps one by one in the open IMMEDIATE transaction, with foreign keys
  deferred to the commit.
- PostgreSQL compiles the whole plan into one statement of data-modifying CTEs (one round trip,
  atomic without BEGIN/COMMIT when no transaction is open); every step after a guard is
  conditioned on it.

Both render each step from the same description, with parameter casts taken from the Piccolo
table's column types, so the two engines write the same rows by construction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Ref:
    """The id returned by an earlier step."""

    step: str


@dataclass(frozen=True, slots=True)
class NewId:
    """An id drawn for a row of `table` before the plan writes it."""

    table: str


@dataclass(frozen=True, slots=True)
class Lookup:
    """`column` of the first row of `table` (by id) matching `where`, or NULL."""

    table: str
    column: str
    where: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Coalesce:
    first: Any
    then: Any


@dataclass(frozen=True, slots=True)
class JsonWith:
    """A JSON object with one more key, whose value is the id of an earlier step."""

    base: Mapping[str, Any]
    key: str
    value: Ref


@dataclass(frozen=True, slots=True)
class Insert:
    table: str
    rows: tuple[Mapping[str, Any], ...]
    name: str = ""
    conflict: str = ""  # ON CONFLICT (conflict) DO NOTHING
    guard: bool = False


@dataclass(frozen=True, slots=True)
class Update:
    table: str
    set: Mapping[str, Any]
    where: Mapping[str, Any]  # equality per column; None is IS NULL
    name: str = ""
    guard: bool = False


@dataclass(frozen=True, slots=True)
class FindOrInsert:
    """The first row (by id) matching `match`, else a new `row`; its id is the step's."""

    table: str
    match: Mapping[str, Any]
    row: Mapping[str, Any]
    name: str
    guard: bool = False


Step = Insert | Update | FindOrInsert


@dataclass(frozen=True, slots=True)
class Plan:
    steps: tuple[Step, ...] = ()
    returns: tuple[str, ...] = field(default=())  # steps whose ids the run returns


__all__ = ["Coalesce", "FindOrInsert", "Insert", "JsonWith", "Lookup", "NewId", "Plan", "Ref", "Step", "Update"]
