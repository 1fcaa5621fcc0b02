"""The accredited personal-information protection organisation (APPI Arts. 47-53): JUAS for rext-cs.

Two records a desk keeps (docs/privacy-rules.md, accredited organisation):
- `informed`: the desk told the requester of the organisation and how to reach it (Art. 32(1),
  施行令10条: its name and complaint contact are among what the business must make known).
- `inquiry`: the organisation asks the business for an explanation or materials about a complaint
  (Art. 53(2)); the business may not refuse without justifiable reason (Art. 53(3)). The law sets
  no days: the desk answers by the due date the organisation set, on its own clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from ticketing.domain.calendar import BusinessCalendar, to_us
from ticketing.domain.clocks import ClockState, policy_snapshot, schedule
from ticketing.domain.errors import Conflict, ValidationFailed
from ticketing.domain.sla import ClockKind, Stage, Target, Unit

MAX_MATERIALS = 30
MAX_TEXT = 300


class ReferralKind(StrEnum):
    INFORMED = "informed"
    INQUIRY = "inquiry"


class InquiryOutcome(StrEnum):
    RESOLVED = "resolved"  # the organisation closed the complaint
    ADVICE = "advice"  # it closed it with advice to the business
    WITHDRAWN = "withdrawn"  # the complainant withdrew


@dataclass(frozen=True, slots=True)
class Material:
    name: str
    sent_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Referral:
    organisation: str  # the desk's accredited organisation, by its short name
    kind: ReferralKind
    received_at: datetime  # told (informed) or the inquiry arrived
    their_reference: str = ""
    due_at: datetime | None = None  # the date the organisation set for the answer
    materials: tuple[Material, ...] = ()
    answered_at: datetime | None = None
    outcome: InquiryOutcome | None = None
    id: int | None = None

    @property
    def open(self) -> bool:
        return self.kind is ReferralKind.INQUIRY and self.answered_at is None


def record(
    organisation: str,
    known: str | None,
    kind: ReferralKind,
    received_at: datetime,
    *,
    their_reference: str = "",
    due_at: datetime | None = None,
    materials: Sequence[str] = (),
) -> Referral:
    """A referral to the desk's own organisation; an inquiry needs the due date it set."""
    if known is None:
        raise ValidationFailed({"organisation": "this desk names no accredited organisation in its desks file"})
    if organisation.strip().casefold() != known.casefold():
        raise ValidationFailed({"organisation": f"this desk's accredited organisation is {known}"})
    names = [m.strip() for m in materials]
    if any(not n or len(n) > MAX_TEXT for n in names) or len(names) > MAX_MATERIALS:
        raise ValidationFailed({"materials": f"up to {MAX_MATERIALS} names of 1-{MAX_TEXT} characters"})
    if len(their_reference) > MAX_TEXT:
        raise ValidationFailed({"their_reference": f"at most {MAX_TEXT} characters"})
    if kind is ReferralKind.INQUIRY:
        if due_at is None:
            raise ValidationFailed({"due_at": "an inquiry is answered by the date the organisation set"})
        if due_at <= received_at:
            raise ValidationFailed({"due_at": "must be after the inquiry was received"})
    elif names or due_at is not None:
        raise ValidationFailed({"kind": "materials and a due date belong to an inquiry, not to 'informed'"})
    return Referral(
        known,
        kind,
        received_at,
        their_reference.strip(),
        due_at,
        tuple(Material(n) for n in dict.fromkeys(names)),
    )


def answer_due(referral: Referral, office: BusinessCalendar | None) -> datetime:
    """When the answer must reach the organisation: the due date it set, or the close of its office
    before that when it is closed then (JUAS: 16:00, weekdays, not over the new year)."""
    assert referral.due_at is not None
    due = office.last_open(referral.due_at) if office is not None else referral.due_at
    return due if due > referral.received_at else referral.due_at  # never open in between: as set


