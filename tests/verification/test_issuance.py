"""Issuance on approval, through the real ledger: the claim's `issuance`, the owner's holdings, the
buffer pool's block, the ledger's `issue` entry, and verify/replay — end to end through the API."""

import os
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Organization, buffer_pool
from ledger.audit import ledger_verify, replay
from ledger.models import CreditBlock, LedgerEntry
from ledger.services import credits_issue
from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.verification.cases import CASES, Case
from tests.verification.factories import baseline_books, monthly_evidence, project_for, solar_shape
from tests.verification.test_claims_api import URL
from verification import sampling, services
from verification.engine import ENGINE_VERSION
from verification.models import Assessment, ClaimIssuance, EvidenceItem, ReductionClaim

QUEUE = "/api/verifications/"
HONEST = [case for case in CASES if case.decision == "approved"]
REVIEW = next(case for case in CASES if case.name == "gb_hvac_70pct_review")


def ceil_tenth(kg: int) -> int:
    return -(-kg // 10)


def case_project(owner, case: Case):
    """A project for the case on a site of the owner's; an efficiency case's baseline year in its books."""
    if case.category == "energy_efficiency":
        carrier = case.parameters["energy_carrier"]
        baseline_books(owner, carrier=carrier, kwh=case.parameters["baseline_kwh"])
    return project_for(
        owner, category=case.category, country=case.country, latitude=case.latitude, longitude=case.longitude
    )


def case_body(project, case: Case, **extra) -> dict:
    return {
        "project": project.id,
        "period_start": case.period[0],
        "period_end": case.period[1],
        "parameters": case.parameters,
        "evidence": case.evidence,
        **extra,
    }


def with_receipts(client, evidence: list[dict]) -> list[dict]:
    """Each item with its uploaded weighbridge ticket (recycling is credited on the recycler's tickets)."""
    out = []
    for item in evidence:
        file = SimpleUploadedFile("ticket.csv", f"ticket,{item['reference']},{os.urandom(4).hex()}\n".encode(),
                                  content_type="text/csv")  # fmt: skip
        uploaded = client.post("/api/documents/", {"file": file, "kind": "weighbridge_ticket"}, format="multipart")
        assert uploaded.status_code == 201, uploaded.content
        out.append({**item, "document": uploaded.json()["id"]})
    return out


def submit(user, case: Case, **extra):
    """POST the case as a claim of a new project of the user's organisation."""
    client = client_for(user)
    body = case_body(case_project(user.organization, case), case, **extra)
    if case.category == "recycling":
        body["evidence"] = with_receipts(client, body["evidence"])
    return client.post(URL, body, format="json")


def issue_entries() -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(kind="issue").order_by("seq"))


def assert_ledger_sound() -> None:
    verified, replayed = ledger_verify(), replay()
    assert verified.ok, verified.problems
    assert replayed.ok, replayed.differences


