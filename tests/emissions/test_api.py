import json
from datetime import date

import pytest

from emissions.models import EmissionCheck, EmissionFactor, EmissionReport
from emissions.services import emission_factor_revise
from tests.accounts.factories import OrganizationFactory, UserFactory
from tests.conftest import client_for
from tests.emissions.factories import EmissionReportFactory, line

URL = "/api/emissions/"

BODY = {
    "period_start": "2025-01-01",
    "period_end": "2025-03-31",
    "lines": [
        {"activity": "electricity", "quantity": 100000, "unit": "kWh"},
        {"activity": "diesel", "quantity": "1000", "unit": "L"},
        {"activity": "flight_long_haul", "quantity": "20000.0", "unit": "passenger-km"},
    ],
}


def post(client, body):
    return client.post(URL, body, format="json")


def test_create_answers_the_contract_shape_with_exact_totals(auth_client, user):
    response = post(auth_client, BODY)

    assert response.status_code == 201
    body = response.json()
    assert {"id", "total_kg", "scope1_kg", "scope2_kg", "scope3_kg", "lines"} <= body.keys()
    assert (body["scope1_kg"], body["scope2_kg"], body["scope3_kg"]) == (2_571, 17_700, 3_056)
    assert body["total_kg"] == 23_327
    assert body["organization"] == user.organization_id
    electricity, diesel, flight = body["lines"]
    assert electricity == {
        "activity": "electricity",
        "quantity": "100000",
        "unit": "kWh",
        "region": "GB",
        "scope": 2,
        "conversion": "1",
        "emissions_kg": 17_700,
        "emissions_exact": "17700",
        "factor": {
            "id": EmissionFactor.objects.get(activity="electricity", region="GB", is_current=True).pk,
            "version": 1,
            "value": "0.177",
            "unit": "kWh",
            "source": "UK DESNZ GHG Conversion Factors for Company Reporting 2025, condensed set v1 (AR5 GWP100)",
            "year": 2025,
            "region": "GB",
            "source_url": "https://www.gov.uk/government/publications/greenhouse-gas-reporting-conversion-factors-2025",
            "licence": "Open Government Licence v3.0",
            "match": "region",
            "label": "Factor for United Kingdom, 2025.",
            "fallback": False,
        },
    }
    assert (diesel["unit"], diesel["scope"], diesel["emissions_kg"], diesel["emissions_exact"]) == (
        "litres",
        1,
        2_571,
        "2570.82",
    )
    assert (flight["unit"], flight["scope"], flight["factor"]["value"]) == ("passenger_km", 3, "0.15282")
    stored = EmissionReport.objects.get(pk=body["id"])
    assert (stored.organization_id, stored.total_kg, stored.lines.count()) == (user.organization_id, 23_327, 3)


def test_organisation_comes_from_the_token_not_the_body(auth_client, user):
    other = OrganizationFactory.create()

    response = post(auth_client, {**BODY, "organization": other.pk})

    assert response.status_code == 201
    assert EmissionReport.objects.get().organization_id == user.organization_id


def test_json_number_with_decimals_is_read_exactly(auth_client):
    raw = (
        '{"period_start": "2025-01-01", "period_end": "2025-01-31", '
        '"lines": [{"activity": "electricity", "quantity": 12345.6789, "unit": "kWh"}]}'
    )

    response = auth_client.post(URL, raw, content_type="application/json")

    assert response.status_code == 201
    assert response.json()["lines"][0]["quantity"] == "12345.6789"
    assert response.json()["lines"][0]["emissions_exact"] == "2185.1851653"


