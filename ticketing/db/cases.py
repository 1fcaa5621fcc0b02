"""The request workflow's rows of a ticket: read as a `Case`, written as the difference of a change.

A case change reads the ticket under its write lock (db/workflow.py), then its case; the service
decides; one plan writes the ticket's difference and the case's (new rows inserted, changed rows
updated) in the same transaction. Dates are ISO text on both engines.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from ticketing.db.engine import write_transaction
from ticketing.db.plan import Insert, Plan, Step, Update
from ticketing.db.plan_run import run
from ticketing.db.sla import clock_from_row
from ticketing.db.sql import Sql, in_transaction, reading
from ticketing.db.ticket_writes import change_plan, incident_values, request_row
from ticketing.db.values import loads
from ticketing.db.workflow import lock_snapshot
from ticketing.domain.clocks import ClockState
from ticketing.domain.decisions import Decision, DecisionStatus, Outcome
from ticketing.domain.documents import DocumentKind, ReceivedDocument
from ticketing.domain.fees import FeeStatus
from ticketing.domain.forwarding import Basis, Forwarding
from ticketing.domain.incidents import Duty, Incident
from ticketing.domain.procedure import RequesterKind
from ticketing.domain.referrals import InquiryOutcome, Material, Referral, ReferralKind
from ticketing.domain.requests import Case, FeePayment, FeeState, NoticeMethod, Result, TicketRequest
from ticketing.domain.tickets import RequestType
from ticketing.services.ports import CaseChange, CaseHead, CaseSnapshot

_BY_TICKET = "SELECT * FROM {table} WHERE ticket = :ticket ORDER BY id"
TICKET_ID = """
SELECT t.id, d.slug AS desk, t.requester_kind, t.person_birth_date, t.received_at, t.formal_request_at
FROM ticket t JOIN desk d ON d.id = t.desk WHERE t.reference = :reference
"""


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _request(row: Mapping[str, Any]) -> TicketRequest:
    return TicketRequest(
        RequestType(row["type"]),
        int(row["fee_yen"]),
        row["fee_instrument"],
        FeeState(row["fee_state"]),
        Result(row["result"]) if row["result"] else None,
        row["id"],
        NoticeMethod(row["notice_method"]) if row["notice_method"] else None,
        row["notice_sent_at"],
    )


def _document(row: Mapping[str, Any]) -> ReceivedDocument:
    received = _day(row["received_on"])
    assert received is not None
    return ReceivedDocument(
        DocumentKind(row["kind"]),
        received,
        _day(row["issued_on"]),
        _day(row["valid_until"]),
        bool(row["masked"]),
        row["id"],
    )


def _payment(row: Mapping[str, Any]) -> FeePayment:
    received = _day(row["received_on"])
    assert received is not None
    return FeePayment(
        int(row["amount_yen"]),
        row["instrument"],
        received,
        FeeStatus(row["status"]),
        _day(row["issued_on"]),
        bool(row["returned"]),
        row["id"],
    )


def _decision(row: Mapping[str, Any]) -> Decision:
    return Decision(
        Outcome(row["outcome"]),
        row["reason"],
        int(row["proposed_by"]),
        row["proposed_at"],
        DecisionStatus(row["status"]),
        row["decided_by"],
        row["decided_at"],
        row["note"],
        row["id"],
    )


def _referral(row: Mapping[str, Any]) -> Referral:
    materials = tuple(Material(m["name"], _instant(m.get("sent_at"))) for m in loads(row["materials"], []))
    return Referral(
        row["organisation"],
        ReferralKind(row["kind"]),
        row["received_at"],
        row["their_reference"],
        row["due_at"],
        materials,
        row["answered_at"],
        InquiryOutcome(row["outcome"]) if row["outcome"] else None,
        row["id"],
    )


def _forwarding(row: Mapping[str, Any]) -> Forwarding:
    return Forwarding(
        Basis(row["basis"]),
        row["partner"],
        row["partner_email"],
        row["summary"],
        row["sent_at"],
        row["answered_at"],
        row["answer"],
        row["id"],
    )


def _incident(row: Mapping[str, Any]) -> Incident:
    done = {Duty(k): _instant(v) for k, v in loads(row["done"], {}).items()}
    return Incident(
        row["known_at"],
        row["summary"],
        bool(row["improper_purpose"]),
        bool(row["processor"]),
        row["persons_affected"],
        done,
        row["id"],
    )


def _instant(value: Any) -> Any:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


async def read_case(sql: Sql, ticket_id: int) -> Case:
    params = {"ticket": ticket_id}

    async def rows(table: str) -> list[dict[str, Any]]:
        return await sql.fetch(_BY_TICKET.format(table=table), params)

    return Case(
        requests=tuple(_request(r) for r in await rows("ticket_request")),
        documents=tuple(_document(r) for r in await rows("request_document")),
        payments=tuple(_payment(r) for r in await rows("fee_payment")),
        decisions=tuple(_decision(r) for r in await rows("decision")),
        referrals=tuple(_referral(r) for r in await rows("referral")),
        forwardings=tuple(_forwarding(r) for r in await rows("forwarding")),
        incident=next((_incident(r) for r in await rows("incident")), None),
    )


def _referral_values(r: Referral) -> dict[str, Any]:
    return {
        "organisation": r.organisation,
        "kind": r.kind.value,
        "received_at": r.received_at,
        "their_reference": r.their_reference,
        "due_at": r.due_at,
        "materials": [{"name": m.name, "sent_at": m.sent_at.isoformat() if m.sent_at else None} for m in r.materials],
        "answered_at": r.answered_at,
        "outcome": r.outcome.value if r.outcome else None,
    }


def _decision_values(d: Decision) -> dict[str, Any]:
    return {
        "outcome": d.outcome.value,
        "reason": d.reason,
        "status": d.status.value,
        "proposed_by": d.proposed_by,
        "proposed_at": d.proposed_at,
        "decided_by": d.decided_by,
        "decided_at": d.decided_at,
        "note": d.note,
    }


def case_steps(ticket_id: int, before: Case, after: Case, actor_id: int | None, at: Any) -> list[Step]:
    """Rows the change adds (no id yet) and rows it changes; nothing is deleted."""
    steps: list[Step] = []
    old_requests = {r.id: r for r in before.requests}
    for r in after.requests:
        if r.id is None:
            steps.append(Insert("ticket_request", (request_row(ticket_id, r, at),)))
        elif old_requests.get(r.id) != r:
            values = {
                "fee_state": r.fee_state.value,
                "result": r.result.value if r.result else None,
                "notice_method": r.notice_method.value if r.notice_method else None,
                "notice_sent_at": r.notice_sent_at,
            }
            steps.append(Update("ticket_request", {**values, "updated_at": at}, {"id": r.id}))
    for d in after.documents:
        if d.id is None:
            row = {
                "ticket": ticket_id,
                "kind": d.kind.value,
                "received_on": _iso(d.received_on),
                "issued_on": _iso(d.issued_on),
                "valid_until": _iso(d.valid_until),
                "masked": d.masked,
                "recorded_by": actor_id,
                "created_at": at,
            }
            steps.append(Insert("request_document", (row,)))
    for p in after.payments:
        if p.id is None:
            row = {
                "ticket": ticket_id,
                "amount_yen": p.amount_yen,
                "instrument": p.instrument,
                "issued_on": _iso(p.issued_on),
                "received_on": _iso(p.received_on),
                "status": p.status.value,
                "returned": p.returned,
                "recorded_by": actor_id,
                "created_at": at,
            }
            steps.append(Insert("fee_payment", (row,)))
    old_decisions = {d.id: d for d in before.decisions}
    for decision in after.decisions:
        if decision.id is None:
            row = {"ticket": ticket_id, **_decision_values(decision)}
            steps.append(Insert("decision", (row,), name="decision"))
        elif old_decisions.get(decision.id) != decision:
            steps.append(Update("decision", _decision_values(decision), {"id": decision.id}))
    old_referrals = {r.id: r for r in before.referrals}
    for ref in after.referrals:
        values = _referral_values(ref)
        if ref.id is None:
            row = {"ticket": ticket_id, **values, "recorded_by": actor_id, "created_at": at}
            steps.append(Insert("referral", (row,), name="referral"))
        elif old_referrals.get(ref.id) != ref:
            steps.append(Update("referral", values, {"id": ref.id}))
    old_forwardings = {f.id: f for f in before.forwardings}
    for f in after.forwardings:
        values = {
            "basis": f.basis.value,
            "partner": f.partner,
            "partner_email": f.partner_email,
            "summary": f.summary,
            "sent_at": f.sent_at,
            "answered_at": f.answered_at,
            "answer": f.answer,
        }
        if f.id is None:
            row = {"ticket": ticket_id, **values, "recorded_by": actor_id, "created_at": at}
            steps.append(Insert("forwarding", (row,), name="forwarding"))
        elif old_forwardings.get(f.id) != f:
            steps.append(Update("forwarding", values, {"id": f.id}))
    if after.incident is not None and after.incident != before.incident:
        if after.incident.id is None:
            row = {"ticket": ticket_id, **incident_values(after.incident), "created_at": at}
            steps.append(Insert("incident", (row,)))
        else:
            steps.append(Update("incident", incident_values(after.incident), {"id": after.incident.id}))
    return steps


class PiccoloCaseStore:
    async def change(
        self, reference: str, decide: Callable[[CaseSnapshot], CaseChange]
    ) -> tuple[CaseChange, int | None]:
        """Decide on the locked ticket and its case; write both. Returns the change and the id of a
        decision or referral it added (None when it added neither)."""
        async with write_transaction():
            sql = in_transaction()
            locked = await lock_snapshot(sql, reference)
            case = await read_case(sql, locked.snapshot.id)
            change = decide(CaseSnapshot(locked.snapshot, case))
            plan = change_plan(locked.snapshot.ticket, change.ticket_change, locked.desk_id, locked.requester_id)
            extra = case_steps(
                locked.snapshot.id, case, change.case, change.ticket_change.actor_id, change.ticket_change.at
            )
            named = tuple(s.name for s in extra if isinstance(s, Insert) and s.name)
            ids = await run(sql, Plan((*plan.steps, *extra), returns=(*plan.returns, *named)))
            added = next((ids[n] for n in named if ids and n in ids), None)
            return change, added

    async def read(self, reference: str) -> tuple[CaseHead, Case, tuple[ClockState, ...]] | None:
        """The ticket's requester kind, case and clocks (for the staff views)."""
        async with reading() as sql:
            row = await sql.fetchrow(TICKET_ID, {"reference": reference})
            if row is None:
                return None
            ticket_id = int(row["id"])
            clocks = await sql.fetch(_BY_TICKET.format(table="sla_clock"), {"ticket": ticket_id})
            case = await read_case(sql, ticket_id)
            birth = row["person_birth_date"]
            head = CaseHead(
                row["desk"],
                RequesterKind(row["requester_kind"]),
                date.fromisoformat(birth) if birth else None,
                row["received_at"],
                row["formal_request_at"],
            )
            return head, case, tuple(clock_from_row(c) for c in clocks)

    async def reference_of_decision(self, decision_id: int) -> str | None:
        async with reading() as sql:
            row = await sql.fetchrow(
                "SELECT t.reference FROM decision d JOIN ticket t ON t.id = d.ticket WHERE d.id = :id",
                {"id": decision_id},
            )
            return None if row is None else str(row["reference"])

    async def pending_decisions(self, desks: Sequence[str]) -> list[dict[str, Any]]:
        async with reading() as sql:
            return await sql.fetch(
                "SELECT d.id, d.outcome, d.reason, d.proposed_at, t.reference, s.email AS proposed_by "
                "FROM decision d JOIN ticket t ON t.id = d.ticket JOIN desk k ON k.id = t.desk "
                "JOIN staff_user s ON s.id = d.proposed_by "
                "WHERE d.status = 'pending' AND k.slug = ANY(:desks::varchar[]) ORDER BY d.proposed_at, d.id",
                {"desks": list(desks)},
            )


__all__ = ["PiccoloCaseStore", "case_steps", "read_case"]
