"""Finding 9c: one rule for a quantity of credits in every body — a JSON integer of kilograms.

Some endpoints took ``"5000"`` and ``5000.0`` for a number of kilograms and others refused them.
Every ``*_kg`` integer of every request body now refuses both with a 400 naming the field
(``ledger.serializers.QuantityKgField``); ``tests/security/test_ids.py`` checks every integer of the
OpenAPI schema the same way. Decimal measurements (``generation_kwh``, an emission line's
``quantity``) stay decimals: a JSON number or a decimal string, as the API documents.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from tests.conftest import client_for
from tests.security.conftest import World
from tests.security.test_idor import snapshot
from tests.verification.test_claims_api import solar_body

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class QuantityRow:
    name: str
    path: str
    field: str
    body: Callable[[World], dict]
    sender: str = "b"


ROWS = [
    QuantityRow("claim", "/api/reduction-data/", "claimed_reduction_kg",
                lambda w: {**solar_body(w.b.organization.projects.first(), period=("2023-01-01", "2023-12-31"),
                                        prefix="QTY"), "project": w.project}),
    QuantityRow("listing", "/api/listings/", "quantity_kg", lambda w: {"block": w.block, "price_per_tonne": "5.00"}),
    QuantityRow("buy", "/api/buy/", "quantity_kg", lambda w: {"listing": w.listing}, sender="a"),
    QuantityRow("transfer", "/api/transfers/", "quantity_kg",
                lambda w: {"block": w.block, "to_organization": w.c.organization_id}),
    QuantityRow("retire", "/api/retire/", "quantity_kg",
                lambda w: {"block": w.block, "beneficiary": "Acme", "reason": "scope 2"}),
]  # fmt: skip


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.name)
def test_a_quantity_sent_as_a_string_or_a_float_is_refused_everywhere(world, row):
    client = client_for(getattr(world, row.sender))
    before = snapshot()

    for value in ("100", 100.0, "100.0", 100.5, True):
        response = client.post(row.path, {**row.body(world), row.field: value}, format="json")
        assert response.status_code == 400, (value, response.content)
        assert row.field in response.json()["errors"], (value, response.json())
    assert snapshot() == before
    # The same body with a JSON integer works.
    assert client.post(row.path, {**row.body(world), row.field: 100}, format="json").status_code == 201
