"""Contact details: what a later contact may and may not change about a requester.

A requester is matched by e-mail within a desk, but nothing proves that whoever types that
address is its owner: the form, the API and mail are unauthenticated as to identity. So a later
contact never rewrites the details on file or those an earlier ticket was opened with (APPI
Art. 23 duty of security control: a disclosure sent to details a stranger chose would be a leak).
Each ticket keeps the details it was opened with; where they differ from those on file the ticket
says so, and only staff confirm a change.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

FIELDS = ("name", "phone", "postal_address")


@dataclass(frozen=True, slots=True)
class Contact:
    name: str
    email: str | None
    phone: str | None
    postal_address: str | None


def _norm(value: str | None) -> str:
    """Equal for people: width (ＡＢ/AB), case and runs of spaces do not count as a change."""
    text = unicodedata.normalize("NFKC", value or "").casefold()
    return " ".join(text.replace("-", "").split())


def changed_fields(on_file: Contact, given: Contact) -> tuple[str, ...]:
    """The fields `given` states differently from `on_file`; a field left empty changes nothing."""
    return tuple(
        name
        for name in FIELDS
        if _norm(getattr(given, name)) and _norm(getattr(given, name)) != _norm(getattr(on_file, name))
    )
