"""Calendar questions by desk slug: the CLI's `calendar` commands and the what-if API use this."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from ticketing.domain.calendar import BusinessCalendar
from ticketing.domain.desks import Desk
from ticketing.domain.errors import DomainError, NotFound, ValidationFailed

AMOUNT_KEYS = ("business_minutes", "business_days", "calendar_days")
MAX_ELAPSED_DAYS = 3_660
MAX_AMOUNT = {"business_minutes": 525_600, "business_days": 1_000, "calendar_days": 3_660}


class CalendarService:
    def __init__(self, desks: Mapping[str, Desk]) -> None:
        self.desks = desks
        self._calendars: dict[str, tuple[Desk, BusinessCalendar]] = {}
        self._offices: dict[str, BusinessCalendar | None] = {}

    def calendar(self, slug: str) -> BusinessCalendar:
        """The desk's calendar; built again when the desk changed (settings saved in the browser
        replace the desk in the shared mapping: services/desk_settings.py)."""
        desk = self.desks.get(slug)
        if desk is None:
            raise NotFound("desk", slug)
        cached = self._calendars.get(slug)
        if cached is None or cached[0] is not desk:
            cached = (desk, BusinessCalendar(desk.calendar_spec()))
            self._calendars[slug] = cached
        return cached[1]

    def office(self, slug: str) -> BusinessCalendar | None:
        """The desk's accredited organisation's office hours (None when the desks file gives none)."""
        if slug not in self._offices:
            org = self.desks[slug].accredited_org
            spec = org.calendar_spec(self.desks[slug].timezone) if org is not None else None
            self._offices[slug] = BusinessCalendar(spec) if spec is not None else None
        return self._offices[slug]

    def parse_instant(self, slug: str, raw: Any, field: str) -> datetime:
        """ISO 8601; a time without an offset is read in the desk's own zone."""
        if not isinstance(raw, str) or not raw.strip():
            raise ValidationFailed({field: "an ISO 8601 timestamp is required"})
        try:
            value = datetime.fromisoformat(raw.strip())
        except ValueError:
            raise ValidationFailed({field: f"{raw!r} is not an ISO 8601 timestamp"}) from None
        if value.tzinfo is None:
            value = value.replace(tzinfo=ZoneInfo(self.calendar(slug).spec.timezone))
        return value

    def due(self, slug: str, start: datetime, unit: str, amount: Any) -> datetime:
        calendar = self.calendar(slug)
        if unit not in AMOUNT_KEYS:
            raise ValidationFailed({"unit": f"use one of {', '.join(AMOUNT_KEYS)}"})
        if not isinstance(amount, int) or isinstance(amount, bool) or not 0 <= amount <= MAX_AMOUNT[unit]:
            raise ValidationFailed({unit: f"must be a whole number from 0 to {MAX_AMOUNT[unit]}"})
        try:
            if unit == "business_minutes":
                return calendar.due_business_minutes(start, amount)
            if unit == "business_days":
                return calendar.due_business_days(start, amount)
            return calendar.due_calendar_days(start, amount)
        except (OverflowError, ValueError) as exc:  # past year 9999 (a desk without holidays); never a traceback
            raise ValidationFailed({unit: f"the due instant is out of range ({exc})"}) from None

    def elapsed(self, slug: str, start: datetime, end: datetime) -> int:
        if (end - start).days > MAX_ELAPSED_DAYS:
            # Each day of the span is computed and cached: bound what one question may cost.
            raise ValidationFailed({"end": f"at most {MAX_ELAPSED_DAYS} days after start"})
        try:
            return self.calendar(slug).elapsed_minutes(start, end)
        except (OverflowError, ValueError) as exc:
            raise ValidationFailed({"end": f"out of range ({exc})"}) from None

    def format(self, slug: str, at: datetime) -> str:
        return self.calendar(slug).format(at)

    def batch_line(self, line: str) -> dict[str, Any]:
        """One JSON request line -> one JSON answer; every problem becomes {"error": ...}."""
        try:
            request = json.loads(line)
        except (ValueError, RecursionError) as exc:  # RecursionError: absurdly deep nesting
            return {"error": f"not a JSON object: {exc}"}
        if not isinstance(request, dict):
            return {"error": "not a JSON object"}
        try:
            slug = request.get("desk")
            if not isinstance(slug, str):
                raise ValidationFailed({"desk": "a desk slug is required"})
            self.calendar(slug)
            start = self.parse_instant(slug, request.get("start"), "start")
            op = request.get("op")
            if op == "due":
                given = [k for k in AMOUNT_KEYS if k in request]
                if len(given) != 1:
                    raise ValidationFailed({"due": f"give exactly one of {', '.join(AMOUNT_KEYS)}"})
                return {"due": self.format(slug, self.due(slug, start, given[0], request[given[0]]))}
            if op == "elapsed":
                end = self.parse_instant(slug, request.get("end"), "end")
                return {"business_minutes": self.elapsed(slug, start, end)}
            raise ValidationFailed({"op": 'use "due" or "elapsed"'})
        except ValidationFailed as exc:
            return {"error": str(exc)}
        except NotFound as exc:
            return {"error": f"unknown desk {exc.key!r}"}
        except DomainError as exc:
            return {"error": str(exc)}
        except (OverflowError, ValueError) as exc:
            return {"error": f"out of range: {exc}"}
