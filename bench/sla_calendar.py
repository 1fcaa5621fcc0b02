#!/usr/bin/env python3
"""SLA calendar benchmark: due computations per second on the `relia` desk calendar.

Compares `BusinessCalendar` (ticketing.domain.calendar) with the `businesstimedelta` package on
the same seeded set of start instants, after checking that both give the same answers:

- 4 business hours: `cal.due_business_minutes(start, 240)` vs `start + BusinessTimeDelta(rule, hours=4)`;
- 10 business days: `cal.due_business_days(start, 10)` vs `start + BusinessTimeDelta(rule, hours=65)`.
  businesstimedelta has no business-day unit with our semantics (closing time of the 10th business
  day after the start's local date), so it is timed on the equivalent business time, 10 x 6.5 h.

    .venv/bin/python bench/sla_calendar.py            # N=20000, best of 3
    .venv/bin/python bench/sla_calendar.py --n 2000   # quicker

businesstimedelta is a bench-only dependency, not in pyproject.toml:
`.venv/bin/pip install businesstimedelta` (it pulls in pytz). See bench/README.md.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from importlib import metadata
from typing import Any
from zoneinfo import ZoneInfo

import holidays as holidays_lib

from ticketing.container import load_desks
from ticketing.domain.calendar import BusinessCalendar, CalendarSpec, to_us
from ticketing.settings import BUNDLED_DESKS

DESK = "relia"
MINUTES = 240  # 4 business hours
DAYS = 10  # business days
TARGET_RATIO = 10.0
# Starts are spread over these local years; businesstimedelta gets the closed dates of a few more
# years, because dues run past the last start and its HolidayRule looks ahead for the next holiday.
START_YEARS = (2026, 2027)
HOLIDAY_YEARS = range(2025, 2033)
BOUNDARY_TIMES = (dtime(0, 0), dtime(9, 30), dtime(12, 0), dtime(13, 0), dtime(17, 0))

INSTALL_HINT = (
    "businesstimedelta is not installed. It is a bench-only dependency (not in pyproject.toml);\n"
    "install it into the venv with:\n\n"
    "    .venv/bin/pip install businesstimedelta\n"
)


class BenchError(Exception):
    """The desk's calendar cannot be expressed with businesstimedelta rules."""


# --- inputs ----------------------------------------------------------------------------------


def random_starts(n: int, seed: int, zone: ZoneInfo) -> list[datetime]:
    """N aware (UTC) instants, uniform to the second over START_YEARS in the desk's zone."""
    lo = int(datetime(START_YEARS[0], 1, 1, tzinfo=zone).timestamp())
    hi = int(datetime(START_YEARS[-1] + 1, 1, 1, tzinfo=zone).timestamp())
    rng = random.Random(seed)
    return [datetime.fromtimestamp(rng.randrange(lo, hi), UTC) for _ in range(n)]


def boundary_starts(zone: ZoneInfo) -> list[datetime]:
    """Every local date of START_YEARS at midnight and at each opening/closing time of the desk."""
    day = date(START_YEARS[0], 1, 1)
    end = date(START_YEARS[-1] + 1, 1, 1)
    out = []
    while day < end:
        out.extend(datetime.combine(day, t, tzinfo=zone).astimezone(UTC) for t in BOUNDARY_TIMES)
        day += timedelta(days=1)
    return out


# --- businesstimedelta rules -----------------------------------------------------------------


def closed_dates(spec: CalendarSpec) -> frozenset[date]:
    """National holidays plus recurring closures plus one-off closed dates, over HOLIDAY_YEARS."""
    dates: set[date] = set(spec.closed_dates)
    if spec.holiday_country:
        dates.update(holidays_lib.country_holidays(spec.holiday_country, years=HOLIDAY_YEARS))
    day = date(HOLIDAY_YEARS[0], 1, 1)
    end = date(HOLIDAY_YEARS[-1] + 1, 1, 1)
    while day < end:
        if any(c.covers(day) for c in spec.closures):
            dates.add(day)
        day += timedelta(days=1)
    return frozenset(dates)


def btd_rule(spec: CalendarSpec, btd: Any, pytz: Any) -> tuple[Any, timedelta]:
    """The equivalent `businesstimedelta.Rules`, and the open time of one business day."""
    weekly = {wd: ws for wd, ws in spec.hours.items() if ws}
    shapes = set(weekly.values())
    if len(shapes) != 1:
        raise BenchError("the desk's opening windows differ between weekdays; one WorkDayRule set cannot express that")
    if spec.open_dates:
        raise BenchError("the desk has one-off opening dates, which businesstimedelta cannot express")
    windows = shapes.pop()
    tz = pytz.timezone(spec.timezone)  # businesstimedelta needs pytz zones (it calls tz.localize)
    working_days = sorted(weekly)
    rules = [btd.WorkDayRule(start_time=w.start, end_time=w.end, working_days=working_days, tz=tz) for w in windows]
    # A frozenset is the fastest container HolidayRule accepts (it only uses `day in holidays`).
    # tz matters: HolidayRule's default is UTC, i.e. holidays would run 09:00-09:00 in Tokyo.
    rules.append(btd.HolidayRule(closed_dates(spec), tz=tz))
    day_open = sum(
        (datetime.combine(date.min, w.end) - datetime.combine(date.min, w.start) for w in windows), timedelta()
    )
    return btd.Rules(rules), day_open


