"""Object-level authorisation: organisation A can neither read nor change organisation B's objects.

API.md: other organisations' private objects answer 404 — the same 404, body and all, as an id
that does not exist, so an id reveals nothing. Each row of ROWS is one endpoint that takes an id
(in the path or the body). Every row is also sent by the owner, who must succeed: that proves the
row names a real object of B's, so a row that tests nothing cannot pass. A new endpoint with an
id or an owner is one more row here (and one in LISTS if it has a list).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps

from ledger.models import CreditBlock
from marketplace.models import Listing
from reports.models import IssuedReport
from tests.conftest import client_for
from tests.security.conftest import MISSING_ID, MISSING_UUID, World
from tests.verification.test_claims_api import solar_body
from verification.models import ReductionClaim

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Row:
    name: str
    method: str
    path: str  # may hold "{id}"
    target: str  # the World attribute holding B's object
    body: Callable[[World, Any], dict] | None = None  # (world, id) -> request body
    owner_status: int = 200
    missing: Any = MISSING_ID

    def send(self, client, world: World, object_id: Any):
        path = self.path.format(id=object_id)
        body = self.body(world, object_id) if self.body else None
        return getattr(client, self.method)(path, body, format="json")


ROWS = [
    # --- reads -----------------------------------------------------------------------------
    Row("project", "get", "/api/projects/{id}/", "project"),
    Row("claim", "get", "/api/reduction-data/{id}/", "claim"),
    Row("emission report", "get", "/api/emissions/{id}/", "report"),
    Row("listing (seller's view)", "get", "/api/listings/{id}/", "listing"),
    Row("order", "get", "/api/orders/{id}/", "order", missing=MISSING_UUID),
    Row("transfer", "get", "/api/transfers/{id}/", "transfer", missing=MISSING_UUID),
    Row("certificate", "get", "/api/certificates/{id}/", "certificate"),
    Row("certificate pdf", "get", "/api/certificates/{id}/pdf/", "certificate"),
    Row("issued report", "get", "/api/reports/issued/{id}/", "issued_report"),
    Row("site", "get", "/api/sites/{id}/", "site"),
    Row("document", "get", "/api/documents/{id}/", "document"),
    Row("document file", "get", "/api/documents/{id}/file/", "document"),
    # --- changes -----------------------------------------------------------------------------
    Row("withdraw listing", "delete", "/api/listings/{id}/", "listing", owner_status=204),
    Row("change site", "patch", "/api/sites/{id}/", "site", body=lambda w, site: {"name": "Mine now"}),
    Row(
        "project on site",
        "post",
        "/api/projects/",
        "site",
        body=lambda w, site: {
            "title": "x",
            "category": "solar",
            "country": "IN",
            "start_date": "2024-01-01",
            "site": site,
        },
        owner_status=201,
    ),
    Row(
        "publish issued report",
        "patch",
        "/api/reports/issued/{id}/",
        "issued_report",
        body=lambda w, _: {"public": True},
    ),
    Row(
        "retire block",
        "post",
        "/api/retire/",
        "block",
        body=lambda w, block: {"block": block, "quantity_kg": 100, "beneficiary": "Mallory", "reason": "theft"},
        owner_status=201,
    ),
    Row(
        "list block",
        "post",
        "/api/listings/",
        "block",
        body=lambda w, block: {"block": block, "quantity_kg": 100, "price_per_tonne": "1.00"},
        owner_status=201,
    ),
    Row(
        "transfer block",
        "post",
        "/api/transfers/",
        "block",
        body=lambda w, block: {"block": block, "quantity_kg": 100, "to_organization": w.c.organization_id},
        owner_status=201,
    ),
    Row(
        "claim on project",
        "post",
        "/api/reduction-data/",
        "project",
        body=lambda w, project: {
            **solar_body(w.b.organization.projects.first(), period=("2023-01-01", "2023-12-31"), prefix="X"),
            "project": project,
        },
        owner_status=201,
    ),
    Row(
        "check emission report",
        "post",
        "/api/verify-emissions/",
        "report",
        body=lambda w, report: {"report": report},
    ),
]


def snapshot() -> dict[str, Any]:
    """Every project table's row count, and the state of what a request could move or close."""
    project_apps = {
        "accounts", "documents", "sites", "projects", "emissions", "ledger", "verification", "certificates",
        "marketplace", "reports",
    }  # fmt: skip
    return {
        "counts": {
            model._meta.label: model._default_manager.count()
            for model in apps.get_models()
            if model._meta.app_label in project_apps
        },
        "blocks": list(CreditBlock.objects.values_list("pk", "owner", "status", "serial_start", "serial_end")),
        "listings": list(Listing.objects.values_list("pk", "status", "quantity_available_kg")),
        "claims": list(ReductionClaim.objects.values_list("pk", "status")),
        "issued_reports": list(IssuedReport.objects.values_list("pk", "public")),
    }


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.name)
def test_another_organisations_object_is_404_like_a_missing_one_and_stays_untouched(world, row):
    attacker, owner = client_for(world.a), client_for(world.b)
    theirs = getattr(world, row.target)
    before = snapshot()

    response = row.send(attacker, world, theirs)
    missing = row.send(attacker, world, row.missing)

    assert response.status_code == 404, response.content
    assert snapshot() == before
    assert response.json() == missing.json()  # B's id reads exactly like an id nobody has
    assert str(theirs) not in response.content.decode()
    # The same request from the owner works, so this row really points at B's object.
    assert row.send(owner, world, theirs).status_code == row.owner_status


