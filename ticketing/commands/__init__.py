"""The subcommands of `ticketing`, one module per group; ticketing.cli imports a module only when
its command runs, and each imports what it needs inside the command (an MTA starts `mail ingest`
once per message: it should not pay for the web stack or password hashing).

Exit status (ticketing.cli's docstring has the whole table): 1 the command ran and failed, 2 a usage
error, 75 (EX_TEMPFAIL) try again later.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from ticketing.settings import Settings

if TYPE_CHECKING:
    from ticketing.domain.desks import Desk

EX_FAILED = 1
EX_USAGE = 2
EX_TEMPFAIL = 75  # sysexits.h: an MTA keeps the message and retries
SET_UP = "set TICKETING_DATA_DIR to the service's data directory, or run `ticketing migrate` to create one"


class UsageError(Exception):
    """A value on the command line that is well-formed but wrong, such as an unknown desk (exit 2)."""


def fail(message: str, code: int = EX_FAILED) -> int:
    print(f"ticketing: error: {message}", file=sys.stderr)
    return code


def desks(settings: Settings, *slugs: str) -> dict[str, Desk]:
    """The desks file; a slug it does not define is a usage error."""
    from ticketing.desks_file import load_desks

    found = load_desks(settings.desks_file)
    for slug in slugs:
        if slug not in found:
            raise UsageError(f"--desk: no desk {slug!r} in {settings.desks_file} (known: {', '.join(found)})")
    return found


def missing_state(settings: Settings) -> str | None:
    """None when the data dir has its database and secret key; else the error line's text.

    Only `serve` and `migrate` create them: any other command finding none is looking at the wrong
    data dir (a relative TICKETING_DATA_DIR, or none, from another working directory).
    """
    problem = settings.missing_state()
    return f"{problem}: {SET_UP}" if problem else None


async def _with_container(settings: Settings, work: Callable[[Any], Awaitable[int]]) -> int:
    from ticketing.container import Container

    container = Container.build(settings)
    await container.start(migrate=False, pool_size=2)
    try:
        return await work(container)
    finally:
        await container.stop()


def run_with_container(settings: Settings, work: Callable[[Any], Awaitable[int]]) -> int:
    """Run `work` on a started Container over an existing data dir (never a new, empty one)."""
    if problem := missing_state(settings):
        return fail(problem)
    return asyncio.run(_with_container(settings, work))


__all__ = ["EX_FAILED", "EX_TEMPFAIL", "EX_USAGE", "UsageError", "desks", "fail", "missing_state", "run_with_container"]
