"""Staff roles on a desk."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    AGENT = "agent"  # works the desk's tickets
    MANAGER = "manager"  # also gets escalations, reviews quarantined mail, approves decisions
    ADMIN = "admin"  # the privacy manager: the last rung of the ladder


# Roles that may review a desk's inbound-mail log and release quarantined mail.
MANAGER_ROLES: frozenset[Role] = frozenset({Role.MANAGER, Role.ADMIN})

__all__ = ["MANAGER_ROLES", "Role"]
