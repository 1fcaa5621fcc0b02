"""The published OpenAPI says what the API does: enums, required fields, formats, closed request
bodies and each operation's 4xx answers. A client built from the schema's required fields alone
creates a ticket."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import jsonschema_rs
import pytest

from ticketing.domain.decisions import DecisionStatus, Outcome
from ticketing.domain.documents import DocumentKind, Gap
from ticketing.domain.fees import FeeStatus, Instrument
from ticketing.domain.forwarding import Basis
from ticketing.domain.incidents import Duty
from ticketing.domain.procedure import RequesterKind
from ticketing.domain.referrals import InquiryOutcome, ReferralKind
from ticketing.domain.requests import FeeState, NoticeMethod, Result
from ticketing.domain.sla import ClockKind
from ticketing.domain.ticket import EventAction
from ticketing.domain.tickets import Action, Category, Channel, Language, RequestType, State
from ticketing.services.requests import LoggedChannel

# The 4xx each operation can answer (400: Litestar's for any parameter or body it cannot read).
ANSWERS = {
    ("get", "/api/v1/tickets"): {401},
    ("post", "/api/v1/tickets"): {400, 401, 403, 404, 413},
    ("get", "/api/v1/tickets/{reference}"): {400, 401, 404},
    ("post", "/api/v1/tickets/{reference}/requester/confirm"): {400, 401, 404},
    ("get", "/api/v1/tickets/{reference}/sla"): {400, 401, 404},
    ("post", "/api/v1/tickets/{reference}/transitions"): {400, 401, 404, 409, 413},
    ("post", "/api/v1/tickets/{reference}/replies"): {400, 401, 404, 413},
    ("put", "/api/v1/tickets/{reference}/assignee"): {400, 401, 404, 413},
    ("get", "/api/v1/tickets/{reference}/access"): {400, 401, 404},
    ("get", "/api/v1/tickets/{reference}/participants"): {400, 401, 404},
    ("post", "/api/v1/tickets/{reference}/participants"): {400, 401, 404, 413},
    ("delete", "/api/v1/tickets/{reference}/participants/{email}"): {400, 401, 404},
    ("get", "/api/v1/desks/{slug}/calendar/due"): {400, 401, 404},
    ("get", "/api/v1/desks/{slug}/calendar/elapsed"): {400, 401, 404},
    ("get", "/api/v1/mail"): {400, 401, 404},
    ("get", "/api/v1/mail/{inbound_id}"): {400, 401, 404},
    ("get", "/api/v1/mail/{inbound_id}/raw"): {400, 401, 404},
    ("post", "/api/v1/mail/{inbound_id}/review"): {400, 401, 404, 409, 413},
    ("post", "/api/v1/tickets/{reference}/requests"): {400, 401, 404, 409, 413},
    ("post", "/api/v1/tickets/{reference}/messages"): {400, 401, 404, 409, 413},
    ("post", "/api/v1/tickets/{reference}/documents"): {400, 401, 404, 409, 413},
    ("post", "/api/v1/tickets/{reference}/fee"): {400, 401, 404, 409, 413},
    ("post", "/api/v1/tickets/{reference}/decisions"): {400, 401, 404, 409, 413},
    ("post", "/api/v1/tickets/{reference}/referrals"): {400, 401, 404, 409, 413},
    ("patch", "/api/v1/tickets/{reference}/referrals/{referral_id}"): {400, 401, 404, 409, 413},
    ("post", "/api/v1/tickets/{reference}/forwardings"): {400, 401, 404, 409, 413},
    ("patch", "/api/v1/tickets/{reference}/forwardings/{forwarding_id}"): {400, 401, 404, 409, 413},
    ("post", "/api/v1/tickets/{reference}/incidents"): {400, 401, 404, 409, 413},
    ("post", "/api/v1/tickets/{reference}/incident/duties"): {400, 401, 404, 409, 413},
    ("get", "/api/v1/decisions"): {401, 403},
    ("get", "/api/v1/desks/{slug}/reports/annual"): {400, 401, 403, 404},
    ("get", "/api/v1/desks/{slug}/reports/sla"): {400, 401, 403, 404},
    ("post", "/api/v1/decisions/{decision_id}/approve"): {400, 401, 403, 404, 409, 413},
    ("post", "/api/v1/decisions/{decision_id}/send-back"): {400, 401, 403, 404, 409, 413},
}
VOCABULARIES: dict[str, type[StrEnum]] = {
    "Category": Category,
    "Channel": Channel,
    "Language": Language,
    "RequestType": RequestType,
    "State": State,
    "Action": Action,
    "EventAction": EventAction,
    "ClockKind": ClockKind,
    "DocumentKind": DocumentKind,
    "Gap": Gap,
    "Outcome": Outcome,
    "DecisionStatus": DecisionStatus,
    "ReferralKind": ReferralKind,
    "Instrument": Instrument,
    "FeeStatus": FeeStatus,
    "FeeState": FeeState,
    "Result": Result,
    "LoggedChannel": LoggedChannel,
    "RequesterKind": RequesterKind,
    "NoticeMethod": NoticeMethod,
    "InquiryOutcome": InquiryOutcome,
    "Basis": Basis,
    "Duty": Duty,
}
# Free strings a real client knows from elsewhere (the desks file), not from the schema.
KNOWN = {"desk": "relia"}


@pytest.fixture
async def spec(client) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    r = await client.get("/schema/openapi.json")
    assert r.status_code == 200
    return r.json()  # type: ignore[no-any-return]


def component(spec: dict[str, Any], name: str) -> dict[str, Any]:
    return spec["components"]["schemas"][name]  # type: ignore[no-any-return]


def validator(spec: dict[str, Any], name: str) -> Any:
    root = {"$ref": f"#/components/schemas/{name}", "components": spec["components"]}
    return jsonschema_rs.Draft202012Validator(root, validate_formats=True)


class RequiredOnly:
    """Fills a schema's required properties (and nothing else) with the simplest valid values."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            schema = component(self.spec, schema["$ref"].rsplit("/", 1)[1])
        return schema

    def value(self, name: str, schema: dict[str, Any]) -> Any:
        schema = self.resolve(schema)
        if name in KNOWN:
            return KNOWN[name]
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return schema["enum"][0]
        if "oneOf" in schema:
            arm = next(a for a in schema["oneOf"] if a.get("type") != "null")
            return self.value(name, {**{k: v for k, v in schema.items() if k != "oneOf"}, **arm})
        kind = schema["type"]
        if kind == "object":
            return self.object(schema)
        if kind == "array":
            return [self.value(name, schema["items"]) for _ in range(schema.get("minItems", 0))]
        if kind == "boolean":
            return False
        if kind == "integer":
            return schema.get("minimum", 0)
        assert kind == "string", schema
        if schema.get("format") == "email":
            return "someone@example.test"
        if schema.get("format") == "date-time":
            return "2026-11-24T10:00:00+09:00"
        assert "pattern" not in schema, f"{name}: no sample for a pattern"
        return "x" * max(schema.get("minLength", 1), 1)

    def object(self, schema: dict[str, Any]) -> dict[str, Any]:
        props = schema.get("properties", {})
        body = {name: self.value(name, props[name]) for name in schema.get("required", [])}
        for alternative in schema.get("anyOf", [])[:1]:  # one of the alternatives is enough: the first
            for name in alternative.get("required", []):
                body.setdefault(name, self.value(name, props[name]))
        condition = schema.get("if")
        if condition and jsonschema_rs.Draft202012Validator(condition).is_valid(body):
            for name in schema["then"].get("required", []):
                body.setdefault(name, self.value(name, {**props[name], **schema["then"]["properties"][name]}))
        return body


