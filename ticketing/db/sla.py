"""SLA clocks in the database: rows <-> ClockState, and the sweep's claim-and-write transaction."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from ticketing.db.engine import write_transaction
from ticketing.db.outbox import outbox_row
from ticketing.db.sql import Dialect, dialect, in_transaction, instant, maybe_instant
from ticketing.db.tables import ClockPause, Desk, DeskMembership, Event, Outbox, SlaClock, SlaFiring, Ticket
from ticketing.domain.clocks import ClockState
from ticketing.domain.queues import NO_DUE
from ticketing.domain.sla import ClockKind, Pause, Stage, Target, Unit
from ticketing.services.ports import ClockOutcome, DueClock, StaffContact, TicketContext

DUE_COLUMNS = {
    ClockKind.FIRST_RESPONSE: "first_response_due_at",
    ClockKind.RESOLUTION: "resolution_due_at",
    ClockKind.STATUTORY: "statutory_due_at",
}


def clock_values(clock: ClockState) -> dict[str, Any]:
    return {
        "kind": clock.kind.value,
        "policy": dict(clock.policy),
        "started_at": clock.started_at,
        "budget_us": clock.budget_us,
        "due_at": clock.due_at,
        "paused": clock.paused,
        "stopped_at": clock.stopped_at,
        "breached_at": clock.breached_at,
        "next_stage": clock.next_stage,
        "next_fire_at": clock.next_fire_at,
        "used_us": clock.used_us,
        "desk": clock.policy.get("desk"),
        "category": clock.policy.get("category"),
    }


def clock_from_row(row: Mapping[str, Any]) -> ClockState:
    policy = row["policy"] if isinstance(row["policy"], dict) else json.loads(row["policy"])
    target = Target(int(policy["target"]["amount"]), Unit(policy["target"]["unit"]))
    return ClockState(
        kind=ClockKind(row["kind"]),
        target=target,
        stages=tuple(Stage.from_json(s) for s in policy["stages"]),
        started_at=instant(row["started_at"]),
        budget_us=int(row["budget_us"]),
        policy=policy,
        due_at=maybe_instant(row["due_at"]),
        paused=bool(row["paused"]),
        stopped_at=maybe_instant(row["stopped_at"]),
        breached_at=maybe_instant(row["breached_at"]),
        next_stage=int(row["next_stage"]),
        next_fire_at=maybe_instant(row["next_fire_at"]),
        id=int(row["id"]),
        used_us=None if row.get("used_us") is None else int(row["used_us"]),
    )


def due_columns(clocks: Sequence[ClockState]) -> dict[str, datetime | None]:
    """The ticket's denormalised due instants (None for a clock it does not have, or paused)."""
    result: dict[str, datetime | None] = {column: None for column in DUE_COLUMNS.values()}
    for clock in clocks:
        if clock.kind in DUE_COLUMNS:  # an inquiry's clock is found through sla_clock itself
            result[DUE_COLUMNS[clock.kind]] = None if clock.stopped_at is not None else clock.due_at
    return result


async def update_clock(clock: ClockState) -> None:
    values = clock_values(clock)
    for key in ("kind", "policy", "started_at", "budget_us", "desk", "category"):  # fixed at the start
        values.pop(key)
    await SlaClock.update({getattr(SlaClock, k): v for k, v in values.items()}).where(SlaClock.id == clock.id)


async def pauses_of(ticket_ids: Sequence[int]) -> dict[int, list[Pause]]:
    result: dict[int, list[Pause]] = {t: [] for t in ticket_ids}
    if not ticket_ids:
        return result
    rows = await ClockPause.select().where(ClockPause.ticket.is_in(list(ticket_ids))).order_by(ClockPause.started_at)
    for r in rows:
        result[r["ticket"]].append(Pause(r["started_at"], r["ended_at"], r["reason"]))
    return result


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else (value or {})


