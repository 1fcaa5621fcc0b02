"""The one place domain errors become HTTP status codes."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from ticketing.domain.errors import (
    AuthenticationFailed,
    Conflict,
    DomainError,
    InvalidTransition,
    NotFound,
    Throttled,
    ValidationFailed,
)
from ticketing.web.refusals import refusal_task

log = logging.getLogger(__name__)

STATUS: dict[type[DomainError], int] = {
    ValidationFailed: 400,
    AuthenticationFailed: 401,
    NotFound: 404,
    Conflict: 409,
    InvalidTransition: 409,
    Throttled: 429,
}


def domain_error_handler(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    status = next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 400)
    body: dict[str, Any] = {"status_code": status, "detail": str(exc)}
    headers = {}
    if isinstance(exc, ValidationFailed):
        body["detail"] = "Validation failed"
        body["errors"] = exc.errors
    if isinstance(exc, Throttled):
        headers["Retry-After"] = str(exc.retry_after_seconds)
    return Response(body, status_code=status, headers=headers, background=refusal_task(request, status))


def unexpected_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if isinstance(exc, HTTPException):
        body: dict[str, Any] = {"status_code": exc.status_code, "detail": exc.detail}
        if exc.extra:
            body["extra"] = exc.extra
        return Response(body, status_code=exc.status_code, headers=exc.headers,
                        background=refusal_task(request, exc.status_code))
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return Response(
        {"status_code": 500, "detail": "Internal server error"}, status_code=HTTP_500_INTERNAL_SERVER_ERROR
    )


EXCEPTION_HANDLERS: dict[Any, Any] = {DomainError: domain_error_handler, Exception: unexpected_error_handler}