def test_fallback_region_is_labelled_in_the_response(auth_client):
    body = {**BODY, "lines": [{"activity": "electricity", "quantity": "1000", "unit": "kWh", "region": "pe"}]}

    response = post(auth_client, body)

    assert response.status_code == 201
    factor = response.json()["lines"][0]["factor"]
    assert (factor["region"], factor["match"], factor["fallback"]) == ("WORLD", "grid_average", True)
    assert factor["label"].startswith("FALLBACK: the grid of PE is not in the factor table")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lines": [{"activity": "electricity", "quantity": "-5", "unit": "kWh"}]}, "lines.0.quantity"),
        ({"lines": [{"activity": "electricity", "quantity": "abc", "unit": "kWh"}]}, "lines.0.quantity"),
        ({"lines": [{"activity": "electricity", "quantity": "1.00001", "unit": "kWh"}]}, "lines.0.quantity"),
        ({"lines": [{"activity": "electricity", "quantity": True, "unit": "kWh"}]}, "lines.0.quantity"),
        ({"lines": [{"activity": "electricity", "quantity": "99999999999", "unit": "MWh"}]}, "lines.0.quantity"),
        ({"lines": [{"activity": "teleport", "quantity": "1", "unit": "kWh"}]}, "lines.0.activity"),
        ({"lines": [{"activity": "diesel", "quantity": "1", "unit": "kWh"}]}, "lines.0.unit"),
        ({"lines": [{"activity": "diesel", "quantity": "1", "unit": "gallons"}]}, "lines.0.unit"),
        ({"lines": [{"activity": "diesel", "quantity": "1", "unit": "l", "region": "XX"}]}, "lines.0.region"),
        ({"lines": []}, "lines"),
        ({"period_end": "2024-12-31"}, "period_end"),
        ({"period_start": "not a date"}, "period_start"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(auth_client, change, field):
    response = post(auth_client, {**BODY, **change})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["errors"]) == [field]
    assert field in body["detail"]
    assert not EmissionReport.objects.exists()


def test_a_bad_third_line_of_five_leaves_nothing(auth_client):
    good = {"activity": "electricity", "quantity": "10", "unit": "kWh"}
    missing_grid_losses = {"activity": "electricity_td_losses", "quantity": "10", "unit": "kWh", "region": "IN"}

    response = post(auth_client, {**BODY, "lines": [good, good, missing_grid_losses, good, good]})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["lines.2.region"]
    assert "No electricity_td_losses factor per kWh is loaded for IN" in response.json()["detail"]
    assert not EmissionReport.objects.exists()


def test_anonymous_requests_are_401(api_client):
    assert post(api_client, BODY).status_code == 401
    assert api_client.get(URL).status_code == 401
    assert api_client.post("/api/verify-emissions/", {"report": 1}, format="json").status_code == 401


def test_list_shows_only_own_reports(auth_client, user):
    mine = EmissionReportFactory.create(organization=user.organization)
    EmissionReportFactory.create()

    response = auth_client.get(URL)

    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert [report["id"] for report in response.json()["results"]] == [mine.pk]
    assert response.json()["results"][0]["lines"][0]["emissions_kg"] == 1_770


def test_other_organisations_report_is_404(auth_client):
    theirs = EmissionReportFactory.create()

    response = auth_client.get(f"{URL}{theirs.pk}/")

    assert response.status_code == 404
    assert response.json()["code"] == "emission_report_not_found"


def test_detail_of_own_report(auth_client, user):
    mine = EmissionReportFactory.create(organization=user.organization)

    response = auth_client.get(f"{URL}{mine.pk}/")

    assert response.status_code == 200
    assert (response.json()["id"], response.json()["total_kg"]) == (mine.pk, 1_770)