def assert_issued(client, claim: dict, *, total_kg: int, country: str) -> None:
    """The claim's issuance agrees with the owner's holdings, the buffer pool's block and the ledger."""
    issuance = claim["issuance"]
    vintage = int(claim["period_end"][:4])
    owner_kg = total_kg - ceil_tenth(total_kg)
    assert issuance["total_kg"] == total_kg
    assert issuance["buffer_kg"] == ceil_tenth(total_kg)
    assert issuance["quantity_kg"] == owner_kg
    assert issuance["vintage"] == vintage
    assert issuance["serial"] == f"CC-{country}-{claim['project']:06d}-{vintage}-1-{owner_kg}"
    fee = (Decimal(owner_kg) * Decimal("0.50") / 1000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert issuance["minting_fee"] == str(fee)
    assert issuance["currency"] == "USD"

    holdings = client.get("/api/holdings/").json()["results"]
    assert [(h["id"], h["serial"], h["quantity_kg"], h["vintage"], h["status"]) for h in holdings] == [
        (issuance["block"], issuance["serial"], owner_kg, vintage, "available")
    ]
    buffer_block = CreditBlock.objects.get(pk=issuance["buffer_block"])
    assert buffer_block.owner == buffer_pool()
    assert buffer_block.quantity_kg == ceil_tenth(total_kg)
    assert buffer_block.serial_start == owner_kg + 1

    entries = issue_entries()
    assert len(entries) == 1
    entry = entries[0]
    assert issuance["ledger_entry"] == {"seq": entry.seq, "hash": entry.hash_hex}
    assert entry.payload["memo"]["claim"] == str(claim["id"])
    assert entry.payload["quantity_kg"] == total_kg
    assert entry.payload["buffer_kg"] == ceil_tenth(total_kg)
    assert {block["id"] for block in entry.payload["blocks"]} == {str(issuance["block"]), str(buffer_block.pk)}
    assert_ledger_sound()


@pytest.mark.django_db
@pytest.mark.parametrize("case", HONEST, ids=[c.name for c in HONEST])
def test_honest_claim_issues_credits_end_to_end(case):
    user = UserFactory.create()
    client = client_for(user)
    response = submit(user, case)

    assert response.status_code == 201, response.content
    claim = response.json()
    assert claim["status"] == "approved", claim["verification"]["reasons"]
    assert claim["issuance"] is not None
    assert_issued(client, claim, total_kg=claim["computed_reduction_kg"], country=case.country)
    assert client.get(f"{URL}{claim['id']}/").json()["issuance"] == claim["issuance"]
    public = client.get(f"/api/ledger/entries/{claim['issuance']['ledger_entry']['seq']}/").json()
    assert public["kind"] == "issue" and public["payload"]["to"] == str(user.organization_id)


@pytest.mark.django_db
def test_a_smaller_claimed_figure_is_what_is_issued(user):
    claim = submit(user, HONEST[0], claimed_reduction_kg=40_001).json()

    assert claim["status"] == "approved"
    assert claim["computed_reduction_kg"] > 40_001
    assert_issued(client_for(user), claim, total_kg=40_001, country="IN")


@pytest.mark.django_db
def test_a_larger_claimed_figure_is_capped_at_the_computed_one(user):
    claim = submit(user, HONEST[0], claimed_reduction_kg=10**9).json()

    assert claim["status"] == "approved", claim["verification"]["reasons"]
    assert "claimed_exceeds_computed" in {r["code"] for r in claim["verification"]["reasons"]}
    assert_issued(client_for(user), claim, total_kg=claim["computed_reduction_kg"], country="IN")


@pytest.mark.django_db
def test_vintage_is_the_year_the_monitoring_period_ends(user):
    period = ("2023-07-01", "2024-06-30")
    shape = solar_shape("IN")[6:] + solar_shape("IN")[:6]
    case = Case(
        "india_across_new_year",
        "solar",
        "IN",
        {"capacity_kwp": 50, "generation_kwh": 70_000},
        monthly_evidence(*period, 70_000, weights=shape),
        "approved",
        (57_000, 58_000),
        period=period,
    )

    claim = submit(user, case).json()

    assert claim["status"] == "approved", claim["verification"]["reasons"]
    assert claim["issuance"]["vintage"] == 2024
    assert CreditBlock.objects.filter(vintage=2024).count() == 2
    assert_issued(client_for(user), claim, total_kg=claim["computed_reduction_kg"], country="IN")


@pytest.mark.django_db
def test_issue_entry_memo_names_claim_methodology_and_screening_version(user, settings):
    before = sampling.period_of(timezone.now())
    claim = submit(user, HONEST[0]).json()
    after = sampling.period_of(timezone.now())

    memo = issue_entries()[0].payload["memo"]

    assessment = Assessment.objects.get(claim_id=claim["id"])
    rate = sampling.sampling_rate(
        assessment.risk_score,
        min_rate=settings.AUDIT_MIN_RATE,
        max_rate=settings.AUDIT_MAX_RATE,
        exponent=settings.AUDIT_CURVE_EXPONENT,
    )
    # What anyone needs to recheck the audit draw once the month's salt is published.
    assert memo.pop("audit_period") in {before, after}
    assert memo.pop("audit_rate") == str(rate)
    assert memo == {
        "claim": str(claim["id"]),
        "category": "solar",
        "methodology": "CDM AMS-I.D, grid-connected renewable electricity: ER = generation_kwh x EF_grid_CM_solar",
        "credit_type": "emission_reduction",
        "credit_type_label": "Emission reduction (grid electricity displaced), not a removal",
        "screening_version": f"automated screening {ENGINE_VERSION}, model {assessment.model_version}",
        "period_start": "2024-01-01",
        "period_end": "2024-12-31",
        "engine_version": ENGINE_VERSION,
        "model_version": assessment.model_version,
        "decided_by": "screening",
    }


@pytest.mark.django_db
def test_needs_review_issues_nothing_until_a_verifier_approves_then_exactly_once(user, verifier_client, verifier):
    client = client_for(user)
    claim = submit(user, REVIEW).json()
    assert claim["status"] == "needs_review"
    assert claim["issuance"] is None
    assert not CreditBlock.objects.exists() and not LedgerEntry.objects.exists()

    approved = verifier_client.post(f"{QUEUE}{claim['id']}/approve/", {"note": "bills checked"}, format="json")

    assert approved.status_code == 200, approved.content
    data = approved.json()
    assert data["decision"] == "approved"
    assert data["verification"]["review"]["reviewer"] == "CarbonCred verifier"  # a role, never the address
    mine = client.get(f"{URL}{claim['id']}/").json()
    assert mine["status"] == "approved"
    assert mine["issuance"] == data["issuance"]
    assert_issued(client, mine, total_kg=claim["computed_reduction_kg"], country="GB")
    assert issue_entries()[0].payload["memo"]["decided_by"] == "verifier"

    again = verifier_client.post(f"{QUEUE}{claim['id']}/approve/", {"note": "twice"}, format="json")
    reject = verifier_client.post(f"{QUEUE}{claim['id']}/reject/", {"note": "changed my mind"}, format="json")

    assert again.status_code == reject.status_code == 409
    assert again.json()["code"] == "claim_not_pending"
    assert len(issue_entries()) == 1
    assert ClaimIssuance.objects.count() == 1
    assert ReductionClaim.objects.get(pk=claim["id"]).status == "approved"


@pytest.mark.django_db
def test_rejecting_a_claim_that_needs_review_issues_nothing(user, verifier_client):
    claim = submit(user, REVIEW)

    response = verifier_client.post(f"{QUEUE}{claim.json()['id']}/reject/", {"note": "no"}, format="json")

    assert response.status_code == 200
    assert response.json()["issuance"] is None
    assert not ClaimIssuance.objects.exists()
    assert not CreditBlock.objects.exists() and not LedgerEntry.objects.exists()


@pytest.mark.django_db
def test_own_organisation_cannot_approve_and_nothing_is_issued(user):
    claim = submit(user, REVIEW)
    colleague = UserFactory.create(organization=user.organization, verifier=True)

    response = client_for(colleague).post(f"{QUEUE}{claim.json()['id']}/approve/", {"note": "ours"}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "conflict_of_interest"
    assert not LedgerEntry.objects.exists()
    assert ReductionClaim.objects.get().status == "needs_review"


@pytest.mark.django_db
def test_a_failure_after_the_ledger_entry_rolls_the_whole_submission_back(user, monkeypatch):
    def broken(quantity_kg):
        raise RuntimeError("fee service down")

    monkeypatch.setattr(services, "minting_fee_for", broken)

    with pytest.raises(RuntimeError, match="fee service down"):
        submit(user, HONEST[0])

    assert not ReductionClaim.objects.exists()
    assert not EvidenceItem.objects.exists() and not Assessment.objects.exists()
    assert not CreditBlock.objects.exists() and not LedgerEntry.objects.exists()


@pytest.mark.django_db
def test_a_failed_issuance_leaves_the_claim_pending(user, verifier_client, monkeypatch):
    claim = submit(user, REVIEW)

    def broken(quantity_kg):
        raise RuntimeError("fee service down")

    monkeypatch.setattr(services, "minting_fee_for", broken)
    with pytest.raises(RuntimeError):
        verifier_client.post(f"{QUEUE}{claim.json()['id']}/approve/", {"note": ""}, format="json")

    stored = ReductionClaim.objects.get()
    assert (stored.status, stored.reviewed_by) == ("needs_review", None)
    assert not LedgerEntry.objects.exists() and not CreditBlock.objects.exists()


@pytest.mark.django_db
def test_database_allows_one_issuance_per_claim(user):
    claim = submit(user, HONEST[0])
    first = ClaimIssuance.objects.get()
    extra = credits_issue(project=first.owner_block.project, vintage=2024, quantity_kg=100)

    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimIssuance.objects.create(
            claim_id=claim.json()["id"],
            owner_block=extra.owner_block,
            buffer_block=extra.buffer_block,
            ledger_entry=extra.entry,
            serial=extra.owner_block.serial,
            quantity_kg=90,
            buffer_kg=10,
            vintage=2024,
            minting_fee=Decimal("0.05"),
            currency="USD",
        )


@pytest.mark.django_db
def test_zero_buffer_share_issues_everything_to_the_owner(user, settings):
    settings.CREDIT_BUFFER_SHARE = Decimal(0)

    claim = submit(user, HONEST[0])

    issuance = claim.json()["issuance"]
    assert issuance["buffer_kg"] == 0 and issuance["buffer_block"] is None
    assert issuance["quantity_kg"] == issuance["total_kg"] == claim.json()["computed_reduction_kg"]
    assert not CreditBlock.objects.filter(owner__kind=Organization.Kind.BUFFER_POOL).exists()
    assert_ledger_sound()


@pytest.mark.django_db
@pytest.mark.parametrize(("claimed", "status", "field"), [(1, 400, None), (0, 400, "claimed_reduction_kg")])
def test_a_claim_too_small_to_issue_is_400_and_stores_nothing(user, claimed, status, field):
    response = submit(user, HONEST[0], claimed_reduction_kg=claimed)

    assert response.status_code == status, response.content
    if field:
        assert field in response.json()["errors"]
    else:
        assert response.json()["code"] == "claim_too_small"
    assert not ReductionClaim.objects.exists() and not LedgerEntry.objects.exists()


@pytest.mark.parametrize(
    ("owner_kg", "per_tonne", "fee"),
    [
        (1_230, "0.50", "0.62"),
        (1_229, "0.50", "0.61"),
        (51_390, "0.50", "25.70"),
        (1, "0.50", "0.00"),
        (999, "7.25", "7.24"),
    ],
)
def test_minting_fee_is_per_owner_tonne_rounded_half_up_to_cents(settings, owner_kg, per_tonne, fee):
    settings.MINTING_FEE_PER_TONNE = Decimal(per_tonne)

    assert services.minting_fee_for(owner_kg) == Decimal(fee)


@pytest.mark.django_db
def test_rejected_screening_issues_nothing(user):
    case = next(c for c in CASES if c.name == "gb_100kwp_300mwh")

    response = submit(user, case)

    assert response.json()["status"] == "rejected"
    assert response.json()["issuance"] is None
    assert not CreditBlock.objects.exists() and not LedgerEntry.objects.exists()


@pytest.mark.django_db
def test_claim_lists_with_issuances_keep_a_constant_query_count(user, verifier_client, django_assert_max_num_queries):
    client = client_for(user)
    case = HONEST[0]
    for n in range(3):
        evidence = monthly_evidence(*case.period, 70_000, weights=solar_shape(case.country), prefix=f"P{n}")
        project = case_project(user.organization, case)
        client.post(URL, {**case_body(project, case), "evidence": evidence}, format="json")
    submit(user, REVIEW)
    assert ClaimIssuance.objects.count() == 3

    with django_assert_max_num_queries(4):
        mine = client.get(URL).json()
    with django_assert_max_num_queries(5):
        queue = verifier_client.get(QUEUE).json()

    assert mine["count"] == queue["count"] == 4
    assert sum(1 for claim in mine["results"] if claim["issuance"]) == 3
    assert sum(1 for claim in queue["results"] if claim["issuance"]) == 3


@pytest.mark.django_db
def test_recycling_without_the_recyclers_tickets_is_not_credited_and_with_them_is_avoided_emissions(user):
    case = next(c for c in CASES if c.name == "gb_cardboard_20t")
    client = client_for(user)

    bare = client.post(URL, case_body(case_project(user.organization, case), case), format="json").json()
    ticketed = submit(user, case).json()

    assert bare["status"] == "rejected"
    assert "recycling_receipts_missing" in {r["code"] for r in bare["verification"]["reasons"]}
    assert ticketed["status"] == "approved", ticketed["verification"]["reasons"]
    assert ticketed["credit_type"] == "avoided_emissions"
    memo = issue_entries()[-1].payload["memo"]
    assert memo["credit_type"] == "avoided_emissions"
    assert "not a removal" in memo["credit_type_label"]
    retired = client.post(
        "/api/retire/",
        {"block": ticketed["issuance"]["block"], "quantity_kg": 100, "beneficiary": "Us", "reason": "2024"},
        format="json",
    ).json()
    certificate = client.get(f"/api/certificates/verify/{retired['certificate']['public_id']}/").json()
    assert certificate["certificate"]["credit_type"] == "avoided_emissions"
    page = client.get(f"/certificates/{retired['certificate']['public_id']}/").content.decode()
    assert "Avoided emissions (landfill emissions avoided by recycling), not a removal" in page
