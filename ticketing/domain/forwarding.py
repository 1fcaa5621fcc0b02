"""Requests the desk does not answer itself: it forwards them to the company responsible.

- **Entrusted data** (委託, the call-centre case): data the desk handles for a client is normally the
  client's retained personal data unless the client gave the desk authority to answer (PPC Q&A
  1-56). The desk forwards the request to the client and tells the requester whom to ask.
- **Joint use** (共同利用, Art. 27(5)(iii)): the company named as responsible for the jointly used
  data receives and answers requests about it (PPC 通則編 3-6-3); for rext-cs that is
  レクストホールディングス株式会社 (the desks file's `[joint_use]`).

The desk records what it sent, to whom and when, and keeps a follow-up clock on the partner's answer
(docs/privacy-rules.md, forwarding).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from ticketing.domain.calendar import BusinessCalendar
from ticketing.domain.clocks import ClockState, start_clocks
from ticketing.domain.errors import Conflict, ValidationFailed
from ticketing.domain.sla import ClockKind, Stage, Target, Unit

MAX_NAME = 200
MAX_SUMMARY = 5_000


class Basis(StrEnum):
    ENTRUSTED = "entrusted"  # the data is an entrusting client's (委託元)
    JOINT_USE = "joint_use"  # the joint-use company responsible (共同利用の管理責任者)


@dataclass(frozen=True, slots=True)
class Forwarding:
    basis: Basis
    partner: str
    partner_email: str
    summary: str  # what was sent (no more personal data than the partner needs)
    sent_at: datetime
    answered_at: datetime | None = None
    answer: str = ""
    id: int | None = None

    @property
    def open(self) -> bool:
        return self.answered_at is None


def forward(
    basis: Basis,
    partner: str,
    partner_email: str,
    summary: str,
    sent_at: datetime,
    *,
    joint_use_company: str = "",
    joint_use_email: str = "",
) -> Forwarding:
    """A forwarding record; joint use goes to the company the desk's file names unless told otherwise."""
    if basis is Basis.JOINT_USE:
        if not joint_use_company and not partner.strip():
            raise ValidationFailed({"partner": "this desk names no joint-use company: name the partner"})
        partner = partner.strip() or joint_use_company
        partner_email = partner_email.strip() or joint_use_email
    partner, summary = partner.strip(), summary.strip()
    if not partner or len(partner) > MAX_NAME:
        raise ValidationFailed({"partner": f"the company responsible, 1-{MAX_NAME} characters"})
    if not summary or len(summary) > MAX_SUMMARY:
        raise ValidationFailed({"summary": f"what was sent to it, 1-{MAX_SUMMARY} characters"})
    return Forwarding(basis, partner, partner_email.strip(), summary, sent_at)


# The follow-up on the partner's answer: an internal target (the law sets none for the partner).
FOLLOW_UP = Target(5, Unit.BUSINESS_DAYS)


def follow_up_clock(
    forwarding: Forwarding, calendar: BusinessCalendar, desk: str, stages: Sequence[Stage]
) -> ClockState:
    """The clock on the partner's answer, from the day the request went to it; it escalates like any."""
    (clock,) = start_clocks(
        calendar,
        desk=desk,
        category="forwarded",
        targets={ClockKind.PARTNER_ANSWER: FOLLOW_UP},
        stages=stages,
        at=forwarding.sent_at,
    )
    return replace(
        clock, policy={**clock.policy, "partner": forwarding.partner, "sent_at": forwarding.sent_at.isoformat()}
    )


def follow_up_of(forwarding: Forwarding, clocks: Sequence[ClockState]) -> ClockState | None:
    for clock in clocks:
        sent = clock.policy.get("sent_at")  # an instant, compared as one: the record comes back in UTC
        at = datetime.fromisoformat(sent) if isinstance(sent, str) else None
        if clock.kind is ClockKind.PARTNER_ANSWER and at == forwarding.sent_at and clock.stopped_at is None:
            if clock.policy.get("partner") == forwarding.partner:
                return clock
    return None


def answered(forwarding: Forwarding, at: datetime, answer: str) -> Forwarding:
    if not forwarding.open:
        raise Conflict("the partner's answer is already recorded")
    if at < forwarding.sent_at:
        raise ValidationFailed({"answered_at": "cannot be before the request was forwarded"})
    if not answer.strip() or len(answer) > MAX_SUMMARY:
        raise ValidationFailed({"answer": f"what the partner answered, 1-{MAX_SUMMARY} characters"})
    return replace(forwarding, answered_at=at, answer=answer.strip())


__all__ = ["FOLLOW_UP", "Basis", "Forwarding", "answered", "follow_up_clock", "follow_up_of", "forward"]
