"""Contact-details repository: a staff confirmation copies a ticket's details to the record on file."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from ticketing.db.engine import write_transaction
from ticketing.db.tables import Event, Requester, Ticket
from ticketing.db.ticket_reads import GIVEN_CONTACT, ON_FILE_CONTACT, given_contact, on_file_contact, ticket_desk
from ticketing.domain.contacts import FIELDS, Contact, changed_fields
from ticketing.domain.errors import NotFound


class PiccoloContactStore:
    async def desk_of(self, reference: str) -> str | None:
        return await ticket_desk(reference)

    async def confirm(self, reference: str, user_id: int, label: str, at: datetime) -> Contact:
        async with write_transaction():
            row = await (
                Ticket.select(
                    Ticket.id,
                    Ticket.requester,
                    Ticket.flags,
                    *GIVEN_CONTACT,
                    *ON_FILE_CONTACT,
                )
                .where(Ticket.reference == reference)
                .first()
                .output(load_json=True)
            )
            if row is None:
                raise NotFound("ticket", reference)
            before, given = on_file_contact(row), given_contact(row)
            changed = changed_fields(before, given)
            after = Contact(**{**asdict(before), **{f: getattr(given, f) for f in changed}})
            if changed:
                columns = {"name": Requester.name, "phone": Requester.phone, "postal_address": Requester.postal_address}
                await Requester.update({columns[f]: getattr(given, f) for f in changed}).where(
                    Requester.id == row["requester"]
                )
            flags = {k: v for k, v in (row["flags"] or {}).items() if k != "contact_details_differ"}
            await Ticket.update({Ticket.flags: flags, Ticket.updated_at: at}).where(Ticket.id == row["id"])
            await Event.insert(
                Event(
                    ticket=row["id"],
                    at=at,
                    actor=user_id,
                    actor_label=label,
                    action="contact_details_confirmed",
                    reason="staff confirmed this ticket's contact details as the requester's details on file",
                    data={"fields": list(changed), "previous": {f: getattr(before, f) for f in changed if f in FIELDS}},
                )
            )
        return after
