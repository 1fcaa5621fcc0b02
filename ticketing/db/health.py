"""The database side of readiness (services/health.py): one round trip on the bound engine."""

from __future__ import annotations

from ticketing.db import engine
from ticketing.db.sql import Dialect, dialect


async def database_round_trip() -> str:
    """Run `SELECT 1`; return the engine's name. Raises whatever the driver raises when it cannot."""
    await engine.ping()
    return "postgresql" if dialect() is Dialect.POSTGRES else "sqlite"