CLAIM_SQL = (
    "SELECT c.*, t.reference AS t_reference, t.subject AS t_subject, t.category AS t_category, "
    "t.state AS t_state, t.assignee AS t_assignee, t.flags AS t_flags, d.slug AS t_desk "
    "FROM sla_clock c JOIN ticket t ON t.id = c.ticket JOIN desk d ON d.id = t.desk "
    "WHERE c.next_fire_at IS NOT NULL AND c.next_fire_at <= :now ORDER BY c.next_fire_at, c.id LIMIT :limit "
    "FOR UPDATE OF c SKIP LOCKED"
)


# The sweep's batch writes: on PostgreSQL one statement per table over unnest()ed arrays (a batch of
# clocks is one round trip each, whatever its size); SQLite, in its one IMMEDIATE transaction, row by row.
# One statement for a batch's ticket columns (PostgreSQL): per column a "set?" flag and a value.
TICKET_BATCH_UPDATE_SQL = (
    "UPDATE ticket AS t SET "
    "first_response_due_at = CASE WHEN v.s0 THEN v.v0 ELSE t.first_response_due_at END, "
    "resolution_due_at = CASE WHEN v.s1 THEN v.v1 ELSE t.resolution_due_at END, "
    "statutory_due_at = CASE WHEN v.s2 THEN v.v2 ELSE t.statutory_due_at END, "
    "flags = CASE WHEN v.s3 THEN v.v3::json ELSE t.flags END "
    "FROM unnest({}::int[], {}::bool[], {}::timestamptz[], {}::bool[], {}::timestamptz[], {}::bool[], "
    "{}::timestamptz[], {}::bool[], {}::text[]) AS v(id, s0, v0, s1, v1, s2, v2, s3, v3) WHERE t.id = v.id"
)

# The queue columns (domain/queues.py next_due and risk, the same rules in SQL) of the tickets whose
# clocks a sweep moved: a rung fired or a due instant changed. A settled ticket (NULL) stays so.
QUEUE_REFRESH_SQL = """
UPDATE ticket SET
    next_due_at = CASE WHEN next_due_at IS NULL THEN NULL ELSE COALESCE(
        (SELECT min(c.due_at) FROM sla_clock c
         WHERE c.ticket = ticket.id AND c.stopped_at IS NULL AND NOT c.paused AND c.due_at IS NOT NULL),
        :no_due::timestamptz) END,
    risk = COALESCE(
        (SELECT max(CASE WHEN c.breached_at IS NOT NULL THEN 2 WHEN c.next_stage > 0 THEN 1 ELSE 0 END)
         FROM sla_clock c WHERE c.ticket = ticket.id AND c.stopped_at IS NULL AND NOT c.paused), 0)
WHERE id = ANY(:ids::int[])
"""


