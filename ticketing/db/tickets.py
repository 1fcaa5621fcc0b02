"""Ticket repository: rows <-> service views; owns its transactions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ticketing.db.plan import Plan
from ticketing.db.plan_run import run
from ticketing.db.sql import connection
from ticketing.db.tables import (
    Attachment,
    Desk,
    Event,
    Message,
    Ticket,
    TicketParticipant,
)
from ticketing.db.ticket_reads import GIVEN_CONTACT, ON_FILE_CONTACT, on_file_contact, ticket_desk
from ticketing.db.ticket_writes import creation_plan
from ticketing.domain.contacts import Contact
from ticketing.services.ports import (
    EventView,
    MessageView,
    Reservation,
    StoredAttachment,
    TicketDetail,
    TicketDraft,
    TicketSummary,
)

SUMMARY_COLUMNS = (
    Ticket.id,
    Ticket.reference,
    Ticket.desk.slug.as_alias("desk_slug"),
    Ticket.channel,
    Ticket.category,
    Ticket.request_types,
    Ticket.state,
    Ticket.language,
    Ticket.subject,
    Ticket.created_at,
    Ticket.updated_at,
    Ticket.assignee.email.as_alias("assignee_email"),
)


def _summary(row: dict[str, Any]) -> TicketSummary:
    return TicketSummary(
        id=row["id"],
        reference=row["reference"],
        desk=row["desk_slug"],
        channel=row["channel"],
        category=row["category"],
        request_types=tuple(row["request_types"] or ()),
        state=row["state"],
        language=row["language"],
        subject=row["subject"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        assignee_email=row["assignee_email"],
    )


AUTO_MAIL_COUNT = """(SELECT count(*) FROM outbox WHERE desk = :desk AND to_addr = :to_addr
    AND created_at >= :since AND kind = ANY(:kinds::varchar[]))"""
# The requester on file (intake compares what a contact states with it): one column per subquery.
ON_FILE = """(SELECT {column} FROM requester WHERE desk = :desk AND email = :on_file_of ORDER BY id LIMIT 1)"""
# SQLite runs the two as one statement too: a CTE may hold an upsert in neither engine's
# sub-select, so the counter is bumped by the statement itself and the count rides along.
RESERVE = f"""
INSERT INTO reference_counter (scope, value) VALUES (:scope, 1)
ON CONFLICT (scope) DO UPDATE SET value = reference_counter.value + 1
RETURNING value, CASE WHEN :to_addr::varchar IS NULL THEN -1 ELSE {AUTO_MAIL_COUNT} END AS sent
"""  # noqa: S608 (constant text; every value is bound)
RESERVE_WITH_ON_FILE = (
    RESERVE.rstrip()
    + f""",
    {ON_FILE.format(column="name")} AS on_name, {ON_FILE.format(column="email")} AS on_email,
    {ON_FILE.format(column="phone")} AS on_phone, {ON_FILE.format(column="postal_address")} AS on_postal
