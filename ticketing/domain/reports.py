"""The annual records report of a desk: what it counts, and the arithmetic of "time to respond".

Why a desk keeps these figures:
- APPI Art. 40 asks a business to endeavour to handle complaints appropriately and promptly, and
  to set up what that takes; how many came, how they came and how fast they were answered is how
  a desk shows it did.
- A business that joined an accredited organisation (Art. 47; JUAS for rext-cs) answers its
  Art. 53 inquiries, and the desk sends the organisation a yearly report of what it handled (the
  Act itself sets no such report); `accredited_org` counts the requesters told of the
  organisation (Art. 32(1)) and its inquiries, answered or not.
- P-mark (JIS Q 15001) and ISMS (ISO/IEC 27001) audits look at the records of inquiries,
  complaints, requests (Arts. 32-35) and incidents (Art. 26) of the period audited.

What is counted: the desk's tickets whose `received_at` (the first contact) falls in the calendar
year in the desk's own time zone, [1 January 00:00, next 1 January 00:00) local. States, request
results and answers are as they stand when the report is made (`generated_at`), so a report made
later may show more of them settled. The report holds no personal data: counts and durations only.

Time to respond: from `received_at` to `first_responded_at` (the first human reply, never the
automatic acknowledgement) for the tickets that have one, in business minutes on the desk's
calendar (`BusinessCalendar.elapsed_minutes`: open time only, holidays and closures skipped). A
business day is the desk's *standard* opening day (`standard_day_minutes`), so business days =
business minutes / standard-day minutes, rounded half up to two decimals. The median and the 90th
percentile use the nearest-rank method (`nearest_rank`): each is a value that occurred, and the
median of an even number of values is the lower of the two middle ones.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from ticketing.domain.calendar import BusinessCalendar, OpeningWindow
from ticketing.domain.desks import Desk
from ticketing.domain.errors import ValidationFailed
from ticketing.domain.referrals import ReferralKind
from ticketing.domain.requests import Result
from ticketing.domain.tickets import OPEN_STATES, Category, Channel, RequestType, State

# The APPI came fully into force on 1 April 2005: no desk kept records under it before that year.
FIRST_YEAR = 2005
METHOD = "nearest-rank"
OVERALL = "overall"


# --- the period ---------------------------------------------------------------------------------


def year_period(year: int, timezone: str, now: datetime) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the calendar year in the desk's zone; a year not yet begun is refused."""
    zone = ZoneInfo(timezone)
    current = now.astimezone(zone).year
    if not FIRST_YEAR <= year <= current:
        raise ValidationFailed({"year": f"must be a year from {FIRST_YEAR} to {current}"})
    start = datetime(year, 1, 1, tzinfo=zone).astimezone(UTC)
    end = datetime(year + 1, 1, 1, tzinfo=zone).astimezone(UTC)
    return start, end


# --- business days and percentiles ----------------------------------------------------------------


def window_minutes(window: OpeningWindow) -> int:
    """Local wall-clock minutes of one window; `time.max` is 24:00."""
    end = 24 * 60 if window.end == time.max else window.end.hour * 60 + window.end.minute
    return max(end - (window.start.hour * 60 + window.start.minute), 0)


def standard_day_minutes(hours: Mapping[int, Sequence[OpeningWindow]]) -> int:
    """The length of the desk's standard business day: the opening time that most of its regular
    weekdays have (a tie goes to the longer day), so a short Saturday does not shorten it.

    relia opens 09:30-12:00 and 13:00-17:00 on Monday to Friday: 390 minutes; rext-cs 10:00-18:00: 480.
    """
    lengths = Counter(sum(window_minutes(w) for w in windows) for windows in hours.values())
    lengths.pop(0, None)
    if not lengths:
        raise ValueError("the desk opens on no weekday")
    return max(lengths, key=lambda minutes: (lengths[minutes], minutes))


