"""Desk settings managers change in the browser, in effect at once and in every process, no restart
(the rules: domain/desk_settings.py).

How it takes effect: every service holds the same `desks` mapping (container.py). Saving a desk's
settings puts the desk with its settings laid over it into that mapping, so the next `desks[slug]`
anywhere reads the new escalation addresses, mail cap and templates, and `CalendarService` builds the
desk's calendar again (it notices the desk object changed). Other processes notice the saved
`version` at most `REFRESH_SECONDS` later: the web app checks before a request (web/app hook) and the
SLA sweep before it runs; one small query of a table with a row per desk.

A calendar change moves the open clocks it concerns (their due instants and rungs) in the same
transaction as the save, and `preview_calendar` shows which before anything is saved.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from ticketing.domain import desk_settings as rules
from ticketing.domain.calendar import BusinessCalendar
from ticketing.domain.clocks import ClockState, schedule
from ticketing.domain.desk_settings import DeskSettings
from ticketing.domain.desks import Desk
from ticketing.domain.errors import ConfigError, Forbidden, NotFound
from ticketing.domain.reply_templates import ReplyTemplate
from ticketing.domain.sla import Pause
from ticketing.domain.staff import MANAGER_ROLES
from ticketing.services.audit import AuditLog
from ticketing.services.calendars import CalendarService
from ticketing.services.ports import Clock, Principal

log = logging.getLogger(__name__)

REFRESH_SECONDS = 2.0
PREVIEW_ROWS = 50


@dataclass(frozen=True, slots=True)
class RunningClock:
    """A running clock of the desk, with its ticket's reference and pauses (the store reads these)."""

    reference: str
    ticket: int
    clock: ClockState
    pauses: tuple[Pause, ...]


class DeskSettingsStore(Protocol):
    async def versions(self) -> dict[str, int]: ...

    async def load(self, desks: Sequence[str]) -> dict[str, DeskSettings]: ...

    async def save(
        self,
        desk: str,
        settings: DeskSettings,
        expected_version: int,
        by: str,
        now: datetime,
        move: Callable[[Sequence[RunningClock]], Sequence[ClockState]] | None = None,
        since: datetime | None = None,
    ) -> int:
        """Store as version expected_version + 1 (Conflict when another save came first), moving the
        clocks `move` returns in the same transaction."""
        ...

    async def running_from(self, desk: str, since: datetime) -> Sequence[RunningClock]: ...


@dataclass(frozen=True, slots=True)
class ClockMove:
    reference: str
    kind: str
    old_due: datetime | None
    new_due: datetime | None


@dataclass(frozen=True, slots=True)
class CalendarChange:
    """What a calendar change does: the dates it changes and the open clocks whose due instant moves."""

    desk: str
    settings: DeskSettings
    dates: list[date]
    moves: list[ClockMove]  # the first PREVIEW_ROWS, earliest due first
    moved: int  # all the clocks whose due instant moves
    old_calendar: str  # the calendar's fingerprint now
    new_calendar: str  # and after the change
    closed_text: str  # the text areas as typed, for the save form under the preview
    hours_text: str


