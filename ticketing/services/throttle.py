"""Throttles that hold across processes and restarts: counted attempts live in the database.

Keys (an account's e-mail, a client address, a requester's address) are stored only as an HMAC
under the secret key: the count needs no personal data.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import Protocol

from ticketing.domain.throttle import KEEP, Limit
from ticketing.services.ports import Clock


class ThrottleStore(Protocol):
    async def hits(self, key_hash: str, since: datetime) -> int: ...

    async def hit(self, key_hash: str, at: datetime) -> None: ...

    async def clear(self, key_hash: str) -> None: ...

    async def prune(self, before: datetime) -> int: ...


class Throttle:
    def __init__(self, store: ThrottleStore, clock: Clock, secret: str) -> None:
        self.store = store
        self.clock = clock
        self._secret = secret.encode()

    def key_hash(self, limit: Limit, key: str) -> str:
        message = f"{limit.scope}\0{key.strip().casefold()}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    async def exceeded(self, limit: Limit, key: str) -> bool:
        """One more attempt by `key` would be over `limit`."""
        now = self.clock.now()
        return limit.exceeded(await self.store.hits(self.key_hash(limit, key), limit.since(now)))

    async def hit(self, limit: Limit, key: str) -> None:
        await self.store.hit(self.key_hash(limit, key), self.clock.now())

    async def clear(self, limit: Limit, key: str) -> None:
        await self.store.clear(self.key_hash(limit, key))

    async def prune(self) -> int:
        """Forget attempts too old to count for any limit."""
        return await self.store.prune(self.clock.now() - KEEP)
