"""Desk settings rows, and moving open clocks when a desk's calendar changed (services/desk_settings.py).

The move runs in one write transaction: the running clocks of the desk due (or with a rung) from the
first changed date on are read and locked, the caller computes their new instants with the new
calendar, and the changed clocks, their tickets' due columns and queue columns are written before
anyone else may touch them. PostgreSQL: FOR UPDATE on the clock rows; SQLite: the IMMEDIATE
transaction holds the only write lock.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from ticketing.db.engine import write_transaction
from ticketing.db.sla import DUE_COLUMNS, QUEUE_REFRESH_SQL, clock_from_row, pauses_of
from ticketing.db.sql import in_transaction, reading
from ticketing.domain.clocks import ClockState
from ticketing.domain.desk_settings import DeskSettings, from_json, to_json
from ticketing.domain.errors import Conflict
from ticketing.domain.queues import NO_DUE
from ticketing.domain.sla import Pause
from ticketing.services.desk_settings import RunningClock

RUNNING_FROM = """
SELECT c.*, t.reference AS t_reference
FROM sla_clock c JOIN ticket t ON t.id = c.ticket
WHERE t.desk = (SELECT id FROM desk WHERE slug = :desk)
  AND c.stopped_at IS NULL AND NOT c.paused
  AND (c.due_at >= :since OR c.next_fire_at >= :since)
ORDER BY c.due_at, c.id
FOR UPDATE OF c
"""

STALE_SETTINGS = "Someone saved this desk's settings after you opened the page: reload it and make your change again."
UPDATE_CLOCK = "UPDATE sla_clock SET due_at = :due_at, next_fire_at = :next_fire_at WHERE id = :id"


class PiccoloDeskSettingsStore:
    async def versions(self) -> dict[str, int]:
        async with reading() as sql:
            rows = await sql.fetch("SELECT desk, version FROM desk_setting")
        return {str(r["desk"]): int(r["version"]) for r in rows}

    async def load(self, desks: Sequence[str]) -> dict[str, DeskSettings]:
        async with reading() as sql:
            rows = await sql.fetch(
                "SELECT desk, version, data FROM desk_setting WHERE desk = ANY(:desks)", {"desks": list(desks)}
            )
        return {str(r["desk"]): from_json(str(r["data"]), int(r["version"])) for r in rows}

    async def save(
        self,
        desk: str,
        settings: DeskSettings,
        expected_version: int,
        by: str,
        now: datetime,
        move: Callable[[Sequence[RunningClock]], Sequence[ClockState]] | None = None,
        since: datetime | None = None,
    ) -> int:
        """Store `settings` as version expected_version + 1; StaleChange when another save came first.

        `move` (with `since`): given the desk's running clocks due from `since` on, return the ones
        whose instants changed; they are written in the same transaction.
        """
        new_version = expected_version + 1
        params = {"desk": desk, "data": to_json(settings), "now": now, "by": by[:254]}
        async with write_transaction():
            sql = in_transaction()
            # The desk's row, made at version 0 by whichever save comes first (two first saves at once:
            # one inserts, the other waits for its lock and then sees version 1).
            await sql.execute(
                "INSERT INTO desk_setting (desk, version, data, updated_at, updated_by) "
                "VALUES (:desk, 0, '{}', :now, '') ON CONFLICT (desk) DO NOTHING",
                {"desk": desk, "now": now},
            )
            row = await sql.fetchrow("SELECT version FROM desk_setting WHERE desk = :desk FOR UPDATE", {"desk": desk})
            if row is None or int(row["version"]) != expected_version:
                raise Conflict(STALE_SETTINGS)
            await sql.execute(
                "UPDATE desk_setting SET version = :version, data = :data, updated_at = :now, updated_by = :by "
                "WHERE desk = :desk",
                {**params, "version": new_version},
            )
            if move is not None and since is not None:
                await self._move(desk, since, move)
        return new_version

    async def running_from(self, desk: str, since: datetime) -> list[RunningClock]:
        """The preview's read: the same clocks the save would move, without locks."""
        async with reading() as sql:
            rows = await sql.fetch(RUNNING_FROM, {"desk": desk, "since": since})
            pauses = await pauses_of(sorted({int(r["ticket"]) for r in rows}))
        return [self._running(r, pauses) for r in rows]

    @staticmethod
    def _running(row: dict[str, Any], pauses: dict[int, list[Pause]]) -> RunningClock:
        ticket = int(row["ticket"])
        return RunningClock(str(row["t_reference"]), ticket, clock_from_row(row), tuple(pauses.get(ticket, [])))

    async def _move(
        self, desk: str, since: datetime, move: Callable[[Sequence[RunningClock]], Sequence[ClockState]]
    ) -> None:
        sql = in_transaction()
        rows = await sql.fetch(RUNNING_FROM, {"desk": desk, "since": since})
        pauses = await pauses_of(sorted({int(r["ticket"]) for r in rows}))
        running = [self._running(r, pauses) for r in rows]
        changed = move(running)
        if not changed:
            return
        await sql.executemany(
            UPDATE_CLOCK, [{"id": c.id, "due_at": c.due_at, "next_fire_at": c.next_fire_at} for c in changed]
        )
        ticket_of = {r.clock.id: r.ticket for r in running}
        for clock in changed:
            column = DUE_COLUMNS.get(clock.kind)
            if column is not None:
                await sql.execute(
                    f"UPDATE ticket SET {column} = :due WHERE id = :id",  # noqa: S608 (a column from DUE_COLUMNS)
                    {"due": clock.due_at, "id": ticket_of[clock.id]},
                )
        ids = sorted({ticket_of[c.id] for c in changed if c.id is not None})
        await sql.execute(QUEUE_REFRESH_SQL, {"no_due": NO_DUE, "ids": ids})


__all__ = ["PiccoloDeskSettingsStore"]
