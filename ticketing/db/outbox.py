"""Outbox repository: rows claimed with a lease, FOR UPDATE SKIP LOCKED on PostgreSQL."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from ticketing.db.engine import write_transaction
from ticketing.db.sql import in_transaction
from ticketing.db.tables import Outbox
from ticketing.domain.mail import MailKind, OutboxStatus, OutgoingMail
from ticketing.services.ports import OutboxItem, OutboxRow


def outbox_payload(mail: OutgoingMail) -> dict[str, Any]:
    payload = dataclasses.asdict(mail)
    payload["references"] = list(mail.references)
    return payload


def outbox_row(mail: OutgoingMail, desk_id: int, ticket_id: int | None, at: datetime) -> Outbox:
    payload = outbox_payload(mail)
    return Outbox(
        ticket=ticket_id,
        desk=desk_id,
        kind=mail.kind,
        to_addr=mail.to_addr,
        subject=mail.subject[:500],
        message_id=mail.message_id,
        payload=payload,
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=at,
        last_error="",
        created_at=at,
    )


def _mail(payload: Any) -> OutgoingMail:
    data = json.loads(payload) if isinstance(payload, str) else dict(payload)
    data["references"] = tuple(data.get("references") or ())
    data["kind"] = MailKind(data["kind"])
    return OutgoingMail(**data)


# A row is due when pending and its retry time has come, or when a worker's lease on it ran out
# (the worker died mid-send: it is sent again, with the same Message-ID).
CLAIM_SQL = """
UPDATE outbox SET status = 'sending', attempts = attempts + 1, lease_until = :lease
WHERE id IN (
    SELECT id FROM outbox
    WHERE (status = 'pending' AND next_attempt_at <= :now) OR (status = 'sending' AND lease_until < :now)
    ORDER BY id LIMIT :limit FOR UPDATE SKIP LOCKED
)
RETURNING id, payload, attempts
"""


class PiccoloOutboxStore:
    async def claim(self, now: datetime, limit: int, lease_seconds: int) -> list[OutboxItem]:
        lease = now + timedelta(seconds=lease_seconds)
        async with write_transaction():
            rows = await in_transaction().fetch(CLAIM_SQL, {"lease": lease, "now": now, "limit": limit})
        return sorted(
            (OutboxItem(int(r["id"]), _mail(r["payload"]), int(r["attempts"])) for r in rows), key=lambda i: i.id
        )

    # The marks only touch a row still being sent: a worker that lost its lease (and whose row
    # another worker already sent or gave up on) must not flip it back to pending or failed.

    async def mark_sent(self, item_id: int, at: datetime) -> None:
        await Outbox.update({Outbox.status: OutboxStatus.SENT, Outbox.sent_at: at, Outbox.lease_until: None}).where(
            (Outbox.id == item_id) & (Outbox.status == OutboxStatus.SENDING)
        )

    async def mark_retry(self, item_id: int, error: str, next_attempt_at: datetime) -> None:
        await Outbox.update(
            {
                Outbox.status: OutboxStatus.PENDING,
                Outbox.last_error: error[:2000],
                Outbox.next_attempt_at: next_attempt_at,
                Outbox.lease_until: None,
            }
        ).where((Outbox.id == item_id) & (Outbox.status == OutboxStatus.SENDING))

    async def mark_failed(self, item_id: int, error: str) -> None:
        await Outbox.update(
            {Outbox.status: OutboxStatus.FAILED, Outbox.last_error: error[:2000], Outbox.lease_until: None}
        ).where((Outbox.id == item_id) & (Outbox.status == OutboxStatus.SENDING))

    async def recent(self, desks: Sequence[str], limit: int) -> list[OutboxRow]:
        if not desks:
            return []
        rows = await (
            Outbox.select(*Outbox.all_columns(), Outbox.desk.slug.as_alias("desk_slug"))
            .where(Outbox.desk.slug.is_in(list(desks)))
            .order_by(Outbox.id, ascending=False)
            .limit(limit)
            .output(load_json=True)
        )
        return [
            OutboxRow(
                id=r["id"],
                desk=r["desk_slug"],
                kind=r["kind"],
                to_addr=r["to_addr"],
                subject=r["subject"],
                status=r["status"],
                attempts=r["attempts"],
                last_error=r["last_error"],
                created_at=r["created_at"],
                sent_at=r["sent_at"],
                text=_mail(r["payload"]).text,
            )
            for r in rows
        ]
