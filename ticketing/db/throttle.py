"""Throttle repository: counted attempts, by keyed hash."""

from __future__ import annotations

from datetime import datetime

from ticketing.db.tables import ThrottleHit


class PiccoloThrottleStore:
    async def hits(self, key_hash: str, since: datetime) -> int:
        return int(await ThrottleHit.count().where((ThrottleHit.key_hash == key_hash) & (ThrottleHit.at >= since)))

    async def hit(self, key_hash: str, at: datetime) -> None:
        await ThrottleHit.insert(ThrottleHit(key_hash=key_hash, at=at))

    async def clear(self, key_hash: str) -> None:
        await ThrottleHit.delete().where(ThrottleHit.key_hash == key_hash)

    async def prune(self, before: datetime) -> int:
        rows = await ThrottleHit.delete().where(ThrottleHit.at < before).returning(ThrottleHit.id)
        return len(rows)
