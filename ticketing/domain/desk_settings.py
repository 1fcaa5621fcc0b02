"""Desk settings a manager changes in the browser, laid over the desks file without a restart.

What may change (issue 13): one-off closures and changed opening hours of single dates, the reply
templates, the second escalation level's addresses, and the daily cap of automatic replies to one
address. Everything else (opening hours, targets, the ladder, request rules) stays in the desks file,
reviewed like code: those are the desk's published promises (docs/business-time.md).

Rules, and why:
- **Only dates from today on** (in the desk's zone) may be closed or given other hours, and entries
  before today stay as they were: business time already elapsed is counted in clocks, reports and
  the APPI records; changing the past would silently rewrite them.
- **At most two years ahead**: a closure further away belongs in the desks file, and the holiday
  tables this build knows end a few years out (domain/calendar.py raises outside them).
- A date is **either closed or given other hours**, not both (the calendar would let the opening win,
  docs/business-time.md, which is rarely what the person who typed both meant).
- Laid over the file: the file's `closed_dates` and `open_dates` stay, these are added (an opening
  here wins over the file's closure, as `open_dates` does in the file); the second level, the cap and
  the templates, when set here, replace the file's.
- Each save bumps the settings' `version` (a form from an older version is refused, like a stale
  ticket form) and changes the calendar's fingerprint (`BusinessCalendar.version`), which the clocks
  started afterwards record.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, time, timedelta
from typing import Any

from ticketing.domain.calendar import OpeningWindow
from ticketing.domain.desks import Desk, parse_closed_dates, parse_open_dates
from ticketing.domain.errors import ConfigError, ValidationFailed
from ticketing.domain.mail_config import EMAIL_RE
from ticketing.domain.reply_templates import ReplyTemplate, parse_reply_templates

MAX_DAYS_AHEAD = 731
MAX_CAP = 10_000  # the desks file's bound (domain/mail_config.py)
MAX_SECOND_LEVEL = 20


@dataclass(frozen=True, slots=True)
class DeskSettings:
    """A desk's settings from the database; None: the desks file's value stands."""

    closed_dates: frozenset[date] = frozenset()
    open_dates: Mapping[date, tuple[OpeningWindow, ...]] = field(default_factory=dict)
    second_level: tuple[str, ...] | None = None
    auto_reply_daily_cap: int | None = None
    reply_templates: tuple[ReplyTemplate, ...] | None = None
    version: int = 0


def apply(desk: Desk, settings: DeskSettings) -> Desk:
    """The desk as the service uses it: the desks file's `desk` with `settings` laid over it."""
    changed = replace(
        desk,
        closed_dates=desk.closed_dates | settings.closed_dates,
        open_dates={**desk.open_dates, **settings.open_dates},
    )
    if settings.second_level is not None:
        changed = replace(changed, escalation=replace(desk.escalation, second_level=settings.second_level))
    if settings.auto_reply_daily_cap is not None:
        changed = replace(changed, mail=replace(desk.mail, auto_reply_daily_cap=settings.auto_reply_daily_cap))
    if settings.reply_templates is not None:
        changed = replace(changed, reply_templates=settings.reply_templates)
    return changed


# --- stored form ----------------------------------------------------------------------------------


def window_text(w: OpeningWindow) -> str:
    """`HH:MM-HH:MM` as the desks file writes it (a window to midnight ends at 24:00)."""
    end = "24:00" if w.end == time.max else w.end.strftime("%H:%M")
    return f"{w.start.strftime('%H:%M')}-{end}"


def to_json(s: DeskSettings) -> str:
    data: dict[str, Any] = {
        "closed_dates": sorted(d.isoformat() for d in s.closed_dates),
        "open_dates": {d.isoformat(): [window_text(w) for w in ws] for d, ws in sorted(s.open_dates.items())},
    }
    if s.second_level is not None:
        data["second_level"] = list(s.second_level)
    if s.auto_reply_daily_cap is not None:
        data["auto_reply_daily_cap"] = s.auto_reply_daily_cap
    if s.reply_templates is not None:
        data["reply_templates"] = [
            {"key": t.key, "language": t.language.value, "title": t.title, "body": t.body} for t in s.reply_templates
        ]
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def from_json(raw: str | Mapping[str, Any], version: int) -> DeskSettings:
    """The stored settings; a row this build cannot read raises ConfigError (named, never guessed)."""
    data = json.loads(raw) if isinstance(raw, str) else dict(raw)
    cap = data.get("auto_reply_daily_cap")
    second = data.get("second_level")
    templates = data.get("reply_templates")
    return DeskSettings(
        closed_dates=parse_closed_dates(data.get("closed_dates"), "desk_setting.closed_dates"),
        open_dates=parse_open_dates(data.get("open_dates"), "desk_setting.open_dates"),
        second_level=None if second is None else tuple(str(a) for a in second),
        auto_reply_daily_cap=None if cap is None else int(cap),
        reply_templates=None if templates is None else parse_reply_templates(templates, "desk_setting.reply_templates"),
        version=version,
    )


# --- what a manager types ---------------------------------------------------------------------------


