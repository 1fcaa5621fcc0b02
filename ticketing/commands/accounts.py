"""`ticketing user add` and `ticketing token create`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ticketing.commands import fail, missing_state, run_with_container
from ticketing.settings import Settings


def user_add(args: argparse.Namespace, settings: Settings) -> int:
    if problem := missing_state(settings):  # before asking for a password that cannot be stored
        return fail(problem)
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        import getpass

        password = getpass.getpass("Password: ")

    async def work(container: Any) -> int:
        user_id = await container.accounts.add_user(args.email, password, args.role, args.desk)
        print(f"user {args.email.lower()} created (id {user_id}, {args.role} on {', '.join(args.desk)})")
        return 0

    return run_with_container(settings, work)


def token_create(args: argparse.Namespace, settings: Settings) -> int:
    async def work(container: Any) -> int:
        print(await container.accounts.create_token(args.email))
        return 0

    return run_with_container(settings, work)
