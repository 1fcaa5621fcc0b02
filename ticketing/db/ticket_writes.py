"""What creating or changing a ticket writes, as plans (db/plan.py) both engines run.

A new ticket, whatever its channel, is one plan: its requester (found by address, or created on
first contact; a later contact never rewrites the record, domain.contacts), the ticket with the
contact details it was opened with, clocks, first message, attachments, events and outbox mail.
Mail adds the claim of its dedupe key in front (nothing is written when the key is taken).
A change is the difference between the ticket before and after (domain.ticket), with its events.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ticketing.db.outbox import outbox_payload
from ticketing.db.plan import Coalesce, FindOrInsert, Insert, JsonWith, Lookup, NewId, Plan, Ref, Step, Update
from ticketing.db.sla import clock_values, due_columns
from ticketing.db.values import cut
from ticketing.domain.clocks import ClockState
from ticketing.domain.incidents import Incident
from ticketing.domain.mail import MessageKind, OutboxStatus, OutgoingMail
from ticketing.domain.procedure import RequesterKind
from ticketing.domain.queues import queue_columns
from ticketing.domain.requests import TicketRequest
from ticketing.domain.search import message_document, ticket_document
from ticketing.domain.sla import Pause
from ticketing.domain.ticket import EventAction, Ticket, TicketEvent
from ticketing.domain.tickets import State
from ticketing.services.mail_ports import InboundRecord
from ticketing.services.ports import AgentMessage, InboundMessage, StoredAttachment, TicketChange, TicketDraft


def outbox_rows(mails: Sequence[OutgoingMail], desk_id: int, ticket: Any, at: datetime) -> Insert:
    return Insert(
        "outbox",
        tuple(
            {
                "ticket": ticket,
                "desk": desk_id,
                "kind": m.kind,
                "to_addr": m.to_addr,
                "subject": m.subject[:500],
                "message_id": m.message_id,
                "payload": outbox_payload(m),
                "status": OutboxStatus.PENDING,
                "attempts": 0,
                "next_attempt_at": at,
                "last_error": "",
                "created_at": at,
            }
            for m in mails
        ),
    )


def attachment_rows(ticket: Any, message: Any, attachments: Sequence[StoredAttachment], at: datetime) -> Insert:
    return Insert(
        "attachment",
        tuple(
            {
                "ticket": ticket,
                "message": message,
                "filename": a.filename,
                "declared_type": a.declared_type,
                "content_type": a.content_type,
                "size": a.size,
                "sha256": a.sha256,
                "created_at": at,
            }
            for a in attachments
        ),
    )


def request_row(ticket: Any, r: TicketRequest, at: datetime) -> dict[str, Any]:
    return {
        "ticket": ticket,
        "type": r.type.value,
        "fee_yen": r.fee_yen,
        "fee_instrument": r.fee_instrument,
        "fee_state": r.fee_state.value,
        "result": r.result.value if r.result else None,
        "notice_method": r.notice_method.value if r.notice_method else None,
        "notice_sent_at": r.notice_sent_at,
        "created_at": at,
        "updated_at": at,
    }


def incident_values(incident: Incident) -> dict[str, Any]:
    return {
        "known_at": incident.known_at,
        "summary": incident.summary,
        "improper_purpose": incident.improper_purpose,
        "processor": incident.processor,
        "persons_affected": incident.persons_affected,
        "done": {d.value: at.isoformat() for d, at in (incident.done or {}).items()},
    }


def clock_rows(ticket: Any, clocks: Sequence[ClockState]) -> Insert:
    return Insert("sla_clock", tuple({"ticket": ticket, **clock_values(c)} for c in clocks))


def inbound_row(ticket: Any, mail: InboundMessage, channel: str, at: datetime) -> dict[str, Any]:
    """A received e-mail, with what the parser found in it."""
    return message_row(
        ticket, "inbound", channel, at, from_email=mail.from_email, to=list(mail.to), cc=list(mail.cc),
        subject=mail.subject[:500], text=mail.text, html=mail.html, message_id=cut(mail.message_id, 500),
        in_reply_to=cut(mail.in_reply_to, 500), references=list(mail.references[-50:]), headers=dict(mail.headers),
        raw_path=mail.raw_path, content_hash=mail.content_hash, kind=mail.kind, quote_start=mail.quote_start,
        signature_start=mail.signature_start,
    )  # fmt: skip


def message_row(ticket: Any, direction: str, channel: str, at: datetime, **columns: Any) -> dict[str, Any]:
    """A message row: what is not given is empty (a typed message has no mail headers or raw copy)."""
    return {
        "ticket": ticket, "direction": direction, "channel": channel, "author": None, "from_email": None,
        "to": [], "cc": [], "subject": "", "text": "", "html": None, "message_id": None, "in_reply_to": None,
        "references": [], "headers": {}, "raw_path": None, "content_hash": None, "kind": MessageKind.NORMAL,
        "quote_start": None, "signature_start": None, "created_at": at, **columns,
    }  # fmt: skip


def agent_row(ticket: Any, message: AgentMessage, author: int | None, at: datetime) -> dict[str, Any]:
    """A reply (with the mail that carries it), an internal note, or a contact an agent logged."""
    if message.logged:
        return message_row(
            ticket, "inbound", message.logged, message.received_at or at, author=author, text=message.text
        )
    if (mail := message.mail) is None:
        return message_row(ticket, "outbound", "note", at, author=author, text=message.text)
    return message_row(
        ticket,
        "outbound",
        "email",
        at,
        author=author,
        to=[mail.to_addr],
        subject=mail.subject,
        text=message.text,
        message_id=mail.message_id,
        in_reply_to=mail.in_reply_to,
        references=list(mail.references),
    )


def event_row(
    ticket: Any, event: TicketEvent, actor: int | None, label: str, at: datetime, data: Any = None
) -> dict[str, Any]:
    return {
        "ticket": ticket,
        "at": at,
        "actor": actor,
        "actor_label": label[:100],
        "action": event.action.value,
        "from_state": event.from_state.value if event.from_state else None,
        "to_state": event.to_state.value if event.to_state else None,
        "reason": event.reason,
        "data": dict(event.data) if data is None else data,
    }


def claim_row(record: InboundRecord, desk_id: int) -> dict[str, Any]:
    source = record.source
    return {
        "desk": desk_id,
        "dedupe_key": record.dedupe_key,
        "source": source.kind,
        "mailbox": source.mailbox[:300],
        "uidvalidity": source.uidvalidity,
        "uid": source.uid,
        "message_id": cut(record.message_id, 500),
        "content_hash": record.content_hash,
        "raw_sha256": record.raw_sha256,
        "size": record.size,
        "from_email": cut(record.from_email, 254),
        "subject": record.subject[:300],
        "received_at": record.received_at,
        "action": record.action,
        "reason": record.reason,
        "defects": list(record.defects),
        "deliveries": 1,
        "last_seen_at": record.received_at,
        "review": "",
    }


def claim_step(record: InboundRecord, desk_id: int, **links: Any) -> Insert:
    """The inbound-mail log row; taken dedupe key: the plan writes nothing."""
    return Insert(
        "inbound_mail", ({**claim_row(record, desk_id), **links},), name="claim", conflict="dedupe_key", guard=True
    )


def creation_plan(draft: TicketDraft, desk_id: int, claim: Step | None = None) -> Plan:
    """A new ticket with everything that comes with it. With `claim` (mail), that step goes first and
    points at the ticket and message (ids drawn before anything is written)."""
    new, at = draft.new, draft.received_at
    written_at = draft.created_at or at
    who = new.requester
    ticket: Any = NewId("ticket") if claim is not None else Ref("ticket")
    message: Any = NewId("message") if claim is not None else Ref("message")
    steps: list[Step] = [claim] if claim is not None else []
    person = {
        "desk": desk_id,
        "name": who.name,
        "email": who.email,
        "phone": who.phone,
        "postal_address": who.postal_address,
        "language": new.language.value,
        "bouncing": False,
        "created_at": at,
    }
    if who.email:
        steps.append(FindOrInsert("requester", {"desk": desk_id, "email": who.email}, person, name="requester"))
        if draft.inbound is not None and draft.inbound.kind is MessageKind.NORMAL:
            # Mail from the address shows it works: the bouncing mark goes (the record stays as it is).
            steps.append(Update("requester", {"bouncing": False}, {"id": Ref("requester"), "bouncing": True}))
    else:
        steps.append(Insert("requester", (person,), name="requester"))
    flags = dict(draft.flags)
    if draft.contact_changes:
        flags["contact_details_differ"] = list(draft.contact_changes)
    # Mail display names vary between clients: a known sender keeps the name on file.
    name: Any = who.name
    if draft.keep_requester_name:
        name = Coalesce(Lookup("requester", "name", {"id": Ref("requester")}), who.name)
    dues = due_columns(draft.clocks)
    row = {
        "reference": draft.reference,
        "desk": desk_id,
        "requester": Ref("requester"),
        "channel": new.channel.value,
        "category": new.category.value,
        "request_types": [t.value for t in new.request_types],
        "state": State.RECEIVED.value,
        "language": new.language.value,
        "subject": new.subject,
        "status_token_hash": draft.status_token_hash,
        "flags": flags,
        "linked_ticket": Lookup("ticket", "id", {"reference": draft.linked_reference, "desk": desk_id})
        if draft.linked_reference
        else None,
        "contact_name": name,
        "contact_email": who.email,
        "contact_phone": who.phone,
        "contact_postal_address": who.postal_address,
        "received_at": at,
        "created_at": written_at,
        "updated_at": written_at,
        "requester_kind": RequesterKind.PERSON.value,
        "formal_request_at": at if draft.formal_request else None,
        **dues,
        **queue_columns(State.RECEIVED, draft.clocks),
    }
    if claim is not None:
        row["id"] = ticket
    steps.append(Insert("ticket", (row,), name="ticket"))
    steps.append(clock_rows(ticket, draft.clocks))
    steps.append(Insert("ticket_request", tuple(request_row(ticket, r, written_at) for r in draft.requests)))
    if draft.incident is not None:
        steps.append(
            Insert("incident", ({"ticket": ticket, **incident_values(draft.incident), "created_at": written_at},))
        )
    if draft.inbound is not None:
        first = inbound_row(ticket, draft.inbound, new.channel.value, at)
    else:
        first = message_row(
            ticket,
            "inbound",
            new.channel.value,
            at,
            author=draft.actor_user_id,
            from_email=who.email,
            subject=new.subject,
            text=new.message,
        )
    if claim is not None:
        first["id"] = message
    steps.append(Insert("message", (first,), name="message"))
    found_by = ticket_document(draft.reference, who.name, who.email, who.phone, new.subject)
    said = message_document([_new_text(first)])
    steps.append(Insert("search_doc", tuple({"ticket": ticket, "doc": d} for d in (found_by, said) if d)))
    steps.append(attachment_rows(ticket, message, draft.attachments, at))
    data: dict[str, Any] = {"channel": new.channel.value, "attachments": len(draft.attachments), **draft.event_data}
    if draft.linked_reference:
        data["linked"] = draft.linked_reference
    if flags:
        data["flags"] = flags
    events = [TicketEvent(EventAction.CREATED, None, State.RECEIVED, "", data)]
    if draft.contact_changes:
        events.append(
            TicketEvent(
                EventAction.CONTACT_DETAILS_DIFFER,
                reason="the details given differ from those on file for this "
                "address; the record on file was not changed",
                data={"fields": list(draft.contact_changes), "source": new.channel.value},
            )
        )
    steps.append(
        Insert("event", tuple(event_row(ticket, e, draft.actor_user_id, draft.actor_label, written_at) for e in events))
    )
    mails = ((draft.acknowledgement,) if draft.acknowledgement else ()) + draft.mails
    steps.append(outbox_rows(mails, desk_id, ticket, written_at))
    return Plan(tuple(steps), returns=("ticket", "message"))


def _clock_changes(ticket_id: int, before: Sequence[ClockState], after: Sequence[ClockState]) -> list[Step]:
    """Clocks change in place; a clock started by the change (no id yet) is inserted."""
    old = {c.id: c for c in before}
    steps: list[Step] = []
    for clock in after:
        if clock.id is None:
            steps.append(clock_rows(ticket_id, (clock,)))
        elif old.get(clock.id) != clock:
            values = clock_values(clock)
            changed = {
                k: values[k]
                for k in ("due_at", "paused", "stopped_at", "breached_at", "next_stage", "next_fire_at", "used_us")
            }
            steps.append(Update("sla_clock", changed, {"id": clock.id}))
    return steps


def _pause_changes(ticket_id: int, before: Sequence[Pause], after: Sequence[Pause]) -> list[Step]:
    """Pauses are appended, and the open one ended; nothing else changes them."""
    steps: list[Step] = []
    for old, new in zip(before, after, strict=False):
        if old.end is None and new.end is not None:
            steps.append(Update("clock_pause", {"ended_at": new.end}, {"ticket": ticket_id, "ended_at": None}))
    for pause in after[len(before) :]:
        steps.append(
            Insert(
                "clock_pause",
                (
                    {
                        "ticket": ticket_id,
                        "started_at": pause.start,
                        "ended_at": pause.end,
                        "reason": pause.reason[:100],
                    },
                ),
            )
        )
    return steps


def _ticket_changes(before: Ticket, after: Ticket, at: datetime) -> dict[str, Any]:
    columns: dict[str, Any] = {"updated_at": at}
    if after.state != before.state:
        columns["state"] = after.state.value
    if after.closed_at != before.closed_at:
        columns["closed_at"] = after.closed_at
    if after.first_responded_at != before.first_responded_at:
        columns["first_responded_at"] = after.first_responded_at
    if after.assignee_id != before.assignee_id:
        columns["assignee"] = after.assignee_id
    if dict(after.flags) != dict(before.flags):
        columns["flags"] = dict(after.flags)
    if after.status_token_hash != before.status_token_hash:
        columns["status_token_hash"] = after.status_token_hash
    if after.category != before.category:
        columns["category"] = after.category.value
    if after.request_types != before.request_types:
        columns["request_types"] = [t.value for t in after.request_types]
    if after.requester_kind != before.requester_kind:
        columns["requester_kind"] = after.requester_kind.value
    if after.formal_request_at != before.formal_request_at:
        columns["formal_request_at"] = after.formal_request_at
    if after.person_birth_date != before.person_birth_date:
        columns["person_birth_date"] = after.person_birth_date.isoformat() if after.person_birth_date else None
    dues = due_columns(after.clocks)
    if dues != due_columns(before.clocks):
        columns.update(dues)
    queues = queue_columns(after.state, after.clocks)
    if queues != queue_columns(before.state, before.clocks):
        columns.update(queues)
    columns["version"] = before.version + 1
    return columns


def _new_text(row: dict[str, Any]) -> str:
    """A message's own words for the search index (not the quoted history it repeats)."""
    text = str(row.get("text") or "")
    quote = row.get("quote_start")
    return text[:quote] if isinstance(quote, int) else text


