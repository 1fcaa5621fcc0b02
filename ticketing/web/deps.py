"""Named dependency markers used in handler signatures (Litestar 3 drops inferred ones)."""

from __future__ import annotations

from typing import TypeAlias

from litestar.di import NamedDependency

from ticketing.container import Container
from ticketing.services.ports import Principal

ContainerDep: TypeAlias = NamedDependency[Container]
PrincipalDep: TypeAlias = NamedDependency[Principal]