def business_days(minutes: int, day_minutes: int) -> float:
    """Business minutes as business days of `day_minutes`, rounded half up to two decimals."""
    if day_minutes <= 0:
        raise ValueError("a business day has a positive length")
    exact = Decimal(minutes) / Decimal(day_minutes)
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def nearest_rank(values: Iterable[int], percent: int) -> int | None:
    """The `percent`-th percentile by nearest rank: the value at rank ceil(percent/100 * N) of the
    sorted values (rank 1 at least). None for no values."""
    if not 0 < percent <= 100:
        raise ValueError("percent must be in 1..100")
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(-(-percent * len(ordered) // 100), 1)  # ceil without floats
    return ordered[rank - 1]


# --- what the database gives, and what the report says ---------------------------------------------


@dataclass(frozen=True, slots=True)
class TicketCount:
    category: str
    channel: str
    state: str
    count: int


@dataclass(frozen=True, slots=True)
class RequestCount:
    type: str
    result: str | None  # None: not settled yet
    count: int


@dataclass(frozen=True, slots=True)
class ReferralCount:
    kind: str  # a ReferralKind
    count: int
    answered: int


@dataclass(frozen=True, slots=True)
class FirstResponse:
    category: str
    received_at: datetime
    first_responded_at: datetime


@dataclass(frozen=True, slots=True)
class YearFacts:
    """The desk's rows for one period, grouped: no names, addresses or subjects."""

    tickets: tuple[TicketCount, ...] = ()
    requests: tuple[RequestCount, ...] = ()
    referrals: tuple[ReferralCount, ...] = ()
    responses: tuple[FirstResponse, ...] = ()


@dataclass(frozen=True, slots=True)
class TicketFigures:
    total: int
    by_category: dict[str, int]  # every category, 0 included
    by_channel: dict[str, int]  # every channel, 0 included
    by_state: dict[str, int]  # every state, 0 included
    outcome_by_category: dict[str, dict[str, int]]  # category -> state -> count, the states that occur


@dataclass(frozen=True, slots=True)
class RequestFigures:
    total: int
    by_result: dict[str, int]  # the results that occur, in the order of domain.requests.Result
    open: int  # no result yet


@dataclass(frozen=True, slots=True)
class ResponseTimes:
    count: int  # tickets with a first response
    unanswered: int  # tickets without one (yet)
    median_business_minutes: int | None
    p90_business_minutes: int | None
    median_business_days: float | None
    p90_business_days: float | None


@dataclass(frozen=True, slots=True)
class AnnualReport:
    desk: str
    desk_name: str  # the desk as the desks file names it (a company's desk: no personal data)
    year: int
    timezone: str
    period_start: datetime
    period_end: datetime
    generated_at: datetime
    tickets: TicketFigures
    requests: dict[str, RequestFigures]  # every request type
    business_day_minutes: int
    time_to_respond: dict[str, ResponseTimes]  # every category, then OVERALL
    organisation: str | None  # the desk's accredited organisation, by its short name
    accredited_org: dict[str, int]  # informed, inquiries, inquiries_answered
    incidents: dict[str, int]  # total, open


def response_times(minutes: Sequence[int], unanswered: int, day_minutes: int) -> ResponseTimes:
    median, p90 = nearest_rank(minutes, 50), nearest_rank(minutes, 90)
    return ResponseTimes(
        len(minutes),
        unanswered,
        median,
        p90,
        None if median is None else business_days(median, day_minutes),
        None if p90 is None else business_days(p90, day_minutes),
    )


def _in_order(counts: Mapping[str, int], vocabulary: type[StrEnum]) -> dict[str, int]:
    """The keys that occur, in the order of their vocabulary (an unknown one last)."""
    order = {v.value: i for i, v in enumerate(vocabulary)}
    return dict(sorted(counts.items(), key=lambda kv: order.get(kv[0], len(order))))


def _tickets(counts: Sequence[TicketCount]) -> TicketFigures:
    by_category = dict.fromkeys((c.value for c in Category), 0)
    by_channel = dict.fromkeys((c.value for c in Channel), 0)
    by_state = dict.fromkeys((s.value for s in State), 0)
    outcomes: dict[str, Counter[str]] = {c.value: Counter() for c in Category}
    for row in counts:
        by_category[row.category] = by_category.get(row.category, 0) + row.count
        by_channel[row.channel] = by_channel.get(row.channel, 0) + row.count
        by_state[row.state] = by_state.get(row.state, 0) + row.count
        outcomes.setdefault(row.category, Counter())[row.state] += row.count
    outcome_by_category = {category: _in_order(states, State) for category, states in outcomes.items()}
    return TicketFigures(sum(by_category.values()), by_category, by_channel, by_state, outcome_by_category)


def _requests(counts: Sequence[RequestCount]) -> dict[str, RequestFigures]:
    grouped: dict[str, list[RequestCount]] = {t.value: [] for t in RequestType}
    for row in counts:
        grouped.setdefault(row.type, []).append(row)
    figures = {}
    for type_, rows in grouped.items():
        results: Counter[str] = Counter()
        for row in rows:
            if row.result is not None:
                results[row.result] += row.count
        open_ = sum(r.count for r in rows if r.result is None)
        figures[type_] = RequestFigures(sum(r.count for r in rows), _in_order(results, Result), open_)
    return figures


def annual_report(
    desk: Desk,
    year: int,
    period: tuple[datetime, datetime],
    facts: YearFacts,
    calendar: BusinessCalendar,
    now: datetime,
) -> AnnualReport:
    """The report of one desk and year from its grouped rows (module docstring: what and how)."""
    tickets = _tickets(facts.tickets)
    day = standard_day_minutes(calendar.spec.hours)
    elapsed: dict[str, list[int]] = {c.value: [] for c in Category}
    for r in facts.responses:
        elapsed.setdefault(r.category, []).append(calendar.elapsed_minutes(r.received_at, r.first_responded_at))
    times = {
        category: response_times(minutes, tickets.by_category.get(category, 0) - len(minutes), day)
        for category, minutes in elapsed.items()
    }
    everything = [m for minutes in elapsed.values() for m in minutes]
    times[OVERALL] = response_times(everything, tickets.total - len(everything), day)
    referrals = {r.kind: r for r in facts.referrals}
    informed, inquiries = referrals.get(ReferralKind.INFORMED.value), referrals.get(ReferralKind.INQUIRY.value)
    incidents = [r for r in facts.tickets if r.category == Category.INCIDENT.value]
    return AnnualReport(
        desk=desk.slug,
        desk_name=desk.name,
        year=year,
        timezone=desk.timezone,
        period_start=period[0],
        period_end=period[1],
        generated_at=now,
        tickets=tickets,
        requests=_requests(facts.requests),
        business_day_minutes=day,
        time_to_respond=times,
        organisation=desk.accredited_org.short_name if desk.accredited_org else None,
        accredited_org={
            "informed": informed.count if informed else 0,
            "inquiries": inquiries.count if inquiries else 0,
            "inquiries_answered": inquiries.answered if inquiries else 0,
        },
        incidents={
            "total": sum(r.count for r in incidents),
            "open": sum(r.count for r in incidents if r.state in OPEN_STATES),
        },
    )


__all__ = [
    "FIRST_YEAR", "METHOD", "OVERALL", "AnnualReport", "FirstResponse", "ReferralCount", "RequestCount",
    "RequestFigures", "ResponseTimes", "TicketCount", "TicketFigures", "YearFacts", "annual_report",
    "business_days", "nearest_rank", "response_times", "standard_day_minutes", "window_minutes", "year_period",
]  # fmt: skip
