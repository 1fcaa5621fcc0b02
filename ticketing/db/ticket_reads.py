"""Reads of a ticket that several repositories share: its desk, and its two sets of contact details."""

from __future__ import annotations

from typing import Any

from ticketing.db.tables import Ticket
from ticketing.domain.contacts import Contact

# The details the ticket was opened with, and the requester's record on file (domain/contacts.py).
GIVEN_CONTACT = (Ticket.contact_name, Ticket.contact_email, Ticket.contact_phone, Ticket.contact_postal_address)
ON_FILE_CONTACT = (
    Ticket.requester.name.as_alias("r_name"),
    Ticket.requester.email.as_alias("r_email"),
    Ticket.requester.phone.as_alias("r_phone"),
    Ticket.requester.postal_address.as_alias("r_address"),
)


def given_contact(row: dict[str, Any]) -> Contact:
    return Contact(row["contact_name"], row["contact_email"], row["contact_phone"], row["contact_postal_address"])


def on_file_contact(row: dict[str, Any]) -> Contact:
    return Contact(row["r_name"], row["r_email"], row["r_phone"], row["r_address"])


async def ticket_desk(reference: str) -> str | None:
    """The slug of the desk a ticket belongs to (None: no such ticket)."""
    row = await Ticket.select(Ticket.desk.slug.as_alias("slug")).where(Ticket.reference == reference).first()
    return None if row is None else str(row["slug"])
