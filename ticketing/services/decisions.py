"""Decisions on a ticket's requests under four eyes (APPI Art. 36; domain/decisions.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from ticketing.domain import decisions as dec
from ticketing.domain import ticket as rules
from ticketing.domain.errors import Forbidden, NotFound, ValidationFailed
from ticketing.domain.requests import (
    Case,
)
from ticketing.domain.staff import MANAGER_ROLES, Role
from ticketing.domain.ticket import EventAction, TicketEvent, Transition
from ticketing.domain.tickets import (
    Action,
    State,
)
from ticketing.services.case_work import CaseWork
from ticketing.services.ports import (
    AgentMessage,
    CaseSnapshot,
    Principal,
)


class DecisionDesk(CaseWork):
    async def pending_decisions(self, principal: Principal) -> list[dict[str, Any]]:
        """Decisions waiting for approval on the desks where the caller is a manager."""
        desks = sorted(d for d, role in principal.roles.items() if Role(role) in MANAGER_ROLES)
        if not desks:
            raise Forbidden("only managers approve decisions")
        return await self.store.pending_decisions(desks)

    # --- decisions ----------------------------------------------------------------------------

    async def propose(self, principal: Principal, reference: str, outcome_raw: str, reason: str) -> int:
        """Propose the decision on the ticket's requests; it moves the ticket to decision_pending."""
        try:
            outcome = dec.Outcome(outcome_raw)
        except ValueError:
            raise ValidationFailed({"outcome": f"use one of {', '.join(dec.Outcome)}"}) from None

        def act(snap: CaseSnapshot, now: datetime) -> tuple[Transition, Case, AgentMessage | None]:
            ticket = snap.snapshot.ticket
            if not snap.case.requests:
                raise ValidationFailed({"outcome": "this ticket holds no statutory request to decide on"})
            pending = dec.standing(snap.case.decisions)
            if pending is not None and pending.status is dec.DecisionStatus.PENDING:
                raise ValidationFailed({"outcome": "a decision is already waiting for approval"})
            decision = dec.propose(outcome, reason, [r.type for r in snap.case.requests], principal.user_id, now)
            case = replace(snap.case, decisions=(*snap.case.decisions, decision))
            if ticket.state is State.DECISION_PENDING:
                moved = Transition(ticket, ())
            else:
                moved = rules.apply(ticket, Action.ASK_DECISION, now, self.calendars.calendar(ticket.desk))
            event = TicketEvent(EventAction.DECISION_PROPOSED, data={"outcome": outcome.value}, reason=decision.reason)
            return Transition(moved.ticket, (*moved.events, event)), case, None

        _, added = await self._change(principal, reference, act)
        assert added is not None
        return added

    async def review(self, principal: Principal, decision_id: int, *, approve: bool, note: str = "") -> str:
        """A manager of the desk approves (or sends back) a pending decision; never its proposer."""
        in_range = 0 < decision_id < 2**31  # an id no row can have is simply not found
        reference = await self.store.reference_of_decision(decision_id) if in_range else None
        if reference is None:
            raise NotFound("decision", str(decision_id))

        def act(snap: CaseSnapshot, now: datetime) -> tuple[Transition, Case, AgentMessage | None]:
            ticket = snap.snapshot.ticket
            if Role(principal.roles[ticket.desk]) not in MANAGER_ROLES:
                raise Forbidden("only a manager of the desk approves decisions")
            found = next(d for d in snap.case.decisions if d.id == decision_id)
            if approve:
                decided = dec.approve(found, principal.user_id, now)
            else:
                decided = dec.send_back(found, principal.user_id, now, note)
            case = replace(
                snap.case, decisions=tuple(decided if d.id == decision_id else d for d in snap.case.decisions)
            )
            action = EventAction.DECISION_APPROVED if approve else EventAction.DECISION_SENT_BACK
            event = TicketEvent(
                action, data={"decision": decision_id, "outcome": found.outcome.value}, reason=note[:2000]
            )
            return Transition(ticket, (event,)), case, None

        await self._change(principal, reference, act)
        return reference


__all__ = ["DecisionDesk"]