async def test_a_client_from_the_required_fields_alone_creates_a_ticket(client, relia_agent, spec):
    operation = spec["paths"]["/api/v1/tickets"]["post"]
    body_schema = operation["requestBody"]["content"]["application/json"]["schema"]
    body = RequiredOnly(spec).value("body", body_schema)
    assert set(body) == {"desk", "category", "subject", "message", "requester"}
    assert set(body["requester"]) == {"name", "email"}  # the name, and the first way to reach them
    assert validator(spec, "TicketCreate").is_valid(body)

    r = await client.post("/api/v1/tickets", json=body, headers=relia_agent.headers)
    assert r.status_code == 201, r.text
    assert validator(spec, "TicketCreated").is_valid(r.json())
    ticket = await client.get(f"/api/v1/tickets/{r.json()['reference']}", headers=relia_agent.headers)
    assert ticket.status_code == 200 and validator(spec, "TicketOut").is_valid(ticket.json())
    assert ticket.json()["category"] == body["category"] and ticket.json()["channel"] == "api"


async def test_each_required_field_is_required_by_the_api_too(client, relia_agent, spec):
    body = RequiredOnly(spec).value("body", {"$ref": "#/components/schemas/TicketCreate"})
    for name in component(spec, "TicketCreate")["required"]:
        partial = {k: v for k, v in body.items() if k != name}
        r = await client.post("/api/v1/tickets", json=partial, headers=relia_agent.headers)
        assert r.status_code == 400 and name in r.json()["errors"], (name, r.text)
    bare = {**body, "requester": {"name": "Taro"}}  # no way to reach them: refused as the schema says
    assert not validator(spec, "TicketCreate").is_valid(bare)
    assert (await client.post("/api/v1/tickets", json=bare, headers=relia_agent.headers)).status_code == 400
    request = {**body, "category": "request"}  # a request names its types
    assert not validator(spec, "TicketCreate").is_valid(request)
    assert (await client.post("/api/v1/tickets", json=request, headers=relia_agent.headers)).status_code == 400


