"""Trust at issuance, through the API: each attack of issue 14 issues nothing automatically, and a
plausible claim of a verified organisation at a registered site is still approved at once.

Every organisation, site, project, document and claim here is made through the API, as an attacker
would make them. Sites are placed at real coordinates (Pune, India, unless a test says otherwise)."""

import datetime
import functools
import os
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import VerificationStatus
from ledger.audit import ledger_verify, replay
from ledger.models import LedgerEntry
from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.verification.concurrency import outcomes, race
from tests.verification.factories import NORTHERN_SOLAR_SHAPE, baseline_books, monthly_evidence
from verification.models import Assessment, ClaimIssuance, ClaimSlot, ReductionClaim

CLAIMS = "/api/reduction-data/"
PUNE = ("18.520400", "73.856700")
YEAR = ("2024-01-01", "2024-12-31")


def nearby(point: tuple[str, str], metres_north: float) -> tuple[str, str]:
    return (f"{Decimal(point[0]) + Decimal(metres_north) / Decimal(111_320):.6f}", point[1])


def far(n: int) -> tuple[str, str]:
    """Another site in Pune, n x 500 m east of the first: never within 50 m of another."""
    return (PUNE[0], f"{Decimal(PUNE[1]) + Decimal('0.005') * n:.6f}")


def new_client(status=VerificationStatus.VERIFIED, country="IN"):
    user = UserFactory.create(organization__country=country, organization__verification_status=status)
    return user, client_for(user)


