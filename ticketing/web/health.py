"""Liveness and readiness."""

from __future__ import annotations

from litestar import Response, get
from litestar.di import NamedDependency

from ticketing.services.health import Readiness


@get("/healthz", include_in_schema=False, sync_to_thread=False)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@get("/readyz", include_in_schema=False)
async def readyz(readiness: NamedDependency[Readiness]) -> Response[dict[str, str]]:
    report = await readiness.check()
    if not report.ready:
        return Response({"status": "unavailable", "detail": report.problem}, status_code=503)
    return Response({"status": "ok", "database": report.database})
