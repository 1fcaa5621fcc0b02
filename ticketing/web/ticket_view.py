"""What the agent's ticket page shows: the context of templates/ticket.html, built from a TicketView.

The clocks read as an agent reads them ("2 h 10 min left", "35 min over", with a colour and the
reason), the timeline's lines are named, and a refused change comes back with what was typed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template

from ticketing.domain.desks import Desk
from ticketing.domain.errors import DomainError, NotFound, StaleChange
from ticketing.domain.presence import POLL_SECONDS, PresenceMode
from ticketing.domain.sla import Unit
from ticketing.domain.tickets import TRANSITIONS, WAITING_ON_REQUESTER, State
from ticketing.services.ports import MessageView, Principal
from ticketing.services.sla import ClockExplanation
from ticketing.services.ticket_workspace import TicketView, TicketWorkspace
from ticketing.web.case_view import LANG_COOKIE, case_context, staff_language
from ticketing.web.errors import STATUS
from ticketing.web.forms import Form, typed, version

Gettext = Callable[[str], str]
WARN_SHARE = 0.2  # a running clock with less than a fifth of its budget left is shown as at risk
UNITS = {
    Unit.BUSINESS_MINUTES.value: "%(n)d business minutes",
    Unit.BUSINESS_DAYS.value: "%(n)d business days",
    Unit.CALENDAR_DAYS.value: "%(n)d calendar days",
}


def duration(minutes: int, gettext: Gettext, *, days: bool = False) -> str:
    """A span for people: "35 min", "2 h 10 min"; with `days` (a calendar-day clock) "3 d 4 h"."""
    m = abs(minutes)
    if m < 60:
        return gettext("%(m)d min") % {"m": m}
    hours, rest = divmod(m, 60)
    if days and hours >= 48:
        return gettext("%(d)d d %(h)d h") % {"d": hours // 24, "h": hours % 24}
    return gettext("%(h)d h %(m)d min") % {"h": hours, "m": rest}


@dataclass(frozen=True, slots=True)
class ClockLine:
    kind: str  # first_response, resolution, statutory, ...
    status: str  # ok | warn | over | paused | met | missed: the colour (the text says it too)
    text: str  # "2 h 10 min left", "35 min over", "met", ...
    due: str  # the due instant in the desk's zone ("" while paused)
    why: tuple[str, ...]


def clock_line(c: ClockExplanation, local: Callable[[datetime | None], str], gettext: Gettext) -> ClockLine:
    calendar_days = c.policy.get("target", {}).get("unit") == Unit.CALENDAR_DAYS.value
    left = duration(c.left_minutes, gettext, days=calendar_days)
    if c.stopped_at is not None:
        status = "met" if c.met else "missed"
        text = gettext("met") if c.met else gettext("missed by %(time)s") % {"time": left}
    elif c.paused:
        status, text = "paused", gettext("paused, %(time)s left") % {"time": left}
    elif c.left_minutes < 0 or c.breached_at is not None:
        status, text = "over", gettext("%(time)s over") % {"time": left}
    else:
        budget = c.used_minutes + c.left_minutes
        status = "warn" if budget and c.left_minutes <= budget * WARN_SHARE else "ok"
        text = gettext("%(time)s left") % {"time": left}
    return ClockLine(c.kind, status, text, local(c.due_at), _why(c, local, gettext, calendar_days))


def _why(c: ClockExplanation, local: Callable[[datetime | None], str], gettext: Gettext, days: bool) -> tuple[str, ...]:
    """The explanation GET /api/v1/tickets/{ref}/sla gives, in sentences."""
    target = c.policy.get("target", {})
    unit = UNITS.get(str(target.get("unit")), "%(n)d")
    lines = [
        gettext("Target: %(target)s from %(start)s (the %(category)s policy when the clock started).")
        % {
            "target": gettext(unit) % {"n": int(target.get("amount", 0))},
            "start": local(c.started_at),
            "category": gettext("category:" + str(c.policy.get("category", ""))),
        }
    ]
    if days:
        lines.append(gettext("Calendar days, counted from the day after arrival; this clock never pauses."))
    else:
        used = duration(c.used_minutes, gettext)
        lines.append(gettext("Counts only the desk's opening hours: %(used)s used so far.") % {"used": used})
    for p in c.pauses:
        start, end = datetime.fromisoformat(p["start"]), p["end"] and datetime.fromisoformat(p["end"])
        lines.append(
            gettext("Paused %(start)s to %(end)s: %(reason)s")
            % {"start": local(start), "end": local(end) if end else gettext("now"), "reason": p["reason"]}
        )
    for stage in c.stages:
        if stage.get("fired_at"):
            at = datetime.fromisoformat(stage["fired_at"]) if isinstance(stage["fired_at"], str) else stage["fired_at"]
            lines.append(gettext("Notice %(stage)s sent %(at)s.") % {"stage": stage["key"], "at": local(at)})
        elif stage.get("at") and c.stopped_at is None and not c.paused:
            at = datetime.fromisoformat(stage["at"])
            lines.append(gettext("Next notice: %(stage)s at %(at)s.") % {"stage": stage["key"], "at": local(at)})
            break
    return tuple(lines)


def message_kind(m: MessageView) -> str:
    """What a message is, as a catalog key: a reply, a note, a mail, a call, a letter, a visit."""
    if m.direction == "outbound":
        return "message:note" if m.channel == "note" else "message:reply"
    return (
        f"message:{m.channel}" if m.channel in ("email", "web", "phone", "post", "walk_in", "api") else "message:other"
    )


def _stale_lines(view: TicketView, local: Callable[[datetime | None], str], gettext: Gettext) -> list[str]:
    """What changed meanwhile, as far as the page can tell: the latest event."""
    events = view.detail.events
    if not events:
        return []
    e = events[-1]
    what = gettext("event:" + e.action)
    what = what if what != "event:" + e.action else e.action.replace("_", " ")
    return [
        gettext("Latest change: %(what)s by %(who)s at %(at)s.") % {"what": what, "who": e.actor, "at": local(e.at)}
    ]


def ticket_context(
    view: TicketView,
    principal: Principal,
    lang: str,
    *,
    error: DomainError | None = None,
    typed: Mapping[str, str] | None = None,
    typed_form: str = "",
    template_key: str = "",
) -> dict[str, Any]:
    """The ticket page's context: the request workflow's (case_view.py) and the page's own."""
    t = view.detail
    context = case_context(t, view.desk, principal, lang, error=error)
    gettext = context["_"]
    zone = ZoneInfo(view.desk.timezone)

    def local(at: datetime | None) -> str:
        return at.astimezone(zone).strftime("%Y-%m-%d %H:%M") if at else ""

    if isinstance(error, StaleChange):
        context["errors"] = [*context["errors"], *_stale_lines(view, local, gettext)]
    state = State(t.summary.state)
    waiting = sorted(a.value for (s, a), to in TRANSITIONS.items() if s is state and to in WAITING_ON_REQUESTER)
    typed = dict(typed or {})
    chosen = view.template(template_key) if template_key else None
    reply_text = chosen.text if chosen else (typed.get("text", "") if typed_form == "reply" else "")
    by_email = {c.email: c for c in view.colleagues}
    assignee = t.summary.assignee_email
    context |= {
        "view": view,
        "version": t.version,
        "clock_lines": [clock_line(c, local, gettext) for c in view.clocks],
        "timeline": view.timeline,
        "message_kind": message_kind,
        "others": view.others,
        "colleagues": view.colleagues,
        "assignee": by_email[assignee].name if assignee in by_email else assignee,
        "templates": view.templates,
        "chosen_template": chosen.key if chosen else "",
        "reply_text": reply_text,
        "typed": typed,
        "typed_form": typed_form,
        "waiting_actions": waiting,
        "next_states": {a.value: to.value for (st, a), to in TRANSITIONS.items() if st is state},
        "changed": False,  # the presence notice's "changed since you opened it" (the poll's answer)
        "reference": t.summary.reference,
        "presence_mode": PresenceMode.REPLYING.value if reply_text else PresenceMode.VIEWING.value,
        "poll_seconds": POLL_SECONDS,
        "local": local,
        "stale": isinstance(error, StaleChange),
    }
    return context