def change_plan(
    before: Ticket, change: TicketChange, desk_id: int, requester_id: int, *, claimed: int | None = None
) -> Plan:
    """What `change` writes: the difference from `before`, its events, message and mail. With
    `claimed`, the inbound-mail log row of the message is pointed at the stored message."""
    at, after = change.at, change.ticket
    steps: list[Step] = [
        *_pause_changes(before.id, before.pauses, after.pauses),
        *_clock_changes(before.id, before.clocks, after.clocks),
        Update("ticket", _ticket_changes(before, after, at), {"id": before.id}),
    ]
    if change.requester_bouncing is not None:
        steps.append(Update("requester", {"bouncing": change.requester_bouncing}, {"id": requester_id}))
    returns: tuple[str, ...] = ()
    if (message := change.message) is not None:
        if isinstance(message, InboundMessage):
            row = inbound_row(before.id, message, message.channel, message.received_at or at)
        else:
            row = agent_row(before.id, message, change.actor_id, at)
        steps.append(Insert("message", (row,), name="message"))
        returns = ("message",)
        if doc := message_document([_new_text(row)]):
            steps.append(Insert("search_doc", ({"ticket": before.id, "doc": doc},)))
        if isinstance(message, InboundMessage):
            steps.append(attachment_rows(before.id, Ref("message"), message.attachments, at))
    events = []
    for index, event in enumerate(change.events):
        data: Any = None
        if index == 0 and message is not None:
            data = JsonWith(dict(event.data), "message", Ref("message"))
        events.append(event_row(before.id, event, change.actor_id, change.actor_label, at, data))
    steps.append(Insert("event", tuple(events)))
    steps.append(outbox_rows(change.mails, desk_id, before.id, at))
    if claimed is not None:
        steps.append(
            Update(
                "inbound_mail", {"ticket": before.id, "message": Ref("message") if message else None}, {"id": claimed}
            )
        )
    return Plan(tuple(steps), returns=returns)


__all__ = ["change_plan", "claim_row", "claim_step", "creation_plan"]
