"""Liveness and readiness."""

from __future__ import annotations

from litestar import Response, get

from ticketing.db import engine
from ticketing.web.deps import ContainerDep


@get("/healthz", include_in_schema=False, sync_to_thread=False)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@get("/readyz", include_in_schema=False)
async def readyz(container: ContainerDep) -> Response[dict[str, str]]:
    try:
        await engine.ping()
    except Exception as exc:  # any failure of the round trip means not ready
        return Response({"status": "unavailable", "detail": type(exc).__name__}, status_code=503)
    return Response({"status": "ok", "database": "postgresql" if engine.is_postgres() else "sqlite"})
