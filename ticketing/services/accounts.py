"""Staff accounts: users, desk roles, passwords (argon2), API tokens and login sessions."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ticketing.domain.errors import AuthenticationFailed, Conflict, NotFound, Throttled, ValidationFailed
from ticketing.domain.intake import EMAIL_RE
from ticketing.domain.staff import Role
from ticketing.domain.throttle import SIGNIN_ACCOUNT, SIGNIN_CLIENT
from ticketing.domain.tickets import Language
from ticketing.services.ports import AccountStore, Clock, Principal
from ticketing.services.throttle import Throttle

log = logging.getLogger(__name__)
ROLES = tuple(Role)
MIN_PASSWORD = 12
SESSION_LIFETIME = timedelta(hours=12)
TOKEN_CACHE = timedelta(seconds=30)
_hasher = PasswordHasher()
# The staff pages' languages a user may choose; "" is no choice: the browser's (Accept-Language).
PAGE_LANGUAGES = ("", *(language.value for language in Language))


class StaffAccountStore(AccountStore, Protocol):
    """The account port, with ending all of a user's sessions and their settings."""

    async def delete_sessions_of(self, user_id: int) -> int: ...  # how many there were

    async def set_language(self, user_id: int, language: str) -> None: ...


@functools.cache
def _dummy_hash() -> str:
    """A real hash to verify against when the e-mail is unknown, so timing does not reveal accounts.

    Made on first use, not at import: hashing takes about 0.1 s, and most processes that import this
    module (an MTA pipe, `ticketing token create`) never check a password.
    """
    return _hasher.hash("not-a-real-password-for-timing")


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class AccountService:
    def __init__(
        self, store: StaffAccountStore, clock: Clock, desks: Sequence[str], throttle: Throttle | None = None
    ) -> None:
        self.store = store
        self.clock = clock
        self.desks = tuple(desks)
        self.throttle = throttle
        self._token_cache: dict[str, tuple[Principal, datetime]] = {}

    async def add_user(self, email: str, password: str, role: str, desks: Sequence[str]) -> int:
        errors: dict[str, str] = {}
        email = email.strip()
        if not EMAIL_RE.match(email):
            errors["email"] = "not an e-mail address"
        if role not in ROLES:
            errors["role"] = f"must be one of {', '.join(ROLES)}"
        if not desks:
            errors["desk"] = "name at least one desk"
        unknown = [d for d in desks if d not in self.desks]
        if unknown:
            errors["desk"] = f"unknown desk(s): {', '.join(unknown)}; known: {', '.join(self.desks)}"
        if len(password) < MIN_PASSWORD:
            errors["password"] = f"must be at least {MIN_PASSWORD} characters"
        if errors:
            raise ValidationFailed(errors)
        if await self.store.user_id_by_email(email.lower()) is not None:
            raise Conflict(f"a user with e-mail {email} exists already")
        password_hash = await asyncio.to_thread(_hasher.hash, password)
        return await self.store.add_user(email.lower(), password_hash, dict.fromkeys(desks, role), self.clock.now())

    async def sign_in(self, email: str, password: str, client: str) -> Principal:
        """`authenticate`, throttled per account and per client (domain/throttle.py).

        Only failures count, so a colleague signing in often or the public form never locks anyone
        out; a success clears the account's count. While a limit holds, no password is checked.
        """
        account = email.strip().lower()
        throttle = self.throttle
        if throttle is not None:
            for limit, key in ((SIGNIN_ACCOUNT, account), (SIGNIN_CLIENT, client)):
                if await throttle.exceeded(limit, key):
                    log.warning("sign-in refused from %s: %s limit reached", client, limit.scope)
                    raise Throttled(limit.scope, int(limit.window.total_seconds()))
        try:
            principal = await self.authenticate(email, password)
        except AuthenticationFailed:
            log.warning("sign-in failed from %s", client)  # not the e-mail typed: it may be a password
            if throttle is not None:
                await throttle.hit(SIGNIN_ACCOUNT, account)
                await throttle.hit(SIGNIN_CLIENT, client)
            raise
        if throttle is not None:
            await throttle.clear(SIGNIN_ACCOUNT, account)
        log.info("staff user %s signed in from %s", principal.user_id, client)
        return principal

    async def authenticate(self, email: str, password: str) -> Principal:
        found = await self.store.password_hash_of(email.strip().lower())
        stored = found[1] if found else await asyncio.to_thread(_dummy_hash)
        try:
            await asyncio.to_thread(_hasher.verify, stored, password)
        except (VerificationError, InvalidHashError):
            raise AuthenticationFailed() from None
        if found is None:
            raise AuthenticationFailed()
        user_id = found[0]
        if _hasher.check_needs_rehash(stored):
            await self.store.set_password_hash(user_id, await asyncio.to_thread(_hasher.hash, password))
        principal = await self.store.principal(user_id)
        if principal is None:
            raise AuthenticationFailed()
        return principal

    async def create_token(self, email: str) -> str:
        user_id = await self.store.user_id_by_email(email.strip().lower())
        if user_id is None:
            raise NotFound("user", email)
        token = "tkt_" + secrets.token_urlsafe(32)
        await self.store.add_token(user_id, secret_hash(token), token[:12], self.clock.now())
        return token

    async def principal_for_token(self, token: str) -> Principal | None:
        """The token's user. Answers are cached for TOKEN_CACHE_SECONDS per process, so a revoked
        token or a changed membership takes at most that long to take effect."""
        key = secret_hash(token)
        now = self.clock.now()
        cached = self._token_cache.get(key)
        if cached is not None and cached[1] > now:
            return cached[0]
        user_id = await self.store.user_for_token(key, now)
        principal = await self.store.principal(user_id) if user_id is not None else None
        if principal is not None:
            if len(self._token_cache) >= 10_000:
                self._token_cache.clear()
            self._token_cache[key] = (principal, now + TOKEN_CACHE)
        return principal

    def forget_user(self, user_id: int) -> None:
        """Drop this process's cached answers for the user's tokens (after a deactivation, a revoked
        token or a changed role), so the change holds here at once; other processes within TOKEN_CACHE.
        An inactive user's tokens and sessions are refused anyway: the store's `principal` reads only
        active users."""
        for key in [k for k, (p, _) in self._token_cache.items() if p.user_id == user_id]:
            del self._token_cache[key]

    async def open_session(self, principal: Principal) -> str:
        token = secrets.token_urlsafe(32)
        now = self.clock.now()
        await self.store.add_session(principal.user_id, secret_hash(token), now, now + SESSION_LIFETIME)
        return token

    async def principal_for_session(self, token: str) -> Principal | None:
        user_id = await self.store.user_for_session(secret_hash(token), self.clock.now())
        return await self.store.principal(user_id) if user_id is not None else None

    async def close_session(self, token: str) -> None:
        await self.store.delete_session(secret_hash(token))

    async def end_sessions(self, principal: Principal) -> int:
        """ "Sign out everywhere": every session of the caller ends, this one too (API tokens stay)."""
        ended = await self.store.delete_sessions_of(principal.user_id)
        log.info("staff user %s signed out everywhere (%s sessions)", principal.user_id, ended)
        return ended

    async def revoke_sessions(self, email: str) -> int:
        """End every session of a user (`ticketing session revoke`): their next page asks them to sign in."""
        user_id = await self.store.user_id_by_email(email.strip().lower())
        if user_id is None:
            raise NotFound("user", email)
        ended = await self.store.delete_sessions_of(user_id)
        log.info("sessions of staff user %s revoked (%s)", user_id, ended)
        return ended

    async def set_language(self, principal: Principal, language: str) -> None:
        """The staff pages' language for this user (ja, en, or "" for the browser's)."""
        if language not in PAGE_LANGUAGES:
            raise ValidationFailed({"language": "choose ja, en or none (the browser's language)"})
        await self.store.set_language(principal.user_id, language)


def roles_text(roles: Mapping[str, str]) -> str:
    return ", ".join(f"{desk}:{role}" for desk, role in sorted(roles.items()))
