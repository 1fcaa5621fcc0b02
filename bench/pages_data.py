"""The generated data of bench/pages.py: a million tickets as the service itself would have stored them.

Every ticket lives its life through the real domain code, in memory: its clocks are started by
`ticketing.domain.clocks.start_clocks` with the desk's policy (as `SlaService.clocks_for_new_ticket`
and the intake do), its moves go through `ticketing.domain.ticket.apply` / `reply` / `assign` /
`receive` (clocks pause, resume and stop as they do in the service, and the pauses are kept), and
between two changes a sweep fires the escalation rungs that came due (`fire_due` at each rung's
`next_fire_at`, as the sweep that runs every minute does, with its `sla_firing` row and its
`sla_warning` / `sla_breached` event). The rows are then what the write plans of
`ticketing/db/ticket_writes.py` and the sweep of `ticketing/db/sla.py` write: the ticket with its
contact details, its due columns (`due_columns`) and queue columns (`queue_columns`), its version
(one per change), clocks, pauses, messages, events, statutory requests and the search terms
(`ticket_document` / `message_document`).

Left out, because no page measured here reads them: the outbox (acknowledgements, status mail,
replies and escalation mail), the inbound-mail log, raw mail and attachments, the access log, and
a request's documents, fee payments and decisions (its `ticket_request` rows stay as opened).

The work is cut in chunks of tickets that a pool of processes generates independently:
`layout()` first decides, for every ticket, in one cheap pass, what must agree across chunks (its
desk, arrival instant, reference and requester). Ids are given here, not by the database: tickets
and requesters by the ticket's number, the other tables from a block of ids reserved per chunk
(`STRIDE` per ticket), so they rise with time and leave gaps between chunks; bench/pages.py sets
the sequences past them afterwards.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pages_text as words

from ticketing.db.sla import clock_values, due_columns
from ticketing.desks_file import load_desks
from ticketing.domain import ticket as rules
from ticketing.domain.calendar import BusinessCalendar
from ticketing.domain.clocks import ClockState, fire_due, start_clocks
from ticketing.domain.desks import Desk
from ticketing.domain.queues import queue_columns
from ticketing.domain.requests import NOTICE_STATES, conforming, opening_requests
from ticketing.domain.search import message_document, ticket_document
from ticketing.domain.sla import ClockKind, Notify
from ticketing.domain.tickets import (
    SETTLED,
    WAITING_ON_REQUESTER,
    Action,
    Category,
    Channel,
    Language,
    RequestType,
    State,
    pre_suit_period_applies,
)
from ticketing.resources import BUNDLED_DESKS

DESKS = ("relia", "rext-cs")
SPAN_DAYS = 365  # tickets arrived over the last year, twice as many a day now as on average (the desk grew)
STRIDE = 48  # ids reserved per ticket and table in a chunk (events peak at about 30)
TOKYO = ZoneInfo("Asia/Tokyo")

# The columns loaded into each table, in the order of the tuples below.
COLUMNS: dict[str, tuple[str, ...]] = {
    "requester": ("id", "desk", "name", "email", "phone", "postal_address", "language", "bouncing", "created_at"),
    "ticket": (
        "id", "reference", "desk", "requester", "channel", "category", "request_types", "state", "assignee",
        "language", "subject", "status_token_hash", "flags", "linked_ticket", "received_at", "created_at",
        "updated_at", "first_responded_at", "closed_at", "first_response_due_at", "resolution_due_at",
        "statutory_due_at", "contact_name", "contact_email", "contact_phone", "contact_postal_address",
        "requester_kind", "formal_request_at", "person_birth_date", "next_due_at", "risk", "version",
    ),
    "sla_clock": (
        "id", "ticket", "kind", "policy", "started_at", "budget_us", "due_at", "paused", "stopped_at",
        "breached_at", "next_stage", "next_fire_at", "used_us",
    ),
    "clock_pause": ("id", "ticket", "started_at", "ended_at", "reason"),
    "sla_firing": ("id", "clock", "ticket", "stage", "fire_key", "nominal_at", "fired_at", "recipients"),
    "ticket_request": (
        "id", "ticket", "type", "fee_yen", "fee_instrument", "fee_state", "result", "notice_method",
        "notice_sent_at", "created_at", "updated_at",
    ),
    "message": (
        "id", "ticket", "direction", "channel", "author", "from_email", "to", "subject", "text", "html",
        "message_id", "in_reply_to", "references", "headers", "raw_path", "content_hash", "created_at", "kind",
        "cc", "quote_start", "signature_start",
    ),
    "event": ("id", "ticket", "at", "actor", "actor_label", "action", "from_state", "to_state", "reason", "data"),
    "search_doc": ("id", "ticket", "doc"),
}  # fmt: skip
TABLES = tuple(COLUMNS)

# --- the mix ---------------------------------------------------------------------------------

# The state a ticket is in now depends on its age: P(state | age a days) = c * exp(-a / m) for the
# states below (c, m), per kind of ticket (a request made the desk's way; a request that did not
# come that way and waits for the formal one; any other ticket); the rest are settled, by the weights
# of SETTLED_MIX. A few percent of the tickets in each open state make a backlog of weeks (a few
# days' arrivals are 1 %): waiting on the requester lasts longest (its business clocks pause), and
# a ticket still untouched or in work after some days is overdue.
S = State
NOW_STATES: dict[str, dict[State, tuple[float, float]]] = {
    "other": {S.RECEIVED: (0.3, 7), S.TRIAGE: (0.2, 15), S.IN_PROGRESS: (0.2, 25), S.AWAITING_DOCUMENTS: (0.08, 90),
              S.DECISION_PENDING: (0.07, 30), S.RESPONDED: (0.12, 30)},
    "request": {S.RECEIVED: (0.2, 7), S.TRIAGE: (0.15, 15), S.AWAITING_DOCUMENTS: (0.2, 90),
                S.IDENTITY_VERIFICATION: (0.1, 20), S.FEE_CHECK: (0.05, 20), S.IN_PROGRESS: (0.1, 30),
                S.DECISION_PENDING: (0.1, 30), S.RESPONDED: (0.07, 30)},
    "informal": {S.RECEIVED: (0.25, 7), S.TRIAGE: (0.2, 15), S.AWAITING_FORMAL_REQUEST: (0.5, 120)},
}  # fmt: skip
SETTLED_MIX: dict[str, tuple[tuple[State, float], ...]] = {
    "other": ((S.CLOSED, 94), (S.WITHDRAWN, 6)),
    "request": ((S.CLOSED, 84), (S.WITHDRAWN, 6), (S.REJECTED, 10)),
    "informal": ((S.CLOSED, 60), (S.WITHDRAWN, 25), (S.RESPONDED, 5)),  # settled: mostly the letter never came
}
REQUEST_TYPES: dict[str, tuple[tuple[RequestType, int], ...]] = {
    "relia": (
        (RequestType.DISCLOSURE, 40), (RequestType.SUSPENSION_OF_USE, 20), (RequestType.CORRECTION, 12),
        (RequestType.STOP_THIRD_PARTY_PROVISION, 10), (RequestType.PURPOSE_NOTIFICATION, 12),
        (RequestType.OVERSEAS_TRANSFER_INFO, 4), (RequestType.DECEASED_COURTESY, 2),
    ),
    "rext-cs": (
        (RequestType.DISCLOSURE, 38), (RequestType.THIRD_PARTY_RECORD_DISCLOSURE, 4),
        (RequestType.SUSPENSION_OF_USE, 20), (RequestType.CORRECTION, 12),
        (RequestType.STOP_THIRD_PARTY_PROVISION, 10), (RequestType.PURPOSE_NOTIFICATION, 10),
        (RequestType.OVERSEAS_TRANSFER_INFO, 4), (RequestType.DECEASED_COURTESY, 2),
    ),
}  # fmt: skip
JAPANESE_SHARE = {"relia": 0.25, "rext-cs": 0.85}
MESSAGES = ((1, 20), (2, 35), (3, 28), (4, 17))  # messages per ticket: weight
ENDINGS = (Action.RESPOND, Action.CLOSE, Action.WITHDRAW, Action.REJECT)


def _pick(rng: random.Random, weighted: Sequence[tuple[Any, float]]) -> Any:
    total = sum(w for _, w in weighted)
    x = rng.random() * total
    for value, w in weighted:
        x -= w
        if x < 0:
            return value
    return weighted[-1][0]


# --- the layout: what chunks must agree on ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class Staff:
    id: int
    email: str
    role: str  # agent | manager


@dataclass(frozen=True, slots=True)
class Setup:
    """What every chunk needs to know (sent once to each process)."""

    now: datetime
    start: datetime
    total: int
    seed: int
    chunk: int
    desk_ids: dict[str, int]
    staff: tuple[Staff, ...]


@dataclass(frozen=True, slots=True)
class Chunk:
    index: int
    first: int  # number of the chunk's first ticket (0-based; its id is first + 1)
    desks: bytes  # per ticket: index into DESKS
    offsets: array  # per ticket: seconds after Setup.start it arrived
    years: array  # per ticket: the year of its reference
    sequences: array  # per ticket: the sequence number of its reference
    requesters: array  # per ticket: the requester's id (the id of the ticket that first came from them)
    no_email: bytes  # per ticket: a requester without an e-mail address (phone or post only)


@dataclass
class Layout:
    chunks: list[Chunk]
    counters: dict[str, int]  # reference_counter scope ("REL-2026") -> last sequence used


def layout(total: int, chunk: int, seed: int, start: datetime, prefixes: Sequence[str]) -> Layout:
    """Desk, arrival, reference and requester of every ticket, in arrival order."""
    rng = random.Random(seed)
    span = SPAN_DAYS * 86400
    year_starts = [
        (y, (datetime(y, 1, 1, tzinfo=TOKYO) - start).total_seconds()) for y in range(start.year, start.year + 5)
    ]
    counters: dict[tuple[int, int], int] = {}
    pools: tuple[list[int], list[int]] = ([], [])
    chunks = []
    for first in range(0, total, chunk):
        n = min(chunk, total - first)
        desks, no_email = bytearray(n), bytearray(n)
        offsets, years, sequences, requesters = array("d"), array("i"), array("i"), array("i")
        for k in range(n):
            i = first + k
            desk = 0 if rng.random() < 0.55 else 1
            offset = span * math.sqrt((i + rng.random()) / total)  # arrivals grow linearly over the year
            year = start.year
            for y, at in year_starts:
                if offset >= at:
                    year = y
            key = (desk, year)
            counters[key] = counters.get(key, 0) + 1
            pool = pools[desk]
            if pool and rng.random() < 0.22:  # someone who wrote before (to this desk)
                recent = rng.random() < 0.5 and len(pool) > 50
                requester = pool[-rng.randint(1, min(len(pool), 3000))] if recent else rng.choice(pool)
            else:
                requester = i + 1
                if rng.random() < 0.04:
                    no_email[k] = 1
                else:
                    pool.append(requester)
            desks[k] = desk
            offsets.append(offset)
            years.append(year)
            sequences.append(counters[key])
            requesters.append(requester)
        chunks.append(Chunk(len(chunks), first, bytes(desks), offsets, years, sequences, requesters, bytes(no_email)))
    return Layout(chunks, {f"{prefixes[d]}-{y}": v for (d, y), v in counters.items()})


# --- one process's tools ---------------------------------------------------------------------


@dataclass
class Tools:
    desks: dict[str, Desk]
    calendars: dict[str, BusinessCalendar]


_TOOLS: Tools | None = None


def tools() -> Tools:
    global _TOOLS
    if _TOOLS is None:
        desks = load_desks(BUNDLED_DESKS)
        _TOOLS = Tools(desks, {slug: BusinessCalendar(desks[slug].calendar_spec()) for slug in DESKS})
    return _TOOLS


def prefixes() -> list[str]:
    desks = tools().desks
    return [desks[slug].reference_prefix for slug in DESKS]


def person_of(seed: int, requester: int, desk: str, with_email: bool) -> words.Person:
    """A requester, the same every time their id comes up."""
    rng = random.Random(seed * 1_000_003 + requester)
    language = "ja" if rng.random() < JAPANESE_SHARE[desk] else "en"
    return words.person(rng, language, requester, with_email)


def _hex(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()


def _json(value: Any) -> str:
    return json.dumps(value)  # the default encoder: json.dumps with options builds a new one per call


# --- one ticket's life -----------------------------------------------------------------------


@dataclass
class Ids:
    """The next id of each table in this chunk's block."""

    base: int
    limit: int
    next: dict[str, int] = field(default_factory=dict)

    def take(self, table: str) -> int:
        value = self.next.get(table, self.base)
        if value >= self.limit:
            raise RuntimeError(f"chunk id block of {table} exhausted: raise STRIDE")
        self.next[table] = value + 1
        return value


