"""The audit log of administrative changes: who changed what, when, on which desk.

Generic on purpose: the admin pages record users, memberships, roles and API tokens here
(services/admin.py), and desk settings record their changes through the same `record`. An event
holds the actor (id and e-mail, copied: the log outlives a changed or deactivated account), the
desk concerned (None when the change is not one desk's, such as deactivating an account), an
action code, a target (an e-mail or a token prefix) and a small detail (old and new role ...).
Never a password or a token: domain/admin.py check_audit_entry refuses them.

Who reads it: an admin sees the events of the desks they administer, and the desk-less events they
made or that concern a user of one of their desks (so one desk's admin sees when another deactivated
a shared agent). Newest first, by keyset on (at, id): a page is an index range, never an offset.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ticketing.domain.admin import check_audit_entry, require_admin, require_desk
from ticketing.domain.errors import ValidationFailed
from ticketing.services.ports import Clock, Principal

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
ROW_ID_MAX = 2**31 - 1  # Serial ids are 32-bit on PostgreSQL


@dataclass(frozen=True, slots=True)
class AuditEvent:
    at: datetime
    actor_id: int
    actor_email: str
    desk: str | None
    action: str
    target: str
    detail: Mapping[str, object]
    subject_user: int | None = None  # the staff user the change concerns, if one does


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    id: int
    event: AuditEvent


@dataclass(frozen=True, slots=True)
class AuditPage:
    """Newest first; `before` is the cursor of the next (older) page, None on the last one."""

    desks: tuple[str, ...]  # the desks whose events the caller may read
    desk: str | None  # the one desk asked for, if any
    events: tuple[LoggedEvent, ...]
    before: int | None


class AuditStore(Protocol):
    async def add(self, event: AuditEvent) -> None: ...

    async def page(
        self, desks: Sequence[str], actor_id: int, before: int | None, limit: int, *, desk_only: bool
    ) -> list[LoggedEvent]: ...


class AuditLog:
    def __init__(self, store: AuditStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def event(
        self,
        actor: Principal,
        action: str,
        desk: str | None,
        target: str,
        detail: Mapping[str, object],
        *,
        subject_user: int | None = None,
    ) -> AuditEvent:
        """The event as it will be stored, checked (for a store that writes it with its own change)."""
        if not action or len(action) > 60:
            raise ValidationFailed({"action": "an action code of at most 60 characters"})
        check_audit_entry(target, detail)
        return AuditEvent(
            at=self.clock.now(),
            actor_id=actor.user_id,
            actor_email=actor.email,
            desk=desk,
            action=action,
            target=target,
            detail=dict(detail),
            subject_user=subject_user,
        )

    async def record(
        self,
        actor: Principal,
        action: str,
        desk: str | None,
        target: str,
        detail: Mapping[str, object],
        *,
        subject_user: int | None = None,
    ) -> None:
        """Write one event now (its own transaction: for a change already committed elsewhere)."""
        await self.store.add(self.event(actor, action, desk, target, detail, subject_user=subject_user))

    async def list(
        self, principal: Principal, desk: str | None = None, before: int | None = None, limit: int = PAGE_SIZE
    ) -> AuditPage:
        """The caller's page of the log (admins only: 403 otherwise); `desk` narrows it to one of their
        desks (that desk's events only); `before` is the previous page's cursor."""
        desks = require_admin(principal.roles)
        if desk is not None:
            require_desk(desks, desk)
        if before is not None and before < 1:
            raise ValidationFailed({"before": "must be the id of an event (a whole number from 1)"})
        limit = min(max(limit, 1), MAX_PAGE_SIZE)
        cursor = before if before is not None and before <= ROW_ID_MAX else None
        asked = [desk] if desk is not None else sorted(desks)
        rows = await self.store.page(asked, principal.user_id, cursor, limit + 1, desk_only=desk is not None)
        events = tuple(rows[:limit])
        return AuditPage(tuple(sorted(desks)), desk, events, events[-1].id if len(rows) > limit else None)


__all__ = ["AuditEvent", "AuditLog", "AuditPage", "AuditStore", "LoggedEvent"]
