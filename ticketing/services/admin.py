"""Staff administration from the browser: users, desk memberships and roles, activation, display
names and API tokens, for the admins of each desk (the rules: domain/admin.py).

Every change and its audit event (services/audit.py) are written in one transaction by the store,
and every rule that counts admins is decided on facts the store reads under the desk's row lock
(PostgreSQL) or the IMMEDIATE transaction (SQLite): two admins demoting each other at the same
moment cannot both succeed and leave a desk without one.

Passwords are hashed with argon2 (argon2-cffi's defaults, as services/accounts.py) and API tokens
are stored as their SHA-256 only, as `ticketing token create` does.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from argon2 import PasswordHasher

from ticketing.domain import admin as rules
from ticketing.domain.admin import AdminAction, AdminRefused, MembershipState
from ticketing.domain.errors import Forbidden, NotFound, ValidationFailed
from ticketing.domain.staff import Role
from ticketing.services.accounts import MIN_PASSWORD, AccountService, secret_hash
from ticketing.services.audit import AuditEvent, AuditLog
from ticketing.services.ports import Principal

MAX_PASSWORD = 1024  # a bound on what argon2 is asked to hash
_hasher = PasswordHasher()

PASSWORD_TOO_SHORT = f"A password has at least {MIN_PASSWORD} characters."
PASSWORD_TOO_LONG = "A password has at most 1024 characters."  # noqa: S105
NOT_AN_EMAIL = "Enter an e-mail address, like name@example.com."


@dataclass(frozen=True, slots=True)
class StaffAccount:
    id: int
    email: str
    display_name: str
    is_active: bool
    roles: Mapping[str, str]  # every desk of the user -> role
    tokens: int  # API tokens not revoked


@dataclass(frozen=True, slots=True)
class TokenInfo:
    id: int
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class ManagedUser:
    """A user as one admin sees them: the memberships of the admin's desks, and a count of the rest."""

    account: StaffAccount
    roles: Mapping[str, str]
    other_desks: int
    may_grant: bool  # the admin administers every desk of the user (tokens, reactivation)


@dataclass(frozen=True, slots=True)
class UserDetail:
    user: ManagedUser
    tokens: tuple[TokenInfo, ...]
    addable_desks: tuple[str, ...]  # the admin's desks the user does not belong to yet


@dataclass(frozen=True, slots=True)
class AddedUser:
    user_id: int
    created: bool  # False: the e-mail existed, a membership was added instead


@dataclass(frozen=True, slots=True)
class NewToken:
    token: str  # shown once, never stored
    prefix: str


Decide = Callable[[MembershipState], AuditEvent | None]
DecideActive = Callable[[bool, Mapping[str, frozenset[int]]], AuditEvent | None]
DecideRevoke = Callable[[TokenInfo], AuditEvent]


class AdminStore(Protocol):
    async def accounts_on(self, desks: Sequence[str]) -> list[StaffAccount]: ...

    async def account(self, user_id: int) -> StaffAccount | None: ...

    async def account_by_email(self, email: str) -> StaffAccount | None: ...

    async def tokens_of(self, user_id: int) -> list[TokenInfo]: ...

    async def create_user(
        self, email: str, display_name: str, password_hash: str, desk: str, role: str, event: AuditEvent
    ) -> int | None: ...  # None: the e-mail is taken

    async def change_membership(
        self, user_id: int, desk: str, role: str | None, actor_id: int, decide: Decide
    ) -> None: ...

    async def set_active(self, user_id: int, active: bool, decide: DecideActive) -> None: ...

    async def set_display_name(self, user_id: int, name: str, event: AuditEvent) -> None: ...

    async def add_token(self, user_id: int, token_hash: str, prefix: str, event: AuditEvent) -> None: ...

    async def revoke_token(self, user_id: int, token_id: int, at: datetime, decide: DecideRevoke) -> None: ...