def register_site(client, *, at=PUNE, meters=("MSEDCL-170010012345",), capacity="50", country="IN") -> dict:
    body = {
        "name": "Factory roof",
        "country": country,
        "latitude": at[0],
        "longitude": at[1],
        "meter_ids": list(meters),
        "capacity_kw": capacity,
    }
    response = client.post("/api/sites/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def create_project(client, *, site: int | None, category="solar", country="IN", start="2023-01-01") -> dict:
    body = {"title": f"{category} project", "category": category, "country": country, "start_date": start}
    if site is not None:
        body["site"] = site
    response = client.post("/api/projects/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def solar_claim(
    project: dict, *, prefix: str, kwh=70_000, kwp=50, period: tuple[str, str] = YEAR, shape=None, documents=None
) -> dict:
    months = int(period[1][5:7]) - int(period[0][5:7]) + 1
    first = int(period[0][5:7]) - 1
    weights = shape or NORTHERN_SOLAR_SHAPE[first : first + months]
    evidence = monthly_evidence(period[0], period[1], kwh, weights=weights, prefix=prefix)
    for item, document in zip(evidence, documents or [], strict=False):
        item["document"] = document
    return {
        "project": project["id"],
        "period_start": period[0],
        "period_end": period[1],
        "parameters": {"capacity_kwp": kwp, "generation_kwh": kwh},
        "evidence": evidence,
    }


def efficiency_claim(
    project: dict, *, prefix: str, baseline=200_000, post=140_000, measure="motor", baseline_items=True
):
    evidence = monthly_evidence(*YEAR, post, prefix=prefix)
    if baseline_items:
        evidence += monthly_evidence("2023-01-01", "2023-12-31", baseline, prefix=f"{prefix}-BASE")
    return {
        "project": project["id"],
        "period_start": YEAR[0],
        "period_end": YEAR[1],
        "parameters": {"measure": measure, "energy_carrier": "electricity", "baseline_kwh": baseline, "post_kwh": post},
        "evidence": evidence,
    }


def submit(client, body) -> dict:
    response = client.post(CLAIMS, body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def codes(claim: dict) -> set[str]:
    return {reason["code"] for reason in claim["verification"]["reasons"]}


def upload_csv(client, text: str) -> dict:
    file = SimpleUploadedFile("readings.csv", text.encode(), content_type="text/csv")
    response = client.post("/api/documents/", {"file": file, "kind": "meter_reading"}, format="multipart")
    assert response.status_code == 201, response.content
    return response.json()


def issued_claims() -> list[int]:
    return sorted(ClaimIssuance.objects.values_list("claim_id", flat=True))


# --- the happy path ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_verified_organisation_with_a_registered_site_gets_a_plausible_solar_claim_approved_at_once(
    api_client, django_capture_on_commit_callbacks
):
    _, client = new_client()
    site = register_site(client)
    project = create_project(client, site=site["id"])
    documents = [
        upload_csv(client, f"meter_id,unit,month,value\nMSEDCL-170010012345,kWh,2024-{m:02d},{os.urandom(3).hex()}\n")
        for m in range(1, 13)
    ]

    claim = submit(client, solar_claim(project, prefix="PUNE-MTR", documents=[d["id"] for d in documents]))

    assert site["status"] == "active"
    assert claim["status"] == "approved", claim["verification"]["reasons"]
    assert claim["site"] == site["id"] and claim["issuance"] is not None
    entry = LedgerEntry.objects.get(seq=claim["issuance"]["ledger_entry"]["seq"])
    assert entry.payload["documents"] == sorted(d["sha256"] for d in documents)
    assert ledger_verify().ok and replay().ok
    # The certificate of a retirement from these credits lists the evidence behind them, from the
    # issue entry once it is proven (the checkpoint stored as the retirement commits).
    with django_capture_on_commit_callbacks(execute=True):
        retired = client.post(
            "/api/retire/",
            {"block": claim["issuance"]["block"], "quantity_kg": 1_000, "beneficiary": "Sunrise", "reason": "2024"},
            format="json",
        )
    public_id = retired.json()["certificate"]["public_id"]
    verified = api_client.get(f"/api/certificates/verify/{public_id}/").json()
    page = api_client.get(f"/certificates/{public_id}/").content.decode()
    assert verified["valid"], verified["checks"]
    assert verified["certificate"]["evidence_documents"] == entry.payload["documents"]
    assert all(document["sha256"] in page for document in documents)


# --- one roof, one claim ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_same_roof_claimed_by_a_second_organisation_is_not_approved():
    """Attack: a second organisation registers a roof another has registered, and claims its output."""
    _, owner = new_client()
    first = submit(owner, solar_claim(create_project(owner, site=register_site(owner)["id"]), prefix="A-MTR"))
    _, intruder = new_client()
    site = register_site(intruder, at=nearby(PUNE, 15), meters=("MSEDCL-999",))
    project = create_project(intruder, site=site["id"])

    second = submit(intruder, solar_claim(project, prefix="B-MTR"))

    assert first["status"] == "approved"
    assert site["status"] == "under_review"
    assert second["status"] == "needs_review" and second["issuance"] is None
    assert "site_under_review" in codes(second)
    assert issued_claims() == [first["id"]]


@pytest.mark.django_db
def test_same_roof_registered_three_times_by_one_organisation_issues_once():
    """Attack: one new organisation registers its rooftop as three sites and claims each."""
    _, client = new_client()
    sites = [register_site(client, at=nearby(PUNE, 10 * n), meters=(f"MTR-{n}00001",)) for n in range(3)]
    claims = [
        submit(client, solar_claim(create_project(client, site=s["id"]), prefix=f"R{n}")) for n, s in enumerate(sites)
    ]

    assert [s["status"] for s in sites] == ["active", "under_review", "under_review"]
    assert [c["status"] for c in claims] == ["approved", "needs_review", "needs_review"]
    assert issued_claims() == [claims[0]["id"]]


@pytest.mark.django_db
def test_one_site_under_three_projects_earns_one_claim_per_period():
    _, client = new_client()
    site = register_site(client)
    claims = [submit(client, solar_claim(create_project(client, site=site["id"]), prefix=f"P{n}")) for n in range(3)]

    assert [c["status"] for c in claims] == ["approved", "rejected", "rejected"]
    assert all("site_period_overlap" in codes(c) for c in claims[1:])
    later = submit(
        client, solar_claim(create_project(client, site=site["id"]), prefix="NEXT", period=("2025-01-01", "2025-06-30"))
    )
    assert "site_period_overlap" not in codes(later), "the next period of the same site is free"


@pytest.mark.django_db
def test_a_project_without_a_site_or_on_a_rejected_site_is_never_approved(verifier_client):
    _, client = new_client()
    unsited = submit(client, solar_claim(create_project(client, site=None), prefix="NOSITE"))
    register_site(client)
    twin = register_site(client, at=nearby(PUNE, 5), meters=("MTR-TWIN-1",))
    verifier_client.post(f"/api/site-reviews/{twin['id']}/reject/", {"note": "same roof"}, format="json")
    on_rejected = submit(client, solar_claim(create_project(client, site=twin["id"]), prefix="REJ"))

    assert unsited["status"] == "needs_review" and "site_missing" in codes(unsited)
    assert on_rejected["status"] == "rejected" and "site_rejected" in codes(on_rejected)
    assert issued_claims() == []


@pytest.mark.django_db
def test_a_cleared_site_gets_its_claims_approved_again(verifier_client):
    _, owner = new_client()
    register_site(owner)
    _, neighbour = new_client()
    site = register_site(neighbour, at=nearby(PUNE, 30), meters=("MTR-NEXT-DOOR",))
    verifier_client.post(f"/api/site-reviews/{site['id']}/approve/", {"note": "next-door unit"}, format="json")

    claim = submit(neighbour, solar_claim(create_project(neighbour, site=site["id"]), prefix="ND"))

    assert claim["status"] == "approved", claim["verification"]["reasons"]


@pytest.mark.django_db
def test_a_solar_claim_above_the_sites_registered_capacity_waits_for_review():
    _, client = new_client()
    project = create_project(client, site=register_site(client, capacity="20")["id"])

    claim = submit(client, solar_claim(project, prefix="BIG", kwp=50))

    assert claim["status"] == "needs_review" and "capacity_above_site" in codes(claim)


# --- splitting ----------------------------------------------------------------------------------------------

# Pune, 1.5 MWp: about 1,400 kWh/kWp a year, fairly even over the months.
PLANT_KWP = 1_500
PLANT_SHAPE = [8, 9, 10, 10, 10, 8, 6, 6, 7, 8, 8, 8]
PLANT_YEAR_KWH = 2_100_000


def month_period(month: int) -> tuple[str, str]:
    last = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return f"2024-{month:02d}-01", f"2024-{month:02d}-{last}"


@pytest.mark.django_db
def test_a_1_5_mwp_plant_split_into_monthly_claims_issues_nothing_automatically():
    """Attack: a plant too large for automatic issuance claims its output month by month."""
    _, client = new_client()
    site = register_site(client, capacity=str(PLANT_KWP))
    monthly = [PLANT_YEAR_KWH * w // sum(PLANT_SHAPE) for w in PLANT_SHAPE]
    claims = [
        submit(
            client,
            solar_claim(
                create_project(client, site=site["id"]),
                prefix=f"M{month}",
                kwh=kwh,
                kwp=PLANT_KWP,
                period=month_period(month),
                shape=[1],
            ),
        )
        for month, kwh in enumerate(monthly, start=1)
    ]

    assert [c["status"] for c in claims] == ["needs_review"] * 12, [codes(c) for c in claims]
    assert all("large_claim" in codes(c) for c in claims)
    assert issued_claims() == []


@pytest.mark.django_db
def test_a_whole_year_and_its_months_get_the_same_decision():
    _, client = new_client()
    whole = submit(
        client,
        solar_claim(create_project(client, site=register_site(client, capacity=str(PLANT_KWP))["id"]), prefix="Y",
                    kwh=PLANT_YEAR_KWH, kwp=PLANT_KWP, shape=PLANT_SHAPE),
    )  # fmt: skip

    assert whole["status"] == "needs_review" and "large_claim" in codes(whole)


@pytest.mark.django_db
def test_a_small_plant_claiming_month_by_month_is_still_approved():
    _, client = new_client()
    site = register_site(client)
    monthly = [70_000 * w // sum(NORTHERN_SOLAR_SHAPE) for w in NORTHERN_SOLAR_SHAPE]
    project = create_project(client, site=site["id"])

    claims = [
        submit(client, solar_claim(project, prefix=f"S{month}", kwh=kwh, period=month_period(month), shape=[1]))
        for month, kwh in enumerate(monthly[:4], start=1)
    ]

    assert [c["status"] for c in claims] == ["approved"] * 4, [c["verification"]["reasons"] for c in claims]


# --- evidence reuse -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_relabelled_and_zero_padded_references_are_the_same_document():
    """Attack: the bills behind one claim back another, numbered INV-001 instead of INV-01 and labelled
    invoices instead of utility bills."""
    _, client = new_client()
    first = solar_claim(create_project(client, site=register_site(client)["id"]), prefix="INV")
    for n, item in enumerate(first["evidence"], start=1):
        item["reference"], item["kind"] = f"INV-{n:02d}", "utility_bill"
    submit(client, first)
    second = solar_claim(
        create_project(client, site=register_site(client, at=far(1), meters=("M2-000001",))["id"]), prefix="X"
    )
    for n, item in enumerate(second["evidence"], start=1):
        item["reference"], item["kind"] = (f"INV-{n:03d}" if n % 2 else f"inv {n}"), "invoice"

    reused = submit(client, second)
    _, other = new_client()
    third = solar_claim(
        create_project(other, site=register_site(other, at=far(2), meters=("M3-000001",))["id"]), prefix="Y"
    )
    for n, item in enumerate(third["evidence"], start=1):
        item["reference"] = f"INV {n:04d}"
    elsewhere = submit(other, third)

    assert reused["status"] == "rejected" and "evidence_reused" in codes(reused)
    assert elsewhere["status"] == "needs_review" and "evidence_reference_seen_elsewhere" in codes(elsewhere)
    assert len(issued_claims()) == 1


@pytest.mark.django_db
def test_one_uploaded_file_backs_one_live_claim():
    _, client = new_client()
    document = upload_csv(client, "meter_id,unit,value\nMTR,kWh,5833\n")
    first = solar_claim(
        create_project(client, site=register_site(client)["id"]), prefix="F1", documents=[document["id"]]
    )
    second = solar_claim(
        create_project(client, site=register_site(client, at=far(1), meters=("M2-000001",))["id"]), prefix="F2",
        documents=[document["id"]],
    )  # fmt: skip

    assert submit(client, first)["status"] == "approved"
    reused = submit(client, second)

    assert reused["status"] == "rejected" and "evidence_reused" in codes(reused)


@pytest.mark.django_db
def test_another_organisations_document_cannot_back_a_claim():
    _, owner = new_client()
    theirs = upload_csv(owner, "meter_id,unit,value\nMTR,kWh,1\n")
    _, client = new_client()
    body = solar_claim(create_project(client, site=register_site(client)["id"]), prefix="T", documents=[theirs["id"]])

    response = client.post(CLAIMS, body, format="json")

    assert response.status_code == 400 and "evidence.0.document" in response.json()["errors"]
    assert not ReductionClaim.objects.exists()


# --- energy counted once ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_same_meters_energy_cannot_back_a_second_category_in_the_same_period():
    """Attack: the solar output credited again as LED savings and as diesel replaced by solar."""
    user, client = new_client()
    site = register_site(client, meters=("MSEDCL-170010012345",))
    solar = submit(client, solar_claim(create_project(client, site=site["id"]), prefix="PV"))
    baseline_books(user.organization, carrier="electricity", kwh=250_000)
    led = submit(
        client, efficiency_claim(create_project(client, site=site["id"], category="energy_efficiency"), prefix="LED")
    )
    diesel = {
        "project": create_project(client, site=site["id"], category="fuel_switch")["id"],
        "period_start": YEAR[0],
        "period_end": YEAR[1],
        "parameters": {"baseline_fuel": "diesel", "baseline_quantity": 20_000, "unit": "litre", "new_fuel": "solar",
                       "new_quantity": 70_000},
        "evidence": monthly_evidence(*YEAR, 70_000, prefix="DG"),
    }  # fmt: skip
    switched = submit(client, diesel)
    # The same meter registered again on another site (of another organisation, far away).
    _, other = new_client()
    twin = register_site(other, at=far(3), meters=("msedcl 170010012345",))
    via_twin = submit(other, solar_claim(create_project(other, site=twin["id"]), prefix="TWIN"))

    assert solar["status"] == "approved"
    for claim in (led, switched, via_twin):
        assert claim["status"] == "rejected", claim["verification"]["reasons"]
        assert "site_period_overlap" in codes(claim)
    assert twin["status"] == "under_review"
    assert issued_claims() == [solar["id"]]


# --- unverified organisations ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_unverified_organisation_gets_at_most_the_cap_issued_automatically(settings):
    settings.UNVERIFIED_ISSUANCE_CAP_KG = 5_000
    _, client = new_client(status=VerificationStatus.UNVERIFIED)
    # 4,000 kWh in India: about 3.3 t computed, 2.9 t to the owner after the buffer.
    small = [
        submit(
            client,
            solar_claim(
                create_project(client, site=register_site(client, at=far(n), meters=(f"M{n}-123456",))["id"]),
                prefix=f"U{n}",
                kwh=4_000,
                kwp=3,
            ),
        )
        for n in range(2)
    ]

    assert small[0]["status"] == "approved", small[0]["verification"]["reasons"]
    assert small[1]["status"] == "needs_review" and "organization_unverified_cap" in codes(small[1])
    assert ClaimIssuance.objects.get().quantity_kg < 5_000


# --- baselines held to the books --------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("books_kwh", "baseline_items", "expected", "code"),
    [
        (210_000, True, "approved", None),
        (None, True, "needs_review", "baseline_not_in_reports"),
        (120_000, True, "needs_review", "baseline_above_reported_consumption"),
        (210_000, False, "needs_review", "baseline_evidence_missing"),
    ],
    ids=["held-to-the-books", "no-reports", "above-the-books", "no-baseline-evidence"],
)
def test_an_efficiency_baseline_is_held_to_the_organisations_books(books_kwh, baseline_items, expected, code):
    user, client = new_client()
    if books_kwh is not None:
        baseline_books(user.organization, carrier="electricity", kwh=books_kwh)
    project = create_project(client, site=register_site(client)["id"], category="energy_efficiency")

    claim = submit(client, efficiency_claim(project, prefix="VSD", baseline_items=baseline_items))

    assert claim["status"] == expected, claim["verification"]["reasons"]
    if code:
        assert code in codes(claim)


@pytest.mark.django_db
def test_a_baseline_of_another_length_than_the_monitoring_period_waits_for_review():
    user, client = new_client()
    baseline_books(user.organization, carrier="electricity", kwh=300_000)
    body = efficiency_claim(
        create_project(client, site=register_site(client)["id"], category="energy_efficiency"), prefix="Q"
    )
    body["evidence"] = [item for item in body["evidence"] if not item["period_start"].startswith("2023-0")]
    for item in body["evidence"]:  # three months of baseline bills, scaled to the claimed baseline
        if item["period_start"].startswith("2023"):
            item["quantity"] = str((Decimal(200_000) / 3).quantize(Decimal("0.001")))

    claim = submit(client, body)

    assert claim["status"] == "needs_review" and "baseline_period_mismatch" in codes(claim)


# --- retroactivity and crediting periods -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_claim_older_than_the_limit_or_past_the_crediting_period_waits_for_review(settings):
    from django.utils import timezone

    _, client = new_client()
    ended = timezone.localdate() - datetime.date(2024, 12, 31)
    settings.CLAIM_MAX_AGE_DAYS = ended.days - 1
    old = submit(client, solar_claim(create_project(client, site=register_site(client)["id"]), prefix="OLD"))
    settings.CLAIM_MAX_AGE_DAYS = ended.days + 1
    project = create_project(
        client, site=register_site(client, at=far(1), meters=("M1-000001",))["id"], start="2014-01-01"
    )
    lapsed = submit(client, solar_claim(project, prefix="LAPSED"))

    assert old["status"] == "needs_review" and "claim_too_old" in codes(old)
    assert lapsed["status"] == "needs_review" and "beyond_crediting_period" in codes(lapsed)
    assert "claim_too_old" not in codes(lapsed)


# --- what claimants see, and repeated rejections ---------------------------------------------------------------


@pytest.mark.django_db
def test_claimants_do_not_see_the_models_contributions_but_verifiers_do(verifier_client):
    _, client = new_client()
    claim = submit(client, solar_claim(create_project(client, site=register_site(client)["id"]), prefix="C"))
    fetched = client.get(f"{CLAIMS}{claim['id']}/").json()

    assert "contributions" not in claim["verification"] and "contributions" not in fetched["verification"]
    assert all("contribution" not in reason["detail"].lower() for reason in fetched["verification"]["reasons"])
    review = verifier_client.get(f"/api/verifications/{claim['id']}/").json()
    assert set(review["verification"]["contributions"]) >= {"key_ratio_log", "novelty"}
    assert review["verification"]["screening_context"]["trust"]["site_id"] == claim["site"]


@pytest.mark.django_db
def test_repeated_rejected_attempts_raise_the_risk_of_the_next_claims():
    _, client = new_client()
    site = register_site(client)
    for n in range(3):  # three impossible claims, each rejected (yield above the physical ceiling)
        rejected = submit(client, solar_claim(create_project(client, site=site["id"]), prefix=f"BAD{n}", kwh=400_000))
        assert rejected["status"] == "rejected"

    claim = submit(client, solar_claim(create_project(client, site=site["id"]), prefix="NEXT"))

    assessment = Assessment.objects.get(claim_id=claim["id"])
    assert assessment.context["trust"]["recent_rejections"] == 3
    assert Decimal(assessment.context["model_risk"]) < assessment.risk_score
    assert "recent_rejections" in codes(claim)


@pytest.mark.django_db
def test_replay_reproduces_a_trust_decision():
    from verification.services import assessment_replay

    _, owner = new_client()
    register_site(owner)
    _, client = new_client()
    claim = submit(
        client, solar_claim(create_project(client, site=register_site(client, at=nearby(PUNE, 20))["id"]), prefix="RP")
    )
    assessment = Assessment.objects.get(claim_id=claim["id"])

    replayed = assessment_replay(assessment=assessment)

    assert replayed.decision == assessment.decision == "needs_review"
    assert [r.as_json() for r in replayed.reasons] == assessment.reasons
    assert replayed.risk_score == assessment.risk_score


# --- races (PostgreSQL, real threads) --------------------------------------------------------------------------


def _race_claims(pairs):
    return race([functools.partial(client.post, CLAIMS, body, format="json") for client, body in pairs])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_racing_claims_on_one_site_exactly_one_survives():
    _, client = new_client()
    site = register_site(client)
    projects = [create_project(client, site=site["id"]) for _ in range(2)]

    responses = _race_claims([(client, solar_claim(project, prefix=f"R{n}")) for n, project in enumerate(projects)])

    assert outcomes(responses) == ["201", "201"], responses
    statuses = sorted(r.json()["status"] for r in responses)
    assert statuses == ["approved", "rejected"]
    loser = next(r.json() for r in responses if r.json()["status"] == "rejected")
    assert "site_period_overlap" in codes(loser)
    assert ReductionClaim.objects.exclude(status="rejected").count() == 1
    assert len(issued_claims()) == 1 and ledger_verify().ok and replay().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_organisations_racing_on_one_meter_exactly_one_holds_it(settings):
    """Two sites share a meter (the second is under review, so its claim waits for a verifier but holds
    the meter): the site locks do not serialise them; the claim slots' exclusion constraint does."""
    settings.VERIFICATION_REVIEW_SIZE_KG = 1  # both would wait for review: the race is about the meter
    clients = [new_client()[1] for _ in range(2)]
    sites = [register_site(client, at=far(n), meters=("MSEDCL-170010012345",)) for n, client in enumerate(clients)]
    bodies = [
        (client, solar_claim(create_project(client, site=site["id"]), prefix=f"O{n}"))
        for n, (client, site) in enumerate(zip(clients, sites, strict=True))
    ]

    responses = _race_claims(bodies)

    assert outcomes(responses) == ["201", "201"], responses
    assert sorted(r.json()["status"] for r in responses) == ["needs_review", "rejected"]
    assert ReductionClaim.objects.exclude(status="rejected").count() == 1
    live = ClaimSlot.objects.filter(active=True, key="meter:IN:msedcl170010012345")
    assert live.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_claims_of_an_unverified_organisation_cannot_both_fill_the_cap(settings):
    settings.UNVERIFIED_ISSUANCE_CAP_KG = 5_000
    _, client = new_client(status=VerificationStatus.UNVERIFIED)
    sites = [register_site(client, at=far(n), meters=(f"M{n}-123456",)) for n in range(2)]
    bodies = [
        (client, solar_claim(create_project(client, site=site["id"]), prefix=f"C{n}", kwh=4_000, kwp=3))
        for n, site in enumerate(sites)
    ]

    responses = _race_claims(bodies)

    assert sorted(r.json()["status"] for r in responses) == ["approved", "needs_review"]
    assert len(issued_claims()) == 1


@pytest.mark.django_db
def test_the_whole_journey_through_the_api(api_client, verifier_client):
    """Sign up, ask to be verified, be verified, register a site, claim, sell: all through the API."""
    body = {"email": "owner@pune-mills.example", "password": "correct-horse-battery", "organization_name": "Pune Mills",
            "country": "IN"}  # fmt: skip
    assert api_client.post("/api/auth/register/", body, format="json").status_code == 201
    token = api_client.post("/api/token/", {"email": body["email"], "password": body["password"]}, format="json")
    client = api_client.__class__()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.json()['access']}")
    extract = SimpleUploadedFile("extract.pdf", b"%PDF-1.4\n% Pune Mills Private Limited U17100MH2009PTC999999\n")
    document = client.post("/api/documents/", {"file": extract, "kind": "registration_extract"}, format="multipart")
    request = client.post(
        "/api/organization/verification/",
        {"legal_name": "Pune Mills Private Limited", "registration_number": "U17100MH2009PTC999999",
         "documents": [document.json()["id"]]},
        format="json",
    )  # fmt: skip
    organization_id = client.get("/api/me/").json()["organization"]["id"]
    verified = verifier_client.post(f"/api/organizations/{organization_id}/verify/", {"note": "ok"}, format="json")
    site = register_site(client)
    project = create_project(client, site=site["id"])

    claim = submit(client, solar_claim(project, prefix="PM"))
    listing = client.post(
        "/api/listings/", {"block": claim["issuance"]["block"], "quantity_kg": 1_000, "price_per_tonne": "11.00"},
        format="json",
    )  # fmt: skip
    seller = api_client.get("/api/marketplace/").json()["results"][0]["seller"]

    assert request.status_code == 202 and verified.status_code == 200
    assert claim["status"] == "approved", claim["verification"]["reasons"]
    assert listing.status_code == 201, listing.content
    assert seller == {"name": "Pune Mills", "country": "IN", "verification_status": "verified",
                      "registration_number": "U17100MH2009PTC999999"}  # fmt: skip
