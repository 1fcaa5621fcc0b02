"""Incidents (APPI Art. 26): a complaint that reveals a leak opens a linked incident ticket whose
clocks run the reports and notices the law asks for; staff record each duty as done."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from ticketing.domain import incidents as inc
from ticketing.domain.clocks import stop
from ticketing.domain.desks import Desk
from ticketing.domain.errors import NotFound, ValidationFailed
from ticketing.domain.ticket import EventAction, Ticket, TicketEvent
from ticketing.domain.tickets import Category, Channel
from ticketing.services.intake import IntakeService
from ticketing.services.ports import CaseChange, CaseSnapshot, CaseStore, Clock, Principal, TicketChange, TicketStore


class Incidents:
    def __init__(
        self, *, desks: Mapping[str, Desk], intake: IntakeService, tickets: TicketStore, store: CaseStore, clock: Clock
    ) -> None:
        self.desks = desks
        self.intake = intake
        self.tickets = tickets
        self.store = store
        self.clock = clock

    async def open(
        self,
        principal: Principal,
        source: str,
        *,
        known_at: datetime | None,
        summary: str,
        improper_purpose: bool = False,
        processor: bool = False,
        persons_affected: int | None = None,
    ) -> str:
        """An incident ticket linked to `source` (the complaint that revealed it), with its clocks;
        the complaint records the link. Nothing is mailed: the incident is the desk's own record."""
        detail = await self.tickets.get_detail(source)
        if detail is None or detail.summary.desk not in principal.desks:
            raise NotFound("ticket", source)
        now = self.clock.now()
        incident = inc.open_incident(
            known_at or now,
            summary,
            improper_purpose=improper_purpose,
            processor=processor,
            persons_affected=persons_affected,
            now=now,
        )
        contact = {
            "name": detail.requester_name,
            "email": detail.requester_email,
            "phone": detail.requester_phone,
            "postal_address": detail.requester_postal_address,
        }
        data: dict[str, Any] = {
            "category": Category.INCIDENT.value,
            "subject": f"Incident ({source})"[:200],
            "message": incident.summary,
            "language": detail.summary.language,
            "requester": {k: v for k, v in contact.items() if v},
            "received_at": incident.known_at.isoformat(),
        }
        created = await self.intake.open_ticket(
            detail.summary.desk,
            data,
            channel=Channel.API,
            staff_user_id=principal.user_id,
            staff_label=principal.email,
            linked_reference=source,
            incident=incident,
        )

        def note(snap: CaseSnapshot) -> CaseChange:
            event = TicketEvent(EventAction.INCIDENT_OPENED, data={"incident": created.reference})
            return CaseChange(self._change(principal, snap.snapshot.ticket, (event,), now), snap.case)

        await self.store.change(source, note)
        return created.reference

    async def fulfil(self, principal: Principal, reference: str, duty_raw: str, at: datetime | None) -> inc.Incident:
        """A duty done (the PPC report filed, the people or the client told): its clock stops then."""
        try:
            duty = inc.Duty(duty_raw)
        except ValueError:
            raise ValidationFailed({"duty": f"use one of {', '.join(inc.Duty)}"}) from None
        done: list[inc.Incident] = []
        now = self.clock.now()

        def decide(snap: CaseSnapshot) -> CaseChange:
            ticket = snap.snapshot.ticket
            if ticket.desk not in principal.desks:
                raise NotFound("ticket", ticket.reference)
            if snap.case.incident is None:
                raise ValidationFailed({"duty": "this ticket is not an incident"})
            when = at or now
            if when > now:
                raise ValidationFailed({"at": "cannot be in the future"})
            incident = inc.fulfil(snap.case.incident, duty, when)
            kind = inc.CLOCK_OF[duty]
            clocks = tuple(stop(c, when) if c.kind is kind and c.stopped_at is None else c for c in ticket.clocks)
            done.append(incident)
            event = TicketEvent(EventAction.INCIDENT_DUTY_DONE, data={"duty": duty.value, "at": when.isoformat()})
            change = self._change(principal, replace(ticket, clocks=clocks), (event,), now)
            return CaseChange(change, replace(snap.case, incident=incident))

        await self.store.change(reference, decide)
        return done[-1]

    @staticmethod
    def _change(principal: Principal, ticket: Ticket, events: tuple[TicketEvent, ...], now: datetime) -> TicketChange:
        return TicketChange(
            at=now, actor_id=principal.user_id, actor_label=principal.email, ticket=ticket, events=events
        )


__all__ = ["Incidents"]