class DeskSettingsService:
    def __init__(
        self, desks: dict[str, Desk], calendars: CalendarService, store: DeskSettingsStore, clock: Clock
    ) -> None:
        self.live = desks  # the mapping every service holds: a saved desk is replaced in it
        self.base = dict(desks)  # the desks file's desks
        self.calendars = calendars
        self.store = store
        self.clock = clock
        self._settings: dict[str, DeskSettings] = {}
        self._checked = float("-inf")
        self.audit: AuditLog | None = None  # set by the container: every save is an event with who and when

    # --- keeping every process current -------------------------------------------------------------

    async def refresh(self, *, force: bool = False) -> None:
        """Reload the desks whose settings another process saved (at most every REFRESH_SECONDS)."""
        now = time.monotonic()
        if not force and now - self._checked < REFRESH_SECONDS:
            return
        self._checked = now
        versions = await self.store.versions()
        stale = [d for d in self.base if versions.get(d, 0) != self.settings(d).version]
        if not stale:
            return
        loaded = await self.store.load(stale)
        for desk in stale:
            self._use(desk, loaded.get(desk, DeskSettings()))

    def _use(self, desk: str, settings: DeskSettings) -> None:
        try:
            self.live[desk] = rules.apply(self.base[desk], settings)
        except (ConfigError, ValueError) as exc:  # never a request's failure: the file's settings stay
            log.error("desk %s: stored settings not used: %s", desk, exc)
            return
        self._settings[desk] = settings

    def settings(self, desk: str) -> DeskSettings:
        return self._settings.get(desk, DeskSettings())

    # --- who ----------------------------------------------------------------------------------------

    def managed(self, principal: Principal, desk: str) -> Desk:
        """NotFound for an unknown desk or another desk's; Forbidden for a member who is no manager."""
        found = self.live.get(desk)
        if found is None or desk not in principal.desks:
            raise NotFound("desk", desk)
        if principal.roles[desk] not in MANAGER_ROLES:
            raise Forbidden("only the desk's managers and admins change its settings")
        return found

    def file_desk(self, desk: str) -> Desk:
        return self.base[desk]

    # --- the calendar -------------------------------------------------------------------------------

    def _today(self, desk: Desk) -> date:
        return self.clock.now().astimezone(ZoneInfo(desk.timezone)).date()

    async def preview_calendar(
        self, principal: Principal, slug: str, closed_text: str, hours_text: str
    ) -> CalendarChange:
        """What saving these one-off closures and hours would do; nothing is saved."""
        await self.refresh(force=True)
        desk = self.managed(principal, slug)
        change, _ = self._calendar_change(desk, closed_text, hours_text)
        if not change.dates:
            return change
        since = self._start_of(desk, change.dates[0])
        running = await self.store.running_from(slug, since)
        moved = self._moves(self._calendar_for(desk, change.settings), running)
        return replace(change, moves=[m for m, _ in moved[:PREVIEW_ROWS]], moved=len(moved))

    async def save_calendar(
        self, principal: Principal, slug: str, closed_text: str, hours_text: str, expected_version: int
    ) -> CalendarChange:
        await self.refresh(force=True)
        desk = self.managed(principal, slug)
        change, settings = self._calendar_change(desk, closed_text, hours_text)
        new_calendar = self._calendar_for(desk, settings)
        found: list[tuple[ClockMove, ClockState]] = []

        def move(running: Sequence[RunningClock]) -> list[ClockState]:
            found.extend(self._moves(new_calendar, running))
            return [c for _, c in found]

        since = self._start_of(desk, change.dates[0]) if change.dates else None
        version = await self.store.save(
            slug, settings, expected_version, principal.email, self.clock.now(), move if since else None, since
        )
        self._use(slug, replace(settings, version=version))
        days = ", ".join(d.isoformat() for d in change.dates)
        detail = {"dates": days[:200], "moved": len(found), "version": version, "calendar": change.new_calendar}
        await self._record(principal, "desk_settings.calendar", slug, detail)
        return replace(change, moves=[m for m, _ in found[:PREVIEW_ROWS]], moved=len(found))

    async def _record(self, principal: Principal, action: str, desk: str, detail: Mapping[str, object]) -> None:
        """The audit log's event, after the save committed (its own transaction; services/audit.py)."""
        if self.audit is not None:
            await self.audit.record(principal, action, desk, desk, detail)

    def _calendar_change(self, desk: Desk, closed_text: str, hours_text: str) -> tuple[CalendarChange, DeskSettings]:
        today = self._today(desk)
        closed, hours = rules.parse_calendar_lines(closed_text, hours_text, today)
        current = self.settings(desk.slug)
        new = rules.with_calendar(current, closed, hours, today)
        change = CalendarChange(
            desk=desk.slug,
            settings=new,
            dates=rules.changed_dates(current, new),
            moves=[],
            moved=0,
            old_calendar=self.calendars.calendar(desk.slug).version,
            new_calendar=self._calendar_for(desk, new).version,
            closed_text=closed_text,
            hours_text=hours_text,
        )
        return change, new

    def _calendar_for(self, desk: Desk, settings: DeskSettings) -> BusinessCalendar:
        return BusinessCalendar(rules.apply(self.base[desk.slug], settings).calendar_spec())

    @staticmethod
    def _start_of(desk: Desk, day: date) -> datetime:
        return datetime.combine(day, datetime.min.time(), tzinfo=ZoneInfo(desk.timezone))

    @staticmethod
    def _moves(new: BusinessCalendar, running: Sequence[RunningClock]) -> list[tuple[ClockMove, ClockState]]:
        """The clocks whose due instant or next rung the new calendar moves, earliest due first (the
        stored instants were computed with the calendar in use)."""
        result = []
        for r in running:
            moved = schedule(new, r.clock, r.pauses)
            if moved.due_at != r.clock.due_at or moved.next_fire_at != r.clock.next_fire_at:
                result.append((ClockMove(r.reference, r.clock.kind.value, r.clock.due_at, moved.due_at), moved))
        return result

    # --- the other settings -----------------------------------------------------------------------

    async def save_second_level(self, principal: Principal, slug: str, text: str, expected_version: int) -> None:
        addresses = rules.parse_second_level(text)
        await self._save(principal, slug, expected_version, second_level=addresses)
        await self._record(principal, "desk_settings.second_level", slug, {"addresses": len(addresses)})

    async def save_cap(self, principal: Principal, slug: str, text: str, expected_version: int) -> None:
        old = self.managed(principal, slug).mail.auto_reply_daily_cap
        cap = rules.parse_cap(text)
        await self._save(principal, slug, expected_version, auto_reply_daily_cap=cap)
        await self._record(principal, "desk_settings.auto_reply_cap", slug, {"old": old, "new": cap})

    async def save_template(
        self, principal: Principal, slug: str, raw: Mapping[str, str], expected_version: int
    ) -> None:
        desk = self.managed(principal, slug)
        templates = rules.template_list(desk.reply_templates, raw, None)
        await self._save(principal, slug, expected_version, reply_templates=templates)
        key = f"{raw.get('key', '').strip()}:{raw.get('language', '').strip()}"
        await self._record(principal, "desk_settings.template_saved", slug, {"template": key[:60]})

    async def delete_template(self, principal: Principal, slug: str, key: str, expected_version: int) -> None:
        desk = self.managed(principal, slug)
        templates: tuple[ReplyTemplate, ...] = rules.template_list(desk.reply_templates, None, key)
        await self._save(principal, slug, expected_version, reply_templates=templates)
        await self._record(principal, "desk_settings.template_deleted", slug, {"template": key[:60]})

    async def _save(self, principal: Principal, slug: str, expected_version: int, **changes: object) -> None:
        await self.refresh(force=True)
        self.managed(principal, slug)
        settings = replace(self.settings(slug), **changes)  # type: ignore[arg-type]
        version = await self.store.save(slug, settings, expected_version, principal.email, self.clock.now())
        self._use(slug, replace(settings, version=version))


__all__ = ["PREVIEW_ROWS", "REFRESH_SECONDS", "CalendarChange", "ClockMove", "DeskSettingsService", "RunningClock"]