# (list endpoint, World attribute of one of B's objects it must show B and never A)
LISTS = [
    ("/api/projects/", "project"),
    ("/api/reduction-data/", "claim"),
    ("/api/emissions/", "report"),
    ("/api/holdings/", "block"),
    ("/api/listings/", "listing"),
    ("/api/orders/", "order"),
    ("/api/transfers/", "transfer"),
    ("/api/certificates/", "certificate"),
    ("/api/reports/issued/", "issued_report"),
    ("/api/sites/", "site"),
    ("/api/documents/", "document"),
]


def listed_ids(client, path: str) -> set[str]:
    response = client.get(path, {"page_size": 200})
    assert response.status_code == 200, response.content
    return {str(item["id"]) for item in response.json()["results"]}


@pytest.mark.parametrize(("path", "target"), LISTS, ids=[path for path, _ in LISTS])
def test_lists_never_show_another_organisations_objects(world, path, target):
    mine, theirs = listed_ids(client_for(world.a), path), listed_ids(client_for(world.b), path)

    assert str(getattr(world, target)) in theirs
    assert not mine & theirs


def test_the_dashboard_reports_only_the_organisations_own_activity(world):
    mine = client_for(world.a).get("/api/dashboard/").json()
    theirs = client_for(world.b).get("/api/dashboard/").json()

    own_seqs = {item["seq"] for item in mine["recent_activity"]}
    their_seqs = {item["seq"] for item in theirs["recent_activity"]}
    assert own_seqs and their_seqs
    assert not own_seqs & their_seqs
    assert mine["retired_kg"] == 100
    assert mine["holdings"]["listed_kg"] == 0  # B's listing reserves B's credits, not A's


def test_members_cannot_use_the_verifier_endpoints_even_with_a_real_claim_id(world):
    attacker = client_for(world.a)

    responses = [
        attacker.get("/api/verifications/"),
        attacker.get(f"/api/verifications/{world.claim}/"),
        attacker.post(f"/api/verifications/{world.claim}/approve/", {"note": ""}, format="json"),
        attacker.post(f"/api/verifications/{world.claim}/reject/", {"note": ""}, format="json"),
        attacker.get("/api/ledger/verify/"),
    ]

    assert [response.status_code for response in responses] == [403] * len(responses)
