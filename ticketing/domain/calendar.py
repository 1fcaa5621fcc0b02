"""Business calendars: opening windows, national holidays, closures; due and elapsed (docs/business-time.md).

All arithmetic runs on integer microseconds since the Unix epoch over the UTC instants of each
local opening window, so a zone with daylight saving needs no special case: a local date's windows
are converted to UTC once (and cached), whatever their offset that day.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays as holidays_lib

from ticketing.domain.errors import CalendarRangeError, NoOpening

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
US = 1_000_000
MINUTE_US = 60 * US
END_OF_DAY = time(23, 59, 59)
# A calendar with no opening for this long is a configuration mistake, not a reason to loop.
MAX_SEARCH_DAYS = 3 * 366


@dataclass(frozen=True, slots=True)
class OpeningWindow:
    """One local opening window; `end` is `time.max` for a window that closes at midnight (24:00)."""

    start: time
    end: time


@dataclass(frozen=True, slots=True)
class RecurringClosure:
    """An inclusive month-day range closed every year (may wrap over the new year)."""

    start: tuple[int, int]
    end: tuple[int, int]

    def covers(self, day: date) -> bool:
        md = (day.month, day.day)
        if self.start <= self.end:
            return self.start <= md <= self.end
        return md >= self.start or md <= self.end


@dataclass(frozen=True, slots=True)
class CalendarSpec:
    """Everything that decides when a desk is open. `open_dates` override all the rest."""

    timezone: str
    hours: Mapping[int, tuple[OpeningWindow, ...]]  # weekday (Mon=0) -> windows
    closures: tuple[RecurringClosure, ...] = ()
    closed_dates: frozenset[date] = frozenset()
    open_dates: Mapping[date, tuple[OpeningWindow, ...]] = field(default_factory=dict)
    holiday_country: str = "JP"  # "" for none

    def version(self) -> str:
        """A short fingerprint of the definition, kept in each clock's policy snapshot."""
        parts = [
            self.timezone,
            self.holiday_country,
            repr(sorted((d, [(w.start, w.end) for w in ws]) for d, ws in self.hours.items())),
            repr(sorted((c.start, c.end) for c in self.closures)),
            repr(sorted(self.closed_dates)),
            repr(sorted((d, [(w.start, w.end) for w in ws]) for d, ws in self.open_dates.items())),
        ]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:12]