def test_list_query_count_does_not_grow_with_reports(auth_client, user, django_assert_max_num_queries):
    def add_reports(count):
        for month in range(count):
            EmissionReportFactory.create(
                organization=user.organization,
                period_start=date(2020 + month // 12, month % 12 + 1, 1),
                period_end=date(2020 + month // 12, month % 12 + 1, 28),
                lines=[line("electricity", 1_000, "kWh"), line("diesel", 10, "l"), line("rail", 100, "pkm")],
            )

    add_reports(2)
    # user, organisation, count, page, lines with their factors
    with django_assert_max_num_queries(5):
        assert auth_client.get(URL).json()["count"] == 2
    add_reports(20)
    with django_assert_max_num_queries(5):
        assert len(auth_client.get(URL).json()["results"]) == 22


def test_verify_emissions_finds_a_planted_duplicate(auth_client, user):
    first = EmissionReportFactory.create(organization=user.organization)
    copy = EmissionReportFactory.create(organization=user.organization)

    response = auth_client.post("/api/verify-emissions/", {"report": copy.pk}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert (body["report"], body["status"], body["risk_score"]) == (copy.pk, "anomalies_found", "0.600")
    assert body["findings"] == [
        {
            "code": "duplicate_period",
            "detail": f"Report {first.pk} covers the same period 2025-01-01..2025-01-31; counted twice.",
        }
    ]
    assert EmissionCheck.objects.get(report=copy).status == "anomalies_found"


def test_verify_emissions_passes_a_clean_report(auth_client, user):
    report = EmissionReportFactory.create(organization=user.organization)

    response = auth_client.post("/api/verify-emissions/", {"report": report.pk}, format="json")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["risk_score"], response.json()["findings"]) == (
        "consistent",
        "0.000",
        [],
    )


def test_verify_emissions_on_another_organisations_report_is_404(auth_client):
    theirs = EmissionReportFactory.create()

    response = auth_client.post("/api/verify-emissions/", {"report": theirs.pk}, format="json")

    assert response.status_code == 404
    assert not EmissionCheck.objects.exists()


@pytest.mark.parametrize(("body", "field"), [({}, "report"), ({"report": "x"}, "report"), ({"report": 0}, "report")])
def test_verify_emissions_bad_input_is_400(auth_client, body, field):
    response = auth_client.post("/api/verify-emissions/", body, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_factor_list_is_public_and_current_only_by_default(api_client):
    response = api_client.get("/api/emission-factors/", {"page_size": 200})

    assert response.status_code == 200
    results = response.json()["results"]
    assert response.json()["count"] == EmissionFactor.objects.filter(is_current=True).count() == len(results)
    gb = next(f for f in results if (f["activity"], f["region"]) == ("electricity", "GB"))
    assert (gb["value"], gb["unit"], gb["year"], gb["scope"], gb["version"]) == ("0.177", "kWh", 2025, 2, 1)
    assert gb["licence"] == "Open Government Licence v3.0"


def test_factor_list_filters_by_activity_and_region(api_client):
    response = api_client.get("/api/emission-factors/", {"activity": "electricity", "region": "us"})

    regions = [factor["region"] for factor in response.json()["results"]]
    assert response.status_code == 200
    assert "US" in regions and "US-CAMX" in regions
    assert all(region == "US" or region.startswith("US-") for region in regions)
    assert len(regions) == 14


def test_factor_list_shows_secondary_labels(api_client):
    response = api_client.get("/api/emission-factors/", {"activity": "electricity", "region": "IN"})

    (india,) = response.json()["results"]
    assert "SECONDARY" in india["source"]
    assert india["caveat"].startswith("SECONDARY source")


def test_factor_history_is_listed_on_request(api_client):
    factor = EmissionFactor.objects.get(activity="lpg", region="GB", is_current=True)
    emission_factor_revise(factor_id=factor.pk, changes={"year": 2026})

    current = api_client.get("/api/emission-factors/", {"activity": "lpg", "region": "GB"}).json()["results"]
    history = api_client.get(
        "/api/emission-factors/", {"activity": "lpg", "region": "GB", "include_history": "true"}
    ).json()["results"]

    assert [(f["version"], f["is_current"]) for f in current] == [(2, True)]
    assert [(f["version"], f["is_current"]) for f in history] == [(2, True), (1, False)]


def test_unknown_activity_filter_is_400(api_client):
    response = api_client.get("/api/emission-factors/", {"activity": "teleport"})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["activity"]


def test_each_client_sees_only_its_organisation(db):
    alice, bob = UserFactory.create(), UserFactory.create()
    EmissionReportFactory.create(organization=alice.organization)

    assert client_for(alice).get(URL).json()["count"] == 1
    assert client_for(bob).get(URL).json()["count"] == 0


def test_schema_documents_the_emission_endpoints(api_client):
    schema = json.dumps(api_client.get("/api/schema/", {"format": "json"}).json())

    for path in ("/api/emissions/", "/api/emissions/{report_id}/", "/api/verify-emissions/", "/api/emission-factors/"):
        assert path in schema
    assert "us_gallons" in schema  # the unit vocabulary is documented
