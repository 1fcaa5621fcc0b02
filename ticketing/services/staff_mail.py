"""Mail to desk staff (SLA warnings, delivery failures): who gets it, and the message itself."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from ticketing.domain.desks import Desk
from ticketing.domain.mail import MailKind, OutgoingMail, make_message_id, reference_subject
from ticketing.domain.staff import Role
from ticketing.services.ports import MailRenderer, StaffContact


def assignee_or_team(members: Sequence[StaffContact], assignee_id: int | None) -> list[StaffContact]:
    """The ticket's assignee; while unassigned the desk's agents; with no agents its managers."""
    chosen = (
        [m for m in members if m.user_id == assignee_id]
        or [m for m in members if m.role == Role.AGENT]
        or [m for m in members if m.role == Role.MANAGER]
    )
    return list({m.email: m for m in chosen}.values())


def staff_mail(
    renderer: MailRenderer, kind: MailKind, desk: Desk, to: StaffContact, reference: str, context: Mapping[str, Any]
) -> OutgoingMail:
    """`emails/<kind>/` in the staff member's language (else the desk's), as automatic mail about a ticket."""
    language = to.language if to.language in ("ja", "en") else desk.language.value
    rendered = renderer.render(kind, language, {**context, "recipient_name": to.display_name})
    return OutgoingMail(
        kind=kind,
        from_addr=desk.inbox,
        from_name=desk.name,
        to_addr=to.email,
        subject=reference_subject(reference, rendered.subject),
        text=rendered.text,
        html=rendered.html,
        message_id=make_message_id(reference, secrets.token_hex(8), desk.inbox_domain),
        auto_submitted="auto-generated",
    )
