"""Schemathesis against a real `ticketing serve`: every operation of /schema/openapi.json, no 5xx, and every
response as documented (status code, content type, body schema).

The server is a subprocess on the test database (conftest's `settings` and `container`: a fresh SQLite copy, or
PostgreSQL emptied), with a manager of both desks, its API token, two tickets, a participant and two inbound mails
(one on a ticket, one quarantined), so generated path parameters and body fields sometimes name things that exist.
One pytest test; schemathesis runs each operation as a subtest, with a fixed seed and a fixed budget.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import ticket_json
from tests.integration.test_cli import run
from tests.mailbuilder import make_mail
from tests.serving import running_server
from ticketing.domain.tickets import Action
from ticketing.settings import Settings

SEED = 20261124
MAX_EXAMPLES = 30  # per operation, fuzzing phase; the examples and coverage phases add their own few
MANAGER = "schemathesis@relia.test"
PARTICIPANT = "representative@example.test"
MALFORMED = Path(__file__).resolve().parents[1] / "fixtures" / "mail" / "malformed-no-from.eml"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _cli(settings: Settings, *args: str, stdin: str = "") -> str:
    r = run(settings, *args, stdin=stdin)
    assert r.returncode == 0, f"ticketing {' '.join(args)} failed:\n{r.stderr}"
    return r.stdout.strip()


def _seed_data(http: httpx.Client) -> dict[str, list[Any]]:
    """Real things for generated requests to hit: tickets on both desks, a participant, logged mail."""
    references = []
    for desk, language in (("relia", "en"), ("rext-cs", "ja")):
        r = http.post("/api/v1/tickets", json=ticket_json(desk=desk, language=language))
        assert r.status_code == 201, r.text
        references.append(r.json()["reference"])
    r = http.post(f"/api/v1/tickets/{references[0]}/participants", json={"email": PARTICIPANT, "name": "Rep"})
    assert r.status_code == 201, r.text
    r = http.get("/api/v1/mail", params=[("action", "created"), ("action", "quarantined")])
    assert r.status_code == 200, r.text
    inbound = [row["id"] for row in r.json()]
    assert len(inbound) == 2, r.json()
    return {
        **{field: [value] for field, value in ticket_json().items()},  # POST /tickets may make a real one
        "reference": references,
        "email": [PARTICIPANT],
        "inbound_id": inbound,
        "slug": ["relia", "rext-cs"],
        "desk": ["relia", "rext-cs"],
        "assignee": [MANAGER],
        "action": [a.value for a in Action],
        "review": ["dismissed", "released"],
    }


def _known_values_hooks(schema: Any, known: dict[str, list[Any]]) -> None:
    """Each generated path parameter or top-level body field with a known name may become a real value."""

    def swap(values: Any) -> st.SearchStrategy[Any]:
        if not isinstance(values, dict):  # no path parameters, or a body that is not an object
            return st.just(values)
        return st.fixed_dictionaries({k: st.sampled_from([v, *known.get(k, [])]) for k, v in values.items()})

    @schema.hook
    def flatmap_path_parameters(context: Any, path_parameters: Any) -> st.SearchStrategy[Any]:
        return swap(path_parameters)

    @schema.hook
    def flatmap_body(context: Any, body: Any) -> st.SearchStrategy[Any]:
        return swap(body)


@pytest.fixture
def api_schema(settings: Settings, container: object, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    """`ticketing serve` on the test database (emptied by `container`), and its OpenAPI loaded from it."""
    # schemathesis 4.32.5's from_fixture reads and renames `item._nodeid`, which pytest 9.2 no longer has
    # (the id is `item._id`, a NodeId): give this one item the plain attribute it expects.
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid
    if settings.database_url:
        _cli(settings, "migrate")
    add_user = f"user add {MANAGER} --role manager --desk relia rext-cs --password-stdin"
    _cli(settings, *add_user.split(), stdin="correct horse battery staple\n")
    token = _cli(settings, "token", "create", MANAGER).splitlines()[-1]
    (tmp_path / "mail.eml").write_bytes(make_mail())
    ingested = [
        json.loads(_cli(settings, "mail", "ingest", "--desk", "relia", str(m)))["action"]
        for m in (tmp_path / "mail.eml", MALFORMED)
    ]
    assert ingested == ["created", "quarantined"]
    with running_server(settings, tmp_path / "serve.log") as base:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=10) as http:
            known = _seed_data(http)
        config = SchemathesisConfig.from_dict(
            {
                "seed": SEED,
                "base-url": base,
                "headers": {"Authorization": f"Bearer {token}"},
                "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
            }
        )
        schema = schemathesis.openapi.from_url(f"{base}/schema/openapi.json", config=config, timeout=10)
        _known_values_hooks(schema, known)
        yield schema


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
def test_every_operation_answers_as_documented(case: Any) -> None:
    # Every request carries the manager's token, except the coverage phase's one probe per operation without the
    # Authorization header: the app must answer (and document) that too.
    case.call_and_validate(checks=CHECKS)
