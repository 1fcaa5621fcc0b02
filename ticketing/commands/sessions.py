"""`ticketing session revoke`: end every sign-in session of a staff user."""

from __future__ import annotations

import argparse
from typing import Any

from ticketing.commands import run_with_container
from ticketing.settings import Settings


def revoke(args: argparse.Namespace, settings: Settings) -> int:
    """An unknown e-mail is NotFound: one error line and exit 1 (ticketing.cli)."""

    async def work(container: Any) -> int:
        ended = await container.accounts.revoke_sessions(args.email)
        print(f"{ended} session(s) of {args.email.strip().lower()} ended")
        return 0

    return run_with_container(settings, work)