# --- checks ----------------------------------------------------------------------------------


def fmt(at: datetime, zone: ZoneInfo) -> str:
    return at.astimezone(zone).strftime("%Y-%m-%d %a %H:%M:%S")


def compare(
    starts: Sequence[datetime],
    ours: Callable[[datetime], datetime],
    theirs: Callable[[datetime], datetime],
    zone: ZoneInfo,
) -> list[tuple[datetime, datetime, datetime]]:
    """The (start, ours, theirs) triples on which the two answers are different instants."""
    out = []
    for s in starts:
        a, b = ours(s), theirs(s)
        if a != b:
            out.append((s, a, b))
    return out


def report_check(label: str, compared: int, bad: list[tuple[datetime, datetime, datetime]], zone: ZoneInfo) -> None:
    print(f"  {label:<38} {compared:>7} compared, {len(bad)} disagreements")
    for s, a, b in bad[:5]:
        print(f"      start {fmt(s, zone)}  ticketing {fmt(a, zone)}  businesstimedelta {fmt(b, zone)}")
    if len(bad) > 5:
        print(f"      ... and {len(bad) - 5} more")


def after_last_closing_or_closed(cal: BusinessCalendar, s: datetime) -> bool:
    """Where "10 business days" and "65 business hours" must give the same instant: the start's
    local date has no opening left (closed all day, or at/after its last closing time), so the
    business time only begins on the next business day and 10 full days end at its 10th closing."""
    windows = cal.windows(cal.local_date(s).toordinal())
    return not windows or to_us(s) >= windows[-1][1]


# --- timing ----------------------------------------------------------------------------------


def time_pass(fn: Callable[[datetime], Any], starts: Sequence[datetime]) -> float:
    gc.collect()
    t0 = time.perf_counter()
    for s in starts:
        fn(s)
    return time.perf_counter() - t0


def best_of(repeat: int, fn: Callable[[datetime], Any], starts: Sequence[datetime]) -> float:
    return min(time_pass(fn, starts) for _ in range(repeat))


def cold_runs(
    spec: CalendarSpec, call: Callable[[BusinessCalendar, datetime], Any], starts: Sequence[datetime], repeat: int
) -> dict[str, float]:
    """Best of `repeat` passes, each on a fresh BusinessCalendar (empty per-date cache)."""
    best = {"construct": float("inf"), "first": float("inf"), "pass": float("inf"), "dates": 0.0}
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        cal = BusinessCalendar(spec)
        t1 = time.perf_counter()
        call(cal, starts[0])  # the very first computation: also loads the holiday years it needs
        t2 = time.perf_counter()
        for s in starts[1:]:
            call(cal, s)
        t3 = time.perf_counter()
        best["construct"] = min(best["construct"], t1 - t0)
        best["first"] = min(best["first"], t2 - t1)
        best["pass"] = min(best["pass"], t3 - t1)  # the whole set, first call included
        best["dates"] = len(cal._days)
    return best


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:>12,.0f} ops/s"


def run_case(
    title: str,
    starts: Sequence[datetime],
    spec: CalendarSpec,
    ours: Callable[[BusinessCalendar, datetime], Any],
    theirs: Callable[[datetime], Any],
    repeat: int,
) -> dict[str, float]:
    n = len(starts)
    print(f"\n{title}")
    cold = cold_runs(spec, ours, starts, repeat)
    cal = BusinessCalendar(spec)
    for s in starts:  # fill the per-date cache
        ours(cal, s)
    warm = best_of(repeat, lambda s: ours(cal, s), starts)
    print(f"  ticketing, warm cache   {rate(n, warm)}   ({warm * 1e6 / n:.2f} us/op)")
    print(
        f"  ticketing, cold         {rate(n, cold['pass'])}   (fresh BusinessCalendar per run: "
        f"construct {cold['construct'] * 1e3:.1f} ms, first call {cold['first'] * 1e3:.2f} ms, "
        f"{int(cold['dates'])} dates cached)"
    )
    sys.stdout.flush()
    theirs_s = best_of(repeat, theirs, starts)
    print(f"  businesstimedelta       {rate(n, theirs_s)}   ({theirs_s * 1e6 / n:.1f} us/op)")
    ratio_warm, ratio_cold = theirs_s / warm, theirs_s / cold["pass"]
    verdict = "meets" if ratio_warm >= TARGET_RATIO else "BELOW"
    print(f"  ratio (warm)            {ratio_warm:>12,.1f} x   {verdict} the {TARGET_RATIO:g}x target")
    print(f"  ratio (cold)            {ratio_cold:>12,.1f} x")
    sys.stdout.flush()
    return {"warm": n / warm, "cold": n / cold["pass"], "btd": n / theirs_s, "ratio": ratio_warm}


