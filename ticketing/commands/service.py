"""`ticketing serve` and `ticketing migrate`: the two commands that may create the data dir."""

from __future__ import annotations

import argparse
import asyncio

from ticketing.settings import Settings


def serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from ticketing.app import create_app

    app = create_app(settings, demo=args.demo)
    # No access log: request paths carry secrets (/status/<token>), and secrets never go to logs.
    # uvicorn's own forwarded-header handling is off: the app believes X-Forwarded-For only from
    # the proxies named in TICKETING_TRUSTED_PROXIES (app.edge_middleware).
    uvicorn.run(app, host=args.host, port=args.port, log_level="info", access_log=False, proxy_headers=False)
    return 0


def migrate(args: argparse.Namespace, settings: Settings) -> int:
    """Apply migrations; on a new data dir also create it, the SQLite file and the secret key."""
    from ticketing.db import engine
    from ticketing.db.files import private_dir

    private_dir(settings.data_dir)
    settings.resolved_secret_key()  # generated here once, so the other commands find it

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
