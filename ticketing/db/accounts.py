"""Account repository: staff users, memberships, API tokens, sessions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from ticketing.db.engine import write_transaction
from ticketing.db.tables import ApiToken, Desk, DeskMembership, StaffSession, StaffUser
from ticketing.services.ports import Principal


class PiccoloAccountStore:
    async def add_user(self, email: str, password_hash: str, roles: Mapping[str, str], at: datetime) -> int:
        async with write_transaction():
            # language "": no choice made yet, so the pages follow the browser (the column's default is "en")
            user = StaffUser(email=email, password_hash=password_hash, display_name="", language="", created_at=at)
            await user.save()
            desks = await Desk.select(Desk.id, Desk.slug).where(Desk.slug.is_in(list(roles)))
            await DeskMembership.insert(
                *[DeskMembership(user=user.id, desk=d["id"], role=roles[d["slug"]]) for d in desks]
            )
        return int(user.id)

    async def user_id_by_email(self, email: str) -> int | None:
        row = await StaffUser.select(StaffUser.id).where(StaffUser.email == email).first()
        return int(row["id"]) if row else None

    async def password_hash_of(self, email: str) -> tuple[int, str] | None:
        row = await (
            StaffUser.select(StaffUser.id, StaffUser.password_hash)
            .where((StaffUser.email == email) & (StaffUser.is_active == True))  # noqa: E712
            .first()
        )
        return (int(row["id"]), row["password_hash"]) if row else None

    async def set_password_hash(self, user_id: int, password_hash: str) -> None:
        await StaffUser.update({StaffUser.password_hash: password_hash}).where(StaffUser.id == user_id)

    async def principal(self, user_id: int) -> Principal | None:
        user = await (
            StaffUser.select(StaffUser.id, StaffUser.email, StaffUser.language)
            .where((StaffUser.id == user_id) & (StaffUser.is_active == True))  # noqa: E712
            .first()
        )
        if user is None:
            return None
        rows = await DeskMembership.select(DeskMembership.desk.slug.as_alias("slug"), DeskMembership.role).where(
            DeskMembership.user == user_id
        )
        roles = {r["slug"]: r["role"] for r in rows}
        return Principal(user_id=user["id"], email=user["email"], roles=roles, language=user["language"] or "")

    async def add_token(self, user_id: int, token_hash: str, prefix: str, at: datetime) -> None:
        await ApiToken.insert(ApiToken(user=user_id, token_hash=token_hash, prefix=prefix, created_at=at))

    async def user_for_token(self, token_hash: str, at: datetime) -> int | None:
        row = await (
            ApiToken.select(ApiToken.user)
            .where((ApiToken.token_hash == token_hash) & ApiToken.revoked_at.is_null())
            .first()
        )
        return int(row["user"]) if row else None

    async def add_session(self, user_id: int, token_hash: str, at: datetime, expires_at: datetime) -> None:
        await StaffSession.insert(
            StaffSession(user=user_id, token_hash=token_hash, created_at=at, expires_at=expires_at)
        )

    async def user_for_session(self, token_hash: str, at: datetime) -> int | None:
        row = await (
            StaffSession.select(StaffSession.user)
            .where((StaffSession.token_hash == token_hash) & (StaffSession.expires_at > at))
            .first()
        )
        return int(row["user"]) if row else None

    async def delete_session(self, token_hash: str) -> None:
        await StaffSession.delete().where(StaffSession.token_hash == token_hash)

    async def delete_sessions_of(self, user_id: int) -> int:
        rows = await StaffSession.delete().where(StaffSession.user == user_id).returning(StaffSession.id)
        return len(rows)

    async def set_language(self, user_id: int, language: str) -> None:
        await StaffUser.update({StaffUser.language: language}).where(StaffUser.id == user_id)