async def ticket_page(
    request: Request[Any, Any, Any],
    principal: Principal,
    reference: str,
    workspace: TicketWorkspace,
    *,
    error: DomainError | None = None,
    typed: Mapping[str, str] | None = None,
    typed_form: str = "",
    template_key: str = "",
    status_code: int | None = None,
) -> Template:
    """The ticket page; with `error`, the page again with the refusal and what was typed kept, in the
    status the API would answer (409 for a change from an older page)."""
    lang = staff_language(request)
    text_kept = bool(template_key) or (typed_form == "reply" and bool((typed or {}).get("text")))
    mode = PresenceMode.REPLYING if text_kept else PresenceMode.VIEWING
    view = await workspace.open(principal, reference, mode=mode)
    context = ticket_context(
        view, principal, lang, error=error, typed=typed, typed_form=typed_form, template_key=template_key
    )
    status = status_code or 200
    if error is not None and status_code is None:
        status = next((code for kind, code in STATUS.items() if isinstance(error, kind)), 400)
    # A switch of language (?lang=) is remembered for the staff pages.
    remember = request.query_params.get("lang") == lang
    cookies = [Cookie(key=LANG_COOKIE, value=lang, path="/app", samesite="lax", httponly=True)] if remember else []
    return Template("ticket.html", context=context, status_code=status, cookies=cookies)


# A form's change: given the form, the ticket's desk and the version the page was rendered with.
FormAct = Callable[[Form, Desk, int | None], Awaitable[Any]]


async def run_form(
    request: Request[Any, Any, Any],
    principal: Principal,
    reference: str,
    workspace: TicketWorkspace,
    act: FormAct,
    *,
    form_name: str,
    anchor: str,
) -> Template | Redirect:
    """Run one form of the ticket page and go back to it; a refusal is the page again with the reason
    and what was typed (409 for a form from an older version of the ticket)."""
    desk = await workspace.desk_of(principal, reference)  # 404 for another desk's ticket
    form = await request.form()
    try:
        await act(form, desk, version(form))
    except DomainError as exc:
        if isinstance(exc, NotFound) and exc.kind == "ticket":
            raise
        return await ticket_page(
            request, principal, reference, workspace, error=exc, typed=typed(form), typed_form=form_name
        )
    return Redirect(f"/app/tickets/{reference}#{anchor}", status_code=303)


__all__ = [
    "ClockLine",
    "FormAct",
    "clock_line",
    "duration",
    "message_kind",
    "run_form",
    "ticket_context",
    "ticket_page",
]
