"""SLA use cases: clocks for a new ticket, the sweep that climbs the ladder, and the explanation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from ticketing.domain.access import AccessKind
from ticketing.domain.clocks import ClockState, Firing, fire_due, report, start_clocks
from ticketing.domain.desks import Desk
from ticketing.domain.errors import NotFound
from ticketing.domain.mail import MailKind, OutgoingMail
from ticketing.domain.sla import ClockKind, Notify, Pause, plan
from ticketing.domain.staff import Role
from ticketing.domain.tickets import Category, RequestType, pre_suit_period_applies
from ticketing.services import notifications
from ticketing.services.access import AccessLog
from ticketing.services.calendars import CalendarService
from ticketing.services.ports import (
    ClockOutcome,
    DueClock,
    FiringRecord,
    MailRenderer,
    Principal,
    SlaStore,
    StaffContact,
    TicketContext,
)
from ticketing.services.staff_mail import assignee_or_team, staff_mail

MINUTE_US = 60_000_000


@dataclass(frozen=True, slots=True)
class SweepReport:
    now: datetime
    clocks: int = 0
    firings: int = 0
    batches: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "now": self.now.isoformat(),
            "clocks_examined": self.clocks,
            "stages_fired": self.firings,
            "batches": self.batches,
        }


@dataclass(frozen=True, slots=True)
class ClockExplanation:
    kind: str
    policy: Mapping[str, Any]
    started_at: datetime
    due_at: datetime | None
    paused: bool
    stopped_at: datetime | None
    breached_at: datetime | None
    used_minutes: int
    left_minutes: int
    met: bool | None
    next_fire_at: datetime | None
    stages: tuple[dict[str, Any], ...]
    pauses: tuple[dict[str, Any], ...] = field(default_factory=tuple)


class SlaService:
    def __init__(
        self,
        *,
        desks: Mapping[str, Desk],
        calendars: CalendarService,
        store: SlaStore,
        renderer: MailRenderer,
        base_url: str,
        access: AccessLog | None = None,
        batch_size: int = 500,
    ) -> None:
        self.access = access
        self.desks = desks
        self.calendars = calendars
        self.store = store
        self.renderer = renderer
        self.base_url = base_url
        self.batch_size = batch_size

    def clocks_for_new_ticket(
        self, desk: Desk, category: Category, at: datetime, request_types: Sequence[RequestType] = ()
    ) -> list[ClockState]:
        targets = dict(desk.policies.get(category, {}))
        if category is Category.REQUEST and not pre_suit_period_applies(request_types):
            targets.pop(ClockKind.STATUTORY, None)  # Art. 39 does not cover these types
        return start_clocks(
            self.calendars.calendar(desk.slug),
            desk=desk.slug,
            category=category.value,
            targets=targets,
            stages=desk.escalation.stages,
            at=at,
        )

    # --- the sweep -----------------------------------------------------------------------------

    async def sweep(self, now: datetime, *, max_batches: int = 1000) -> SweepReport:
        """Fire every rung that is due at `now`; each fires once however often this runs."""
        staff = await self.store.staff_of_desks(list(self.desks))
        clocks = firings = batches = 0
        while batches < max_batches:
            handled, written = await self.store.process_due(
                now, self.batch_size, lambda due: self._handle(due, staff, now)
            )
            batches += 1
            clocks, firings = clocks + handled, firings + written
            if handled < self.batch_size:
                break
        return SweepReport(now, clocks, firings, batches)

    def _handle(self, due: DueClock, staff: Mapping[str, list[StaffContact]], now: datetime) -> ClockOutcome:
        desk = self.desks.get(due.ticket.desk)
        if desk is None:  # a desk removed from the file: stop scheduling, keep the history
            return ClockOutcome(replace(due.clock, next_fire_at=None), previous_due_at=due.clock.due_at)
        calendar = self.calendars.calendar(desk.slug)
        fired = fire_due(calendar, due.clock, due.pauses, now)
        records = []
        members = staff.get(desk.slug, [])
        assignee = next((m.email for m in members if m.user_id == due.ticket.assignee_id), None)
        for firing in fired.firings:
            people = self._recipients(desk, firing.stage.notify, due.ticket, members)
            mails = (
                tuple(self._mail(desk, due, fired.clock, firing, p, now, assignee) for p in people)
                if firing.notify
                else ()
            )
            records.append(FiringRecord(firing, tuple(p.email for p in people), mails))
        flags = None
        if fired.clock.kind is ClockKind.STATUTORY and fired.clock.breached_at is not None:
            if not due.ticket.flags.get("litigation_eligible"):
                # APPI Art. 39: from the day after the two weeks the requester may sue.
                flags = {**due.ticket.flags, "litigation_eligible": True}
        return ClockOutcome(fired.clock, tuple(records), flags, previous_due_at=due.clock.due_at)

    def _recipients(
        self, desk: Desk, notify: Notify, ticket: TicketContext, members: Sequence[StaffContact]
    ) -> list[StaffContact]:
        def role(*names: Role) -> list[StaffContact]:
            return [m for m in members if m.role in names]

        if notify is Notify.ASSIGNEE:
            return assignee_or_team(members, ticket.assignee_id)
        if notify is Notify.MANAGERS:
            chosen = role(Role.MANAGER) or role(Role.ADMIN)
        else:
            if desk.escalation.second_level:
                lang = desk.language.value
                return [StaffContact(0, a, "", lang, "second_level") for a in desk.escalation.second_level]
            chosen = role(Role.ADMIN) or role(Role.MANAGER)
        unique: dict[str, StaffContact] = {m.email: m for m in chosen}
        return list(unique.values())

    def _mail(
        self,
        desk: Desk,
        due: DueClock,
        clock: ClockState,
        firing: Firing,
        to: StaffContact,
        now: datetime,
        assignee: str | None,
    ) -> OutgoingMail:
        ticket = due.ticket
        calendar = self.calendars.calendar(desk.slug)
        due_at = clock.due_at or clock.breached_at
        left_us = report(calendar, clock, due.pauses if clock.pausable else (), now).left_us
        kind = MailKind.SLA_BREACHED if firing.stage.is_breach else MailKind.SLA_WARNING
        context = notifications.CONTEXTS[kind](
            desk,
            reference=ticket.reference,
            subject=ticket.subject,
            category=ticket.category,
            state=ticket.state,
            clock=clock.kind.value,
            stage=firing.stage.key,
            target=str(clock.target),
            target_amount=clock.target.amount,
            target_unit=clock.target.unit.value,
            due_at=due_at.astimezone(calendar.zone) if due_at else None,  # shown in the desk's zone
            left_minutes=left_us // MINUTE_US,
            assignee=assignee,
            ticket_url=f"{self.base_url}/app/tickets/{ticket.reference}",
        )
        return staff_mail(self.renderer, kind, desk, to, ticket.reference, context)

    # --- explanation ---------------------------------------------------------------------------

    async def explain(
        self, principal: Principal, reference: str, now: datetime, *, logged: bool = False
    ) -> list[ClockExplanation]:
        """The ticket's clocks explained; the read is recorded unless the caller's own read of the
        ticket already is (`logged`: the ticket page, which shows them beside everything else)."""
        found = await self.store.clocks_of(reference)
        if found is None or found[0].desk not in principal.desks:
            raise NotFound("ticket", reference)
        ticket, clocks, pauses = found
        if self.access is not None and not logged:
            await self.access.read(principal, AccessKind.SLA, reference, desk=ticket.desk, reference=reference)
        calendar = self.calendars.calendar(ticket.desk)
        fired = await self.store.firings_of(ticket.id)
        result = []
        for clock in clocks:
            effective: Sequence[Pause] = pauses if clock.pausable else ()
            rep = report(calendar, clock, effective, now)
            where = plan(calendar, clock.target, clock.started_at, clock.budget_us, clock.stages, effective)
            stages = tuple(
                {
                    "key": stage.key,
                    "notify": stage.notify.value,
                    "at": at.isoformat() if (at := where.stage_at[i]) is not None else None,
                    "fired_at": fired.get((clock.id, stage.key)),
                }
                for i, stage in enumerate(clock.stages)
            )
            result.append(
                ClockExplanation(
                    kind=clock.kind.value,
                    policy=clock.policy,
                    started_at=clock.started_at,
                    due_at=clock.due_at,
                    paused=clock.paused,
                    stopped_at=clock.stopped_at,
                    breached_at=clock.breached_at,
                    used_minutes=rep.used_us // MINUTE_US,
                    left_minutes=rep.left_us // MINUTE_US,
                    met=rep.met,
                    next_fire_at=clock.next_fire_at,
                    stages=stages,
                    pauses=tuple(
                        {"start": p.start.isoformat(), "end": p.end.isoformat() if p.end else None, "reason": p.reason}
                        for p in effective
                    ),
                )
            )
        return result
