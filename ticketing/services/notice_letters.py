"""The notice of a request's result as a letter, for a desk that sends it by post or registered post.

APPI Arts. 32(3), 33(3), 34(3) and 35(7) want the person told of the result without delay, and
Art. 36 asks for the reasons: the e-mail path sends the status mail; the postal path prints the same
words from the same templates (emails/ticket-resolved, emails/status-changed), in the requester's
language. The read is a staff read of the ticket, and is logged as one.
"""

from __future__ import annotations

from collections.abc import Mapping

from ticketing.domain.desks import Desk
from ticketing.domain.errors import Conflict
from ticketing.domain.mail import RenderedMail
from ticketing.domain.requests import NOTICE_STATES
from ticketing.domain.ticket import Ticket
from ticketing.domain.tickets import Category, Language, RequestType, State, requester_notice
from ticketing.services import notifications
from ticketing.services.ports import Principal, TicketDetail
from ticketing.services.requester_mail import RequesterMail
from ticketing.services.tickets import TicketQueries

NOT_SETTLED = "a notice letter is printed once the request is answered, forwarded or not accepted"


class NoticeLetters:
    def __init__(self, *, desks: Mapping[str, Desk], queries: TicketQueries, mailer: RequesterMail) -> None:
        self.desks = desks
        self.queries = queries
        self.mailer = mailer

    async def letter(self, principal: Principal, reference: str) -> tuple[TicketDetail, RenderedMail]:
        detail = await self.queries.detail_for_staff(principal, reference)
        s = detail.summary
        state = State(s.state)
        if state not in NOTICE_STATES or not detail.case.requests:
            raise Conflict(NOT_SETTLED)
        ticket = Ticket(
            id=s.id,
            reference=s.reference,
            desk=s.desk,
            state=state,
            category=Category(s.category),
            language=Language(s.language),
            subject=s.subject,
            request_types=tuple(RequestType(t) for t in s.request_types),
        )
        kind = requester_notice(State.IN_PROGRESS, state)
        assert kind is not None  # every notice state has its mail
        desk = self.desks[s.desk]
        context = notifications.STATUS_MAIL[kind](desk, ticket, ticket, "", detail.case)
        return detail, self.mailer.letter(kind, desk, language=s.language, reference=s.reference, context=context)


__all__ = ["NOT_SETTLED", "NoticeLetters"]
