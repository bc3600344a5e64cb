"""Mass assignment: fields a client must not set (owner, organisation, status, quantities, computed
figures, prices, parties) are ignored or refused when sent in a body — never stored. Each test
checks the stored row, not only the response."""

import pytest

from accounts.models import Organization, User
from certificates.models import RetirementCertificate
from emissions.models import EmissionReport
from marketplace.models import Listing, Order, Transfer
from projects.models import Project
from reports.models import IssuedReport
from tests.conftest import client_for
from tests.ledger.factories import issue
from tests.verification.factories import project_for
from tests.verification.test_claims_api import solar_body
from verification.models import ReductionClaim

pytestmark = pytest.mark.django_db


def test_register_cannot_make_staff_a_verifier_or_a_system_organisation(api_client):
    body = {
        "email": "eve@example.com",
        "password": "a-long-unusual-passphrase-42",
        "organization_name": "Eve Ltd",
        "country": "GB",
        "is_staff": True,
        "is_superuser": True,
        "is_verifier": True,
        "groups": [1],
        "kind": "registry",
        "organization": {"kind": "buffer_pool", "name": "CarbonCred Registry"},
    }

    assert api_client.post("/api/auth/register/", body, format="json").status_code == 201

    user = User.objects.get(email="eve@example.com")
    assert not (user.is_staff or user.is_superuser or user.is_verifier or user.groups.exists())
    assert user.organization.kind == Organization.Kind.MEMBER
    assert user.organization.name == "Eve Ltd"


def test_a_project_belongs_to_the_callers_organisation_and_starts_active(world):
    body = {
        "title": "Mine",
        "category": "solar",
        "country": "GB",
        "start_date": "2024-01-01",
        "owner": world.b.organization_id,
        "organization": world.b.organization_id,
        "status": "closed",
        "id": world.project,
        "created_at": "2000-01-01T00:00:00Z",
    }

    response = client_for(world.a).post("/api/projects/", body, format="json")

    assert response.status_code == 201
    project = Project.objects.get(pk=response.json()["id"])
    assert project.pk != world.project
    assert (project.owner_id, project.status) == (world.a.organization_id, "active")
    assert project.created_at.year > 2000


def test_a_claim_cannot_set_its_decision_or_its_computed_reduction(world, settings):
    settings.VERIFICATION_REVIEW_SIZE_KG = 1  # a sound claim waits for a verifier
    body = solar_body(project_for(world.a.organization)) | {
        "status": "approved",
        "computed_reduction_kg": 10**9,
        "submitted_by": world.b.pk,
        "decided_by": "verifier",
        "reviewed_by": world.b.pk,
        "verification": {"decision": "approved", "risk_score": 0},
        "issuance": {"quantity_kg": 10**9},
    }

    response = client_for(world.a).post("/api/reduction-data/", body, format="json")

    assert response.status_code == 201
    claim = ReductionClaim.objects.get(pk=response.json()["id"])
    assert (claim.status, claim.decided_by, claim.reviewed_by) == ("needs_review", "screening", None)
    assert claim.submitted_by == world.a
    assert claim.computed_reduction_kg < 100_000  # 70 MWh of Indian solar, by the formula
    assert not hasattr(claim, "issuance")


def test_an_emissions_report_computes_its_own_totals_scopes_and_factors(world):
    body = {
        "period_start": "2024-01-01",
        "period_end": "2024-01-31",
        "organization": world.b.organization_id,
        "total_kg": 1,
        "scope1_kg": 1,
        "scope2_kg": 0,
        "scope3_kg": 0,
        "lines": [
            {"activity": "electricity", "quantity": "10000", "unit": "kWh", "scope": 3, "emissions_kg": 1, "factor": 1}
        ],
    }

    response = client_for(world.a).post("/api/emissions/", body, format="json")

    assert response.status_code == 201
    report = EmissionReport.objects.get(pk=response.json()["id"])
    line = report.lines.get()
    assert report.organization_id == world.a.organization_id
    assert (line.scope, report.scope2_kg) == (2, report.total_kg)
    assert report.total_kg == line.emissions_kg > 1000  # 10 MWh of grid electricity is tonnes, not 1 kg


def test_a_listing_cannot_name_its_seller_status_or_sold_quantities(world):
    block = issue(owner=world.a.organization).owner_block
    body = {
        "block": block.pk,
        "quantity_kg": 300,
        "price_per_tonne": "12.00",
        "seller": world.b.organization_id,
        "status": "sold",
        "quantity_sold_kg": 300,
        "quantity_available_kg": 10**9,
        "project": world.project,
        "ledger_entry": 1,
    }

    response = client_for(world.a).post("/api/listings/", body, format="json")

    assert response.status_code == 201
    listing = Listing.objects.get(pk=response.json()["id"])
    assert (listing.seller_id, listing.status) == (world.a.organization_id, "open")
    assert (listing.quantity_kg, listing.quantity_sold_kg, listing.quantity_available_kg) == (300, 0, 300)
    assert listing.project_id == block.project_id