class AdminService:
    def __init__(
        self,
        store: AdminStore,
        accounts: AccountService,
        audit: AuditLog,
        address_check: Callable[[str], str | None],
        desks: Sequence[str],
    ) -> None:
        self.store = store
        self.accounts = accounts
        self.audit = audit
        self.address_check = address_check  # e-mail syntax (email-validator, ticketing.mail.addresses)
        self.desks = tuple(desks)

    def admin_desks(self, principal: Principal) -> frozenset[str]:
        """The caller's admin desks among the configured ones (403 for anyone who administers none)."""
        desks = rules.require_admin(principal.roles) & frozenset(self.desks)
        if not desks:
            raise Forbidden(rules.ADMINS_ONLY)
        return desks

    def _managed(self, admin_desks: frozenset[str], account: StaffAccount) -> ManagedUser:
        shown = {d: r for d, r in account.roles.items() if d in admin_desks}
        return ManagedUser(account, shown, len(account.roles) - len(shown), rules.may_grant(admin_desks, account.roles))

    async def users(self, principal: Principal) -> tuple[tuple[str, ...], tuple[ManagedUser, ...]]:
        """The caller's desks, and the users of those desks (by e-mail)."""
        desks = self.admin_desks(principal)
        accounts = await self.store.accounts_on(sorted(desks))
        return tuple(sorted(desks)), tuple(self._managed(desks, a) for a in accounts)

    async def _visible(self, principal: Principal, user_id: int) -> tuple[frozenset[str], ManagedUser]:
        desks = self.admin_desks(principal)
        account = await self.store.account(user_id)
        if account is None or not rules.may_see(desks, account.roles):
            raise NotFound("user", str(user_id))  # another desk's user and no user look the same
        return desks, self._managed(desks, account)

    async def user(self, principal: Principal, user_id: int) -> UserDetail:
        desks, managed = await self._visible(principal, user_id)
        tokens = await self.store.tokens_of(user_id)
        addable = tuple(sorted(d for d in desks if d not in managed.account.roles))
        return UserDetail(managed, tuple(tokens), addable)

    async def add_user(
        self, principal: Principal, email: str, display_name: str, password: str, desk: str, role: str
    ) -> AddedUser:
        """A new account with a first membership; an e-mail that exists gets the membership instead
        (its password and display name stay as they are)."""
        desks = self.admin_desks(principal)
        errors: dict[str, str] = {}
        address = self.address_check(email.strip())
        if address is None:
            errors["email"] = NOT_AN_EMAIL
        try:
            name = rules.display_name(display_name)
        except ValidationFailed as exc:
            errors.update(exc.errors)
        try:
            chosen = rules.parse_role(role)
        except ValidationFailed as exc:
            errors.update(exc.errors)
        if errors:
            raise ValidationFailed(errors)
        assert address is not None
        rules.require_desk(desks, desk)
        email = address.lower()  # accounts are looked up by lower-cased e-mail (services/accounts.py)
        existing = await self.store.account_by_email(email)
        if existing is None:
            if len(password) < MIN_PASSWORD:
                raise ValidationFailed({"password": PASSWORD_TOO_SHORT})
            if len(password) > MAX_PASSWORD:
                raise ValidationFailed({"password": PASSWORD_TOO_LONG})
            password_hash = await asyncio.to_thread(_hasher.hash, password)
            detail = {"role": chosen.value, "display_name": name}
            event = self.audit.event(principal, AdminAction.USER_ADDED, desk, email, detail)
            user_id = await self.store.create_user(email, name, password_hash, desk, chosen.value, event)
            if user_id is not None:
                return AddedUser(user_id, True)
            existing = await self.store.account_by_email(email)  # added by someone else a moment ago
            assert existing is not None
        await self._add_membership(principal, existing, desk, chosen)
        return AddedUser(existing.id, False)

    async def add_membership(self, principal: Principal, user_id: int, desk: str, role: str) -> None:
        desks, managed = await self._visible(principal, user_id)
        chosen = rules.parse_role(role)
        rules.require_desk(desks, desk)
        await self._add_membership(principal, managed.account, desk, chosen)

    async def _add_membership(self, principal: Principal, account: StaffAccount, desk: str, role: Role) -> None:
        def decide(state: MembershipState) -> AuditEvent:
            if state.current_role is not None:
                raise AdminRefused(rules.ALREADY_MEMBER, {"desk": desk})
            detail = {"new_role": role.value}
            return self.audit.event(
                principal, AdminAction.MEMBERSHIP_ADDED, desk, account.email, detail, subject_user=account.id
            )

        await self.store.change_membership(account.id, desk, role.value, principal.user_id, decide)
        self.accounts.forget_user(account.id)

    async def change_role(self, principal: Principal, user_id: int, desk: str, role: str) -> None:
        desks, managed = await self._visible(principal, user_id)
        chosen = rules.parse_role(role)
        rules.require_desk(desks, desk)

        def decide(state: MembershipState) -> AuditEvent | None:
            if state.current_role is None:
                raise AdminRefused(rules.NOT_A_MEMBER, {"desk": desk})
            if state.current_role == chosen:
                return None
            rules.check_membership_change(state, chosen)
            detail = {"old_role": state.current_role, "new_role": chosen.value}
            email = managed.account.email
            return self.audit.event(principal, AdminAction.ROLE_CHANGED, desk, email, detail, subject_user=user_id)

        await self.store.change_membership(user_id, desk, chosen.value, principal.user_id, decide)
        self.accounts.forget_user(user_id)

    async def remove_membership(self, principal: Principal, user_id: int, desk: str) -> None:
        desks, managed = await self._visible(principal, user_id)
        rules.require_desk(desks, desk)

        def decide(state: MembershipState) -> AuditEvent:
            if state.current_role is None:
                raise AdminRefused(rules.NOT_A_MEMBER, {"desk": desk})
            rules.check_membership_change(state, None)
            detail = {"old_role": state.current_role}
            email = managed.account.email
            return self.audit.event(
                principal, AdminAction.MEMBERSHIP_REMOVED, desk, email, detail, subject_user=user_id
            )

        await self.store.change_membership(user_id, desk, None, principal.user_id, decide)
        self.accounts.forget_user(user_id)

    async def set_active(self, principal: Principal, user_id: int, active: bool) -> None:
        """Deactivate (sessions end in the same transaction; tokens stop at once) or reactivate."""
        _, managed = await self._visible(principal, user_id)
        if active and not managed.may_grant:
            raise Forbidden(rules.GRANT_NEEDS_ALL_DESKS)
        email = managed.account.email

        def decide(is_active: bool, admins_by_desk: Mapping[str, frozenset[int]]) -> AuditEvent | None:
            if is_active == active:
                return None
            if not active:
                rules.check_deactivation(user_id, principal.user_id, admins_by_desk)
            action = AdminAction.USER_REACTIVATED if active else AdminAction.USER_DEACTIVATED
            return self.audit.event(principal, action, None, email, {}, subject_user=user_id)

        await self.store.set_active(user_id, active, decide)
        self.accounts.forget_user(user_id)

    async def set_display_name(self, principal: Principal, user_id: int, display_name: str) -> None:
        _, managed = await self._visible(principal, user_id)
        name = rules.display_name(display_name)
        if name == managed.account.display_name:
            return
        detail = {"old_name": managed.account.display_name, "new_name": name}
        email = managed.account.email
        event = self.audit.event(principal, AdminAction.DISPLAY_NAME_SET, None, email, detail, subject_user=user_id)
        await self.store.set_display_name(user_id, name, event)

    async def create_token(self, principal: Principal, user_id: int) -> NewToken:
        """A new API token for the user, returned once: only its SHA-256 is stored."""
        _, managed = await self._visible(principal, user_id)
        if not managed.may_grant:
            raise Forbidden(rules.GRANT_NEEDS_ALL_DESKS)
        if not managed.account.is_active:
            raise AdminRefused(rules.INACTIVE_USER)
        token = "tkt_" + secrets.token_urlsafe(32)  # the format of AccountService.create_token
        prefix = token[:12]
        event = self.audit.event(
            principal, AdminAction.TOKEN_CREATED, None, prefix, {"user": managed.account.email}, subject_user=user_id
        )
        await self.store.add_token(user_id, secret_hash(token), prefix, event)
        return NewToken(token, prefix)

    async def revoke_token(self, principal: Principal, user_id: int, token_id: int) -> str:
        """Revoke one token of the user (effective at once in this process); returns its prefix."""
        _, managed = await self._visible(principal, user_id)
        revoked: list[str] = []

        def decide(token: TokenInfo) -> AuditEvent:
            if token.revoked_at is not None:
                raise AdminRefused(rules.TOKEN_ALREADY_REVOKED)
            revoked.append(token.prefix)
            detail = {"user": managed.account.email}
            return self.audit.event(
                principal, AdminAction.TOKEN_REVOKED, None, token.prefix, detail, subject_user=user_id
            )

        await self.store.revoke_token(user_id, token_id, self.audit.clock.now(), decide)
        self.accounts.forget_user(user_id)
        return revoked[0]


__all__ = [
    "AddedUser",
    "AdminService",
    "AdminStore",
    "ManagedUser",
    "NewToken",
    "StaffAccount",
    "TokenInfo",
    "UserDetail",
]
