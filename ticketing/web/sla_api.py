"""JSON API for clocks and ticket changes: explain a ticket's SLA, transition, reply, assign; calendar what-if."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, get, post, put
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter
from msgspec import Meta

from ticketing.domain.errors import NotFound, ValidationFailed
from ticketing.domain.requests import NoticeMethod
from ticketing.domain.sla import ClockKind
from ticketing.domain.tickets import Action, State
from ticketing.services.calendars import MAX_AMOUNT, CalendarService
from ticketing.services.ports import Principal
from ticketing.services.sla import ClockExplanation, SlaService
from ticketing.services.workflow import MAX_NOTE, MAX_REPLY, TicketWorkflow
from ticketing.web.auth import api_principal
from ticketing.web.deps import PrincipalDep
from ticketing.web.openapi import CHANGE, READ, WRITE
from ticketing.web.schemas import Email

# A what-if amount: a whole number from 0 to the calendar's limit; give exactly one of the three.
# (`minimum` again in schema_extra: Litestar drops a `ge` of 0 from the schema, though it enforces it.)
AMOUNT = "give exactly one of business_minutes, business_days and calendar_days"
BusinessMinutes = Annotated[
    int | None,
    QueryParameter(ge=0, le=MAX_AMOUNT["business_minutes"], description=AMOUNT, schema_extra={"minimum": 0}),
]
BusinessDays = Annotated[
    int | None, QueryParameter(ge=0, le=MAX_AMOUNT["business_days"], description=AMOUNT, schema_extra={"minimum": 0})
]
CalendarDays = Annotated[
    int | None, QueryParameter(ge=0, le=MAX_AMOUNT["calendar_days"], description=AMOUNT, schema_extra={"minimum": 0})
]
Instant = Annotated[str, QueryParameter(description="ISO 8601; without a UTC offset it is read in the desk's zone")]


class TransitionIn(msgspec.Struct, forbid_unknown_fields=True):
    """`reason` stays internal (its first 2,000 characters are kept); `note` goes to the requester in the
    status mail (when there is one)."""

    action: Action
    reason: str = ""
    note: Annotated[str, Meta(max_length=MAX_NOTE)] = ""
    notify_requester: bool = True
    # A request ticket's closing moves (responded, rejected, forwarded) record how the notice of the
    # result went: e-mail (the status mail) by default, or by post with the day it was sent.
    notice_method: NoticeMethod | None = None
    notice_sent_at: Annotated[datetime, Meta(tz=True)] | None = None


class ReplyIn(msgspec.Struct, forbid_unknown_fields=True):
    text: Annotated[str, Meta(min_length=1, max_length=MAX_REPLY)]


class AssigneeIn(msgspec.Struct, forbid_unknown_fields=True):
    # A desk member's e-mail; null (or leaving it out) unassigns. An empty string is no address: refused.
    assignee: Annotated[Email, Meta(min_length=1)] | None = None


class StateOut(msgspec.Struct):
    reference: str
    state: State


class ReplyQueued(msgspec.Struct):
    reference: str
    status: Literal["queued"]  # the mail waits in the outbox for the sender


class AssigneeOut(msgspec.Struct):
    reference: str
    assignee: str | None


class ClockOut(msgspec.Struct):
    """One clock, explained: its policy snapshot, pauses, due instant, time used and left, rungs."""

    clock: ClockKind
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
            ClockKind(c.kind),
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
    """`due` for /due (ISO 8601 with the desk's UTC offset), `business_minutes` for /elapsed; the other is null."""

    desk: str
    start: str
    due: str | None
    business_minutes: int | None


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
            principal,
            reference,
            data.action.value,
            data.reason,
            note=data.note,
            notify=data.notify_requester,
            notice_method=data.notice_method.value if data.notice_method else None,
            notice_sent_at=data.notice_sent_at,
        )
        return StateOut(reference, State(state))

    @post("/replies", status_code=201, summary="Reply to the requester (stops the first-response clock)", raises=WRITE)
    async def reply(
        self,
        reference: FromPath[str],
        data: JSONBody[ReplyIn],
        workflow: NamedDependency[TicketWorkflow],
        principal: PrincipalDep,
    ) -> ReplyQueued:
        await workflow.reply(principal, reference, data.text)
        return ReplyQueued(reference, "queued")

    @put("/assignee", summary="Assign the ticket to a member of its desk (null unassigns)", raises=WRITE)
    async def assign(
        self,
        reference: FromPath[str],
        data: JSONBody[AssigneeIn],
        workflow: NamedDependency[TicketWorkflow],
        principal: PrincipalDep,
    ) -> AssigneeOut:
        await workflow.assign(principal, reference, data.assignee)
        return AssigneeOut(reference, data.assignee)


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
        start: Instant,
        calendars: NamedDependency[CalendarService],
        principal: PrincipalDep,
        business_minutes: BusinessMinutes = None,
        business_days: BusinessDays = None,
        calendar_days: CalendarDays = None,
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
        return DueOut(slug, start, due=calendars.format(slug, due), business_minutes=None)

    @get("/elapsed", summary="Business minutes between two instants on the desk's calendar", raises=READ)
    async def elapsed(
        self,
        slug: FromPath[str],
        start: Instant,
        end: Instant,
        calendars: NamedDependency[CalendarService],
        principal: PrincipalDep,
    ) -> DueOut:
        _member_desk(principal, slug, calendars)
        a = calendars.parse_instant(slug, start, "start")
        b = calendars.parse_instant(slug, end, "end")
        return DueOut(slug, start, due=None, business_minutes=calendars.elapsed(slug, a, b))
