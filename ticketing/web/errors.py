"""The one place domain errors become HTTP status codes, and errors become JSON or a page.

The JSON API (`/api/...`), the schema files and the health checks answer JSON; every other path is a
page, so it answers the HTML error page (an unknown URL, `/app/nonsense`, a refused method), in the
visitor's language where none is known, English only under the staff UI.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from ticketing.domain.errors import (
    AuthenticationFailed,
    Conflict,
    DomainError,
    Forbidden,
    InvalidTransition,
    NotFound,
    StaleChange,
    Throttled,
    ValidationFailed,
)
from ticketing.web.case_view import staff_language
from ticketing.web.contact import ERROR_MESSAGES, NOT_PROCESSED, error_page
from ticketing.web.refusals import refusal_task
from ticketing.web.requests import loggable_path

log = logging.getLogger(__name__)

STATUS: dict[type[DomainError], int] = {
    ValidationFailed: 400,
    AuthenticationFailed: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    InvalidTransition: 409,
    StaleChange: 409,  # a form from an older version of the ticket (optimistic locking)
    Throttled: 429,
}
SERVER_ERROR = "Something went wrong on our side. Please try again later."
STAFF_PAGE_NOT_FOUND = "This page does not exist."
JSON_PATHS = ("/api/", "/healthz", "/readyz")
JSON_FILES = (".json", ".yaml", ".yml")  # /schema/openapi.json and the like
STAFF_PATHS = ("/app", "/login", "/logout")
MISSING_FIELD = re.compile(r"missing required field `([^`]+)`")  # msgspec's wording


def answers_json(path: str) -> bool:
    return path == "/api" or path.startswith(JSON_PATHS) or path.endswith(JSON_FILES)


def _page(request: Request[Any, Any, Any], status: int, headers: dict[str, str] | None = None) -> Template:
    """The HTML error page for a path that is a page; the staff UI's in the user's language and links back to itself."""
    path = request.url.path
    if path.startswith(STAFF_PATHS):
        message = STAFF_PAGE_NOT_FOUND if status == 404 else ERROR_MESSAGES.get(status, NOT_PROCESSED)
        back = "/app" if path.startswith("/app") else "/login"
        page = error_page(request, status, message, languages=(staff_language(request),), back=back, headers=headers)
    else:
        message = SERVER_ERROR if status >= 500 else ERROR_MESSAGES.get(status, NOT_PROCESSED)
        page = error_page(request, status, message, headers=headers)
    page.background = refusal_task(request, status)
    return page


def domain_error_handler(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    status = next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 400)
    headers = {}
    if isinstance(exc, Throttled):
        headers["Retry-After"] = str(exc.retry_after_seconds)
    if not answers_json(request.url.path):
        return _page(request, status, headers)
    body: dict[str, Any] = {"status_code": status, "detail": str(exc)}
    if isinstance(exc, ValidationFailed):
        body["detail"] = "Validation failed"
        body["errors"] = exc.errors
    return Response(body, status_code=status, headers=headers, background=refusal_task(request, status))


def _field_errors(exc: ValidationException) -> dict[str, str]:
    """Litestar's list of refused fields ({key, message, source}) as the API's `errors` (key: message).

    A missing field is reported on the object that lacks it (`data`, `requester`): name the field itself.
    """
    errors: dict[str, str] = {}
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("message"), str):
            continue
        key = str(item.get("key") or "")
        if missing := MISSING_FIELD.search(item["message"]):
            key = missing.group(1) if key in ("", "data") else f"{key}.{missing.group(1)}"
        errors.setdefault(key or "body", item["message"])
    return errors


def unexpected_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if isinstance(exc, HTTPException):
        if not answers_json(request.url.path):
            return _page(request, exc.status_code, dict(exc.headers or {}))
        body: dict[str, Any] = {"status_code": exc.status_code, "detail": exc.detail}
        if exc.extra:
            body["extra"] = exc.extra
        if isinstance(exc, ValidationException) and (errors := _field_errors(exc)):
            body["errors"] = errors  # the same shape as the domain's ValidationFailed
        return Response(
            body, status_code=exc.status_code, headers=exc.headers, background=refusal_task(request, exc.status_code)
        )
    log.exception("unhandled error on %s %s", request.method, loggable_path(request.url.path))
    if not answers_json(request.url.path):
        return _page(request, HTTP_500_INTERNAL_SERVER_ERROR)
    return Response({"status_code": 500, "detail": "Internal server error"}, status_code=HTTP_500_INTERNAL_SERVER_ERROR)


EXCEPTION_HANDLERS: dict[Any, Any] = {DomainError: domain_error_handler, Exception: unexpected_error_handler}
