"""Decisions on statutory requests: what the desk will do, with its reason, under four eyes.

APPI Art. 36: when the business refuses a request under Arts. 32(3), 33(3), 34(3) or 35(7), or acts
differently from what was asked, it shall endeavour to explain why. The desk makes that a rule: a
refusal, a partial action or an alternative measure cannot be proposed without a reason. Because a
refusal opens the way to a suit (Art. 39) it does not rest on one person: every decision waits for a
manager of the desk who is not its proposer (docs/privacy-rules.md, decisions).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from ticketing.domain.errors import Conflict, ValidationFailed
from ticketing.domain.tickets import RequestType


class Outcome(StrEnum):
    FULL = "full"  # do what was asked: disclose, notify, correct, stop
    PARTIAL = "partial"  # part of it (Art. 33(2) for a part, 34(3), 35(7))
    REFUSAL = "refusal"  # none of it (Art. 32(3), 33(2)(i)-(iii), 34(3), 35(7))
    ALTERNATIVE_MEASURE = "alternative_measure"  # Art. 35(2),(4) proviso: costly or difficult
    NO_DATA = "no_data"  # Art. 33(1),(3): telling the person that no data is held is a disclosure


# Art. 36: these differ from the request, so the reason is part of the decision.
NEEDS_REASON: frozenset[Outcome] = frozenset({Outcome.PARTIAL, Outcome.REFUSAL, Outcome.ALTERNATIVE_MEASURE})
# Art. 35(2) and (4): an alternative measure replaces suspension, erasure or a stop of provision only.
ALTERNATIVE_ALLOWED: frozenset[RequestType] = frozenset(
    {RequestType.SUSPENSION_OF_USE, RequestType.STOP_THIRD_PARTY_PROVISION}
)
MAX_REASON = 5_000
# Why a proposal or an approval is refused (the staff pages translate these: web/locale).
REASON_NEEDED = (
    "a partial action, a refusal or an alternative measure needs the reason the requester will read (APPI Art. 36)"
)
ALTERNATIVE_ONLY = (
    "an alternative measure replaces suspension of use, erasure or a stop of third-party provision only "
    "(APPI Art. 35(2),(4) proviso), and this case holds other requests"
)
OWN_DECISION = "you proposed this decision: another manager of the desk must approve it (four eyes)"
ALREADY_DECIDED = "this decision was already approved or sent back"
SEND_BACK_NOTE = "say why the decision goes back, so the proposer can act on it"


class DecisionStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    SENT_BACK = "sent_back"  # the approver did not agree; the proposer may propose again


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    reason: str
    proposed_by: int
    proposed_at: datetime
    status: DecisionStatus = DecisionStatus.PENDING
    decided_by: int | None = None
    decided_at: datetime | None = None
    note: str = ""  # the approver's words, when sending it back
    id: int | None = None


def propose(
    outcome: Outcome, reason: str, request_types: Iterable[RequestType], proposer: int, at: datetime
) -> Decision:
    """A decision waiting for approval; refused without the reason Art. 36 calls for."""
    reason = reason.strip()
    types = set(request_types)
    if outcome in NEEDS_REASON and not reason:
        raise ValidationFailed({"reason": REASON_NEEDED})
    if len(reason) > MAX_REASON:
        raise ValidationFailed({"reason": f"at most {MAX_REASON} characters"})
    if outcome is Outcome.ALTERNATIVE_MEASURE and (not types or not types <= ALTERNATIVE_ALLOWED):
        # The decision's outcome becomes every request's result: a disclosure in the same case would
        # be "answered" by a measure Art. 33 does not know.
        raise ValidationFailed({"outcome": ALTERNATIVE_ONLY})
    return Decision(outcome, reason, proposer, at)


def approve(decision: Decision, approver: int, at: datetime) -> Decision:
    """Four eyes: a manager who did not propose it approves a pending decision."""
    if decision.status is not DecisionStatus.PENDING:
        raise Conflict(ALREADY_DECIDED)
    if approver == decision.proposed_by:
        raise Conflict(OWN_DECISION)
    return replace(decision, status=DecisionStatus.APPROVED, decided_by=approver, decided_at=at)


def send_back(decision: Decision, approver: int, at: datetime, note: str) -> Decision:
    if decision.status is not DecisionStatus.PENDING:
        raise Conflict(ALREADY_DECIDED)
    if not note.strip():
        raise ValidationFailed({"note": SEND_BACK_NOTE})
    return replace(decision, status=DecisionStatus.SENT_BACK, decided_by=approver, decided_at=at, note=note[:2000])


def standing(decisions: Iterable[Decision]) -> Decision | None:
    """The decision that counts now: the newest that was not sent back."""
    live = [d for d in decisions if d.status is not DecisionStatus.SENT_BACK]
    return live[-1] if live else None


__all__ = [
    "ALTERNATIVE_ALLOWED",
    "NEEDS_REASON",
    "Decision",
    "DecisionStatus",
    "Outcome",
    "approve",
    "propose",
    "send_back",
    "standing",
]
