"""Dependencies a handler may name besides its services: who is calling, and the pages' options.

Handlers name each service they call by name and type, `workflow: NamedDependency[TicketWorkflow]`
(Litestar 3 drops inferred dependencies); app.py provides every one from the composition root.
Nothing in web/ is given the container, so a handler reaches only what its signature says.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from litestar.di import NamedDependency

from ticketing.services.ports import Principal

PrincipalDep: TypeAlias = NamedDependency[Principal]


@dataclass(frozen=True, slots=True)
class PageOptions:
    """What the staff pages need to know of the settings."""

    secure_cookies: bool  # the session cookie is sent over HTTPS only
    mail_relay: bool  # an SMTP relay is configured; otherwise mail waits in the outbox viewer
    metrics_from: tuple[str, ...] = ("127.0.0.1", "::1")  # who may read /metrics (TICKETING_METRICS_FROM)
