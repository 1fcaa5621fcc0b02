"""Readiness: can this process serve requests? (the database answers a round trip)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

# One round trip to the database; returns the engine's name ("postgresql", "sqlite"), raises when it fails.
DatabaseCheck = Callable[[], Awaitable[str]]


@dataclass(frozen=True, slots=True)
class ReadinessReport:
    ready: bool
    database: str = ""  # the engine that answered
    problem: str = ""  # the failure's type name only: its message may name hosts, users or paths


class Readiness:
    """What /readyz asks; the composition root gives it the database check."""

    def __init__(self, database: DatabaseCheck) -> None:
        self._database = database

    async def check(self) -> ReadinessReport:
        try:
            engine = await self._database()
        except Exception as exc:  # any failure of the round trip means not ready
            return ReadinessReport(ready=False, problem=type(exc).__name__)
        return ReadinessReport(ready=True, database=engine)