def inquiry_clock(
    referral: Referral,
    desk: str,
    calendar: BusinessCalendar,
    office: BusinessCalendar | None,
    stages: Sequence[Stage],
) -> ClockState:
    """The inquiry's own clock, against the date the organisation set (never paused, like Art. 39's).

    An answer must reach the organisation while its office is open: an answer due at a time it is
    closed (JUAS: after 16:00, a weekend, the new year) is due at the close before. The ladder is the
    desk's; its rungs fire while the desk is open (domain/clocks.py).
    """
    due, due_set = answer_due(referral, office), referral.due_at
    assert due_set is not None
    days = (calendar.local_date(due) - calendar.local_date(referral.received_at)).days
    target = Target(max(days, 0), Unit.CALENDAR_DAYS)
    policy = {
        **policy_snapshot(desk, "accredited_org_inquiry", ClockKind.ACCREDITED_ORG, target, stages, calendar),
        "organisation": referral.organisation,
        "their_reference": referral.their_reference,
        "due_as_set": due_set.isoformat(),
    }
    clock = ClockState(
        kind=ClockKind.ACCREDITED_ORG,
        target=target,
        stages=tuple(stages),
        started_at=referral.received_at,
        budget_us=to_us(due) - to_us(referral.received_at),
        policy=policy,
        due_at=None,
    )
    return schedule(calendar, clock, ())


def inquiry_clock_of(referral: Referral, clocks: Sequence[ClockState], *, running: bool = True) -> ClockState | None:
    """The clock of this inquiry (by the organisation's reference and the date it set); by default
    only while it runs."""
    for clock in clocks:
        # Instants, not their text: the referral read back from the database is in UTC.
        if clock.kind is ClockKind.ACCREDITED_ORG and _instant(clock.policy.get("due_as_set")) == referral.due_at:
            if clock.policy.get("their_reference") == referral.their_reference:
                if not running or clock.stopped_at is None:
                    return clock
    return None


def _instant(text: object) -> datetime | None:
    return datetime.fromisoformat(text) if isinstance(text, str) else None


def send_materials(referral: Referral, names: Sequence[str], at: datetime) -> Referral:
    """Mark materials as sent to the organisation (a name not on the list is added as sent)."""
    if referral.kind is not ReferralKind.INQUIRY:
        raise Conflict("materials are sent for an inquiry")
    wanted = [n.strip() for n in names if n.strip()]
    if not wanted:
        raise ValidationFailed({"materials": "name what was sent"})
    if any(len(n) > MAX_TEXT for n in wanted) or len(wanted) > MAX_MATERIALS:
        raise ValidationFailed({"materials": f"up to {MAX_MATERIALS} names of 1-{MAX_TEXT} characters"})
    listed = {m.name for m in referral.materials}
    materials = [replace(m, sent_at=at) if m.name in wanted and m.sent_at is None else m for m in referral.materials]
    materials += [Material(n, at) for n in dict.fromkeys(wanted) if n not in listed]
    return replace(referral, materials=tuple(materials))


def answer(referral: Referral, at: datetime | None, outcome: InquiryOutcome | None) -> Referral:
    """The desk answered the inquiry at `at`; the organisation's outcome may come with it or later."""
    if referral.kind is not ReferralKind.INQUIRY:
        raise Conflict("only an inquiry is answered")
    if at is None and outcome is None:
        raise ValidationFailed({"answered_at": "give when the answer was sent, or the organisation's outcome"})
    if at is not None and referral.answered_at is not None:
        raise Conflict("this inquiry is already answered")
    if outcome is not None and referral.outcome is not None:
        raise Conflict(f"the outcome is already recorded: {referral.outcome.value}")
    if at is None and referral.answered_at is None:
        raise Conflict("record the answer before the organisation's outcome")
    if at is not None and at < referral.received_at:
        raise ValidationFailed({"answered_at": "cannot be before the inquiry arrived"})
    return replace(referral, answered_at=at or referral.answered_at, outcome=outcome or referral.outcome)


__all__ = [
    "InquiryOutcome",
    "Material",
    "Referral",
    "ReferralKind",
    "answer",
    "answer_due",
    "inquiry_clock",
    "inquiry_clock_of",
    "record",
    "send_materials",
]
