"""Files and words that come through a page rather than by mail, kept the way mail keeps them.

A requester's reply on the status page and a letter an agent logs with its enclosures are both
stored as a message received from the requester, with the files in the blob store (content-
addressed: a change refused after this leaves only an unused file; the type is sniffed from the
bytes, nothing opens or serves them).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from datetime import datetime

from ticketing.domain.intake import safe_filename
from ticketing.services.intake import Upload
from ticketing.services.ports import BlobStore, InboundMessage, StoredAttachment


async def store_uploads(blobs: BlobStore, uploads: Sequence[Upload]) -> tuple[StoredAttachment, ...]:
    stored = []
    for upload in uploads:
        digest, sniffed = await asyncio.to_thread(blobs.put, upload.data)
        declared = (upload.declared_type or "")[:200]
        stored.append(StoredAttachment(safe_filename(upload.filename), declared, sniffed, len(upload.data), digest))
    return tuple(stored)


def typed_message(text: str, *, channel: str, at: datetime, files: tuple[StoredAttachment, ...]) -> InboundMessage:
    """A message from the requester that no mail carried: no sender address, headers or raw copy."""
    digest = hashlib.sha256(text.encode())
    for stored in files:
        digest.update(stored.sha256.encode())
    return InboundMessage(
        from_email=None,
        subject="",
        text=text,
        html=None,
        message_id=None,
        in_reply_to=None,
        references=(),
        to=(),
        cc=(),
        raw_path="",
        content_hash=digest.hexdigest(),
        attachments=files,
        received_at=at,
        channel=channel,
    )


__all__ = ["store_uploads", "typed_message"]
