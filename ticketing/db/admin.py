"""Stores of the admin pages (services/admin.py) and of the audit log (services/audit.py).

Each change is one write transaction that also inserts its audit event. Changes that could take a
desk's last admin away first lock the rows of the desks concerned (`SELECT ... FOR UPDATE` on
PostgreSQL; SQLite's IMMEDIATE transaction holds the whole database already), then read the facts
and let the service's `decide` judge them, so the rule holds under concurrent admins.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime

from piccolo.custom_types import Combinable
from piccolo.query.functions.aggregate import Count

from ticketing.db.admin_tables import AdminEvent
from ticketing.db.engine import write_transaction
from ticketing.db.sql import in_transaction
from ticketing.db.tables import ApiToken, Desk, DeskMembership, StaffSession, StaffUser
from ticketing.domain.admin import TOKEN_NOT_FOUND, MembershipState
from ticketing.domain.errors import NotFound
from ticketing.domain.staff import Role
from ticketing.services.admin import Decide, DecideActive, DecideRevoke, StaffAccount, TokenInfo
from ticketing.services.audit import AuditEvent, LoggedEvent


async def _add_event(event: AuditEvent) -> None:
    await AdminEvent.insert(
        AdminEvent(
            at=event.at,
            actor_id=event.actor_id,
            actor_email=event.actor_email,
            desk=event.desk,
            action=event.action,
            target=event.target,
            subject_user=event.subject_user,
            detail=dict(event.detail),
        )
    )


async def _lock_desks(slugs: Sequence[str]) -> None:
    """Hold the desks' rows until the transaction ends (a no-op on SQLite: see the module's docstring)."""
    if slugs:
        await in_transaction().fetch(
            "SELECT id FROM desk WHERE slug = ANY(:slugs) ORDER BY id FOR UPDATE", {"slugs": sorted(slugs)}
        )


async def _active_admins(desk: str) -> frozenset[int]:
    rows = await DeskMembership.select(DeskMembership.user).where(
        (DeskMembership.desk.slug == desk)
        & (DeskMembership.role == Role.ADMIN.value)
        & (DeskMembership.user.is_active == True)  # noqa: E712
    )
    return frozenset(int(r["user"]) for r in rows)


class PiccoloAdminStore:
    async def _accounts(self, where: Combinable) -> list[StaffAccount]:
        users = await (
            StaffUser.select(StaffUser.id, StaffUser.email, StaffUser.display_name, StaffUser.is_active)
            .where(where)
            .order_by(StaffUser.email)
        )
        if not users:
            return []
        ids = [int(u["id"]) for u in users]
        memberships = await DeskMembership.select(
            DeskMembership.user, DeskMembership.desk.slug.as_alias("slug"), DeskMembership.role
        ).where(DeskMembership.user.is_in(ids))
        counts = await (
            ApiToken.select(ApiToken.user, Count(ApiToken.id, alias="n"))
            .where(ApiToken.user.is_in(ids) & ApiToken.revoked_at.is_null())
            .group_by(ApiToken.user)
        )
        roles: dict[int, dict[str, str]] = {i: {} for i in ids}
        for m in memberships:
            roles[int(m["user"])][m["slug"]] = m["role"]
        tokens = {int(c["user"]): int(c["n"]) for c in counts}
        return [
            StaffAccount(
                id=int(u["id"]),
                email=u["email"],
                display_name=u["display_name"] or "",
                is_active=bool(u["is_active"]),
                roles=roles[int(u["id"])],
                tokens=tokens.get(int(u["id"]), 0),
            )
            for u in users
        ]

    async def accounts_on(self, desks: Sequence[str]) -> list[StaffAccount]:
        if not desks:
            return []
        rows = await DeskMembership.select(DeskMembership.user).where(DeskMembership.desk.slug.is_in(list(desks)))
        ids = sorted({int(r["user"]) for r in rows})
        return await self._accounts(StaffUser.id.is_in(ids)) if ids else []

    async def account(self, user_id: int) -> StaffAccount | None:
        found = await self._accounts(StaffUser.id == user_id)
        return found[0] if found else None

    async def account_by_email(self, email: str) -> StaffAccount | None:
        found = await self._accounts(StaffUser.email == email)
        return found[0] if found else None

    async def tokens_of(self, user_id: int) -> list[TokenInfo]:
        rows = await (
            ApiToken.select(
                ApiToken.id, ApiToken.prefix, ApiToken.created_at, ApiToken.last_used_at, ApiToken.revoked_at
            )
            .where(ApiToken.user == user_id)
            .order_by(ApiToken.created_at, ApiToken.id, ascending=False)
        )
        return [TokenInfo(int(r["id"]), r["prefix"], r["created_at"], r["last_used_at"], r["revoked_at"]) for r in rows]

    async def create_user(
        self, email: str, display_name: str, password_hash: str, desk: str, role: str, event: AuditEvent
    ) -> int | None:
        async with write_transaction():
            desk_row = await Desk.select(Desk.id).where(Desk.slug == desk).first()
            if desk_row is None:
                raise NotFound("desk", desk)
            # ON CONFLICT: two admins adding one e-mail at once; the second adds a membership instead.
            row = await in_transaction().fetchrow(
                "INSERT INTO staff_user (email, display_name, password_hash, is_active, language, created_at) "
                "VALUES (:email, :name, :hash, :active, '', :at) ON CONFLICT (email) DO NOTHING RETURNING id",
                {"email": email, "name": display_name, "hash": password_hash, "active": True, "at": event.at},
            )
            if row is None:
                return None
            user_id = int(row["id"])
            await DeskMembership.insert(DeskMembership(user=user_id, desk=desk_row["id"], role=role))
            await _add_event(dataclasses.replace(event, subject_user=user_id))
        return user_id

    async def change_membership(self, user_id: int, desk: str, role: str | None, actor_id: int, decide: Decide) -> None:
        async with write_transaction():
            await _lock_desks([desk])
            desk_row = await Desk.select(Desk.id).where(Desk.slug == desk).first()
            user = await StaffUser.select(StaffUser.is_active).where(StaffUser.id == user_id).first()
            if desk_row is None or user is None:
                raise NotFound("desk" if desk_row is None else "user", desk if desk_row is None else str(user_id))
            mine = (DeskMembership.user == user_id) & (DeskMembership.desk == desk_row["id"])
            current = await DeskMembership.select(DeskMembership.role).where(mine).first()
            actor_admin = await DeskMembership.count().where(
                (DeskMembership.user == actor_id) & (DeskMembership.role == Role.ADMIN.value)
            )
            state = MembershipState(
                desk=desk,
                user_id=user_id,
                user_active=bool(user["is_active"]),
                current_role=current["role"] if current else None,
                active_admins=await _active_admins(desk),
                actor_id=actor_id,
                actor_admin_desks=int(actor_admin),
            )
            event = decide(state)
            if event is None:
                return
            if role is None:
                await DeskMembership.delete().where(mine)
            elif current is None:
                await DeskMembership.insert(DeskMembership(user=user_id, desk=desk_row["id"], role=role))
            else:
                await DeskMembership.update({DeskMembership.role: role}).where(mine)
            await _add_event(event)

    async def set_active(self, user_id: int, active: bool, decide: DecideActive) -> None:
        async with write_transaction():
            user = await StaffUser.select(StaffUser.is_active).where(StaffUser.id == user_id).first()
            if user is None:
                raise NotFound("user", str(user_id))
            rows = await DeskMembership.select(DeskMembership.desk.slug.as_alias("slug")).where(
                (DeskMembership.user == user_id) & (DeskMembership.role == Role.ADMIN.value)
            )
            slugs = sorted({r["slug"] for r in rows})
            await _lock_desks(slugs)
            event = decide(bool(user["is_active"]), {slug: await _active_admins(slug) for slug in slugs})
            if event is None:
                return
            await StaffUser.update({StaffUser.is_active: active}).where(StaffUser.id == user_id)
            if not active:  # signed out everywhere, in the same transaction as the deactivation
                await StaffSession.delete().where(StaffSession.user == user_id)
            await _add_event(event)

    async def set_display_name(self, user_id: int, name: str, event: AuditEvent) -> None:
        async with write_transaction():
            await StaffUser.update({StaffUser.display_name: name}).where(StaffUser.id == user_id)
            await _add_event(event)

    async def add_token(self, user_id: int, token_hash: str, prefix: str, event: AuditEvent) -> None:
        async with write_transaction():
            await ApiToken.insert(ApiToken(user=user_id, token_hash=token_hash, prefix=prefix, created_at=event.at))
            await _add_event(event)

    async def revoke_token(self, user_id: int, token_id: int, at: datetime, decide: DecideRevoke) -> None:
        async with write_transaction():
            mine = (ApiToken.id == token_id) & (ApiToken.user == user_id)
            row = await (
                ApiToken.select(
                    ApiToken.id, ApiToken.prefix, ApiToken.created_at, ApiToken.last_used_at, ApiToken.revoked_at
                )
                .where(mine)
                .first()
            )
            if row is None:
                raise NotFound("token", TOKEN_NOT_FOUND)
            event = decide(
                TokenInfo(int(row["id"]), row["prefix"], row["created_at"], row["last_used_at"], row["revoked_at"])
            )
            await ApiToken.update({ApiToken.revoked_at: at}).where(mine)
            await _add_event(event)


class PiccoloAuditStore:
    async def add(self, event: AuditEvent) -> None:
        await _add_event(event)

    async def page(
        self, desks: Sequence[str], actor_id: int, before: int | None, limit: int, *, desk_only: bool
    ) -> list[LoggedEvent]:
        """Newest first by (at, id): the desks' events and, unless `desk_only`, the desk-less events the
        actor made or that concern a user of those desks."""
        where: Combinable = AdminEvent.desk.is_in(list(desks))
        if not desk_only:
            rows = await DeskMembership.select(DeskMembership.user).where(DeskMembership.desk.slug.is_in(list(desks)))
            users = sorted({int(r["user"]) for r in rows}) or [-1]
            concerns = (AdminEvent.actor_id == actor_id) | AdminEvent.subject_user.is_in(users)
            where = where | (AdminEvent.desk.is_null() & concerns)
        if before is not None:
            cursor = await AdminEvent.select(AdminEvent.at).where(AdminEvent.id == before).first()
            if cursor is not None:
                at = cursor["at"]
                where = where & ((AdminEvent.at < at) | ((AdminEvent.at == at) & (AdminEvent.id < before)))
        rows = await (
            AdminEvent.select()
            .where(where)
            .order_by(AdminEvent.at, AdminEvent.id, ascending=False)
            .limit(limit)
            .output(load_json=True)
        )
        return [
            LoggedEvent(
                int(r["id"]),
                AuditEvent(
                    at=r["at"],
                    actor_id=int(r["actor_id"]),
                    actor_email=r["actor_email"],
                    desk=r["desk"],
                    action=r["action"],
                    target=r["target"],
                    detail=r["detail"] if isinstance(r["detail"], dict) else {},
                    subject_user=r["subject_user"],
                ),
            )
            for r in rows
        ]


__all__ = ["PiccoloAdminStore", "PiccoloAuditStore"]
