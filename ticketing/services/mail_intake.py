"""Mail intake: every received message, whatever the path (IMAP, LMTP, pipe), goes through `ingest`.

The order matters: the raw bytes are stored first (content-addressed, idempotent); then one
transaction claims the message's dedupe key and writes the ticket or the reply with it, so the same
message through any path, or twice, is stored once, and a crash leaves either nothing or all of it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from ticketing.domain import ticket as rules
from ticketing.domain.desks import Desk
from ticketing.domain.errors import Conflict, NotFound
from ticketing.domain.inbound import ParsedMail, clean_subject, dedupe_key, guess_language, subject_references
from ticketing.domain.intake import AttachmentIn, NewTicket, RequesterIn, safe_filename
from ticketing.domain.mail import MessageKind, OutgoingMail
from ticketing.domain.ticket import EventAction, TicketEvent
from ticketing.domain.tickets import Category, Channel
from ticketing.services.calendars import CalendarService
from ticketing.services.intake import IntakeService
from ticketing.services.mail_notices import MailNotices
from ticketing.services.mail_ports import InboundRecord, MailParser, MailSource, MailStore, ThreadMatch
from ticketing.services.ports import BlobStore, Clock, InboundMessage, StoredAttachment, TicketChange, TicketDraft
from ticketing.services.ports import TicketSnapshot as Snapshot
from ticketing.services.requester_mail import Thread

log = logging.getLogger(__name__)
NO_SUBJECT = {"ja": "（件名なし）", "en": "(no subject)"}


@dataclass(frozen=True, slots=True)
class IngestResult:
    action: str  # created | appended | duplicate | quarantined | ignored
    ticket: str | None = None
    inbound_id: int | None = None
    reason: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"action": self.action, "ticket": self.ticket}


@dataclass(frozen=True, slots=True)
class Omitted:
    filename: str
    size: int
    why: str


class MailIntake:
    def __init__(
        self,
        *,
        desks: Mapping[str, Desk],
        parser: MailParser,
        store: MailStore,
        raw_store: BlobStore,
        blobs: BlobStore,
        intake: IntakeService,
        notices: MailNotices,
        calendars: CalendarService,
        clock: Clock,
    ) -> None:
        self.desks = desks
        self.parser = parser
        self.store = store
        self.raw_store = raw_store
        self.blobs = blobs
        self.intake = intake
        self.notices = notices
        self.calendars = calendars
        self.clock = clock
        self.own_addresses = frozenset(a for d in desks.values() for a in d.addresses)

    def desk(self, slug: str) -> Desk:
        try:
            return self.desks[slug]
        except KeyError:
            raise NotFound("desk", slug) from None

    def desk_for_address(self, address: str) -> Desk | None:
        """The desk an envelope recipient delivers to; sub-addressing (privacy+tag@) reaches the same desk."""
        local, _, domain = address.strip().strip("<>").lower().rpartition("@")
        plain = f"{local.split('+', 1)[0]}@{domain}"
        return next((d for d in self.desks.values() if plain in d.addresses), None)

    async def ingest(self, desk_slug: str, raw: bytes, source: MailSource) -> IngestResult:
        """Store one message and thread it; idempotent (the same message again answers `duplicate`)."""
        desk = self.desk(desk_slug)
        parsed = self.parser.parse(raw)
        key = dedupe_key(desk.slug, parsed.message_id, parsed.content_hash)
        now = self.clock.now()
        if (hit := await self.store.find_inbound(key)) is not None:
            await self.store.touch_duplicate(hit.id, now)
            return IngestResult("duplicate", hit.reference, hit.id)
        # Before anything refers to it; idempotent by content. In a thread: it fsyncs, and the loop serves others.
        raw_sha, _ = await asyncio.to_thread(self.raw_store.put, raw)
        record = InboundRecord(
            desk=desk.slug,
            dedupe_key=key,
            source=source,
            message_id=parsed.message_id,
            content_hash=parsed.content_hash,
            raw_sha256=raw_sha,
            size=parsed.size,
            from_email=parsed.from_email,
            subject=parsed.subject[:300],
            received_at=self._received_at(source, now),
            action="",
            defects=parsed.defects[:50],
        )
        if (reason := parsed.quarantine_reason) is not None:
            return await self._log(record, "quarantined", reason)
        robot = list(parsed.auto_reasons)
        if parsed.from_email in self.own_addresses:
            robot.append(f"sent from our own desk inbox {parsed.from_email}")
        if parsed.bounce:
            return await self._bounce(desk, parsed, record, now)
        target, linked = await self._thread(desk, parsed, robot=bool(robot))
        if target is not None:
            return await self._append(desk, parsed, record, target, robot, now)
        if robot:
            why = "automatic mail that answers no ticket: " + "; ".join(robot)
            return await self._log(record, "ignored", why[:2000])
        return await self._create(desk, parsed, record, linked, now)

    async def record_unfetched(self, desk_slug: str, header: bytes, size: int, source: MailSource) -> IngestResult:
        """A message too large to fetch: log its headers for a manager; it stays in the mailbox."""
        desk = self.desk(desk_slug)
        parsed = self.parser.parse(header.rstrip(b"\r\n") + b"\r\n\r\n")
        now = self.clock.now()
        key = dedupe_key(desk.slug, parsed.message_id, f"unfetched:{size}:{parsed.content_hash}")
        if (hit := await self.store.find_inbound(key)) is not None:
            return IngestResult("duplicate", hit.reference, hit.id)
        record = InboundRecord(
            desk=desk.slug,
            dedupe_key=key,
            source=source,
            message_id=parsed.message_id,
            content_hash=parsed.content_hash,
            raw_sha256=(await asyncio.to_thread(self.raw_store.put, header))[0],
            size=size,
            from_email=parsed.from_email,
            subject=parsed.subject[:300],
            received_at=self._received_at(source, now),
            action="",
        )
        where = f"{source.mailbox} UID {source.uid}" if source.uid is not None else source.mailbox
        return await self._log(
            record,
            "quarantined",
            f"too large to fetch ({size} bytes); left on the server at {where}; only its headers are stored here",
        )

    @staticmethod
    def _received_at(source: MailSource, now: datetime) -> datetime:
        """When the desk got it: the mailbox's delivery time when known and plausible (APPI Art. 39)."""
        at = source.delivered_at
        if at is None or at.tzinfo is None or not now - timedelta(days=366) <= at <= now + timedelta(minutes=5):
            return now
        return min(at, now)

    async def _log(self, record: InboundRecord, action: str, reason: str) -> IngestResult:
        inbound_id = await self.store.record(replace(record, action=action, reason=reason))
        if inbound_id is None:
            return await self._duplicate(record)
        log.info("mail %s on desk %s: %s", action, record.desk, reason)
        return IngestResult(action, None, inbound_id, reason)

    async def _duplicate(self, record: InboundRecord) -> IngestResult:
        """Another path stored this message while we worked on it."""
        hit = await self.store.find_inbound(record.dedupe_key)
        return IngestResult("duplicate", hit.reference if hit else None, hit.id if hit else None)

    # --- threading -----------------------------------------------------------------------------

    async def _thread(self, desk: Desk, parsed: ParsedMail, *, robot: bool) -> tuple[ThreadMatch | None, str | None]:
        """The ticket this message joins, or (None, a ticket to link a new one to).

        Our own Message-IDs in In-Reply-To/References first, then a bracketed reference in the
        subject; either way the sender must be the requester or a participant of that ticket. A
        stranger's mail is never put on someone's privacy case: it opens a new ticket linked to it.
        """
        ids = [i for i in (parsed.in_reply_to, *reversed(parsed.references)) if i]
        linked: str | None = None
        for match in await self.store.thread_matches(desk.slug, list(dict.fromkeys(ids))):
            if match.via == "outbound" and not self.notices.requester_kind(match.mail_kind):
                continue  # a reply to a staff notification is not the requester's case
            if match.knows(parsed.from_email) or (robot and match.via == "outbound"):
                return match, None
            linked = linked or match.reference
        for reference in subject_references(parsed.subject):
            by_subject = await self.store.ticket_by_reference(desk.slug, reference)
            if by_subject is None:
                continue  # no such ticket on this desk: say nothing about other desks
            if by_subject.knows(parsed.from_email):
                return by_subject, None
            linked = linked or by_subject.reference
        return None, linked

    # --- a new ticket ---------------------------------------------------------------------------

    async def _attachments(self, desk: Desk, parsed: ParsedMail) -> tuple[tuple[StoredAttachment, ...], list[Omitted]]:
        rules = desk.mail
        stored: list[StoredAttachment] = []
        omitted: list[Omitted] = []
        for part in parsed.attachments:
            name = safe_filename(part.filename)
            if parsed.size > rules.max_message_bytes:
                omitted.append(Omitted(name, part.size, "message_too_large"))
            elif part.size > rules.max_attachment_bytes:
                omitted.append(Omitted(name, part.size, "attachment_too_large"))
            elif len(stored) >= rules.max_attachments:
                omitted.append(Omitted(name, part.size, "too_many_attachments"))
            else:
                # Stored by hash; never executed or rendered.
                digest, sniffed = await asyncio.to_thread(self.blobs.put, part.data)
                stored.append(StoredAttachment(name, part.content_type[:200], sniffed, part.size, digest))
        return tuple(stored), omitted

    def _message(
        self, parsed: ParsedMail, record: InboundRecord, attachments: tuple[StoredAttachment, ...], kind: MessageKind
    ) -> InboundMessage:
        return InboundMessage(
            from_email=parsed.from_email,
            subject=parsed.subject,
            text=parsed.text,
            html=parsed.html,
            message_id=parsed.message_id,
            in_reply_to=parsed.in_reply_to,
            references=parsed.references,
            to=parsed.to,
            cc=parsed.cc,
            raw_path=record.raw_sha256,
            content_hash=parsed.content_hash,
            kind=kind,
            headers=dict(parsed.headers),
            quote_start=parsed.quote_start,
            signature_start=parsed.signature_start,
            attachments=attachments,
            received_at=record.received_at,
        )

    async def release(self, desk_slug: str, raw_sha256: str, inbound_id: int, source: MailSource) -> IngestResult:
        """Open a ticket from logged mail that was ignored (a manager's decision); no automatic reply."""
        desk = self.desk(desk_slug)
        parsed = self.parser.parse(self.raw_store.get(raw_sha256))
        if parsed.from_email is None:
            raise Conflict(f"mail {inbound_id} has no usable sender: it cannot open a ticket")
        now = self.clock.now()
        record = InboundRecord(
            desk=desk.slug,
            dedupe_key="",
            source=source,
            message_id=parsed.message_id,
            content_hash=parsed.content_hash,
            raw_sha256=raw_sha256,
            size=parsed.size,
            from_email=parsed.from_email,
            subject=parsed.subject[:300],
            received_at=now,
            action="created",
        )
        return await self._create(desk, parsed, record, None, now, release_of=inbound_id)

    async def _create(
        self,
        desk: Desk,
        parsed: ParsedMail,
        record: InboundRecord,
        linked: str | None,
        now: datetime,
        *,
        release_of: int | None = None,
    ) -> IngestResult:
        assert parsed.from_email is not None
        language = guess_language(parsed.subject, parsed.new_text, default=desk.language)
        stored, omitted = await self._attachments(desk, parsed)
        name = (parsed.from_name or parsed.from_email.split("@", 1)[0])[:200]
        subject = (clean_subject(parsed.subject) or NO_SUBJECT[language.value])[:200]
        new = NewTicket(
            desk=desk.slug,
            channel=Channel.EMAIL,
            category=Category.INQUIRY,
            request_types=(),
            subject=subject,
            message=parsed.text,
            language=language,
            requester=RequesterIn(name, parsed.from_email, None, None),
            attachments=tuple(AttachmentIn(a.filename, a.declared_type, a.size) for a in stored),
        )
        reference, may_reply = await self.intake.reserve(desk, parsed.from_email, now)
        thread = Thread.of((*parsed.references, *(x for x in (parsed.message_id,) if x)), parsed.message_id)
        ack, mails, event = None, [], dict[str, Any]()
        if release_of is not None:
            event["released_from_mail_log"] = release_of  # robot mail a manager let in: never auto-answered
        elif may_reply:
            ack = self.intake.acknowledgement(desk, new, reference, thread)
            if omitted:
                mails.append(self.notices.too_large(desk, new, reference, thread, omitted))
        else:
            event["mail_not_sent"] = "automatic-reply cap for this address reached"
        flags: dict[str, Any] = {}
        if linked:
            flags["needs_review"] = f"refers to {linked}, but the sender is not on that ticket"
        if omitted:
            flags["attachments_omitted"] = [{"filename": o.filename, "size": o.size, "why": o.why} for o in omitted]
        if parsed.defects:
            event["defects"] = list(parsed.defects[:20])
        draft = TicketDraft(
            new=new,
            reference=reference,
            status_token_hash=self.intake.links.hash(reference),
            received_at=record.received_at,
            created_at=now,
            attachments=stored,
            acknowledgement=ack,
            actor_label="requester",
            clocks=self.intake.clocks(desk, new, record.received_at),
            **self.intake.request_fields(desk, new),
            inbound=self._message(parsed, record, stored, MessageKind.NORMAL),
            mails=tuple(mails),
            flags=flags,
            linked_reference=linked,
            keep_requester_name=True,
            event_data=event,
        )
        if await self.store.create_ticket(replace(record, action="created"), draft, release_of=release_of) is None:
            if release_of is not None:
                raise Conflict(f"mail {release_of} was already released or reviewed")
            return await self._duplicate(record)
        log.info("mail on desk %s opened %s", desk.slug, reference)
        return IngestResult("created", reference)

    # --- a reply to a ticket ------------------------------------------------------------------------

    async def _append(
        self,
        desk: Desk,
        parsed: ParsedMail,
        record: InboundRecord,
        target: ThreadMatch,
        robot: list[str],
        now: datetime,
    ) -> IngestResult:
        stored, omitted = await self._attachments(desk, parsed)
        inbound = self._message(parsed, record, stored, MessageKind.AUTO if robot else MessageKind.NORMAL)
        may_notify = (
            bool(omitted) and not robot and await self.intake.may_auto_reply(desk, parsed.from_email or "", now)
        )
        calendar = self.calendars.calendar(desk.slug)

        def decide(snap: Snapshot) -> TicketChange:
            moved = rules.receive(snap.ticket, now, calendar, automatic=bool(robot))
            ticket = moved.ticket
            data: dict[str, Any] = {"from": parsed.from_email}
            mails: list[OutgoingMail] = []
            if robot:
                data["automatic"] = robot[:5]
            elif omitted:
                flags = {
                    **ticket.flags,
                    "attachments_omitted": [{"filename": o.filename, "size": o.size, "why": o.why} for o in omitted],
                }
                ticket = replace(ticket, flags=flags)
                if may_notify and snap.requester_email:
                    mails.append(self.notices.too_large_reply(desk, snap, omitted))
            first = replace(moved.events[0], data={**moved.events[0].data, **data})
            return TicketChange(
                at=now,
                actor_id=None,
                actor_label="requester" if not robot else "system",
                ticket=ticket,
                events=(first, *moved.events[1:]),
                message=inbound,
                mails=tuple(mails),
                requester_bouncing=False if snap.requester_bouncing and not robot else None,
            )

        change = await self.store.append(replace(record, action="appended"), target.reference, decide)
        if change is None:
            return await self._duplicate(record)
        return IngestResult("appended", target.reference)

    # --- delivery failures ----------------------------------------------------------------------

    async def _bounce(self, desk: Desk, parsed: ParsedMail, record: InboundRecord, now: datetime) -> IngestResult:
        """A bounce of our mail: the address is marked bouncing, the ticket flagged, the agent told."""
        ids = [i for i in (parsed.bounce_message_id, parsed.in_reply_to, *reversed(parsed.references)) if i]
        hit = await self.store.outgoing(desk.slug, list(dict.fromkeys(ids)))
        if hit is None:
            return await self._log(record, "ignored", "a delivery failure report about no mail of ours")
        # A report naming no address is about the one we sent to (free-text bounces often name none).
        failed = sorted({a.casefold() for a in parsed.bounce_recipients} or {hit.to_addr.casefold()})
        inbound = self._message(parsed, record, (), MessageKind.BOUNCE)
        staff = await self.notices.staff(desk.slug) if parsed.bounce_failure else []

        def decide(snap: Snapshot) -> TicketChange:
            if not parsed.bounce_failure:  # "delivery delayed": recorded; the address is not given up on
                event = TicketEvent(EventAction.DELIVERY_DELAYED, data={"mail": hit.kind})
                return TicketChange(
                    at=now, actor_id=None, actor_label="system", ticket=snap.ticket, events=(event,), message=inbound
                )
            bouncing = (snap.requester_email or "").casefold() in failed
            event = TicketEvent(EventAction.DELIVERY_FAILED, data={"recipients": failed, "mail": hit.kind})
            return TicketChange(
                at=now,
                actor_id=None,
                actor_label="system",
                ticket=replace(snap.ticket, flags={**snap.ticket.flags, "delivery_failed": failed}),
                events=(event,),
                message=inbound,
                mails=tuple(self.notices.delivery_failed(desk, snap, staff, failed, hit.kind)),
                requester_bouncing=True if bouncing else None,
            )

        change = await self.store.append(replace(record, action="appended"), hit.reference, decide)
        if change is None:
            return await self._duplicate(record)
        return IngestResult("appended", hit.reference, reason="delivery failure")
