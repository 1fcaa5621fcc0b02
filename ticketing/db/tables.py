"""Piccolo tables. Timestamps are aware UTC (Timestamptz) everywhere."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    BigInt,
    Boolean,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from ticketing.domain.mail import MailKind, MessageKind, OutboxStatus
from ticketing.domain.procedure import RequesterKind
from ticketing.domain.staff import Role
from ticketing.domain.ticket import EventAction
from ticketing.domain.tickets import Category, Channel, Language, State


class Desk(Table, tablename="desk"):
    """Runtime state of a desk; its definition lives in the desks file."""

    id = Serial(primary_key=True)
    slug = Varchar(length=40, unique=True)
    created_at = Timestamptz()


class StaffUser(Table, tablename="staff_user"):
    id = Serial(primary_key=True)
    email = Varchar(length=254, unique=True)
    display_name = Varchar(length=200, default="")
    password_hash = Varchar(length=200)
    is_active = Boolean(default=True)
    # add_user writes "" (not chosen: Accept-Language applies); "en" stays the default (SQLite keeps defaults)
    language = Varchar(length=5, default="en")
    created_at = Timestamptz()


class DeskMembership(Table, tablename="desk_membership"):
    id = Serial(primary_key=True)
    user = ForeignKey(references=StaffUser, on_delete=OnDelete.cascade, null=False, index=True)
    desk = ForeignKey(references=Desk, on_delete=OnDelete.restrict, null=False, index=True)
    role = Varchar(length=20, choices=Role)


class ApiToken(Table, tablename="api_token"):
    id = Serial(primary_key=True)
    user = ForeignKey(references=StaffUser, on_delete=OnDelete.cascade, null=False, index=True)
    token_hash = Varchar(length=64, unique=True)  # sha256 of the token; the token itself is never stored
    prefix = Varchar(length=12)
    created_at = Timestamptz()
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class StaffSession(Table, tablename="staff_session"):
    id = Serial(primary_key=True)
    user = ForeignKey(references=StaffUser, on_delete=OnDelete.cascade, null=False, index=True)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    expires_at = Timestamptz(index=True)


class Requester(Table, tablename="requester"):
    """A person who contacted one desk (requesters are never shared between desks)."""

    id = Serial(primary_key=True)
    desk = ForeignKey(references=Desk, on_delete=OnDelete.restrict, null=False, index=True)
    name = Varchar(length=200)
    email = Varchar(length=254, null=True, default=None, index=True)
    phone = Varchar(length=30, null=True, default=None)
    postal_address = Text(null=True, default=None)
    language = Varchar(length=5, choices=Language)
    bouncing = Boolean(default=False)
    created_at = Timestamptz()


class Ticket(Table, tablename="ticket"):
    id = Serial(primary_key=True)
    reference = Varchar(length=30, unique=True)
    desk = ForeignKey(references=Desk, on_delete=OnDelete.restrict, null=False, index=True)
    requester = ForeignKey(references=Requester, on_delete=OnDelete.restrict, null=False, index=True)
    channel = Varchar(length=10, choices=Channel)
    category = Varchar(length=30, choices=Category)
    request_types = JSON(default=[])
    state = Varchar(length=30, index=True, choices=State)
    assignee = ForeignKey(references=StaffUser, on_delete=OnDelete.set_null, null=True, default=None, index=True)
    language = Varchar(length=5, choices=Language)
    subject = Varchar(length=200)
    status_token_hash = Varchar(length=64, unique=True)
    flags = JSON(default={})
    linked_ticket: ForeignKey[Ticket] = ForeignKey(
        references="self", on_delete=OnDelete.set_null, null=True, default=None
    )
    received_at = Timestamptz()
    created_at = Timestamptz()
    updated_at = Timestamptz()
    first_responded_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    # Clock due instants live on the ticket so a sweep is an indexed query (docs/business-time.md, SLA clocks).
    first_response_due_at = Timestamptz(null=True, default=None, index=True)
    resolution_due_at = Timestamptz(null=True, default=None, index=True)
    statutory_due_at = Timestamptz(null=True, default=None, index=True)
    # The contact details this ticket was opened with. They never change with a later contact by
    # the same address: what a stranger types must not rewrite an earlier case (the requester row
    # holds the details on file, which only staff change).
    contact_name = Varchar(length=200, default="")
    contact_email = Varchar(length=254, null=True, default=None)
    contact_phone = Varchar(length=30, null=True, default=None)
    contact_postal_address = Text(null=True, default=None)
    # Statutory requests (domain/requests.py): who asks, and when the request that follows the
    # desk's procedure (APPI Art. 37(1)) arrived; received_at stays the first contact.
    requester_kind = Varchar(length=20, default=RequesterKind.PERSON.value, choices=RequesterKind)
    formal_request_at = Timestamptz(null=True, default=None)
    person_birth_date = Varchar(length=10, null=True, default=None)  # ISO date; a minor's statutory agent
    # The queues (domain/queues.py): the next deadline of a running clock (NULL once settled) and
    # how far up the ladder the ticket is; composite indexes in the migration that added them.
    next_due_at = Timestamptz(null=True, default=None)
    risk = Integer(default=0)
    version = Integer(default=0)  # +1 on every change: a form sent from an older page is refused


class Message(Table, tablename="message"):
    id = Serial(primary_key=True)
    ticket = ForeignKey(references=Ticket, on_delete=OnDelete.restrict, null=False, index=True)
    direction = Varchar(length=10)  # inbound | outbound | note
    channel = Varchar(length=10)
    author = ForeignKey(references=StaffUser, on_delete=OnDelete.set_null, null=True, default=None)
    from_email = Varchar(length=254, null=True, default=None)
    to = JSON(default=[])
    subject = Varchar(length=500, default="")
    text = Text(default="")
    html = Text(null=True, default=None)  # sanitised with nh3 before it is stored
    message_id = Varchar(length=500, null=True, default=None, index=True)
    in_reply_to = Varchar(length=500, null=True, default=None)
    references = JSON(default=[])
    headers = JSON(default={})
    raw_path = Varchar(length=300, null=True, default=None)  # raw RFC 5322 source under the data dir
    content_hash = Varchar(length=64, null=True, default=None, index=True)
    created_at = Timestamptz()
    kind = Varchar(length=10, default=MessageKind.NORMAL.value, choices=MessageKind)  # robot mail is "auto"
    cc = JSON(default=[])
    quote_start = Integer(null=True, default=None)  # offset in `text` where quoted history begins
    signature_start = Integer(null=True, default=None)


class Attachment(Table, tablename="attachment"):
    id = Serial(primary_key=True)
    ticket = ForeignKey(references=Ticket, on_delete=OnDelete.restrict, null=False, index=True)
    message = ForeignKey(references=Message, on_delete=OnDelete.restrict, null=False, index=True)
    filename = Varchar(length=200)
    declared_type = Varchar(length=200, default="application/octet-stream")
    content_type = Varchar(length=200)  # sniffed from the bytes, not trusted from the sender
    size = Integer()
    sha256 = Varchar(length=64, index=True)
    created_at = Timestamptz()


class Event(Table, tablename="event"):
    """Append-only audit log of a ticket: nothing updates or deletes these rows."""

    id = Serial(primary_key=True)
    ticket = ForeignKey(references=Ticket, on_delete=OnDelete.restrict, null=False, index=True)
    at = Timestamptz()
    actor = ForeignKey(references=StaffUser, on_delete=OnDelete.set_null, null=True, default=None)
    actor_label = Varchar(length=100)  # "requester", "system", or the staff e-mail at the time
    action = Varchar(length=50, choices=EventAction)
    from_state = Varchar(length=30, null=True, default=None)
    to_state = Varchar(length=30, null=True, default=None)
    reason = Text(default="")
    data = JSON(default={})


class AccessLog(Table, tablename="access_log"):
    """Every staff read of personal data, and every refused attempt: who, when, what, from where.

    Append-only. `ticket` is set when the read concerned one ticket; `target` names what was asked
    for (a reference, a mail id, a list) even when nothing was found or it was refused.
    """

    id = Serial(primary_key=True)
    user = ForeignKey(references=StaffUser, on_delete=OnDelete.restrict, null=False, index=True)
    at = Timestamptz(index=True)
    via = Varchar(length=20)  # api | web
    what = Varchar(length=30)  # an AccessKind
    target = Varchar(length=200, default="")
    desk = Varchar(length=40, default="")
    ticket = ForeignKey(references=Ticket, on_delete=OnDelete.restrict, null=True, default=None, index=True)
    client = Varchar(length=64, default="")  # the client address as the app sees it
    allowed = Boolean(default=True)
    rows_shown = Integer(default=1)  # rows of personal data shown (lists; 0 for a refusal)


class ThrottleHit(Table, tablename="throttle_hit"):
    """One counted attempt (a failed sign-in, a form submission) under a keyed HMAC, not the raw
    address or account: counting needs no personal data. Old rows are pruned."""

    id = Serial(primary_key=True)
    key_hash = Varchar(length=64, index=True)  # HMAC(secret, scope + key)
    at = Timestamptz(index=True)


class ClockPause(Table, tablename="clock_pause"):
    """A stored interval during which the business clocks of a ticket were paused."""

    id = Serial(primary_key=True)
    ticket = ForeignKey(references=Ticket, on_delete=OnDelete.restrict, null=False, index=True)
    started_at = Timestamptz()
    ended_at = Timestamptz(null=True, default=None)
    reason = Varchar(length=100)


class SlaClock(Table, tablename="sla_clock"):
    """One clock of a ticket with its policy snapshot; `next_fire_at` is what the sweep queries."""

    id = Serial(primary_key=True)
    ticket = ForeignKey(references=Ticket, on_delete=OnDelete.restrict, null=False, index=True)
    kind = Varchar(length=20)  # first_response | resolution | statutory
    policy = JSON(default={})  # desk, category, target, calendar_version, stages at start
    started_at = Timestamptz()
    budget_us = BigInt()  # business (statutory: wall) microseconds allowed
    due_at = Timestamptz(null=True, default=None)  # None while paused
    paused = Boolean(default=False)
    stopped_at = Timestamptz(null=True, default=None)
    breached_at = Timestamptz(null=True, default=None)
    next_stage = Integer(default=0)  # index into policy["stages"] of the next rung to fire
    next_fire_at = Timestamptz(null=True, default=None, index=True)  # None: nothing left to fire
    used_us = BigInt(null=True, default=None)  # time used when it stopped, pauses out (reports read it)
    desk = Varchar(length=40, null=True, default=None)  # the policy snapshot's desk slug (reports filter on it)
    category = Varchar(length=30, null=True, default=None)  # and its category (whose target the clock runs on)


class SlaFiring(Table, tablename="sla_firing"):
    """A rung that fired; `fire_key` (clock:stage) makes a second firing impossible."""

    id = Serial(primary_key=True)
    clock = ForeignKey(references=SlaClock, on_delete=OnDelete.restrict, null=False, index=True)
    ticket = ForeignKey(references=Ticket, on_delete=OnDelete.restrict, null=False, index=True)
    stage = Varchar(length=30)
    fire_key = Varchar(length=60, unique=True)
    nominal_at = Timestamptz()
    fired_at = Timestamptz()
    recipients = JSON(default=[])


class TicketParticipant(Table, tablename="ticket_participant"):
    """Someone besides the requester whose mail may join the ticket (e.g. an authorised representative)."""

    id = Serial(primary_key=True)
    ticket = ForeignKey(references=Ticket, on_delete=OnDelete.restrict, null=False, index=True)
    email = Varchar(length=254, index=True)
    name = Varchar(length=200, default="")
    added_by = ForeignKey(references=StaffUser, on_delete=OnDelete.set_null, null=True, default=None)
    created_at = Timestamptz()


class InboundMail(Table, tablename="inbound_mail"):
    """Every message that reached a desk inbox, once: what became of it, where its raw bytes are.

    `dedupe_key` (desk + Message-ID + content hash) is unique: the same message by IMAP, LMTP or a
    pipe, or fetched twice, is stored once.
    """

    id = Serial(primary_key=True)
    desk = ForeignKey(references=Desk, on_delete=OnDelete.restrict, null=False, index=True)
    dedupe_key = Varchar(length=64, unique=True)
    source = Varchar(length=10)  # imap | lmtp | pipe
    mailbox = Varchar(length=300, default="")
    uidvalidity = BigInt(null=True, default=None)
    uid = BigInt(null=True, default=None)
    message_id = Varchar(length=500, null=True, default=None, index=True)
    content_hash = Varchar(length=64)
    raw_sha256 = Varchar(length=64)  # the raw message in the raw-mail store
    size = Integer()
    from_email = Varchar(length=254, null=True, default=None)
    subject = Varchar(length=300, default="")
    received_at = Timestamptz()
    action = Varchar(length=20, index=True)  # created | appended | quarantined | ignored
    reason = Text(default="")
    defects = JSON(default=[])
    ticket = ForeignKey(references=Ticket, on_delete=OnDelete.restrict, null=True, default=None, index=True)
    message = ForeignKey(references=Message, on_delete=OnDelete.restrict, null=True, default=None)
    deliveries = Integer(default=1)  # how often it arrived (duplicates are counted, not stored)
    last_seen_at = Timestamptz()
    review = Varchar(length=20, default="")  # "" | released | dismissed (a manager looked at it)
    reviewed_by = ForeignKey(references=StaffUser, on_delete=OnDelete.set_null, null=True, default=None)
    reviewed_at = Timestamptz(null=True, default=None)


class MailboxState(Table, tablename="mailbox_state"):
    """An IMAP mailbox being polled: its UIDVALIDITY, the last UID done, and the poller's lease."""

    id = Serial(primary_key=True)
    key = Varchar(length=300, unique=True)  # desk:user@host:port/mailbox
    desk = ForeignKey(references=Desk, on_delete=OnDelete.restrict, null=False)
    uidvalidity = BigInt(null=True, default=None)
    last_uid = BigInt(default=0)
    owner = Varchar(length=100, null=True, default=None)
    lease_until = Timestamptz(null=True, default=None)
    last_poll_at = Timestamptz(null=True, default=None)
    last_error = Text(default="")


