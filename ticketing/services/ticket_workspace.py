"""The agent's workspace on one ticket: what its page shows, read in one go.

The ticket with its requester and case (the read is logged), its clocks explained as the SLA API
explains them, one timeline of messages, notes, logged contacts and events, the desk's reply
templates filled for this requester, the desk's members to assign to, and who else has the page open
(the caller is recorded as having it open too).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from ticketing.domain.desks import Desk
from ticketing.domain.presence import PresenceMode
from ticketing.domain.reply_templates import templates_for
from ticketing.domain.ticket import EventAction
from ticketing.services.ports import Clock, EventView, MessageView, Principal, TicketDetail
from ticketing.services.presence import Presence
from ticketing.services.sla import ClockExplanation, SlaService
from ticketing.services.tickets import TicketQueries
from ticketing.services.workspace_ports import Colleague, Seen

# Events that only say a message was added: the message itself is on the timeline.
MESSAGE_EVENTS = frozenset({EventAction.REPLIED, EventAction.NOTE_ADDED, EventAction.MAIL_RECEIVED})


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of the timeline: a message (with its attachments) or an event."""

    at: datetime
    message: MessageView | None = None
    event: EventView | None = None


@dataclass(frozen=True, slots=True)
class FilledTemplate:
    key: str
    language: str
    title: str
    text: str  # the body with the requester's name and the reference filled in


@dataclass(frozen=True, slots=True)
class TicketView:
    detail: TicketDetail
    desk: Desk
    now: datetime
    clocks: tuple[ClockExplanation, ...]
    timeline: tuple[Entry, ...]
    others: tuple[Seen, ...]  # who else has the page open
    colleagues: tuple[Colleague, ...]  # the desk's members, the caller first
    templates: tuple[FilledTemplate, ...]  # the ticket's language first

    def template(self, key: str) -> FilledTemplate | None:
        same = [t for t in self.templates if t.key == key]
        return next((t for t in same if t.language == self.detail.summary.language), same[0] if same else None)


def timeline(messages: Sequence[MessageView], events: Sequence[EventView]) -> tuple[Entry, ...]:
    """Messages and events in time order, oldest first; at the same instant a message comes before the
    events of its change. A logged call or letter sits at the time it actually came."""
    entries = [(m.created_at, 0, i, Entry(m.created_at, message=m)) for i, m in enumerate(messages)]
    entries += [
        (e.at, 1, i, Entry(e.at, event=e))
        for i, e in enumerate(events)
        if e.action not in {a.value for a in MESSAGE_EVENTS}
    ]
    return tuple(entry for *_, entry in sorted(entries, key=lambda x: (x[0], x[1], x[2])))


class TicketWorkspace:
    def __init__(
        self,
        *,
        queries: TicketQueries,
        sla: SlaService,
        presence: Presence,
        desks: Mapping[str, Desk],
        clock: Clock,
    ) -> None:
        self.queries = queries
        self.sla = sla
        self.presence = presence
        self.desks = desks
        self.clock = clock

    async def desk_of(self, principal: Principal, reference: str) -> Desk:
        """The desk of a ticket the caller works on (another desk's ticket is "not found")."""
        return self.desks[await self.queries.desk_for_staff(principal, reference)]

    async def open(
        self, principal: Principal, reference: str, *, mode: PresenceMode = PresenceMode.VIEWING
    ) -> TicketView:
        detail = await self.queries.detail_for_staff(principal, reference)  # logged; 404 for another desk
        desk = self.desks[detail.summary.desk]
        now = self.clock.now()
        clocks = await self.sla.explain(principal, reference, now, logged=True)  # the page read is
        pulse = await self.presence.beat(principal, reference, mode)
        colleagues = await self.presence.colleagues(principal, desk.slug)
        name, language = detail.requester_name, detail.summary.language
        templates = tuple(
            FilledTemplate(t.key, t.language.value, t.title, t.fill(name=name, reference=reference))
            for t in templates_for(desk.reply_templates, language)
        )
        return TicketView(
            detail=detail,
            desk=desk,
            now=now,
            clocks=tuple(clocks),
            timeline=timeline(detail.messages, detail.events),
            others=pulse.others,
            colleagues=tuple(colleagues),
            templates=templates,
        )

    async def expect(self, principal: Principal, reference: str, version: int | None) -> None:
        """The version check for a change whose own service does not take it (services/presence.py)."""
        await self.presence.expect(principal, reference, version)


__all__ = ["Entry", "FilledTemplate", "TicketView", "TicketWorkspace", "timeline"]
