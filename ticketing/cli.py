"""The `ticketing` command (DESIGN.md §3)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from ticketing.domain.errors import ConfigError, DomainError, ValidationFailed
from ticketing.settings import Settings

EX_USAGE = 2
EX_TEMPFAIL = 75


def _fail(message: str, code: int = 1) -> int:
    print(f"ticketing: error: {message}", file=sys.stderr)
    return code


async def _with_container(settings: Settings, work: Callable[[Any], Awaitable[int]]) -> int:
    from ticketing.container import Container

    container = Container.build(settings)
    await container.start(migrate=not settings.is_postgres, pool_size=2)
    try:
        return await work(container)
    finally:
        await container.stop()


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from ticketing.app import create_app

    app = create_app(settings, demo=args.demo)
    # No access log: request paths carry secrets (/status/<token>), and secrets never go to logs.
    # Forwarded headers are trusted from 127.0.0.1 only (uvicorn default): a local reverse proxy.
    uvicorn.run(app, host=args.host, port=args.port, log_level="info", access_log=False)
    return 0


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from ticketing.db import engine

    async def run() -> int:
        engine.bind(settings)
        await engine.start(settings, pool_size=1)
        try:
            await engine.migrate()
        finally:
            await engine.stop()
        print("migrations applied")
        return 0

    return asyncio.run(run())


def cmd_user_add(args: argparse.Namespace, settings: Settings) -> int:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")

    async def work(container: Any) -> int:
        user_id = await container.accounts.add_user(args.email, password, args.role, args.desk)
        print(f"user {args.email.lower()} created (id {user_id}, {args.role} on {', '.join(args.desk)})")
        return 0

    return asyncio.run(_with_container(settings, work))


def cmd_token_create(args: argparse.Namespace, settings: Settings) -> int:
    async def work(container: Any) -> int:
        print(await container.accounts.create_token(args.email))
        return 0

    return asyncio.run(_with_container(settings, work))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ticketing", description="The privacy inquiry desk.")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the web app, scheduler and mail workers")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--demo", action="store_true", help="seed demo users and tickets")
    serve.set_defaults(func=cmd_serve)

    sub.add_parser("migrate", help="apply migrations to the configured database").set_defaults(func=cmd_migrate)

    user = sub.add_parser("user", help="staff accounts").add_subparsers(dest="user_command", required=True)
    add = user.add_parser("add", help="create a staff account")
    add.add_argument("email")
    add.add_argument("--role", required=True, choices=["agent", "manager", "admin"])
    add.add_argument("--desk", required=True, nargs="+", metavar="SLUG")
    add.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    add.set_defaults(func=cmd_user_add)

    token = sub.add_parser("token", help="API tokens").add_subparsers(dest="token_command", required=True)
    create = token.add_parser("create", help="print a new API token for a user")
    create.add_argument("email")
    create.set_defaults(func=cmd_token_create)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        return int(args.func(args, settings))
    except ValidationFailed as exc:
        return _fail("; ".join(f"{k}: {v}" for k, v in exc.errors.items()))
    except ConfigError as exc:
        return _fail(f"configuration: {exc}", EX_USAGE)
    except DomainError as exc:
        return _fail(str(exc))
    except (OSError, ConnectionError) as exc:
        return _fail(f"database or file unavailable: {type(exc).__name__}: {exc}", EX_TEMPFAIL)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
