"""The requester's status page (/status/<token>): what the desk waits for, the messages, and replies.

The page is reached by the link in the desk's mail, without an account: the link is the key, so a
wrong, truncated, revoked or expired one is "not found", whichever it is. The page shows the case,
not the person (the link may be forwarded): no contact details, no staff addresses, no internal
notes, no robot mail, nothing of another ticket. A reply written on the page joins the ticket as
inbound mail does (domain.ticket.receive): a wait on the requester ends and the clocks resume; a
settled ticket is flagged for a look.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from ticketing.domain import ticket as rules
from ticketing.domain.desks import Desk
from ticketing.domain.errors import NotFound, Throttled, ValidationFailed
from ticketing.domain.inbound import reply_parts
from ticketing.domain.intake import BAD_TEXT, FILE_TOO_LARGE, TOO_LONG, TOO_MANY_FILES, IntakeLimits
from ticketing.domain.requests import Case
from ticketing.domain.status_page import Waiting, link_expires_at, shown_to_requester, staff_label, waiting_for
from ticketing.domain.throttle import FORM_WINDOW, Limit
from ticketing.domain.tickets import Channel, State
from ticketing.services.calendars import CalendarService
from ticketing.services.case_work import derive
from ticketing.services.intake import Upload
from ticketing.services.ports import (
    BlobStore,
    CaseStore,
    Clock,
    TicketChange,
    TicketSnapshot,
    WorkflowStore,
)
from ticketing.services.requester_mail import token_hash
from ticketing.services.throttle import Throttle
from ticketing.services.uploads import store_uploads, typed_message

MAX_MESSAGE = 20_000  # as the public form's message
EMPTY_REPLY = "Write a message or attach a file."  # a msgid of the page catalogs, as the others here
# Replies from one status page, from anywhere (all processes): far above what a person writes, low
# enough that a leaked link cannot bury the desk.
STATUS_REPLIES = Limit("status_reply", 20, FORM_WINDOW)


@dataclass(frozen=True, slots=True)
class PortalTicket:
    """A ticket as its status page sees it: no contact details, no subject."""

    id: int
    reference: str
    desk: str
    channel: Channel
    category: str
    request_types: tuple[str, ...]
    state: State
    language: str
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None = None
    formal_request_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class PortalMessageRow:
    """A stored message as the page's reader returns it (every message; the service picks)."""

    direction: str  # inbound | outbound
    channel: str  # email, web, phone, post, walk_in, api; "note" for an internal note
    kind: str  # normal | auto | bounce
    by_staff: bool  # written (or logged) by a staff member
    staff_name: str  # the author's display name ("" when none is set)
    text: str
    created_at: datetime
    quote_start: int | None = None
    signature_start: int | None = None
    attachments: tuple[str, ...] = ()  # file names


class PortalStore(Protocol):
    async def by_token_hash(self, token_hash: str) -> PortalTicket | None: ...

    async def messages(self, ticket_id: int) -> list[PortalMessageRow]: ...


@dataclass(frozen=True, slots=True)
class ShownMessage:
    from_desk: bool
    author: str | None  # a staff member's first name, or None: "the desk" (from_desk) or the requester
    text: str
    at: datetime
    attachments: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StatusView:
    ticket: PortalTicket
    desk: Desk
    waiting: Waiting
    messages: tuple[ShownMessage, ...]
    limits: IntakeLimits
    expires_on: datetime | None = None  # when the link stops working (settled tickets)


def clean_text(raw: str) -> str:
    """The message as stored: NFC, \\n line ends, trimmed; control characters and overlong text refused."""
    text = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if any(unicodedata.category(ch) in {"Cc", "Cs", "Co"} and ch not in "\n\t" for ch in text):
        raise ValidationFailed({"message": BAD_TEXT})
    if len(text) > MAX_MESSAGE:
        raise ValidationFailed({"message": TOO_LONG})
    return text


