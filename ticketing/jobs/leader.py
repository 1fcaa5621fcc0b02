"""Leader election for scheduled jobs: a PostgreSQL session-level advisory lock (docs/testing.md, trap 1).

The lock lives on a dedicated connection (never from the pool), so it is released when this
process or its connection dies, and a follower polling every few seconds takes over. On SQLite
there is one process by design, and it is always the leader.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import asyncpg

from ticketing.db.leader_lock import alive, try_lock
from ticketing.settings import Settings

log = logging.getLogger(__name__)
LOCK_KEY = 0x7469636B6574  # "ticket": one lock for every scheduled job of this application


class Leadership:
    def __init__(self, settings: Settings, on_gain: Callable[[], None], on_loss: Callable[[], None]) -> None:
        self.settings = settings
        self.on_gain = on_gain
        self.on_loss = on_loss
        self.is_leader = False
        self._conn: Any = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if not self.settings.is_postgres:
            self._gain()
            return
        self._task = asyncio.create_task(self._run(), name="ticketing-leadership")

    def _gain(self) -> None:
        self.is_leader = True
        log.info("scheduler: this process runs the scheduled jobs")
        self.on_gain()

    def _lose(self) -> None:
        if self.is_leader:
            self.is_leader = False
            log.warning("scheduler: lost the scheduler lock; scheduled jobs stopped here")
            self.on_loss()

    async def _run(self) -> None:
        while True:
            try:
                if self._conn is None or self._conn.is_closed():
                    self._conn = await asyncpg.connect(self.settings.database_url, timeout=5)
                if not self.is_leader:
                    if await try_lock(self._conn, LOCK_KEY):
                        self._gain()
                else:
                    await alive(self._conn)  # is the session (and its lock) alive?
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # connection lost: the lock went with it
                log.warning("scheduler: lock connection failed (%s); retrying", type(exc).__name__)
                self._lose()
                await self._close()
            await asyncio.sleep(self.settings.leader_poll_seconds)

    async def _close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close(timeout=2)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self._lose()
        await self._close()  # closing the session releases the advisory lock
