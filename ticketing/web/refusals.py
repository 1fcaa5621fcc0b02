"""Refused staff requests go to the access log: another desk's ticket, a missing one, a desk one
is not a member of. Recorded after the response is sent, so the answer's timing tells nothing."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.background_tasks import BackgroundTask

from ticketing.services.access import AccessLog
from ticketing.services.ports import Principal

REFUSALS = frozenset({403, 404})
PRINCIPAL = "principal"  # request.state key set by the auth dependencies
ACCESS = "access"  # app.state key: the AccessLog


def remember_principal(request: Request[Any, Any, Any], principal: Principal) -> None:
    request.state[PRINCIPAL] = principal


def refusal_task(request: Request[Any, Any, Any], status: int) -> BackgroundTask | None:
    """A task that logs this refusal, when a signed-in staff user was refused."""
    principal = request.state.get(PRINCIPAL)
    access = request.app.state.get(ACCESS)
    if status not in REFUSALS or not isinstance(principal, Principal) or not isinstance(access, AccessLog):
        return None
    return BackgroundTask(access.refused, principal, f"{request.method} {request.url.path}")