class RequesterPortal:
    def __init__(
        self,
        *,
        desks: Mapping[str, Desk],
        store: PortalStore,
        cases: CaseStore,
        workflow: WorkflowStore,
        calendars: CalendarService,
        blobs: BlobStore,
        clock: Clock,
        limits: IntakeLimits,
        link_days_after_close: int = 90,
        throttle: Throttle | None = None,
    ) -> None:
        self.desks = desks
        self.store = store
        self.cases = cases
        self.workflow = workflow
        self.calendars = calendars
        self.blobs = blobs
        self.clock = clock
        self.limits = limits
        self.link_days = link_days_after_close
        self.throttle = throttle

    def limits_for(self, desk: Desk) -> IntakeLimits:
        """The mail channel's limits: the desk's mail rules within the service-wide upload limits."""
        return IntakeLimits(
            min(desk.mail.max_attachments, self.limits.max_attachments),
            min(desk.mail.max_attachment_bytes, self.limits.max_attachment_bytes),
        )

    def _expired(self, state: State, closed_at: datetime | None) -> bool:
        until = link_expires_at(state, closed_at, self.link_days)
        return until is not None and self.clock.now() >= until

    async def find(self, token: str) -> PortalTicket:
        """The ticket of a working link; any other token is "not found", the same for every reason."""
        found = await self.store.by_token_hash(token_hash(token)) if token else None
        if found is None or found.desk not in self.desks or self._expired(found.state, found.closed_at):
            raise NotFound("status page", "token")
        return found

    async def view(self, token: str) -> StatusView:
        ticket = await self.find(token)
        desk = self.desks[ticket.desk]
        case = Case()
        if (got := await self.cases.read(ticket.reference)) is not None:
            head, stored, _ = got
            case = derive(desk, head, stored)
        messages = tuple(
            ShownMessage(
                from_desk=row.direction == "outbound",
                author=staff_label(desk.staff_names_on_status_page, row.staff_name) if row.by_staff else None,
                # The requester's new words: the quoted history repeats our mail, the signature their details.
                text=row.text if row.direction == "outbound" else _new_text(row),
                at=row.created_at,
                attachments=row.attachments,
            )
            for row in await self.store.messages(ticket.id)
            if shown_to_requester(row.direction, row.channel, row.kind, by_staff=row.by_staff)
        )
        return StatusView(
            ticket=ticket,
            desk=desk,
            waiting=waiting_for(desk, ticket.state, ticket.channel, ticket.formal_request_at, case),
            messages=messages,
            limits=self.limits_for(desk),
            expires_on=link_expires_at(ticket.state, ticket.closed_at, self.link_days),
        )

    async def reply(self, token: str, text: str, uploads: Sequence[Upload]) -> PortalTicket:
        """Store a message (and files) from the status page on its ticket, as a mail reply would be."""
        found = await self.find(token)
        desk = self.desks[found.desk]
        limits = self.limits_for(desk)
        if len(uploads) > limits.max_attachments:
            raise ValidationFailed({"attachments": TOO_MANY_FILES})
        uploads = [u for u in uploads if u.data]  # an empty file carries nothing
        if any(len(u.data) > limits.max_attachment_bytes for u in uploads):
            raise ValidationFailed({"attachments": FILE_TOO_LARGE})
        text = clean_text(text)
        if not text and not uploads:
            raise ValidationFailed({"message": EMPTY_REPLY})
        if self.throttle is not None and await self.throttle.exceeded(STATUS_REPLIES, found.reference):
            raise Throttled(STATUS_REPLIES.scope, int(STATUS_REPLIES.window.total_seconds()))
        stored = await store_uploads(self.blobs, uploads)
        now = self.clock.now()
        message = typed_message(text, channel=Channel.WEB.value, at=now, files=stored)
        calendar = self.calendars.calendar(desk.slug)
        hashed = token_hash(token)

        def decide(snap: TicketSnapshot) -> TicketChange:
            ticket = snap.ticket
            # Checked again under the lock: the link may have been re-issued or expired meanwhile.
            if ticket.status_token_hash != hashed or self._expired(ticket.state, ticket.closed_at):
                raise NotFound("status page", "token")
            moved = rules.receive(ticket, now, calendar, automatic=False)
            first = moved.events[0]
            first = replace(first, data={**first.data, "channel": Channel.WEB.value, "attachments": len(stored)})
            return TicketChange(
                at=now,
                actor_id=None,
                actor_label="requester",
                ticket=moved.ticket,
                events=(first, *moved.events[1:]),
                message=message,
            )

        change = await self.workflow.change(found.reference, decide)
        if self.throttle is not None:
            await self.throttle.hit(STATUS_REPLIES, found.reference)
        return replace(found, state=change.ticket.state)


def _new_text(row: PortalMessageRow) -> str:
    return reply_parts(row.text, row.quote_start, row.signature_start).new


__all__ = [
    "EMPTY_REPLY",
    "STATUS_REPLIES",
    "PortalMessageRow",
    "PortalStore",
    "PortalTicket",
    "RequesterPortal",
    "ShownMessage",
    "StatusView",
    "clean_text",
]
