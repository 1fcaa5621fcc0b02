"""Attachments of a ticket, downloaded by staff of its desk: every download is on the access log."""

from __future__ import annotations

import asyncio
from typing import Protocol

from ticketing.domain.access import AccessKind
from ticketing.domain.errors import NotFound
from ticketing.services.access import AccessLog
from ticketing.services.ports import BlobStore, Principal, StoredAttachment

ID_MAX = 2**31 - 1  # Serial ids are 32-bit on PostgreSQL: a larger one names nothing


class AttachmentStore(Protocol):
    async def find(self, reference: str, attachment_id: int) -> tuple[str, StoredAttachment] | None: ...


class AttachmentFiles:
    def __init__(self, store: AttachmentStore, blobs: BlobStore, access: AccessLog) -> None:
        self.store = store
        self.blobs = blobs
        self.access = access

    async def download(
        self, principal: Principal, reference: str, attachment_id: int
    ) -> tuple[StoredAttachment, bytes]:
        """The attachment and its bytes. Another desk's, or one of another ticket, is "not found"."""
        found = await self.store.find(reference, attachment_id) if 0 < attachment_id <= ID_MAX else None
        if found is None or found[0] not in principal.desks:
            raise NotFound("attachment", f"{reference}/{attachment_id}")
        desk, attachment = found
        try:
            data = await asyncio.to_thread(self.blobs.get, attachment.sha256)
        except (OSError, KeyError):
            raise NotFound("attachment file", attachment.sha256) from None
        await self.access.read(
            principal, AccessKind.ATTACHMENT, f"{reference}/{attachment_id}", desk=desk, reference=reference
        )
        return attachment, data


__all__ = ["AttachmentFiles", "AttachmentStore"]
