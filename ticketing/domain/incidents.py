"""Leaks and suspected leaks (APPI Art. 26, 規則7-10条): the incident and the clocks its duties run on.

- 規則7条: a leak, loss or damage is reportable when it concerns special-care data, data whose misuse
  could cause financial damage, a possibly improper purpose (unauthorised access, staff taking data
  out; since 2024-04-01 also data being acquired), or more than 1,000 people. Whether an incident is
  reportable is the privacy manager's judgment; the desk keeps the clocks running until then.
- 規則8条: a preliminary report (速報) to the PPC "promptly", read by the PPC guideline as about 3-5
  days from knowing; a final report (確報) within 30 days, 60 for an improper purpose (③).
- Art. 26(2), 規則10条: the people affected are told "promptly as the situation allows".
- 規則9条: a processor (委託先) that promptly tells the entrusting company is released from the PPC
  report; that notice then is the processor's duty.

Counting (docs/privacy-rules.md, incidents): the guideline counts the 30 and 60 days from the day the
business knew. Whether that day is the first of them was left open by the research; the desk takes
the earlier reading: the day of knowing counts, so a final report is due by the end of the 30th day
counting it (a target of 29 calendar days after it). The preliminary report's "3-5 days" gets a
3-day target (the desk's ladder warns before and escalates after).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from ticketing.domain.calendar import BusinessCalendar
from ticketing.domain.clocks import ClockState, start_clocks
from ticketing.domain.errors import Conflict, ValidationFailed
from ticketing.domain.sla import ClockKind, Stage, Target, Unit

MAX_SUMMARY = 5_000


class Duty(StrEnum):
    """What an incident obliges the business to do, each on its own clock."""

    PRELIMINARY_REPORT = "preliminary_report"  # 速報 to the PPC (規則8条1項)
    FINAL_REPORT = "final_report"  # 確報 to the PPC (規則8条2項)
    INDIVIDUAL_NOTICE = "individual_notice"  # to the people affected (Art. 26(2))
    CLIENT_NOTICE = "client_notice"  # a processor to the entrusting company (規則9条)


CLOCK_OF: Mapping[Duty, ClockKind] = {
    Duty.PRELIMINARY_REPORT: ClockKind.PRELIMINARY_REPORT,
    Duty.FINAL_REPORT: ClockKind.FINAL_REPORT,
    Duty.INDIVIDUAL_NOTICE: ClockKind.INDIVIDUAL_NOTICE,
    Duty.CLIENT_NOTICE: ClockKind.CLIENT_NOTICE,
}

# The targets (calendar days from the day the business knew; the individual notice and the client
# notice are "promptly": internal targets in business days).
TARGETS: Mapping[Duty, Target] = {
    Duty.PRELIMINARY_REPORT: Target(3, Unit.CALENDAR_DAYS),
    Duty.FINAL_REPORT: Target(29, Unit.CALENDAR_DAYS),  # the 30th day, counting the day of knowing
    Duty.INDIVIDUAL_NOTICE: Target(5, Unit.BUSINESS_DAYS),
    Duty.CLIENT_NOTICE: Target(1, Unit.BUSINESS_DAYS),
}
FINAL_REPORT_IMPROPER_PURPOSE = Target(59, Unit.CALENDAR_DAYS)  # 規則8条2項: 60 days for case ③


@dataclass(frozen=True, slots=True)
class Incident:
    known_at: datetime  # when the business (any part of it) came to know
    summary: str
    improper_purpose: bool = False  # 規則7条3号: unauthorised access, data taken out ...
    processor: bool = False  # the desk handled the data for a client (委託先)
    persons_affected: int | None = None
    done: Mapping[Duty, datetime] | None = None
    id: int | None = None


def open_incident(
    known_at: datetime,
    summary: str,
    *,
    improper_purpose: bool,
    processor: bool,
    persons_affected: int | None,
    now: datetime,
) -> Incident:
    summary = summary.strip()
    if not summary or len(summary) > MAX_SUMMARY:
        raise ValidationFailed({"summary": f"what happened, 1-{MAX_SUMMARY} characters"})
    if known_at > now:
        raise ValidationFailed({"known_at": "cannot be in the future"})
    if persons_affected is not None and persons_affected < 0:
        raise ValidationFailed({"persons_affected": "cannot be negative"})
    return Incident(known_at, summary, improper_purpose, processor, persons_affected, {})


def duties(incident: Incident) -> tuple[Duty, ...]:
    """The duties this incident runs clocks for: the client notice only for a processor."""
    return tuple(d for d in Duty if d is not Duty.CLIENT_NOTICE or incident.processor)


def incident_clocks(
    incident: Incident, calendar: BusinessCalendar, desk: str, stages: Sequence[Stage]
) -> list[ClockState]:
    """One clock per duty, from the day the business knew; each escalates up the desk's ladder."""
    targets = {CLOCK_OF[d]: TARGETS[d] for d in duties(incident)}
    if incident.improper_purpose:
        targets[ClockKind.FINAL_REPORT] = FINAL_REPORT_IMPROPER_PURPOSE
    return start_clocks(calendar, desk=desk, category="incident", targets=targets, stages=stages, at=incident.known_at)


def fulfil(incident: Incident, duty: Duty, at: datetime) -> Incident:
    """A duty done at `at` (the report filed, the notice sent); its clock stops then."""
    done = dict(incident.done or {})
    if duty not in duties(incident):
        raise ValidationFailed({"duty": "the client notice is a processor's duty (規則9条); this incident is not one"})
    if duty in done:
        raise Conflict(f"{duty.value} is already recorded as done")
    if at < incident.known_at:
        raise ValidationFailed({"at": "cannot be before the business knew of the incident"})
    done[duty] = at
    return replace(incident, done=done)


__all__ = [
    "CLOCK_OF",
    "FINAL_REPORT_IMPROPER_PURPOSE",
    "TARGETS",
    "Duty",
    "Incident",
    "duties",
    "fulfil",
    "incident_clocks",
    "open_incident",
]