def to_us(at: datetime) -> int:
    """Microseconds since the epoch of an aware datetime (exact; no float rounding)."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("business-time arithmetic needs aware datetimes")
    delta = at - EPOCH
    return (delta.days * 86_400 + delta.seconds) * US + delta.microseconds


def from_us(us: int) -> datetime:
    return EPOCH + timedelta(microseconds=us)


class BusinessCalendar:
    """Answers due and elapsed questions for one desk. Pure: no clock reads, no I/O."""

    def __init__(self, spec: CalendarSpec) -> None:
        self.spec = spec
        self.zone = ZoneInfo(spec.timezone)
        self.version = spec.version()
        self._holidays: holidays_lib.HolidayBase | None = None
        self._holiday_range: tuple[int, int] | None = None
        if spec.holiday_country:
            self._holidays = holidays_lib.country_holidays(spec.holiday_country)
            cls = type(self._holidays)
            self._holiday_range = (int(getattr(cls, "start_year", 1)), int(getattr(cls, "end_year", 9999)))
        self._days: dict[int, tuple[tuple[int, int], ...]] = {}

    # --- days ---------------------------------------------------------------------------------

    def is_holiday(self, day: date) -> bool:
        if self._holidays is None or self._holiday_range is None:
            return False
        low, high = self._holiday_range
        if not low <= day.year <= high:
            # holidays returns nothing outside its range; silence there would be a wrong answer.
            raise CalendarRangeError(day.isoformat(), self.spec.holiday_country, low, high)
        return day in self._holidays

    def local_windows(self, day: date) -> tuple[OpeningWindow, ...]:
        """The local opening windows of `day` after holidays, closures and one-off changes."""
        override = self.spec.open_dates.get(day)
        if override is not None:
            return override
        if day in self.spec.closed_dates or any(c.covers(day) for c in self.spec.closures):
            return ()
        windows = self.spec.hours.get(day.weekday(), ())
        if windows and self.is_holiday(day):
            return ()
        return windows

    def windows(self, ordinal: int) -> tuple[tuple[int, int], ...]:
        """The UTC [start, end) microsecond intervals of the local date with this ordinal."""
        cached = self._days.get(ordinal)
        if cached is not None:
            return cached
        day = date.fromordinal(ordinal)
        intervals = []
        for window in self.local_windows(day):
            start = self.instant(day, window.start)
            if window.end == time.max:
                end = self.instant(day + timedelta(days=1), time(0))
            else:
                end = self.instant(day, window.end)
            if end > start:  # a window swallowed by a DST gap has no length
                intervals.append((start, end))
        result = tuple(intervals)
        self._days[ordinal] = result
        return result

    def instant(self, day: date, at: time) -> int:
        """UTC microseconds of a local wall time; one skipped by a DST gap maps to the end of the gap.

        Without this, a window ending inside the gap ("00:00-02:30" on the spring-forward day) would
        be read with the old offset and overlap the next window ("03:00-..."): counted twice.
        """
        local = datetime.combine(day, at, tzinfo=self.zone)
        first, second = to_us(local), to_us(local.replace(fold=1))
        if first <= second:  # the time exists (in a fold, fold=0 is its first occurrence)
            return first
        # In a gap, fold=0 reads the time with the offset before the jump, fold=1 with the one
        # after, so the jump lies in (second, first]: find it to the second (tzdata's resolution).
        after = from_us(first).astimezone(self.zone).utcoffset()
        lo, hi = second // US, first // US
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if from_us(mid * US).astimezone(self.zone).utcoffset() == after:
                hi = mid
            else:
                lo = mid
        return hi * US

    def local_date(self, at: datetime) -> date:
        if at.tzinfo is None or at.utcoffset() is None:
            # astimezone() would silently read a naive time in the host's zone.
            raise ValueError("business-time arithmetic needs aware datetimes")
        return at.astimezone(self.zone).date()

    def is_business_day(self, day: date) -> bool:
        return bool(self.windows(day.toordinal()))

    def is_open(self, at: datetime) -> bool:
        t = to_us(at)
        return any(s <= t < e for s, e in self.windows(self.local_date(at).toordinal()))

    def next_open(self, at: datetime) -> datetime:
        """`at` itself when the desk is open then, otherwise the next opening."""
        t = to_us(at)
        first = self.local_date(at).toordinal()
        for ordinal in range(first, first + MAX_SEARCH_DAYS):
            for s, e in self.windows(ordinal):
                if t < e:
                    return from_us(max(s, t))
        raise NoOpening(at.isoformat())

    def last_open(self, at: datetime) -> datetime:
        """`at` itself when open then, otherwise the close of the last window before it: what is due
        at `at` must reach an office with these hours by then."""
        t = to_us(at)
        first = self.local_date(at).toordinal()
        for ordinal in range(first, first - MAX_SEARCH_DAYS, -1):
            for s, e in reversed(self.windows(ordinal)):
                if s <= t:
                    return from_us(min(e, t))
        raise NoOpening(at.isoformat())

    # --- due and elapsed ----------------------------------------------------------------------

    def due_business_us(self, start_us: int, amount_us: int, first_ordinal: int) -> int:
        """The instant at which `amount_us` of open time has passed since `start_us`."""
        if amount_us <= 0:
            return start_us
        left = amount_us
        ordinal = last_open = first_ordinal
        while ordinal - last_open <= MAX_SEARCH_DAYS:  # long targets go on as long as the desk opens
            for s, e in self.windows(ordinal):
                if e <= start_us:
                    continue
                last_open = ordinal
                begin = s if s > start_us else start_us
                avail = e - begin
                if left <= avail:  # completing exactly at closing time is due at closing time
                    return begin + left
                left -= avail
            ordinal += 1
        raise NoOpening(date.fromordinal(last_open).isoformat())

    def due_business_minutes(self, start: datetime, minutes: int) -> datetime:
        if minutes < 0:
            raise ValueError("minutes must be >= 0")
        if minutes == 0:
            return start.astimezone(UTC)
        first = self.local_date(start).toordinal()
        return from_us(self.due_business_us(to_us(start), minutes * MINUTE_US, first))

    def due_business_days(self, start: datetime, days: int) -> datetime:
        """Closing time of the N-th business day after `start`'s local date (which never counts)."""
        if days < 0:
            raise ValueError("days must be >= 0")
        if days == 0:
            return start.astimezone(UTC)
        ordinal = last_open = self.local_date(start).toordinal()
        count = 0
        while count < days:
            ordinal += 1
            if ordinal - last_open > MAX_SEARCH_DAYS:
                raise NoOpening(date.fromordinal(last_open).isoformat())
            if self.windows(ordinal):
                count += 1
                last_open = ordinal
        return from_us(self.windows(ordinal)[-1][1])

    def due_calendar_days(self, start: datetime, days: int) -> datetime:
        """The end (23:59:59 local) of the date N days after `start`'s local date; never pauses.

        APPI Art. 39 with Civil Code Art. 140: the first day is excluded, so a request arriving on
        day D may go to court from D+15; the waiting period ends at the end of D+14.
        """
        if days < 0:
            raise ValueError("days must be >= 0")
        day = self.local_date(start) + timedelta(days=days)
        return datetime.combine(day, END_OF_DAY, tzinfo=self.zone).astimezone(UTC)

    def elapsed_us(self, a_us: int, b_us: int, first_ordinal: int) -> int:
        """Open microseconds in [a, b)."""
        if b_us <= a_us:
            return 0
        total = 0
        last = self.local_date(from_us(b_us)).toordinal()
        for ordinal in range(first_ordinal, last + 1):
            for s, e in self.windows(ordinal):
                lo = s if s > a_us else a_us
                hi = e if e < b_us else b_us
                if hi > lo:
                    total += hi - lo
        return total

    def elapsed_minutes(self, a: datetime, b: datetime) -> int:
        """Whole business minutes in [a, b)."""
        return self.elapsed_us(to_us(a), to_us(b), self.local_date(a).toordinal()) // MINUTE_US

    def format(self, at: datetime) -> str:
        """ISO 8601 with the desk's UTC offset at that instant."""
        return at.astimezone(self.zone).isoformat()


__all__ = [
    "BusinessCalendar",
    "CalendarSpec",
    "OpeningWindow",
    "RecurringClosure",
    "from_us",
    "to_us",
]
