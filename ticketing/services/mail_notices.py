"""The mail the mail channel itself sends: "your attachments were too large" to requesters, and
"mail to the requester bounced" to the desk's agents."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ticketing.domain.desks import Desk
from ticketing.domain.intake import NewTicket
from ticketing.domain.mail import REQUESTER_MAIL_KINDS, MailKind, OutgoingMail
from ticketing.services import notifications
from ticketing.services.ports import MailRenderer, StaffContact, TicketSnapshot
from ticketing.services.requester_mail import RequesterMail, Thread
from ticketing.services.staff_mail import assignee_or_team, staff_mail


class OmittedPart(Protocol):
    @property
    def filename(self) -> str: ...

    @property
    def size(self) -> int: ...

    @property
    def why(self) -> str: ...


class StaffDirectory(Protocol):
    async def staff_of_desks(self, desks: Sequence[str]) -> dict[str, list[StaffContact]]: ...


class MailNotices:
    def __init__(
        self, *, mailer: RequesterMail, renderer: MailRenderer, directory: StaffDirectory, base_url: str
    ) -> None:
        self.mailer = mailer
        self.renderer = renderer
        self.directory = directory
        self.base_url = base_url

    @staticmethod
    def requester_kind(kind: str) -> bool:
        """Mail of this kind went to a requester (so a reply to it belongs on their ticket)."""
        return kind in REQUESTER_MAIL_KINDS

    def too_large(
        self, desk: Desk, new: NewTicket, reference: str, thread: Thread, omitted: Sequence[OmittedPart]
    ) -> OutgoingMail:
        assert new.requester.email is not None
        return self.mailer.build(
            MailKind.MAIL_TOO_LARGE,
            desk,
            to=new.requester.email,
            language=new.language.value,
            reference=reference,
            thread=thread,
            auto="auto-replied",
            context=notifications.mail_too_large(desk, omitted),
        )

    def too_large_reply(self, desk: Desk, snap: TicketSnapshot, omitted: Sequence[OmittedPart]) -> OutgoingMail:
        assert snap.requester_email is not None
        return self.mailer.build(
            MailKind.MAIL_TOO_LARGE,
            desk,
            to=snap.requester_email,
            language=snap.language,
            reference=snap.reference,
            thread=Thread.of(snap.thread, snap.last_inbound_message_id),
            auto="auto-replied",
            context=notifications.mail_too_large(desk, omitted),
        )

    async def staff(self, desk: str) -> list[StaffContact]:
        return (await self.directory.staff_of_desks([desk])).get(desk, [])

    def delivery_failed(
        self, desk: Desk, snap: TicketSnapshot, staff: Sequence[StaffContact], recipients: Sequence[str], mail_kind: str
    ) -> list[OutgoingMail]:
        """Tell the assignee (else the desk's agents, else its managers) that mail to the requester bounced."""
        context = {
            "desk": desk,
            "reference": snap.reference,
            "subject": snap.subject,
            "recipients": list(recipients),
            "mail_kind": mail_kind,
            "ticket_url": f"{self.base_url}/app/tickets/{snap.reference}",
        }
        return [
            staff_mail(self.renderer, MailKind.DELIVERY_FAILED, desk, person, snap.reference, context)
            for person in assignee_or_team(staff, snap.assignee_id)
        ]
