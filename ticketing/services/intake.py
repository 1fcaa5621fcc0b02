"""Intake: every new ticket (web form, API, agent-logged call or letter) goes through here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ticketing.domain.contacts import Contact, changed_fields
from ticketing.domain.desks import Desk
from ticketing.domain.errors import NotFound, Throttled, ValidationFailed
from ticketing.domain.incidents import Incident, incident_clocks
from ticketing.domain.intake import (
    AddressCheck,
    AttachmentIn,
    IntakeLimits,
    NewTicket,
    ascii_address,
    safe_filename,
    validate_new_ticket,
)
from ticketing.domain.mail import AUTO_REPLY_KINDS, MailKind, OutgoingMail
from ticketing.domain.requests import conforming, opening_requests
from ticketing.domain.sla import ClockKind
from ticketing.domain.throttle import FormLimits
from ticketing.domain.tickets import Channel, Reference
from ticketing.services import notifications
from ticketing.services.ports import (
    BlobStore,
    Clock,
    StoredAttachment,
    TicketDraft,
    TicketStore,
)
from ticketing.services.requester_mail import RequesterMail, StatusLinks, Thread
from ticketing.services.sla import SlaService
from ticketing.services.throttle import Throttle


@dataclass(frozen=True, slots=True)
class Upload:
    filename: str
    declared_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class CreatedTicket:
    id: int
    reference: str
    desk: str
    state: str
    status_url: str
    language: str


def below_cap(desk: Desk, sent: int) -> bool:
    """Another automatic reply to an address that got `sent` of them in the last 24 hours is allowed."""
    return 0 <= sent < desk.mail.auto_reply_daily_cap


class IntakeService:
    def __init__(
        self,
        *,
        desks: Mapping[str, Desk],
        store: TicketStore,
        blobs: BlobStore,
        mailer: RequesterMail,
        links: StatusLinks,
        clock: Clock,
        limits: IntakeLimits,
        sla: SlaService | None = None,
        throttle: Throttle | None = None,
        form_limits: FormLimits = FormLimits(),  # noqa: B008 (frozen)
        address_check: AddressCheck = ascii_address,
    ) -> None:
        self.address_check = address_check  # the composition root gives the internationalised check
        self.throttle = throttle
        self.form_limits = form_limits
        self.desks = desks
        self.store = store
        self.blobs = blobs
        self.mailer = mailer
        self.links = links
        self.clock = clock
        self.limits = limits
        self.sla = sla

    def desk(self, slug: str) -> Desk:
        try:
            return self.desks[slug]
        except KeyError:
            raise NotFound("desk", slug) from None

    async def open_ticket(
        self,
        desk_slug: str,
        data: Mapping[str, Any],
        *,
        channel: Channel,
        uploads: Sequence[Upload] = (),
        staff_user_id: int | None = None,
        staff_label: str | None = None,
        client: str | None = None,
        linked_reference: str | None = None,
        incident: Incident | None = None,
    ) -> CreatedTicket:
        """Validate, store and acknowledge a new ticket; raise ValidationFailed on bad input.

        `client` (the public form's caller) is throttled: Throttled when it sent too many.
        """
        desk = self.desk(desk_slug)
        per_client = self.form_limits.per_client
        if client is not None and self.throttle is not None and await self.throttle.exceeded(per_client, client):
            raise Throttled(per_client.scope, int(per_client.window.total_seconds()))
        attachments_in = [AttachmentIn(safe_filename(u.filename), u.declared_type, len(u.data)) for u in uploads]
        new = validate_new_ticket(
            data,
            desk,
            channel=channel,
            staff=staff_user_id is not None,
            limits=self.limits,
            attachments=attachments_in,
            address_check=self.address_check,
        )
        # Blobs first: content-addressed and idempotent, so a failure later leaves no half ticket,
        # only an unreferenced file.
        stored = []
        for meta, upload in zip(attachments_in, uploads, strict=True):
            digest, sniffed = self.blobs.put(upload.data)
            stored.append(StoredAttachment(meta.filename, meta.declared_type[:200], sniffed, meta.size, digest))

        now = self.clock.now()
        received_at = self._received_at(data, now) if staff_user_id is not None else now
        reference, may_reply, on_file = await self._reserve(desk, new.requester.email, now, new.requester.email)
        changes = self.contact_changes(new, on_file)
        ack, event_data = None, {}
        form_limited = (
            client is not None
            and new.requester.email is not None
            and await self._form_address_limited(new.requester.email)
        )
        if new.requester.email and incident is None:  # an incident is the desk's own record: no mail
            if not may_reply:
                event_data = {"mail_not_sent": "automatic-reply cap for this address reached"}
            elif form_limited:
                event_data = {
                    "mail_not_sent": "web-form acknowledgements to this address are limited "
                    f"to {self.form_limits.per_address.max_hits} an hour"
                }
            else:
                ack = self.acknowledgement(desk, new, reference)
        draft = TicketDraft(
            new=new,
            reference=reference,
            status_token_hash=self.links.hash(reference),
            received_at=received_at,
            created_at=now,
            attachments=tuple(stored),
            acknowledgement=ack,
            actor_user_id=staff_user_id,
            actor_label=staff_label or "requester",
            clocks=(*self.clocks(desk, new, received_at), *self.incident_clocks(desk, incident)),
            **self.request_fields(desk, new),
            event_data=event_data,
            linked_reference=linked_reference,
            incident=incident,
            contact_changes=changes,
        )
        ticket_id = await self.store.create_ticket(draft)
        if client is not None and self.throttle is not None:
            await self.throttle.hit(self.form_limits.per_client, client)
            if ack is not None and new.requester.email:
                await self.throttle.hit(self.form_limits.per_address, new.requester.email)
        return CreatedTicket(ticket_id, reference, desk.slug, "received", self.links.url(reference), new.language.value)

    async def reserve(self, desk: Desk, address: str | None, now: datetime) -> tuple[str, bool]:
        """A new reference, and whether an automatic reply to `address` is still below the daily cap."""
        reference, may_reply, _ = await self._reserve(desk, address, now, None)
        return reference, may_reply

    async def _reserve(
        self, desk: Desk, address: str | None, now: datetime, on_file_of: str | None
    ) -> tuple[str, bool, Contact | None]:
        """The reference, the cap's answer and the requester on file with `on_file_of`.

        The counter is bumped in its own short statement: references are unique, not gapless. All
        three answers come from one round trip (the hot path of every new ticket).
        """
        year = now.astimezone(ZoneInfo(desk.timezone)).year
        cap = desk.mail.auto_reply_daily_cap
        got = await self.store.reserve_reference(
            desk.reference_prefix,
            year,
            desk.slug,
            address if cap > 0 else None,
            now - timedelta(days=1),
            AUTO_REPLY_KINDS,
            on_file_of,
        )
        reference = str(Reference(desk.reference_prefix, year, got.sequence))
        return reference, address is not None and below_cap(desk, got.sent), got.on_file

    async def _form_address_limited(self, address: str) -> bool:
        return self.throttle is not None and await self.throttle.exceeded(self.form_limits.per_address, address)

    @staticmethod
    def contact_changes(new: NewTicket, on_file: Contact | None) -> tuple[str, ...]:
        """What this contact states differently from the requester on file with that address."""
        who = new.requester
        if on_file is None:
            return ()
        return changed_fields(on_file, Contact(who.name, who.email, who.phone, who.postal_address))

    def clocks(self, desk: Desk, new: NewTicket, received_at: datetime) -> tuple[Any, ...]:
        """The clocks a new ticket starts; the Art. 39 clock waits for a conforming request (Art. 37(1))."""
        if self.sla is None:
            return ()
        clocks = self.sla.clocks_for_new_ticket(desk, new.category, received_at, new.request_types)
        if not conforming(new.channel, new.request_types, desk.request_types):
            clocks = [c for c in clocks if c.kind is not ClockKind.STATUTORY]
        return tuple(clocks)

    def incident_clocks(self, desk: Desk, incident: Incident | None) -> tuple[Any, ...]:
        if incident is None or self.sla is None:
            return ()
        return tuple(
            incident_clocks(incident, self.sla.calendars.calendar(desk.slug), desk.slug, desk.escalation.stages)
        )

    @staticmethod
    def request_fields(desk: Desk, new: NewTicket) -> dict[str, Any]:
        """The statutory requests a new ticket opens with, and whether they came the desk's way."""
        return {
            "requests": opening_requests(new.request_types, desk.request_types),
            "formal_request": bool(new.request_types)
            and conforming(new.channel, new.request_types, desk.request_types),
        }

    async def may_auto_reply(self, desk: Desk, address: str, now: datetime) -> bool:
        """Below the daily cap of automatic replies to this address (loop and abuse backstop)."""
        if desk.mail.auto_reply_daily_cap <= 0:
            return False
        return below_cap(
            desk, await self.store.auto_mail_count(desk.slug, address, now - timedelta(days=1), AUTO_REPLY_KINDS)
        )

    @staticmethod
    def _received_at(data: Mapping[str, Any], now: datetime) -> datetime:
        """Staff logging a letter or call give when it arrived (APPI Art. 39 counts from delivery)."""
        raw = data.get("received_at")
        if raw in (None, ""):
            return now
        try:
            value = datetime.fromisoformat(raw) if isinstance(raw, str) else None
        except ValueError:
            value = None
        if value is None or value.tzinfo is None:
            raise ValidationFailed({"received_at": "must be an ISO 8601 timestamp with a UTC offset"})
        if value > now + timedelta(minutes=5):
            raise ValidationFailed({"received_at": "cannot be in the future"})
        if value < now - timedelta(days=366):
            raise ValidationFailed({"received_at": "cannot be more than a year ago"})
        return value.astimezone(UTC)

    def acknowledgement(self, desk: Desk, new: NewTicket, reference: str, thread: Thread = Thread()) -> OutgoingMail:  # noqa: B008
        """The automatic "we have received it" mail (RFC 3834: auto-replied)."""
        assert new.requester.email is not None
        context = notifications.ticket_received(desk, new)
        return self.mailer.build(
            MailKind.TICKET_RECEIVED,
            desk,
            to=new.requester.email,
            language=new.language.value,
            reference=reference,
            thread=thread,
            auto="auto-replied",
            context=context,
        )