async def test_request_bodies_refuse_unknown_fields_and_say_so(client, relia_agent, spec):
    bodies = {
        name: schema
        for name, schema in spec["components"]["schemas"].items()
        if name.endswith("In") or name == "TicketCreate"
    }
    assert bodies and all(schema["additionalProperties"] is False for schema in bodies.values()), bodies
    body = RequiredOnly(spec).value("body", {"$ref": "#/components/schemas/TicketCreate"})
    r = await client.post("/api/v1/tickets", json={**body, "priority": "high"}, headers=relia_agent.headers)
    assert r.status_code == 400 and "priority" in r.text


def test_every_vocabulary_is_the_domains_enum(spec):
    for name, enum in VOCABULARIES.items():
        assert component(spec, name)["enum"] == [member.value for member in enum], name
    create = component(spec, "TicketCreate")["properties"]
    assert create["category"] == {"$ref": "#/components/schemas/Category"}
    assert create["request_types"]["items"] == {"$ref": "#/components/schemas/RequestType"}
    assert component(spec, "ApiChannel")["enum"] == ["api", "phone", "post"]
    assert component(spec, "TransitionIn")["properties"]["action"] == {"$ref": "#/components/schemas/Action"}
    out = component(spec, "TicketOut")["properties"]
    for field, name in (("state", "State"), ("category", "Category"), ("channel", "Channel"), ("language", "Language")):
        assert out[field] == {"$ref": f"#/components/schemas/{name}"}, field
    assert component(spec, "EventOut")["properties"]["action"] == {"$ref": "#/components/schemas/EventAction"}
    assert component(spec, "ReviewIn")["properties"]["review"]["enum"] == ["dismissed", "released"]
    assert component(spec, "InboundOut")["properties"]["action"]["enum"] == [
        "created",
        "appended",
        "quarantined",
        "ignored",
    ]


def test_formats_and_response_fields(spec):
    requester = component(spec, "RequesterIn")["properties"]
    assert requester["email"]["format"] == "email"
    assert component(spec, "ParticipantIn")["properties"]["email"]["format"] == "email"
    assert component(spec, "TicketCreate")["properties"]["received_at"]["oneOf"][0]["format"] == "date-time"
    for name in ("TicketOut", "TicketListItem", "EventOut", "MessageOut", "ClockOut", "SlaOut"):
        schema = component(spec, name)
        assert sorted(schema["required"]) == sorted(schema["properties"]), f"{name}: every field is always sent"
        for field, prop in schema["properties"].items():
            if field.endswith("_at") or field in ("at", "now"):
                arms = prop.get("oneOf", [prop])
                assert arms[0]["format"] == "date-time", (name, field)


def test_each_operation_lists_its_4xx_answers(spec):
    found = {
        (method, path): {int(code) for code in op["responses"] if code.startswith("4")}
        for path, item in spec["paths"].items()
        for method, op in item.items()
    }
    assert found == ANSWERS
