import pytest

from projects.models import Project
from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.verification.factories import claim_body, monthly_evidence, project_for
from verification.models import Assessment, EvidenceItem, ReductionClaim

URL = "/api/reduction-data/"


def solar_body(
    project, *, kwh=70_000, kwp=50, period: tuple[str, str] = ("2024-01-01", "2024-12-31"), prefix="MTR", **extra
):
    return claim_body(
        project,
        period=period,
        parameters={"capacity_kwp": kwp, "generation_kwh": kwh},
        evidence=monthly_evidence(*period, kwh, prefix=prefix),
        **extra,
    )


@pytest.fixture
def review_everything(settings):
    """Route every sound claim to review, so these tests do not depend on the ledger issuing."""
    settings.VERIFICATION_REVIEW_SIZE_KG = 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("parameters", "field"),
    [
        ({"capacity_kwp": 50}, "parameters.generation_kwh"),
        ({"capacity_kwp": 0, "generation_kwh": 100}, "parameters.capacity_kwp"),
        ({"capacity_kwp": "lots", "generation_kwh": 100}, "parameters.capacity_kwp"),
        ({"capacity_kwp": 50, "generation_kwh": -1}, "parameters.generation_kwh"),
    ],
)
def test_malformed_solar_parameters_are_400_and_store_nothing(auth_client, user, parameters, field):
    project = project_for(user.organization)

    response = auth_client.post(URL, claim_body(project, parameters=parameters), format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not ReductionClaim.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("category", "parameters", "field"),
    [
        ("energy_efficiency", {"measure": "magic", "energy_carrier": "electricity", "baseline_kwh": 1, "post_kwh": 1},
         "parameters.measure"),
        ("recycling", {"material": "cardboard"}, "parameters.mass_kg"),
        ("fuel_switch", {"baseline_fuel": "diesel", "baseline_quantity": 10, "new_fuel": "diesel", "new_quantity": 1,
                         "unit": "litre"}, "parameters.new_fuel"),
        ("fuel_switch", {"baseline_fuel": "natural_gas", "baseline_quantity": 10, "new_fuel": "electricity",
                         "new_quantity": 1, "unit": "litre"}, "parameters.unit"),
    ],
)  # fmt: skip
def test_malformed_category_parameters_name_the_field(auth_client, user, category, parameters, field):
    project = project_for(user.organization, category=category, country="GB")

    response = auth_client.post(URL, claim_body(project, parameters=parameters), format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]


@pytest.mark.django_db
def test_malformed_evidence_names_the_item(auth_client, user):
    project = project_for(user.organization)
    body = solar_body(project)
    body["evidence"][1]["quantity"] = "abc"
    body["evidence"][2]["period_end"] = "2023-01-01"

    response = auth_client.post(URL, body, format="json")

    errors = response.json()["errors"]
    assert response.status_code == 400
    assert {"evidence.1.quantity", "evidence.2.period_end"} <= set(errors)
    assert not EvidenceItem.objects.exists()


@pytest.mark.django_db
def test_same_document_twice_in_one_claim_is_400(auth_client, user):
    body = solar_body(project_for(user.organization))
    body["evidence"][3]["reference"] = body["evidence"][0]["reference"].lower()

    response = auth_client.post(URL, body, format="json")

    assert response.status_code == 400
    assert "evidence.3.reference" in response.json()["errors"]


@pytest.mark.django_db
def test_other_organisations_project_is_404(auth_client):
    theirs = project_for(UserFactory.create().organization)

    response = auth_client.post(URL, solar_body(theirs), format="json")

    assert response.status_code == 404
    assert not ReductionClaim.objects.exists()


@pytest.mark.django_db
def test_period_must_be_past_and_after_project_start(auth_client, user):
    project = project_for(user.organization)
    project.start_date = project.start_date.replace(year=2024, month=6)
    project.save()

    early = auth_client.post(URL, solar_body(project), format="json")
    future_body = solar_body(project, period=("2024-07-01", "2024-07-31"))
    future_body["period_end"] = "2099-12-31"
    future = auth_client.post(URL, future_body, format="json")

    assert early.status_code == 400 and "period_start" in early.json()["errors"]
    assert future.status_code == 400 and "period_end" in future.json()["errors"]
    assert not ReductionClaim.objects.exists()


@pytest.mark.django_db
def test_suspended_project_cannot_claim(auth_client, user):
    project = project_for(user.organization, status=Project.Status.SUSPENDED)

    response = auth_client.post(URL, solar_body(project), format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "project_not_active"


@pytest.mark.django_db
def test_rejected_claim_is_stored_with_reasons_and_no_issuance(auth_client, user):
    project = project_for(user.organization, country="GB")

    response = auth_client.post(URL, solar_body(project, kwp=100, kwh=300_000), format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "rejected"
    assert data["issuance"] is None
    verification = data["verification"]
    assert verification["decision"] == "rejected"
    assert verification["screening_label"] == "automated screening"
    assert "solar_yield_above_physical_ceiling" in {r["code"] for r in verification["reasons"]}
    assert 0 <= float(verification["risk_score"]) <= 1 and isinstance(verification["risk_score"], str)
    assert verification["computed_reduction_kg"] == data["computed_reduction_kg"] == 96_000  # 300 MWh x 0.32
    assert verification["model_version"].startswith("screening-")
    assert verification["factors"][0]["source_url"].startswith("https://")
    assert Assessment.objects.get(claim_id=data["id"]).features["cat_solar"] == 1.0


@pytest.mark.django_db
def test_large_claim_waits_for_review(auth_client, user, review_everything):
    project = project_for(user.organization)

    response = auth_client.post(URL, solar_body(project), format="json")

    data = response.json()
    assert response.status_code == 201
    assert data["status"] == data["verification"]["decision"] == "needs_review"
    assert "large_claim" in {r["code"] for r in data["verification"]["reasons"]}
    assert data["issuance"] is None


@pytest.mark.django_db
def test_claims_list_shows_only_own_and_others_are_404(auth_client, user, review_everything):
    mine = auth_client.post(URL, solar_body(project_for(user.organization)), format="json").json()
    other = UserFactory.create()
    theirs = client_for(other).post(URL, solar_body(project_for(other.organization)), format="json").json()

    listed = auth_client.get(URL).json()

    assert [c["id"] for c in listed["results"]] == [mine["id"]]
    assert auth_client.get(f"{URL}{mine['id']}/").status_code == 200
    assert auth_client.get(f"{URL}{theirs['id']}/").status_code == 404


@pytest.mark.django_db
def test_claim_list_query_count_is_constant(user, review_everything, django_assert_max_num_queries):
    client = client_for(user)
    for year in (2023, 2024):
        project = project_for(user.organization)
        client.post(URL, solar_body(project, period=(f"{year}-01-01", f"{year}-12-31")), format="json")

    with django_assert_max_num_queries(4):
        response = client.get(URL)

    assert response.json()["count"] == 2


@pytest.mark.django_db
def test_claims_need_a_token(api_client):
    assert api_client.get(URL).status_code == 401