class PiccoloSlaStore:
    def __init__(self) -> None:
        self._desk_ids: dict[str, int] = {}

    async def staff_of_desks(self, desks: Sequence[str]) -> dict[str, list[StaffContact]]:
        rows = await DeskMembership.select(
            DeskMembership.desk.slug.as_alias("desk"),
            DeskMembership.role,
            DeskMembership.user.id.as_alias("user_id"),
            DeskMembership.user.email.as_alias("email"),
            DeskMembership.user.display_name.as_alias("display_name"),
            DeskMembership.user.language.as_alias("language"),
        ).where(
            DeskMembership.desk.slug.is_in(list(desks)) & (DeskMembership.user.is_active == True)  # noqa: E712
        )
        result: dict[str, list[StaffContact]] = {d: [] for d in desks}
        for r in rows:
            contact = StaffContact(r["user_id"], r["email"], r["display_name"], r["language"], r["role"])
            result[r["desk"]].append(contact)
        return result

    async def process_due(
        self, now: datetime, limit: int, handle: Callable[[DueClock], ClockOutcome]
    ) -> tuple[int, int]:
        """Claim up to `limit` due clocks, let `handle` decide, write it all in one transaction.

        PostgreSQL: FOR UPDATE SKIP LOCKED, so concurrent sweeps split the work; SQLite: the
        IMMEDIATE transaction serialises writers. Either way the unique fire_key refuses a
        second firing of the same rung.
        """
        async with write_transaction():
            rows = await in_transaction().fetch(CLAIM_SQL, {"now": now, "limit": limit})
            if not rows:
                return 0, 0
            pauses = await pauses_of(sorted({r["ticket"] for r in rows}))
            outcomes = []
            for row in rows:
                ticket = TicketContext(
                    id=row["ticket"],
                    reference=row["t_reference"],
                    desk=row["t_desk"],
                    subject=row["t_subject"],
                    category=row["t_category"],
                    state=row["t_state"],
                    assignee_id=row["t_assignee"],
                    flags=_json(row["t_flags"]),
                )
                outcomes.append((ticket, handle(DueClock(clock_from_row(row), ticket, tuple(pauses[ticket.id])))))
            written = await self._write(outcomes, now)
        return len(rows), written

    async def _write(self, outcomes: Sequence[tuple[TicketContext, ClockOutcome]], now: datetime) -> int:
        """Write a batch's firings, events, mail, clocks and ticket columns in a few statements."""
        firings = [(ticket, outcome.clock, record) for ticket, outcome in outcomes for record in outcome.firings]
        inserted = await self._insert_firings(
            [
                (
                    c.id,
                    t.id,
                    r.firing.stage.key,
                    f"{c.id}:{r.firing.stage.key}",
                    r.firing.nominal_at,
                    now,
                    json.dumps(list(r.recipients)),
                )
                for t, c, r in firings
            ]
        )
        events: list[Event] = []
        mails: list[Outbox] = []
        for ticket, clock, record in firings:
            stage = record.firing.stage
            if f"{clock.id}:{stage.key}" not in inserted:
                continue  # fired before (another process or an earlier sweep): nothing more to do
            events.append(
                Event(
                    ticket=ticket.id,
                    at=now,
                    actor=None,
                    actor_label="system",
                    action="sla_breached" if stage.is_breach else "sla_warning",
                    from_state=None,
                    to_state=None,
                    reason="",
                    data={
                        "clock": clock.kind.value,
                        "stage": stage.key,
                        "nominal_at": record.firing.nominal_at.isoformat(),
                        "notified": list(record.recipients) if record.firing.notify else [],
                        "superseded": not record.firing.notify,
                    },
                )
            )
            desk_id = await self._desk_id(ticket.desk)
            mails.extend(outbox_row(mail, desk_id, ticket.id, now) for mail in record.mails)
        if events:
            await Event.insert(*events)
        if mails:
            await Outbox.insert(*mails)
        await self._update_clocks([outcome.clock for _, outcome in outcomes])
        await self._update_tickets(outcomes)
        moved = sorted({t.id for t, o in outcomes if o.firings or o.clock.due_at != o.previous_due_at})
        if moved:
            await in_transaction().execute(QUEUE_REFRESH_SQL, {"no_due": NO_DUE, "ids": moved})
        return len(events)

    async def _insert_firings(self, rows: list[tuple[Any, ...]]) -> set[str]:
        """Insert firing rows; return the fire keys that were new (a unique key refuses repeats)."""
        if not rows:
            return set()
        if dialect() is Dialect.POSTGRES:
            cols = list(zip(*rows, strict=True))
            result = await SlaFiring.raw(
                "INSERT INTO sla_firing (clock, ticket, stage, fire_key, nominal_at, fired_at, recipients) "
                "SELECT c, t, s, k, n, f, r::json FROM unnest({}::int[], {}::int[], {}::varchar[], {}::varchar[], "
                "{}::timestamptz[], {}::timestamptz[], {}::text[]) AS x(c, t, s, k, n, f, r) "
                "ON CONFLICT (fire_key) DO NOTHING RETURNING fire_key",
                *[list(c) for c in cols],
            )
            return {r["fire_key"] for r in result}
        keys: set[str] = set()
        for row in rows:
            result = await SlaFiring.raw(
                "INSERT INTO sla_firing (clock, ticket, stage, fire_key, nominal_at, fired_at, recipients) "
                "VALUES ({}, {}, {}, {}, {}, {}, {}) ON CONFLICT (fire_key) DO NOTHING RETURNING fire_key",
                *row,
            )
            keys.update(r["fire_key"] for r in result)
        return keys

    async def _update_tickets(self, outcomes: Sequence[tuple[TicketContext, ClockOutcome]]) -> None:
        """The ticket's denormalised due instants and flags, where they changed."""
        changes: dict[int, dict[str, Any]] = {}
        for ticket, outcome in outcomes:
            clock = outcome.clock
            new_due = None if clock.stopped_at is not None else clock.due_at
            if new_due != outcome.previous_due_at and clock.kind in DUE_COLUMNS:
                changes.setdefault(ticket.id, {})[DUE_COLUMNS[clock.kind]] = new_due
            if outcome.flags is not None:
                changes.setdefault(ticket.id, {})["flags"] = json.dumps(dict(outcome.flags))
        if not changes:
            return
        if dialect() is not Dialect.POSTGRES:
            for ticket_id, values in changes.items():
                update = {getattr(Ticket, k): (json.loads(v) if k == "flags" else v) for k, v in values.items()}
                await Ticket.update(update).where(Ticket.id == ticket_id)
            return
        ids = list(changes)
        columns = [*DUE_COLUMNS.values(), "flags"]
        args: list[list[Any]] = [ids]
        for column in columns:
            args.append([column in changes[i] for i in ids])
            args.append([changes[i].get(column) for i in ids])
        await Ticket.raw(TICKET_BATCH_UPDATE_SQL, *args)

    async def _update_clocks(self, clocks: Sequence[ClockState]) -> None:
        if dialect() is not Dialect.POSTGRES:
            for clock in clocks:
                await update_clock(clock)
            return
        await SlaClock.raw(
            "UPDATE sla_clock AS c SET due_at = v.d, paused = v.p, stopped_at = v.s, breached_at = v.b, "
            "next_stage = v.n, next_fire_at = v.f FROM unnest({}::int[], {}::timestamptz[], {}::bool[], "
            "{}::timestamptz[], {}::timestamptz[], {}::int[], {}::timestamptz[]) AS v(id, d, p, s, b, n, f) "
            "WHERE c.id = v.id",
            [c.id for c in clocks],
            [c.due_at for c in clocks],
            [c.paused for c in clocks],
            [c.stopped_at for c in clocks],
            [c.breached_at for c in clocks],
            [c.next_stage for c in clocks],
            [c.next_fire_at for c in clocks],
        )

    async def _desk_id(self, slug: str) -> int:
        if slug not in self._desk_ids:
            row = await Desk.select(Desk.id).where(Desk.slug == slug).first()
            assert row is not None
            self._desk_ids[slug] = int(row["id"])
        return self._desk_ids[slug]

    async def clocks_of(self, reference: str) -> tuple[TicketContext, list[ClockState], list[Pause]] | None:
        row = await (
            Ticket.select(
                Ticket.id,
                Ticket.reference,
                Ticket.desk.slug.as_alias("desk"),
                Ticket.subject,
                Ticket.category,
                Ticket.state,
                Ticket.assignee,
                Ticket.flags,
            )
            .where(Ticket.reference == reference)
            .first()
        )
        if row is None:
            return None
        ticket = TicketContext(
            row["id"],
            row["reference"],
            row["desk"],
            row["subject"],
            row["category"],
            row["state"],
            row["assignee"],
            _json(row["flags"]),
        )
        clocks = await SlaClock.select().where(SlaClock.ticket == row["id"]).order_by(SlaClock.id)
        pauses = await pauses_of([row["id"]])
        return ticket, [clock_from_row(c) for c in clocks], pauses[row["id"]]

    async def firings_of(self, ticket_id: int) -> dict[tuple[int | None, str], str]:
        rows = await SlaFiring.select(SlaFiring.clock, SlaFiring.stage, SlaFiring.fired_at).where(
            SlaFiring.ticket == ticket_id
        )
        return {(r["clock"], r["stage"]): r["fired_at"].isoformat() for r in rows}


__all__ = ["PiccoloSlaStore", "clock_values", "due_columns", "update_clock"]
