"""The accredited organisation's referrals and inquiries (APPI Art. 53), and forwarded requests'
answers from the company responsible: records with clocks of their own."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from ticketing.domain import clocks as clk
from ticketing.domain import referrals as refs
from ticketing.domain.desks import Desk
from ticketing.domain.errors import NotFound, ValidationFailed
from ticketing.domain.forwarding import Forwarding, answered, follow_up_of
from ticketing.domain.requests import (
    Case,
)
from ticketing.domain.ticket import EventAction, TicketEvent, Transition
from ticketing.services.calendars import CalendarService
from ticketing.services.case_work import CaseWork
from ticketing.services.ports import (
    AgentMessage,
    CaseSnapshot,
    CaseStore,
    Clock,
    Principal,
)


class ReferralDesk(CaseWork):
    def __init__(
        self, *, desks: Mapping[str, Desk], calendars: CalendarService, store: CaseStore, clock: Clock
    ) -> None:
        super().__init__(desks=desks, calendars=calendars, store=store, clock=clock)

    # --- the accredited organisation ----------------------------------------------------------

    async def add_referral(
        self,
        principal: Principal,
        reference: str,
        organisation: str,
        kind_raw: str,
        received_at: datetime | None,
        *,
        their_reference: str = "",
        due_at: datetime | None = None,
        materials: Sequence[str] = (),
    ) -> int:
        try:
            kind = refs.ReferralKind(kind_raw)
        except ValueError:
            raise ValidationFailed({"kind": f"use one of {', '.join(refs.ReferralKind)}"}) from None

        def act(snap: CaseSnapshot, now: datetime) -> tuple[Transition, Case, AgentMessage | None]:
            ticket = snap.snapshot.ticket
            org = self.desks[ticket.desk].accredited_org
            at = received_at or now
            if at > now:
                raise ValidationFailed({"received_at": "cannot be in the future"})
            referral = refs.record(
                organisation,
                org.short_name if org else None,
                kind,
                at,
                their_reference=their_reference,
                due_at=due_at,
                materials=materials,
            )
            case = replace(snap.case, referrals=(*snap.case.referrals, referral))
            data: dict[str, Any] = {"organisation": referral.organisation, "kind": kind.value}
            if kind is refs.ReferralKind.INQUIRY:
                desk = self.desks[ticket.desk]
                clock = refs.inquiry_clock(
                    referral,
                    desk.slug,
                    self.calendars.calendar(desk.slug),
                    self.calendars.office(desk.slug),
                    desk.escalation.stages,
                )
                ticket = replace(ticket, clocks=(*ticket.clocks, clock))
                data["due_at"] = clock.due_at.isoformat() if clock.due_at else None
            action = (
                EventAction.ACCREDITED_ORG_INFORMED
                if kind is refs.ReferralKind.INFORMED
                else EventAction.ACCREDITED_ORG_INQUIRY
            )
            return Transition(ticket, (TicketEvent(action, data=data),)), case, None

        _, added = await self._change(principal, reference, act)
        assert added is not None
        return added

    async def update_referral(
        self,
        principal: Principal,
        reference: str,
        referral_id: int,
        *,
        materials_sent: Sequence[str] = (),
        answered_at: datetime | None = None,
        outcome_raw: str | None = None,
    ) -> refs.Referral:
        """Materials sent to the organisation, the answer (it stops the inquiry's clock), its outcome."""
        try:
            outcome = refs.InquiryOutcome(outcome_raw) if outcome_raw else None
        except ValueError:
            raise ValidationFailed({"outcome": f"use one of {', '.join(refs.InquiryOutcome)}"}) from None
        if not materials_sent and answered_at is None and outcome is None:
            raise ValidationFailed({"materials_sent": "say what was sent, when the answer went, or the outcome"})
        done: list[refs.Referral] = []

        def act(snap: CaseSnapshot, now: datetime) -> tuple[Transition, Case, AgentMessage | None]:
            ticket = snap.snapshot.ticket
            found = next((r for r in snap.case.referrals if r.id == referral_id), None)
            if found is None:
                raise NotFound("referral", str(referral_id))
            if answered_at is not None and answered_at > now:
                raise ValidationFailed({"answered_at": "cannot be in the future"})
            updated, events = found, []
            if materials_sent:
                updated = refs.send_materials(updated, materials_sent, answered_at or now)
                events.append(
                    TicketEvent(EventAction.ACCREDITED_ORG_MATERIALS_SENT, data={"materials": list(materials_sent)})
                )
            if answered_at is not None or outcome is not None:
                clock = refs.inquiry_clock_of(found, ticket.clocks) if answered_at is not None else None
                updated = refs.answer(updated, answered_at, outcome)
                if clock is not None:
                    stopped = clk.stop(clock, answered_at or now)
                    ticket = replace(ticket, clocks=tuple(stopped if c is clock else c for c in ticket.clocks))
                data = {"answered_at": answered_at.isoformat() if answered_at else None, "outcome": outcome}
                events.append(TicketEvent(EventAction.ACCREDITED_ORG_ANSWERED, data=data))
            done.append(updated)
            referrals = tuple(updated if r.id == referral_id else r for r in snap.case.referrals)
            return Transition(ticket, tuple(events)), replace(snap.case, referrals=referrals), None

        await self._change(principal, reference, act)
        return done[-1]

    async def partner_answered(
        self, principal: Principal, reference: str, forwarding_id: int, answered_at: datetime | None, answer: str
    ) -> Forwarding:
        """The company the request went to answered: the record says what, its follow-up clock stops."""
        done: list[Forwarding] = []

        def act(snap: CaseSnapshot, now: datetime) -> tuple[Transition, Case, AgentMessage | None]:
            ticket = snap.snapshot.ticket
            found = next((f for f in snap.case.forwardings if f.id == forwarding_id), None)
            if found is None:
                raise NotFound("forwarding", str(forwarding_id))
            at = answered_at or now
            if at > now:
                raise ValidationFailed({"answered_at": "cannot be in the future"})
            updated = answered(found, at, answer)
            clock = follow_up_of(found, ticket.clocks)
            if clock is not None:
                calendar = self.calendars.calendar(ticket.desk)  # the follow-up runs in business days
                stopped = tuple(clk.stop(c, at, calendar, ticket.pauses) if c is clock else c for c in ticket.clocks)
                ticket = replace(ticket, clocks=stopped)
            done.append(updated)
            forwardings = tuple(updated if f.id == forwarding_id else f for f in snap.case.forwardings)
            event = TicketEvent(EventAction.PARTNER_ANSWERED, data={"partner": found.partner, "at": at.isoformat()})
            return Transition(ticket, (event,)), replace(snap.case, forwardings=forwardings), None

        await self._change(principal, reference, act)
        return done[-1]


__all__ = ["ReferralDesk"]
