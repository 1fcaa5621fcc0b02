"""The scheduler's leader lock: a PostgreSQL session-level advisory lock on a dedicated connection."""

from __future__ import annotations

from typing import Any


async def try_lock(conn: Any, key: int) -> bool:
    """Take the lock if nobody holds it (it is the session's until the connection closes)."""
    return bool(await conn.fetchval("SELECT pg_try_advisory_lock($1)", key))


async def alive(conn: Any) -> None:
    """A round trip on the lock's session: raises when the session (and so the lock) is gone."""
    await conn.fetchval("SELECT 1", timeout=5)


__all__ = ["alive", "try_lock"]
