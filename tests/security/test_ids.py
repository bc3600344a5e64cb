"""Finding 4: an id is a whole number, wherever it is sent — a JSON body, a path, a query string.

``{"to_organization": 1.9}`` used to name organisation 1. Every id (and every other integer) in a
body must now be a JSON integer: ``1.9``, ``1.0``, ``"1"`` and ``true`` are a 400 naming the field,
and nothing is written. A path segment that is not a positive bigint is a 404 (never a 500), and an
integer query parameter that is not written as one is a 400.

The schema-driven tests find every integer in every request body and every integer path and query
parameter of the OpenAPI schema, so a new endpoint is covered the day it is added; the table below
sends a complete, otherwise valid request with a real object's id made fractional, and proves with
the owner's own request that the row names a real object.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator

from core.ids import MAX_ID
from tests.conftest import client_for
from tests.security.conftest import World
from tests.security.test_idor import snapshot
from tests.verification.test_claims_api import solar_body

pytestmark = pytest.mark.django_db

# Values that are no JSON integer, though Python or DRF would read most of them as one.
NOT_INTEGERS = [1.9, 1.0, "1", "12", True, 1e3, "1e3", " 7 "]
# Integers that name no row: the id range is 1 .. 2^63 - 1 (a bigint).
OUT_OF_RANGE_IDS = [0, -1, 2**63, 2**64, -(2**63) - 1]


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def body_integers(schema: dict, node: dict, trail: tuple = ()) -> Iterator[tuple]:
    """The location of every integer in a request body schema: ``("evidence", 0, "quantity")``."""
    node = _resolve(schema, node)
    if node.get("type") == "integer":
        yield trail
    for name, child in node.get("properties", {}).items():
        yield from body_integers(schema, child, (*trail, name))
    if node.get("type") == "array" and "items" in node:
        yield from body_integers(schema, node["items"], (*trail, 0))
    for variant in node.get("oneOf", []) + node.get("allOf", []):
        yield from body_integers(schema, variant, trail)


def nest(trail: tuple, value: Any) -> Any:
    for step in reversed(trail):
        value = [value] if isinstance(step, int) else {step: value}
    return value


def integer_body_fields(schema: dict) -> list[tuple[str, str, tuple]]:
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if content:
                found += [(path, method, trail) for trail in body_integers(schema, content["schema"])]
    return found


def concrete(path: str) -> str:
    """The path with every parameter filled with an id that exists nowhere."""
    return (
        path.replace("{", "").replace("}", "").replace("public_id", "x").replace("id", "999999")
        if "{" in path
        else path
    )


def test_the_schema_walk_finds_the_known_id_fields(schema):
    """It cannot pass vacuously: the ids this finding was about are among what it walks."""
    fields = {(path, ".".join(map(str, trail))) for path, _, trail in integer_body_fields(schema)}

    assert {
        ("/api/transfers/", "to_organization"),
        ("/api/transfers/", "block"),
        ("/api/buy/", "listing"),
        ("/api/listings/", "block"),
        ("/api/retire/", "block"),
        ("/api/reduction-data/", "project"),
        ("/api/verify-emissions/", "report"),
        ("/api/reduction-data/", "claimed_reduction_kg"),
    } <= fields


def test_every_integer_in_every_request_body_refuses_what_is_no_json_integer(schema, verifier_client):
    accepted = []
    for path, method, trail in integer_body_fields(schema):
        name = ".".join(map(str, trail))
        for value in NOT_INTEGERS:
            response = getattr(verifier_client, method)(concrete(path), nest(trail, value), format="json")
            errors = response.json().get("errors", {}) if response.status_code == 400 else {}
            if response.status_code >= 500 or name not in errors:
                accepted.append(f"{method.upper()} {path} {name}={value!r}: {response.status_code}")

    assert not accepted


# --- complete requests with a real object's id made fractional --------------------------------------


@dataclass(frozen=True)
class IdRow:
    name: str
    path: str
    field: str
    id_of: Callable[[World], int]  # the real object's id
    body: Callable[[World], dict]  # a complete, valid body naming it
    sender: str = "b"  # the World user who may send it
    ok: int = 201


def claim_body(world: World) -> dict:
    project = world.b.organization.projects.first()
    return solar_body(project, period=("2023-01-01", "2023-12-31"), prefix="ID")


ID_ROWS = [
    IdRow("claim project", "/api/reduction-data/", "project", lambda w: w.project, claim_body),
    IdRow("check report", "/api/verify-emissions/", "report", lambda w: w.report, lambda w: {}, ok=200),
    IdRow("list block", "/api/listings/", "block", lambda w: w.block,
          lambda w: {"quantity_kg": 100, "price_per_tonne": "5.00"}),
    IdRow("buy listing", "/api/buy/", "listing", lambda w: w.listing, lambda w: {"quantity_kg": 100}, sender="a"),
    IdRow("transfer block", "/api/transfers/", "block", lambda w: w.block,
          lambda w: {"quantity_kg": 100, "to_organization": w.c.organization_id}),
    IdRow("transfer recipient", "/api/transfers/", "to_organization", lambda w: w.c.organization_id,
          lambda w: {"block": w.block, "quantity_kg": 100}),
    IdRow("retire block", "/api/retire/", "block", lambda w: w.block,
          lambda w: {"quantity_kg": 100, "beneficiary": "Acme", "reason": "scope 2"}),
]  # fmt: skip


def _send(world: World, row: IdRow, value: Any):
    client = client_for(getattr(world, row.sender))
    return client.post(row.path, {**row.body(world), row.field: value}, format="json")


@pytest.mark.parametrize("row", ID_ROWS, ids=lambda row: row.name)
def test_a_real_id_made_fractional_or_a_string_is_400_and_changes_nothing(world, row):
    real = row.id_of(world)
    before = snapshot()

    refused = {value: _send(world, row, value) for value in (real + 0.9, float(real), str(real), real - 0.1)}

    for value, response in refused.items():
        assert response.status_code == 400, (value, response.content)
        assert row.field in response.json()["errors"], (value, response.json())
    assert snapshot() == before
    # The same body with the id as a JSON integer works: the row names a real object.
    assert _send(world, row, real).status_code == row.ok


@pytest.mark.parametrize("row", ID_ROWS, ids=lambda row: row.name)
@pytest.mark.parametrize("value", OUT_OF_RANGE_IDS)
def test_an_id_outside_the_bigint_range_is_400(world, row, value):
    before = snapshot()

    response = _send(world, row, value)

    assert response.status_code == 400, response.content
    assert row.field in response.json()["errors"]
    assert snapshot() == before


# --- paths and query strings --------------------------------------------------------------------

BAD_PATH_IDS = ["1.5", "1e3", "0x1", "-1", "0", str(2**63), str(2**64), "9" * 40, "\uff11"]  # a fullwidth digit one


def id_paths(schema: dict) -> list[tuple[str, str, str]]:
    """(path, method, parameter) for every operation whose path takes an integer."""
    return [
        (path, method, parameter["name"])
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "path" and parameter["schema"].get("type") == "integer"
    ]


def test_every_integer_path_segment_that_is_no_bigint_is_404(schema, verifier_client):
    paths = id_paths(schema)
    assert any(path == "/api/certificates/{id}/" for path, _, _ in paths)  # the walk sees them all
    assert len(paths) >= 12
    wrong = []
    for path, method, parameter in paths:
        for value in BAD_PATH_IDS:
            url = path.replace("{" + parameter + "}", value)
            response = getattr(verifier_client, method)(url, {}, format="json")
            if response.status_code != 404:
                wrong.append(f"{method.upper()} {url}: {response.status_code}")

    assert not wrong


def test_the_largest_id_is_a_clean_404(verifier_client):
    for url in (f"/api/projects/{MAX_ID}/", f"/api/ledger/entries/{MAX_ID}/", f"/api/certificates/{MAX_ID}/"):
        assert verifier_client.get(url).status_code == 404


def test_every_integer_query_parameter_refuses_what_is_not_written_as_one(schema, verifier_client):
    checked, wrong = 0, []
    for path, operations in schema["paths"].items():
        if "{" in path or "get" not in operations:
            continue
        for parameter in operations["get"].get("parameters", []):
            if parameter["in"] != "query" or parameter["schema"].get("type") != "integer":
                continue
            if parameter["name"] in ("page", "page_size"):  # pagination: an unusable page is a 404
                continue
            for value in (
                "2024.5",
                "2024.0",
                "1e3",
                "0x7e8",
                "\uff12\uff10\uff12\uff14",
            ):  # the last: 2024 in fullwidth digits
                checked += 1
                response = verifier_client.get(path, {parameter["name"]: value})
                if response.status_code != 400 or parameter["name"] not in response.json().get("errors", {}):
                    wrong.append(f"{path}?{parameter['name']}={value}: {response.status_code}")

    assert checked  # ?vintage= on the marketplace at least
    assert not wrong