"""
)


async def write(plan: Plan) -> dict[str, int] | None:
    """Run a plan: on PostgreSQL one statement on a pooled connection (atomic by itself), on SQLite
    in an IMMEDIATE transaction."""
    async with connection() as sql:
        return await run(sql, plan)


class PiccoloTicketStore:
    def __init__(self) -> None:
        self._desk_ids: dict[str, int] = {}

    async def ensure_desks(self, slugs: Sequence[str], at: datetime) -> None:
        for slug in slugs:
            await Desk.insert(Desk(slug=slug, created_at=at)).on_conflict(target=Desk.slug, action="DO NOTHING")
        rows = await Desk.select(Desk.id, Desk.slug).where(Desk.slug.is_in(list(slugs)))
        self._desk_ids.update({r["slug"]: r["id"] for r in rows})

    async def desk_id(self, slug: str) -> int:
        if slug not in self._desk_ids:
            row = await Desk.select(Desk.id).where(Desk.slug == slug).first()
            if row is None:
                raise LookupError(f"desk {slug} is not in the database")
            self._desk_ids[slug] = row["id"]
        return self._desk_ids[slug]

    async def create_ticket(self, draft: TicketDraft) -> int:
        ids = await write(creation_plan(draft, await self.desk_id(draft.new.desk)))
        assert ids is not None
        return ids["ticket"]

    async def get_detail(self, reference: str) -> TicketDetail | None:
        row = await (
            Ticket.select(
                *SUMMARY_COLUMNS,
                *GIVEN_CONTACT,
                *ON_FILE_CONTACT,
                Ticket.requester.bouncing.as_alias("r_bouncing"),
                Ticket.flags,
                Ticket.linked_ticket.reference.as_alias("linked_reference"),
                Ticket.version,
            )
            .where(Ticket.reference == reference)
            .first()
            .output(load_json=True)
        )
        if row is None:
            return None
        attachments: dict[int, list[StoredAttachment]] = {}
        attachment_ids: dict[int, list[int]] = {}
        for a in await Attachment.select().where(Attachment.ticket == row["id"]).order_by(Attachment.id):
            attachments.setdefault(a["message"], []).append(
                StoredAttachment(a["filename"], a["declared_type"], a["content_type"], a["size"], a["sha256"])
            )
            attachment_ids.setdefault(a["message"], []).append(a["id"])
        messages = await (
            Message.select(*Message.all_columns(), Message.author.email.as_alias("author_email"))
            .where(Message.ticket == row["id"])
            .order_by(Message.id)
        )
        events = await Event.select(*Event.all_columns()).where(Event.ticket == row["id"]).order_by(Event.id)
        return TicketDetail(
            summary=_summary(row),
            requester_name=row["contact_name"],
            requester_email=row["contact_email"],
            requester_phone=row["contact_phone"],
            requester_postal_address=row["contact_postal_address"],
            on_file=on_file_contact(row),
            messages=tuple(
                MessageView(
                    m["direction"],
                    m["channel"],
                    m["from_email"],
                    m["subject"],
                    m["text"],
                    m["created_at"],
                    tuple(attachments.get(m["id"], ())),
                    kind=m["kind"],
                    html=m["html"],
                    quote_start=m["quote_start"],
                    signature_start=m["signature_start"],
                    message_id=m["message_id"],
                    id=m["id"],
                    author=m["author_email"],
                    attachment_ids=tuple(attachment_ids.get(m["id"], ())),
                )
                for m in messages
            ),
            events=tuple(
                EventView(e["at"], e["actor_label"], e["action"], e["from_state"], e["to_state"], e["reason"])
                for e in events
            ),
            flags=row["flags"] or {},
            requester_bouncing=bool(row["r_bouncing"]),
            linked_reference=row["linked_reference"],
            participants=tuple(
                p["email"]
                for p in await TicketParticipant.select(TicketParticipant.email)
                .where(TicketParticipant.ticket == row["id"])
                .order_by(TicketParticipant.id)
            ),
            version=int(row["version"] or 0),
        )

    async def desk_of(self, reference: str) -> str | None:
        return await ticket_desk(reference)

    async def list_for_desks(self, desks: Sequence[str], limit: int) -> list[TicketSummary]:
        if not desks:
            return []
        rows = await (
            Ticket.select(*SUMMARY_COLUMNS)
            .where(Ticket.desk.slug.is_in(list(desks)))
            .order_by(Ticket.id, ascending=False)
            .limit(limit)
            .output(load_json=True)
        )
        return [_summary(r) for r in rows]

    async def reserve_reference(
        self,
        prefix: str,
        year: int,
        desk: str,
        to_addr: str | None,
        since: datetime,
        kinds: Sequence[str],
        on_file_of: str | None = None,
    ) -> Reservation:
        """The next sequence number and, in the same round trip, the automatic mail already sent to
        `to_addr` since `since` (-1 without an address) and the requester on file with `on_file_of`."""
        params = {
            "scope": f"{prefix}-{year}",
            "desk": await self.desk_id(desk),
            "to_addr": to_addr,
            "since": since,
            "kinds": list(kinds),
        }
        if on_file_of is not None:
            params["on_file_of"] = on_file_of
        async with connection() as sql:
            row = await sql.fetchrow(RESERVE if on_file_of is None else RESERVE_WITH_ON_FILE, params)
        assert row is not None
        on_file = None
        if row.get("on_email") is not None:
            on_file = Contact(row["on_name"], row["on_email"], row["on_phone"], row["on_postal"])
        return Reservation(int(row["value"]), int(row["sent"]), on_file)

    async def auto_mail_count(self, desk: str, to_addr: str, since: datetime, kinds: Sequence[str]) -> int:
        """Automatic mail of these kinds queued to this address by this desk since `since`."""
        params = {"desk": await self.desk_id(desk), "to_addr": to_addr, "since": since, "kinds": list(kinds)}
        async with connection() as sql:
            row = await sql.fetchrow(f"SELECT {AUTO_MAIL_COUNT} AS sent", params)
        assert row is not None
        return int(row["sent"])