# --- main ------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Due computations per second on the relia desk calendar vs businesstimedelta.",
    )
    parser.add_argument("--n", type=int, default=20_000, help="start instants (default 20000)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the pseudo-random starts (default 1)")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes per figure; the best counts (default 3)")
    args = parser.parse_args(argv)
    if args.n < 1 or args.repeat < 1:
        parser.error("--n and --repeat must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        import businesstimedelta as btd
        import pytz
    except ImportError:
        print(INSTALL_HINT, file=sys.stderr)
        return 2

    spec = load_desks(BUNDLED_DESKS)[DESK].calendar_spec()
    zone = ZoneInfo(spec.timezone)
    try:
        rule, day_open = btd_rule(spec, btd, pytz)
    except BenchError as exc:
        print(f"sla_calendar: {exc}", file=sys.stderr)
        return 2
    day_hours = day_open.total_seconds() / 3600
    delta_minutes = btd.BusinessTimeDelta(rule, hours=MINUTES / 60)
    delta_days = btd.BusinessTimeDelta(rule, timedelta=DAYS * day_open)

    starts = random_starts(args.n, args.seed, zone)
    impl = platform.python_implementation()
    print(f"python             {platform.python_version()} ({impl}) {sys.executable}")
    print(f"machine            {platform.platform()}, {platform.machine()}, os.cpu_count()={os.cpu_count()}")
    print(
        f"businesstimedelta  {metadata.version('businesstimedelta')} (pytz {metadata.version('pytz')}), "
        f"holidays {metadata.version('holidays')}"
    )
    print(
        f"desk               {DESK}: {spec.timezone}, {day_hours:g} open hours per business day, "
        f"calendar version {spec.version()}"
    )
    print(
        f"inputs             {args.n} starts, seed {args.seed}, uniform to the second over "
        f"{START_YEARS[0]}-01-01..{START_YEARS[-1]}-12-31 local, any time of day; best of {args.repeat}"
    )

    # Correctness first, on separate calendar instances (the timed ones start empty).
    print("\nagreement (same instant from both libraries)")
    check = BusinessCalendar(spec)
    bad_random = compare(starts, lambda s: check.due_business_minutes(s, MINUTES), lambda s: s + delta_minutes, zone)
    report_check(f"{MINUTES // 60} business hours, random starts", len(starts), bad_random, zone)
    bounds = boundary_starts(zone)
    bad_bounds = compare(bounds, lambda s: check.due_business_minutes(s, MINUTES), lambda s: s + delta_minutes, zone)
    report_check(f"{MINUTES // 60} business hours, boundary starts", len(bounds), bad_bounds, zone)
    print("      (boundary starts: every local date at " + ", ".join(t.strftime("%H:%M") for t in BOUNDARY_TIMES) + ")")
    comparable = [s for s in starts if after_last_closing_or_closed(check, s)]
    bad_days = compare(comparable, lambda s: check.due_business_days(s, DAYS), lambda s: s + delta_days, zone)
    report_check(f"{DAYS} business days vs {DAYS * day_hours:g} h", len(comparable), bad_days, zone)
    print(
        f"      (only starts on a closed date or after the last closing time, where the two semantics "
        f"coincide; {len(starts) - len(comparable)} others not compared)"
    )
    sys.stdout.flush()

    print(f"\nthroughput (N={args.n}, best of {args.repeat}; warm is the headline figure)")
    run_case(
        f"{MINUTES // 60} business hours: due_business_minutes(start, {MINUTES}) vs start + BusinessTimeDelta(hours=4)",
        starts,
        spec,
        lambda cal, s: cal.due_business_minutes(s, MINUTES),
        lambda s: s + delta_minutes,
        args.repeat,
    )
    run_case(
        f"{DAYS} business days: due_business_days(start, {DAYS}) vs start + BusinessTimeDelta({DAYS} x {day_hours:g} h"
        f" = {DAYS * day_hours:g} h), businesstimedelta having no business-day unit",
        starts,
        spec,
        lambda cal, s: cal.due_business_days(s, DAYS),
        lambda s: s + delta_days,
        args.repeat,
    )
    disagreements = len(bad_random) + len(bad_bounds) + len(bad_days)
    if disagreements:
        print(f"\n{disagreements} disagreements in total (see above)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
