"""One attachment of a ticket, found for its download (the bytes are in the blob store)."""

from __future__ import annotations

from ticketing.db.tables import Attachment
from ticketing.services.ports import StoredAttachment


class PiccoloAttachmentStore:
    async def find(self, reference: str, attachment_id: int) -> tuple[str, StoredAttachment] | None:
        """(the ticket's desk, the attachment), when the attachment belongs to that ticket."""
        row = await (
            Attachment.select(
                Attachment.ticket._.desk._.slug.as_alias("desk"),
                Attachment.filename,
                Attachment.declared_type,
                Attachment.content_type,
                Attachment.size,
                Attachment.sha256,
            )
            .where((Attachment.id == attachment_id) & (Attachment.ticket.reference == reference))
            .first()
        )
        if row is None:
            return None
        found = StoredAttachment(row["filename"], row["declared_type"], row["content_type"], row["size"], row["sha256"])
        return str(row["desk"]), found


__all__ = ["PiccoloAttachmentStore"]