class ReferenceCounter(Table, tablename="reference_counter"):
    id = Serial(primary_key=True)
    scope = Varchar(length=20, unique=True)  # "<PREFIX>-<YEAR>"
    value = Integer(default=0)


class Outbox(Table, tablename="outbox"):
    """Mail written in the same transaction as the change that caused it, sent by a worker."""

    id = Serial(primary_key=True)
    ticket = ForeignKey(references=Ticket, on_delete=OnDelete.restrict, null=True, default=None, index=True)
    desk = ForeignKey(references=Desk, on_delete=OnDelete.restrict, null=False, index=True)
    kind = Varchar(length=50, choices=MailKind)  # the emails/ folder
    to_addr = Varchar(length=254, index=True)  # indexed for the daily cap of automatic replies
    subject = Varchar(length=500)
    message_id = Varchar(length=300, unique=True)
    payload = JSON(default={})  # the OutgoingMail; composed into RFC 5322 at send time
    status = Varchar(length=10, default=OutboxStatus.PENDING.value, index=True, choices=OutboxStatus)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(index=True)
    lease_until = Timestamptz(null=True, default=None)
    last_error = Text(default="")
    created_at = Timestamptz()
    sent_at = Timestamptz(null=True, default=None)


# The tables of this module; db/schema.py lists every table of the app.
CORE_TABLES: list[type[Table]] = [
    Desk,
    StaffUser,
    DeskMembership,
    ApiToken,
    StaffSession,
    Requester,
    Ticket,
    Message,
    Attachment,
    Event,
    AccessLog,
    ThrottleHit,
    ClockPause,
    SlaClock,
    SlaFiring,
    ReferenceCounter,
    Outbox,
    TicketParticipant,
    InboundMail,
    MailboxState,
]