class Life:
    """One ticket from arrival to now: what the service would have stored on the way."""

    def __init__(self, setup: Setup, out: dict[str, list[tuple[Any, ...]]], ids: Ids, rng: random.Random) -> None:
        self.setup, self.out, self.ids, self.rng = setup, out, ids, rng
        self.agents = [s for s in setup.staff if s.role == "agent"]
        self.managers = [s for s in setup.staff if s.role == "manager"]

    # -- the story ---------------------------------------------------------------------------

    def run(self, chunk: Chunk, k: int) -> Counter[str]:
        setup, rng, kit = self.setup, self.rng, tools()
        i = chunk.first + k
        self.id = i + 1
        slug = DESKS[chunk.desks[k]]
        self.slug, self.desk, self.cal = slug, kit.desks[slug], kit.calendars[slug]
        self.received = setup.start + timedelta(seconds=chunk.offsets[k])
        requester = self.requester_id = chunk.requesters[k]
        self.person = person_of(setup.seed, requester, slug, not chunk.no_email[k])
        self.language = self.person.language
        self.reference = f"{self.desk.reference_prefix}-{chunk.years[k]:04d}-{chunk.sequences[k]:06d}"
        if requester == self.id:
            p = self.person
            self.out["requester"].append(
                (requester, setup.desk_ids[slug], p.name, p.email, p.phone, p.postal_address, p.language, False,
                 self.received)
            )  # fmt: skip

        # What came in, and how.
        category = _pick(rng, ((Category.INQUIRY, 60), (Category.COMPLAINT, 25), (Category.REQUEST, 15)))
        types: tuple[RequestType, ...] = ()
        if category is Category.REQUEST:
            first = _pick(rng, REQUEST_TYPES[slug])
            types = (first,)
            if rng.random() < 0.15:
                second = _pick(rng, REQUEST_TYPES[slug])
                types = (first, second) if second is not first else types
        if self.person.email is None:
            channel = Channel.PHONE if rng.random() < 0.5 else Channel.POST
        elif category is Category.REQUEST:
            channel = _pick(rng, ((Channel.POST, 62), (Channel.EMAIL, 20), (Channel.WEB, 15), (Channel.API, 3)))
        else:
            channel = _pick(
                rng, ((Channel.EMAIL, 48), (Channel.WEB, 37), (Channel.PHONE, 7), (Channel.POST, 3), (Channel.API, 5))
            )
        self.channel, self.category, self.types = channel, category, types
        formal = bool(types) and conforming(channel, types, self.desk.request_types)
        self.topic = words.REQUEST_TOPIC[types[0].value] if types else _pick(rng, words.CATEGORY_TOPICS[category.value])
        route = "other" if not types else ("request" if formal else "informal")
        state = self._final_state(route)
        staff_made = channel in (Channel.PHONE, Channel.POST, Channel.API)
        self.assignee = self._assignee(state)
        self.actor = self.assignee or rng.choice(self.agents)

        # The ticket as the intake writes it.
        clocks = self._clocks(category, types, formal, self.received)
        self.clock_ids = [self.ids.take("sla_clock") for _ in clocks]
        clocks = [replace(c, id=cid) for c, cid in zip(clocks, self.clock_ids, strict=True)]
        self.ticket = rules.Ticket(
            id=self.id, reference=self.reference, desk=slug, state=State.RECEIVED, category=category,
            language=Language(self.language), subject="", request_types=types, clocks=tuple(clocks),
            status_token_hash=_hex("status", setup.seed, self.reference), channel=channel,
            received_at=self.received, formal_request_at=self.received if formal else None,
        )  # fmt: skip
        self.requests = opening_requests(types, self.desk.request_types)
        self.version, self.updated = 0, self.received
        self.events: list[tuple[Any, ...]] = []
        self.firings: list[tuple[Any, ...]] = []
        self.docs: list[str] = []
        self.last_in: str | None = None  # Message-ID of the requester's last mail
        self.last_out: tuple[str, str] | None = None  # Message-ID and text of our last reply
        self.first_message(staff_made)

        steps = self._path(state, route)
        for step, at in zip(steps, self._times(steps, state), strict=True):
            self._do(step, at)
        if self.ticket.state not in SETTLED:
            self._sweep(setup.now)
        self._store()
        t = self.ticket
        stats: Counter[str] = Counter({f"state:{t.state.value}": 1})
        if t.state not in SETTLED:
            stats["open"] += 1
            stats[f"risk:{int(self._risk())}"] += 1
            stats["open, unassigned" if t.assignee_id is None else "open, assigned"] += 1
            if t.assignee_id == setup.staff[0].id:
                stats["open, assigned to bench"] += 1
            due = self._next_due()
            if due is not None and due <= setup.now:
                stats["open, overdue"] += 1
        return stats

    def _final_state(self, route: str) -> State:
        """The state it is in now, given how long ago it came (recent tickets are more often open)."""
        age = (self.setup.now - self.received).total_seconds() / 86400
        fee = any(r.fee_required for r in opening_requests(self.types, self.desk.request_types))
        x = self.rng.random()
        for state, (c, m) in NOW_STATES[route].items():
            if state is State.FEE_CHECK and not fee:
                continue
            x -= c * math.exp(-age / m)
            if x < 0:
                return state
        return _pick(self.rng, SETTLED_MIX[route])

    def _assignee(self, state: State) -> Staff | None:
        rng = self.rng
        if state is State.RECEIVED and rng.random() < 0.8:
            return None
        return _pick(rng, ((self.setup.staff[0], 30), (self.agents[1 % len(self.agents)], 45), (None, 25)))

    def _clocks(self, category: Category, types: Sequence[RequestType], formal: bool, at: datetime) -> list[ClockState]:
        """SlaService.clocks_for_new_ticket, and the intake's rule that Art. 39 waits for a conforming request."""
        targets = dict(self.desk.policies.get(category, {}))
        if category is Category.REQUEST and not pre_suit_period_applies(types):
            targets.pop(ClockKind.STATUTORY, None)
        if not formal:
            targets.pop(ClockKind.STATUTORY, None)
        return start_clocks(
            self.cal, desk=self.slug, category=category.value, targets=targets,
            stages=self.desk.escalation.stages, at=at,
        )  # fmt: skip

    def _path(self, state: State, route: str) -> list[tuple[str, Any]]:
        """The changes that lead to `state`: ("act", Action), ("assign",), ("reply",), ("note",),
        ("mail",) from the requester, ("letter",) with their documents, ("formal",) their conforming letter."""
        rng, A = self.rng, Action
        fee = any(r.fee_required for r in self.requests)
        path: list[tuple[str, Any]] = []
        if state is not State.RECEIVED:
            if self.assignee is not None:
                path.append(("assign", None))
            path.append(("act", A.TRIAGE))
        if route == "informal" and state not in (State.RECEIVED, State.TRIAGE):
            path.append(("act", A.REQUEST_FORMAL_REQUEST))
            if state is State.AWAITING_FORMAL_REQUEST or (
                state in (State.CLOSED, State.WITHDRAWN) and rng.random() < 0.5
            ):
                if state is State.CLOSED:
                    path.append(("act", A.CLOSE))  # the letter never came
                elif state is State.WITHDRAWN:
                    path.append(("act", A.WITHDRAW))
                return self._with_messages(path, state)
            path.append(("formal", None))  # back in triage, with the statutory clock running
            route = "request"
        if state in (State.RECEIVED, State.TRIAGE):
            return self._with_messages(path, state)
        if state is State.AWAITING_FORMAL_REQUEST:
            return self._with_messages(path, state)
        if state is State.WITHDRAWN:
            if rng.random() < 0.4:
                path.append(("act", A.REQUEST_DOCUMENTS))
            path += [("mail", None), ("act", A.WITHDRAW)]
            return self._with_messages(path, state)
        if state is State.CLOSED and rng.random() < 0.06:  # spam, a duplicate, nothing to answer
            path.append(("act", A.CLOSE))
            return self._with_messages(path, state)
        if route == "request":
            if state is State.AWAITING_DOCUMENTS or state is State.REJECTED or rng.random() < 0.5:
                path.append(("act", A.REQUEST_DOCUMENTS))
                if state is State.AWAITING_DOCUMENTS:
                    return self._with_messages(path, state)
                if state is State.REJECTED:
                    path.append(("act", A.REJECT))
                    return self._with_messages(path, state)
                path.append(("letter", None))  # -> identity verification
            else:
                path.append(("act", A.VERIFY_IDENTITY))
            if state is State.IDENTITY_VERIFICATION:
                return self._with_messages(path, state)
            if fee:
                path.append(("act", A.CHECK_FEE))
            if state is State.FEE_CHECK:
                return self._with_messages(path, state)
            path.append(("act", A.START_WORK))
            if state is State.IN_PROGRESS:
                return self._with_messages(path, state)
            path.append(("act", A.ASK_DECISION))
            if state is State.DECISION_PENDING:
                return self._with_messages(path, state)
        else:
            if state is State.AWAITING_DOCUMENTS:
                path.append(("act", A.REQUEST_DOCUMENTS))
                return self._with_messages(path, state)
            simple = state in (State.RESPONDED, State.CLOSED) and rng.random() < 0.45
            if not simple:
                if rng.random() < 0.12:  # asked the requester for more; their answer moves it on
                    path += [("act", A.REQUEST_DOCUMENTS), ("mail", None)]
                path.append(("act", A.START_WORK))
                if state is State.IN_PROGRESS:
                    return self._with_messages(path, state)
                if state is State.DECISION_PENDING or (self.category is Category.COMPLAINT and rng.random() < 0.3):
                    path.append(("act", A.ASK_DECISION))
                    if state is State.DECISION_PENDING:
                        return self._with_messages(path, state)
        path.append(("act", A.RESPOND))
        if state is State.CLOSED:
            path.append(("act", A.CLOSE))
        return self._with_messages(path, state)

    def _with_messages(self, path: list[tuple[str, Any]], state: State) -> list[tuple[str, Any]]:
        """Add replies, notes and requester mail up to the ticket's number of messages (1-4)."""
        rng = self.rng
        structural = sum(1 for kind, _ in path if kind in ("mail", "letter", "formal"))
        wanted = max(_pick(rng, MESSAGES), 1 + structural)
        extra = min(4, wanted) - 1 - structural
        if extra <= 0:
            return path
        # A reply goes out once triaged (it stops the first-response clock), before any final move.
        triaged = next((n + 1 for n, (_, a) in enumerate(path) if a is Action.TRIAGE), 0)
        final = next((n for n, (kind, a) in enumerate(path) if kind == "act" and a in ENDINGS), len(path))
        if state is not State.RECEIVED and rng.random() < 0.9:
            path.insert(rng.randint(triaged, max(triaged, final)), ("reply", None))
            extra -= 1
            final += 1
        for _ in range(extra):
            # "chat": mail from the requester that moves nothing (a note when they cannot write now)
            kind = "chat" if rng.random() < 0.45 else ("reply" if rng.random() < 0.3 else "note")
            path.insert(rng.randint(0, final), (kind, None))
            final += 1
        return path

    def _times(self, steps: Sequence[tuple[str, Any]], state: State) -> list[datetime]:
        """When each change happened: in office hours (requester mail at any time), in order, before now."""
        rng, now = self.rng, self.setup.now
        if not steps:
            return []
        available = (now - self.received).total_seconds() - 120
        if state in SETTLED:
            span = min(available, 86400 * math.exp(rng.gauss(0.3, 0.9)))  # settled after 1.3 days (median)
        else:
            span = available * rng.uniform(0.4, 0.97)
        span = max(span, 60.0 * len(steps))
        points = sorted(rng.uniform(60, span) for _ in steps)
        times, last = [], self.received
        limit = now - timedelta(seconds=30)
        for (kind, _), p in zip(steps, points, strict=True):
            at = self.received + timedelta(seconds=p)
            if kind not in ("mail", "chat"):
                opened = self.cal.next_open(at)
                if opened != at and opened < limit:
                    at = opened + timedelta(seconds=rng.randint(0, 1800))
            if at <= last:
                at = last + timedelta(seconds=rng.randint(30, 600))
            at = min(at, limit)
            times.append(at)
            last = at
        return times

    # -- the changes -------------------------------------------------------------------------

    def _change(self, at: datetime) -> None:
        self.version += 1
        self.updated = at

    def _event(
        self, at: datetime, action: str, *, actor: Staff | None, data: dict[str, Any] | None = None,
        from_state: State | None = None, to_state: State | None = None, reason: str = "", label: str | None = None,
    ) -> None:  # fmt: skip
        label = label or (actor.email if actor else "requester")
        self.events.append(
            (self.ids.take("event"), self.id, at, actor.id if actor else None, label, action,
             from_state.value if from_state else None, to_state.value if to_state else None, reason, _json(data or {}))
        )  # fmt: skip

    def _events(
        self, at: datetime, events: Sequence[rules.TicketEvent], actor: Staff | None, first: dict[str, Any]
    ) -> None:
        for n, e in enumerate(events):
            data = {**e.data, **first} if n == 0 else dict(e.data)
            self._event(at, e.action.value, actor=actor, data=data, from_state=e.from_state, to_state=e.to_state,
                        reason=e.reason)  # fmt: skip

    def _message(self, at: datetime, direction: str, channel: str, text: str, **columns: Any) -> int:
        mid = self.ids.take("message")
        row = {
            "author": None, "from_email": None, "to": [], "subject": "", "html": None, "message_id": None,
            "in_reply_to": None, "references": [], "headers": {}, "raw_path": None, "content_hash": None,
            "kind": "normal", "cc": [], "quote_start": None, "signature_start": None, **columns,
        }  # fmt: skip
        self.out["message"].append(
            (mid, self.id, direction, channel, row["author"], row["from_email"], _json(row["to"]), row["subject"][:500],
             text, row["html"], row["message_id"], row["in_reply_to"], _json(row["references"]), _json(row["headers"]),
             row["raw_path"], row["content_hash"], at, row["kind"], _json(row["cc"]), row["quote_start"],
             row["signature_start"])
        )  # fmt: skip
        quote = row["quote_start"]
        if doc := message_document([text[:quote] if quote is not None else text]):
            self.docs.append(doc)
        return mid

    def first_message(self, staff_made: bool) -> None:
        p, at, rng = self.person, self.received, self.rng
        subject, text = words.inbound(rng, self.language, self.topic, p.name)
        if self.channel is Channel.PHONE:
            text = words.logged_call(rng, self.language, self.topic, "phone")
        self.ticket = replace(self.ticket, subject=subject[:200])
        actor = self.actor if staff_made else None
        if self.channel is Channel.EMAIL:
            self.last_in = f"<{_hex('in', self.id, 0)[:24]}@{p.email.rsplit('@', 1)[1]}>"  # type: ignore[union-attr]
            raw = _hex("raw", self.id, 0)
            self._message(
                at, "inbound", "email", text, from_email=p.email, to=[self.desk.inbox], subject=subject,
                message_id=self.last_in, headers={"return-path": f"<{p.email}>"}, raw_path=raw,
                content_hash=_hex("content", raw),
            )  # fmt: skip
        else:
            self._message(
                at, "inbound", self.channel.value, text, author=actor.id if actor else None, from_email=p.email,
                subject=subject,
            )  # fmt: skip
        self.docs.insert(0, ticket_document(self.reference, p.name, p.email, p.phone, subject))
        self._event(at, "created", actor=actor, data={"channel": self.channel.value, "attachments": 0},
                    to_state=State.RECEIVED)  # fmt: skip

    def _do(self, step: tuple[str, Any], at: datetime) -> None:
        kind, action = step
        self._sweep(at)
        t, actor = self.ticket, self.actor
        if kind == "assign":
            moved = rules.assign(t, self.assignee.id, self.assignee.email)  # type: ignore[union-attr]
            self.ticket = moved.ticket
            self._events(at, moved.events, actor, {})
        elif kind == "act":
            self._act(action, at, actor)
            return
        elif kind == "reply":
            self._reply(at, actor)
        elif kind == "note":
            mid = self._message(at, "outbound", "note", words.note(self.rng, self.language), author=actor.id)
            self._event(at, "note_added", actor=actor, data={"message": mid})
        elif kind == "chat":
            if self.person.email and self.ticket.state not in WAITING_ON_REQUESTER | SETTLED:
                self._requester_mail(at)
            else:
                mid = self._message(at, "outbound", "note", words.note(self.rng, self.language), author=actor.id)
                self._event(at, "note_added", actor=actor, data={"message": mid})
        elif kind == "mail" and self.person.email is not None and self.ticket.state not in SETTLED:
            self._requester_mail(at)
        elif kind in ("mail", "letter", "formal"):
            self._letter(at, actor, formal=kind == "formal")
        self._change(at)

    def _act(self, action: Action, at: datetime, actor: Staff) -> None:
        moved = rules.apply(self.ticket, action, at, self.cal)
        data: dict[str, Any] = {}
        if moved.notices:
            if self.person.email:
                data["requester_mail"] = moved.notices[0].value
            else:
                data["mail_not_sent"] = "the requester has no e-mail address"
        if self.requests and moved.ticket.state in NOTICE_STATES:
            data["notice"] = "email" if self.person.email else "post"
        self.ticket = moved.ticket
        self._events(at, moved.events, actor, data)
        self._change(at)

    def _reply(self, at: datetime, actor: Staff) -> None:
        moved = rules.reply(self.ticket, at, self.cal)
        self.ticket = moved.ticket
        text = words.reply(self.rng, self.language, self.topic, self.person.name)
        if self.person.email:
            subject = "担当者からのご連絡" if self.language == "ja" else "A message from our staff"
            message_id = f"<{self.reference}.{_hex('out', self.id, at)[:16]}@{self.desk.inbox_domain}>"
            refs = [self.last_in] if self.last_in else []
            mid = self._message(
                at, "outbound", "email", text, author=actor.id, to=[self.person.email],
                subject=f"[{self.reference}] {subject}", message_id=message_id, in_reply_to=self.last_in,
                references=refs,
            )  # fmt: skip
            self.last_out = (message_id, text)
        else:
            mid = self._message(at, "outbound", "note", text, author=actor.id)
        self._events(at, moved.events, actor, {"message": mid})

    def _requester_mail(self, at: datetime) -> None:
        p = self.person
        own = words.followup(self.rng, self.language, self.topic, p.name)
        text, quote_start, in_reply_to, refs = own, None, None, []
        subject = "Re: " + self.ticket.subject
        if self.last_out is not None:
            in_reply_to, refs = self.last_out[0], [self.last_out[0]]
            quote_start = len(own) + 2
            text = own + "\n\n" + words.quote(self.last_out[1], self.language)
            subject = f"Re: [{self.reference}] " + (
                "担当者からのご連絡" if self.language == "ja" else "A message from our staff"
            )
        n = len(self.events)
        self.last_in = f"<{_hex('in', self.id, n)[:24]}@{p.email.rsplit('@', 1)[1]}>"  # type: ignore[union-attr]
        raw = _hex("raw", self.id, n)
        mid = self._message(
            at, "inbound", "email", text, from_email=p.email, to=[self.desk.inbox], subject=subject,
            message_id=self.last_in, in_reply_to=in_reply_to, references=refs, headers={"return-path": f"<{p.email}>"},
            raw_path=raw, content_hash=_hex("content", raw), quote_start=quote_start,
        )  # fmt: skip
        moved = rules.receive(self.ticket, at, self.cal, automatic=False)
        self.ticket = moved.ticket
        self._events(at, moved.events, None, {"message": mid})

    def _letter(self, at: datetime, actor: Staff, *, formal: bool) -> None:
        """A letter (or a call) an agent logs: the documents asked for, or the request on the desk's form."""
        channel = "post" if self.channel is not Channel.PHONE or formal else "phone"
        text = words.logged_call(self.rng, self.language, self.topic, channel)
        mid = self._message(at, "inbound", channel, text, author=actor.id)
        events = [
            rules.TicketEvent(
                rules.EventAction.CONTACT_LOGGED, data={"channel": channel, "received_at": at.isoformat()}
            )
        ]
        t = self.ticket
        if formal:
            t = replace(t, formal_request_at=at)
            events.append(
                rules.TicketEvent(rules.EventAction.FORMAL_REQUEST_RECEIVED, data={"received_at": at.isoformat()})
            )
            if pre_suit_period_applies(self.types) and not any(c.kind is ClockKind.STATUTORY for c in t.clocks):
                started = [
                    c for c in self._clocks(self.category, self.types, True, at) if c.kind is ClockKind.STATUTORY
                ]
                new_ids = [self.ids.take("sla_clock") for _ in started]
                self.clock_ids += new_ids
                t = replace(t, clocks=(*t.clocks, *(replace(c, id=n) for c, n in zip(started, new_ids, strict=True))))
        if t.state in WAITING_ON_REQUESTER:
            moved = rules.apply(t, Action.REQUESTER_REPLIED, at, self.cal)
            t, events = moved.ticket, [*events, *moved.events]
        self.ticket = t
        self._events(at, events, actor, {"message": mid})

    # -- the sweep ---------------------------------------------------------------------------

    def _sweep(self, until: datetime) -> None:
        """Fire the rungs that came due before `until`, each at its own time, as the minute sweep does."""
        t = self.ticket
        clocks = list(t.clocks)
        flags = dict(t.flags)
        for _ in range(64):
            due = [
                (c.next_fire_at, n)
                for n, c in enumerate(clocks)
                if c.next_fire_at is not None and c.next_fire_at <= until
            ]
            if not due:
                break
            fire_at, n = min(due)
            now = min(until, fire_at + timedelta(seconds=self.rng.randint(0, 59)))
            before = clocks[n]
            fired = fire_due(self.cal, before, t.pauses, now)
            clocks[n] = fired.clock
            for f in fired.firings:
                people = self._recipients(f.stage.notify, t.assignee_id)
                key = f"{before.id}:{f.stage.key}"
                self.firings.append(
                    (
                        self.ids.take("sla_firing"),
                        before.id,
                        self.id,
                        f.stage.key,
                        key,
                        f.nominal_at,
                        now,
                        _json(people),
                    )
                )
                self._event(
                    now, "sla_breached" if f.stage.is_breach else "sla_warning", actor=None, label="system",
                    data={"clock": before.kind.value, "stage": f.stage.key, "nominal_at": f.nominal_at.isoformat(),
                          "notified": people if f.notify else [], "superseded": not f.notify},
                )  # fmt: skip
            if fired.clock.kind is ClockKind.STATUTORY and fired.clock.breached_at is not None:
                flags.setdefault("litigation_eligible", True)
            if not fired.firings and fired.clock.next_fire_at == before.next_fire_at:
                break
        self.ticket = replace(t, clocks=tuple(clocks), flags=flags)

    def _recipients(self, notify: Notify, assignee_id: int | None) -> list[str]:
        """SlaService._recipients with the bench staff (no second-level addresses, no admins)."""
        if notify is Notify.ASSIGNEE:
            chosen = [s for s in self.setup.staff if s.id == assignee_id] or self.agents or self.managers
        else:
            chosen = self.managers
        return list(dict.fromkeys(s.email for s in chosen))

    # -- the rows ----------------------------------------------------------------------------

    def _risk(self) -> int:
        return int(queue_columns(self.ticket.state, self.ticket.clocks)["risk"])  # type: ignore[call-overload]

    def _next_due(self) -> datetime | None:
        return queue_columns(self.ticket.state, self.ticket.clocks)["next_due_at"]  # type: ignore[return-value]

    def _store(self) -> None:
        t, p, setup, out = self.ticket, self.person, self.setup, self.out
        dues = due_columns(t.clocks)
        queues = queue_columns(t.state, t.clocks)
        out["ticket"].append(
            (self.id, self.reference, setup.desk_ids[self.slug], self.requester_id, self.channel.value,
             self.category.value, _json([r.value for r in self.types]), t.state.value, t.assignee_id, self.language,
             t.subject, t.status_token_hash, _json(dict(t.flags)), None, self.received, self.received, self.updated,
             t.first_responded_at, t.closed_at, dues["first_response_due_at"], dues["resolution_due_at"],
             dues["statutory_due_at"], p.name, p.email, p.phone, p.postal_address, "person", t.formal_request_at,
             None, queues["next_due_at"], queues["risk"], self.version)
        )  # fmt: skip
        for c in t.clocks:
            v = clock_values(c)
            out["sla_clock"].append(
                (c.id, self.id, v["kind"], _json(v["policy"]), v["started_at"], v["budget_us"], v["due_at"],
                 v["paused"], v["stopped_at"], v["breached_at"], v["next_stage"], v["next_fire_at"], v["used_us"])
            )  # fmt: skip
        for pause in t.pauses:
            out["clock_pause"].append(
                (self.ids.take("clock_pause"), self.id, pause.start, pause.end, pause.reason[:100])
            )
        for r in self.requests:
            out["ticket_request"].append(
                (self.ids.take("ticket_request"), self.id, r.type.value, r.fee_yen, r.fee_instrument,
                 r.fee_state.value, None, None, None, self.received, self.received)
            )  # fmt: skip
        out["sla_firing"].extend(self.firings)
        out["event"].extend(self.events)
        out["search_doc"].extend((self.ids.take("search_doc"), self.id, doc) for doc in self.docs)


def generate(setup: Setup, chunk: Chunk) -> tuple[int, dict[str, list[tuple[Any, ...]]], Counter[str]]:
    """Every row of one chunk's tickets, by table (run in a worker process)."""
    out: dict[str, list[tuple[Any, ...]]] = {table: [] for table in TABLES}
    base = chunk.index * setup.chunk * STRIDE + 1
    ids = Ids(base, base + setup.chunk * STRIDE)
    rng = random.Random(setup.seed * 7919 + chunk.index)
    stats: Counter[str] = Counter()
    life = Life(setup, out, ids, rng)
    for k in range(len(chunk.desks)):
        stats.update(life.run(chunk, k))
    return chunk.index, out, stats


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


__all__ = ["COLUMNS", "DESKS", "TABLES", "Chunk", "Layout", "Setup", "Staff", "generate", "layout", "prefixes", "tools"]
