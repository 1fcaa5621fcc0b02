"""What a requester's status page may show, and how long its link works (services/requester_portal.py).

The page is opened by a link without an account, and the link may be forwarded: it shows the case,
not the person, and only what the requester and the desk wrote to each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ticketing.domain.desks import Desk, StaffNames
from ticketing.domain.documents import Gap
from ticketing.domain.mail import MessageKind
from ticketing.domain.requests import Case, FeeState, conforming
from ticketing.domain.tickets import SETTLED, Channel, State


@dataclass(frozen=True, slots=True)
class FeeDue:
    amount_yen: int
    instrument: str | None  # the desks file's code (postage_stamps, postal_money_order ...)
    state: FeeState  # pending, or why a payment did not pass (short, wrong or expired instrument)


@dataclass(frozen=True, slots=True)
class Waiting:
    """What the desk still needs from the requester (derived from the case and the desk's rules)."""

    formal_request: bool = False  # APPI Art. 37(1): the request by post, on the desk's form
    documents: tuple[Gap, ...] = ()  # the checklist: missing, then out of date
    documents_asked: bool = False  # documents asked for by mail, with no checklist to show
    fee: FeeDue | None = None

    @property
    def anything(self) -> bool:
        return self.formal_request or bool(self.documents) or self.documents_asked or self.fee is not None


def link_expires_at(state: State, closed_at: datetime | None, days: int) -> datetime | None:
    """When a status link stops working: `days` after the ticket settled; never while it is open.

    `closed_at` is kept when a ticket is reopened, so the state decides whether it counts.
    """
    if state not in SETTLED or closed_at is None:
        return None
    return closed_at + timedelta(days=days)


def shown_to_requester(direction: str, channel: str, kind: str, *, by_staff: bool) -> bool:
    """What the requester and the desk wrote to each other, nothing else.

    Shown: the requester's own mail and web messages, and the desk's replies by mail. Not shown:
    internal notes, robot mail and bounces, and what staff typed in or logged (a call, a letter, a
    visit, a ticket entered for someone: the desk's record in the agent's words).
    """
    if kind != MessageKind.NORMAL.value:
        return False
    if direction == "inbound":
        return not by_staff and channel in (Channel.EMAIL.value, Channel.WEB.value)
    return direction == "outbound" and channel == Channel.EMAIL.value


def staff_label(names: StaffNames, display_name: str) -> str | None:
    """The name a reply is signed with on the page, or None for "the desk" (never an address).

    The first word of the display name as the staff member wrote it: the given name of "Taro
    Yamada", the family name of "山田 太郎" (how the staff of a Japanese desk introduce themselves).
    """
    if names is not StaffNames.FIRST_NAME:
        return None
    words = display_name.split()
    return words[0][:50] if words and "@" not in words[0] else None


def waiting_for(desk: Desk, state: State, channel: Channel, formal_request_at: datetime | None, case: Case) -> Waiting:
    """The desk's checklist in the requester's terms: the formal request, documents, the fee.

    `case` carries its derived checklist (services/case_work.derive). Nothing once the ticket settled.
    """
    if state in SETTLED:
        return Waiting()
    types = [r.type for r in case.requests]
    # APPI Art. 37(1): a desk that fixed how requests come waits for one that came that way.
    formal = state is State.AWAITING_FORMAL_REQUEST or (
        bool(types) and formal_request_at is None and not conforming(channel, types, desk.request_types)
    )
    documents = (*case.checklist.missing, *case.checklist.stale) if types else ()
    # APPI Art. 38: one fee per form, the highest of its fee-bearing requests (domain.requests.pay).
    unpaid = [r for r in case.fee_bearing if r.fee_state is not FeeState.OK]
    fee = None
    if unpaid:
        rule = max(unpaid, key=lambda r: r.fee_yen)
        fee = FeeDue(rule.fee_yen, rule.fee_instrument, rule.fee_state)
    asked = state is State.AWAITING_DOCUMENTS and not documents
    return Waiting(formal, documents, asked, fee)


__all__ = ["FeeDue", "Waiting", "link_expires_at", "shown_to_requester", "staff_label", "waiting_for"]