def parse_calendar_lines(
    closed_text: str, hours_text: str, today: date
) -> tuple[frozenset[date], dict[date, tuple[OpeningWindow, ...]]]:
    """The two text areas: closed dates one a line ("YYYY-MM-DD" or "YYYY-MM-DD..YYYY-MM-DD"), and
    changed hours one date a line ("YYYY-MM-DD 10:00-12:00 13:00-15:00"). ValidationFailed names the
    field and the line."""
    closed_items = [line.strip() for line in closed_text.splitlines() if line.strip()]
    try:
        closed = parse_closed_dates(closed_items, "closed_dates")
    except ConfigError as exc:
        raise ValidationFailed({"closed_dates": exc.problem}) from None
    opened: dict[str, list[str]] = {}
    for number, line in enumerate(hours_text.splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) < 2:
            raise ValidationFailed({"open_dates": f"line {number}: a date, then its hours (10:00-12:00)"})
        if parts[0] in opened:
            raise ValidationFailed({"open_dates": f"line {number}: {parts[0]} is given twice"})
        opened[parts[0]] = parts[1:]
    try:
        hours = parse_open_dates(opened, "open_dates")
    except ConfigError as exc:
        raise ValidationFailed({"open_dates": f"{exc.where.removeprefix('open_dates.')}: {exc.problem}"}) from None
    both = sorted(closed & set(hours))
    if both:
        raise ValidationFailed({"open_dates": f"{both[0].isoformat()} is also closed: give it one or the other"})
    last = today + timedelta(days=MAX_DAYS_AHEAD)
    for field_name, days in (("closed_dates", sorted(closed)), ("open_dates", sorted(hours))):
        if days and days[0] < today:
            raise ValidationFailed({field_name: f"{days[0].isoformat()} is before today: the past is not changed"})
        if days and days[-1] > last:
            raise ValidationFailed({field_name: f"{days[-1].isoformat()} is more than two years ahead"})
    return closed, hours


def calendar_lines(settings: DeskSettings, today: date) -> tuple[str, str]:
    """The two text areas as `parse_calendar_lines` reads them: the settings' dates from today on
    (earlier ones are kept as they are and not shown for editing)."""
    closed = "\n".join(d.isoformat() for d in sorted(settings.closed_dates) if d >= today)
    hours = "\n".join(
        f"{d.isoformat()} {' '.join(window_text(w) for w in ws)}"
        for d, ws in sorted(settings.open_dates.items())
        if d >= today
    )
    return closed, hours


def with_calendar(
    current: DeskSettings,
    closed: frozenset[date],
    hours: Mapping[date, tuple[OpeningWindow, ...]],
    today: date,
) -> DeskSettings:
    """The new settings: entries before today kept as stored, those from today on as typed."""
    kept_closed = frozenset(d for d in current.closed_dates if d < today)
    kept_hours = {d: w for d, w in current.open_dates.items() if d < today}
    return replace(current, closed_dates=kept_closed | closed, open_dates={**kept_hours, **hours})


def changed_dates(old: DeskSettings, new: DeskSettings) -> list[date]:
    """The dates whose opening the change affects, in order."""
    days = set(old.closed_dates ^ new.closed_dates)
    for day in set(old.open_dates) | set(new.open_dates):
        if old.open_dates.get(day) != new.open_dates.get(day):
            days.add(day)
    return sorted(days)


def parse_second_level(text: str) -> tuple[str, ...]:
    """E-mail addresses, one a line or separated by commas; empty: the desk's admins (domain/sla.py)."""
    found: list[str] = []
    for item in text.replace(",", "\n").splitlines():
        address = item.strip()
        if not address:
            continue
        if not EMAIL_RE.match(address) or len(address) > 254:
            raise ValidationFailed({"second_level": f"{address!r} is not an e-mail address"})
        if address.lower() not in (a.lower() for a in found):
            found.append(address)
    if len(found) > MAX_SECOND_LEVEL:
        raise ValidationFailed({"second_level": f"at most {MAX_SECOND_LEVEL} addresses"})
    return tuple(found)


def parse_cap(text: str) -> int:
    value = text.strip()
    if not value.isascii() or not value.isdigit() or not 0 <= int(value) <= MAX_CAP:
        raise ValidationFailed({"auto_reply_daily_cap": f"a whole number from 0 to {MAX_CAP}"})
    return int(value)


def template_list(
    templates: Sequence[ReplyTemplate], raw: Mapping[str, str] | None, drop: str | None
) -> tuple[ReplyTemplate, ...]:
    """The desk's templates with one added or replaced (`raw`: key, language, title, body) or one
    removed (`drop`: "key:language"); checked by the desks file's own rules."""
    items = [{"key": t.key, "language": t.language.value, "title": t.title, "body": t.body} for t in templates]
    if drop is not None:
        items = [i for i in items if f"{i['key']}:{i['language']}" != drop]
    if raw is not None:
        new = {k: raw.get(k, "") for k in ("key", "language", "title", "body")}
        items = [i for i in items if (i["key"], i["language"]) != (new["key"].strip(), new["language"].strip())]
        items.append(new)
    try:
        return parse_reply_templates(items, "reply_template")
    except ConfigError as exc:
        field_name = exc.where.rsplit(".", 1)[-1] if "." in exc.where else "reply_template"
        raise ValidationFailed({field_name: exc.problem}) from None


__all__ = [
    "MAX_CAP", "MAX_DAYS_AHEAD", "DeskSettings", "apply", "calendar_lines", "changed_dates", "from_json",
    "parse_calendar_lines", "parse_cap", "parse_second_level", "template_list", "to_json", "window_text",
    "with_calendar",
]  # fmt: skip
