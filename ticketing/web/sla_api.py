"""JSON API for clocks and ticket changes: explain a ticket's SLA, transition, reply, assign; calendar what-if."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from litestar import Controller, get, post, put
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody

from ticketing.domain.errors import NotFound, ValidationFailed
from ticketing.services.calendars import CalendarService
from ticketing.services.ports import Principal
from ticketing.services.sla import ClockExplanation, SlaService
from ticketing.services.workflow import TicketWorkflow
from ticketing.web.auth import api_principal
from ticketing.web.deps import PrincipalDep
from ticketing.web.openapi import CHANGE, READ


class TransitionIn(msgspec.Struct, forbid_unknown_fields=True):
    """`reason` stays internal; `note` goes to the requester in the status mail (when there is one)."""

    action: str
    reason: str = ""
    note: str = ""
    notify_requester: bool = True


class ReplyIn(msgspec.Struct, forbid_unknown_fields=True):
    text: str


class AssigneeIn(msgspec.Struct, forbid_unknown_fields=True):
    assignee: str | None = None  # a desk member's e-mail; null unassigns


class StateOut(msgspec.Struct):
    reference: str
    state: str


class ClockOut(msgspec.Struct):
    """One clock, explained: its policy snapshot, pauses, due instant, time used and left, rungs."""

    clock: str
    policy: dict[str, Any]
    started_at: datetime
    due_at: datetime | None
    paused: bool
    stopped_at: datetime | None
    breached_at: datetime | None
    business_minutes_used: int
    business_minutes_left: int
    met: bool | None
    next_notification_at: datetime | None
    pauses: list[dict[str, Any]]
    stages: list[dict[str, Any]]

    @classmethod
    def of(cls, c: ClockExplanation) -> ClockOut:
        return cls(
            c.kind,
            dict(c.policy),
            c.started_at,
            c.due_at,
            c.paused,
            c.stopped_at,
            c.breached_at,
            c.used_minutes,
            c.left_minutes,
            c.met,
            c.next_fire_at,
            list(c.pauses),
            list(c.stages),
        )


class SlaOut(msgspec.Struct):
    reference: str
    now: datetime
    clocks: list[ClockOut]


class DueOut(msgspec.Struct):
    desk: str
    start: str
    due: str | None = None
    business_minutes: int | None = None


class TicketActionsApi(Controller):
    path = "/api/v1/tickets/{reference:str}"
    tags = ["tickets"]
    dependencies = {"principal": Provide(api_principal)}

    @get("/sla", summary="Explain the ticket's clocks", raises=READ)
    async def sla(
        self,
        reference: FromPath[str],
        sla: NamedDependency[SlaService],
        now: NamedDependency[datetime],
        principal: PrincipalDep,
    ) -> SlaOut:
        clocks = await sla.explain(principal, reference, now)
        return SlaOut(reference, now, [ClockOut.of(c) for c in clocks])

    @post("/transitions", status_code=200, summary="Move the ticket through its state table", raises=CHANGE)
    async def transition(
        self,
        reference: FromPath[str],
        data: JSONBody[TransitionIn],
        workflow: NamedDependency[TicketWorkflow],
        principal: PrincipalDep,
    ) -> StateOut:
        state = await workflow.transition(
            principal, reference, data.action, data.reason, note=data.note, notify=data.notify_requester
        )
        return StateOut(reference, state)

    @post("/replies", status_code=201, summary="Reply to the requester (stops the first-response clock)", raises=CHANGE)
    async def reply(
        self,
        reference: FromPath[str],
        data: JSONBody[ReplyIn],
        workflow: NamedDependency[TicketWorkflow],
        principal: PrincipalDep,
    ) -> dict[str, str]:
        await workflow.reply(principal, reference, data.text)
        return {"reference": reference, "status": "queued"}

    @put("/assignee", summary="Assign the ticket to a member of its desk (null unassigns)", raises=CHANGE)
    async def assign(
        self,
        reference: FromPath[str],
        data: JSONBody[AssigneeIn],
        workflow: NamedDependency[TicketWorkflow],
        principal: PrincipalDep,
    ) -> dict[str, str | None]:
        await workflow.assign(principal, reference, data.assignee)
        return {"reference": reference, "assignee": data.assignee}


def _member_desk(principal: Principal, slug: str, calendars: CalendarService) -> None:
    calendars.calendar(slug)  # unknown desk: 404
    if slug not in principal.desks:
        raise NotFound("desk", slug)


class CalendarApi(Controller):
    path = "/api/v1/desks/{slug:str}/calendar"
    tags = ["calendars"]
    dependencies = {"principal": Provide(api_principal)}

    @get("/due", summary="What-if: when would a target started at `start` be due?", raises=READ)
    async def due(
        self,
        slug: FromPath[str],
        start: FromQuery[str],
        calendars: NamedDependency[CalendarService],
        principal: PrincipalDep,
        business_minutes: FromQuery[int | None] = None,
        business_days: FromQuery[int | None] = None,
        calendar_days: FromQuery[int | None] = None,
    ) -> DueOut:
        _member_desk(principal, slug, calendars)
        given = [
            (k, v)
            for k, v in (
                ("business_minutes", business_minutes),
                ("business_days", business_days),
                ("calendar_days", calendar_days),
            )
            if v is not None
        ]
        if len(given) != 1:
            raise ValidationFailed({"query": "give exactly one of business_minutes, business_days, calendar_days"})
        at = calendars.parse_instant(slug, start, "start")
        due = calendars.due(slug, at, given[0][0], given[0][1])
        return DueOut(slug, start, due=calendars.format(slug, due))

    @get("/elapsed", summary="Business minutes between two instants on the desk's calendar", raises=READ)
    async def elapsed(
        self,
        slug: FromPath[str],
        start: FromQuery[str],
        end: FromQuery[str],
        calendars: NamedDependency[CalendarService],
        principal: PrincipalDep,
    ) -> DueOut:
        _member_desk(principal, slug, calendars)
        a = calendars.parse_instant(slug, start, "start")
        b = calendars.parse_instant(slug, end, "end")
        return DueOut(slug, start, business_minutes=calendars.elapsed(slug, a, b))