def test_a_purchase_pays_the_listing_price_and_belongs_to_the_buyer(world):
    body = {
        "listing": world.listing,
        "quantity_kg": 1000,
        "buyer": world.c.organization_id,
        "seller": world.a.organization_id,
        "price_per_tonne": "0.01",
        "total": "0.00",
        "fee": "0.00",
        "currency": "INR",
    }

    response = client_for(world.a).post("/api/buy/", body, format="json")

    assert response.status_code == 201, response.content
    order = Order.objects.get(pk=response.json()["id"])
    assert (order.buyer_id, order.seller_id) == (world.a.organization_id, world.b.organization_id)
    assert (str(order.price_per_tonne), str(order.total), order.currency) == ("10.00", "10.00", "USD")
    assert order.fee > 0


def test_a_transfer_is_sent_by_the_caller(world):
    block = issue(owner=world.a.organization).owner_block
    body = {
        "block": block.pk,
        "quantity_kg": 200,
        "to_organization": world.c.organization_id,
        "sender": world.b.organization_id,
        "from_organization": world.b.organization_id,
    }

    response = client_for(world.a).post("/api/transfers/", body, format="json")

    assert response.status_code == 201
    transfer = Transfer.objects.get(pk=response.json()["id"])
    assert (transfer.sender_id, transfer.recipient_id) == (world.a.organization_id, world.c.organization_id)


def test_a_retirement_certifies_what_the_ledger_retired_for_the_caller(world):
    block = issue(owner=world.a.organization).owner_block
    body = {
        "block": block.pk,
        "quantity_kg": 100,
        "beneficiary": "A's customer",
        "reason": "2024",
        "organization": world.b.organization_id,
        "serial": "CC-GB-000001-2025-1-1000000",
        "serial_start": 1,
        "serial_end": 1_000_000,
        "public_id": "chosen-by-me",
        "entry_hash": "0" * 64,
    }

    response = client_for(world.a).post("/api/retire/", body, format="json")

    assert response.status_code == 201
    certificate = RetirementCertificate.objects.get(pk=response.json()["certificate"]["id"])
    assert certificate.organization_id == world.a.organization_id
    assert certificate.quantity_kg == certificate.serial_end - certificate.serial_start + 1 == 100
    assert certificate.public_id != "chosen-by-me"
    assert certificate.entry_hash == certificate.ledger_entry.hash_hex


@pytest.mark.parametrize(
    "path",
    [
        "/api/projects/{project}/",
        "/api/reduction-data/{claim}/",
        "/api/emissions/{report}/",
        "/api/listings/{listing}/",
        "/api/certificates/{certificate}/",
        "/api/me/",
    ],
)
def test_objects_cannot_be_rewritten_through_put_or_patch(world, path):
    """No endpoint updates an object in place; the owner's PUT/PATCH is refused and changes nothing."""
    owner = client_for(world.b)
    url = path.format(project=world.project, claim=world.claim, report=world.report, listing=world.listing,
                      certificate=world.certificate)  # fmt: skip
    before = owner.get(url).json()
    hostile = {"status": "closed", "owner": world.a.organization_id, "quantity_kg": 1, "is_verifier": True}

    put, patch = owner.put(url, hostile, format="json"), owner.patch(url, hostile, format="json")

    # /api/me/ takes a PATCH of the person's own fields, and refuses every other field by name.
    assert (put.status_code, patch.status_code) == (405, 400 if path == "/api/me/" else 405)
    assert owner.get(url).json() == before


def test_publishing_an_issued_report_changes_nothing_but_public(user, auth_client):
    auth_client.get("/api/reports/ghg/pdf/", {"year": 2025})
    issued = IssuedReport.objects.get()
    other = Organization.objects.create(name="Mallory Ltd", country="GB")
    before = (issued.sha256, issued.year, issued.organization_id, issued.token, issued.fingerprint)

    body = {"public": True, "sha256": "0" * 64, "year": 2020, "organization": other.pk, "token": "mine"}
    response = auth_client.patch(f"/api/reports/issued/{issued.pk}/", body, format="json")

    assert response.status_code == 200
    issued.refresh_from_db()
    assert issued.public
    assert (issued.sha256, issued.year, issued.organization_id, issued.token, issued.fingerprint) == before
