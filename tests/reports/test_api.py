"""GET /api/reports/ghg/ (and its PDF and CSV): the organisation's own figures, checked against the
emissions API, with bad years refused and other organisations' data never shown."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from reports.models import IssuedReport
from tests.accounts.factories import UserFactory
from tests.certificates.factories import retire
from tests.conftest import client_for
from tests.core.pdfcheck import pypdf_text
from tests.ledger.factories import issue

URL = "/api/reports/ghg/"
YEAR = 2025


def file_report(client, start, end, lines):
    response = client.post("/api/emissions/", {"period_start": start, "period_end": end, "lines": lines}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def file_a_year(client):
    """Monthly electricity, quarterly gas and diesel, two trips and waste; one report in another year."""
    for month in range(1, 13):
        last = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        file_report(
            client,
            f"{YEAR}-{month:02d}-01",
            f"{YEAR}-{month:02d}-{last}",
            [{"activity": "electricity", "quantity": str(7000 + 113 * month), "unit": "kWh"}],
        )
    for quarter in range(4):
        file_report(
            client,
            f"{YEAR}-{3 * quarter + 1:02d}-01",
            f"{YEAR}-{3 * quarter + 3:02d}-{[31, 30, 30, 31][quarter]}",
            [
                {"activity": "natural_gas", "quantity": "18000.5", "unit": "kWh"},
                {"activity": "diesel", "quantity": "410", "unit": "litres"},
                {"activity": "flight_short_haul", "quantity": "2400", "unit": "passenger_km"},
                {"activity": "waste_landfill", "quantity": "350", "unit": "kg"},
            ],
        )
    file_report(
        client, f"{YEAR - 1}-01-01", f"{YEAR - 1}-12-31", [{"activity": "diesel", "quantity": "999", "unit": "l"}]
    )


def emissions_api_sums(client, year):
    """The sums of GET /api/emissions/ over the reports inside ``year``."""
    reports = client.get("/api/emissions/", {"page_size": 200}).json()["results"]
    inside = [r for r in reports if r["period_start"] >= f"{year}-01-01" and r["period_end"] <= f"{year}-12-31"]
    return {key: sum(r[key] for r in inside) for key in ("scope1_kg", "scope2_kg", "scope3_kg", "total_kg")}, inside


@pytest.mark.django_db
def test_report_figures_equal_the_sums_of_the_emissions_api(auth_client):
    file_a_year(auth_client)
    sums, inside = emissions_api_sums(auth_client, YEAR)

    response = auth_client.get(URL, {"year": YEAR})

    assert response.status_code == 200
    data = response.json()
    assert {key: data[key] for key in sums} == sums
    assert data["total_kg"] == data["scope1_kg"] + data["scope2_kg"] + data["scope3_kg"]
    assert sum(month["total_kg"] for month in data["monthly"]) == data["total_kg"]
    for scope in (1, 2, 3):
        assert sum(month[f"scope{scope}_kg"] for month in data["monthly"]) == data[f"scope{scope}_kg"]
    assert sum(activity["emissions_kg"] for activity in data["by_activity"]) == data["total_kg"]
    by_activity_api: dict[str, int] = {}
    for r in inside:
        for item in r["lines"]:
            by_activity_api[item["activity"]] = by_activity_api.get(item["activity"], 0) + item["emissions_kg"]
    assert {a["activity"]: a["emissions_kg"] for a in data["by_activity"]} == by_activity_api
    assert sorted(r["id"] for r in data["reports"]) == sorted(r["id"] for r in inside), "the 2024 report is not used"
    assert data["scope2_method"] == "location-based"
    assert data["net_kg"] == data["total_kg"] - data["retired_kg"]


@pytest.mark.django_db
def test_every_factor_used_is_listed_with_source_year_and_licence(auth_client):
    file_a_year(auth_client)
    reports = auth_client.get("/api/emissions/", {"page_size": 200}).json()["results"]
    used = {item["factor"]["id"] for r in reports if r["period_start"].startswith(str(YEAR)) for item in r["lines"]}

    data = auth_client.get(URL, {"year": YEAR}).json()

    emission = [factor for factor in data["factors"] if factor["kind"] == "emission"]
    assert {factor["id"] for factor in emission} == used
    assert all(factor["source"] and factor["year"] and factor["licence"] for factor in data["factors"])
    energy = {factor["activity"] for factor in data["factors"] if factor["kind"] == "energy"}
    assert energy == {"natural_gas", "diesel"}


@pytest.mark.django_db
def test_energy_use_from_the_activity_data(auth_client):
    file_a_year(auth_client)

    energy = auth_client.get(URL, {"year": YEAR}).json()["energy_kwh"]

    electricity = sum(7000 + 113 * month for month in range(1, 13))
    gas = 4 * round(Decimal("18000.5") * Decimal("0.9026"))
    diesel = 4 * round(Decimal(410) * Decimal("9.906"))
    assert {c["carrier"]: c["kwh"] for c in energy["by_carrier"]} == {
        "electricity": electricity,
        "natural_gas": gas,
        "diesel": diesel,
    }
    assert energy["total"] == electricity + gas + diesel == energy["non_renewable"]
    assert energy["renewable"] == 0


@pytest.mark.django_db
def test_an_organisation_with_no_data_gets_a_clear_empty_report(auth_client):
    response = auth_client.get(URL, {"year": YEAR})

    assert response.status_code == 200
    data = response.json()
    assert (data["total_kg"], data["scope1_kg"], data["scope2_kg"], data["scope3_kg"]) == (0, 0, 0, 0)
    assert data["energy_kwh"] == {"total": 0, "renewable": 0, "non_renewable": 0, "by_carrier": []}
    assert data["retired_kg"] == 0 and data["net_kg"] == 0
    assert len(data["monthly"]) == 12 and data["by_activity"] == [] and data["factors"] == []
    note = next(note for note in data["notes"] if note["code"] == "no_data")
    assert "not because nothing was emitted" in note["detail"]
    assert auth_client.get(f"{URL}pdf/", {"year": YEAR}).status_code == 200
    assert auth_client.get(f"{URL}csv/", {"year": YEAR}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["", "pdf/", "csv/"])
@pytest.mark.parametrize("year", [None, "", "abc", "2025.5", "1989", "-2025", "99999", "next"])
def test_a_bad_year_is_400(auth_client, path, year):
    params = {} if year is None else {"year": timezone.now().year + 1 if year == "next" else year}

    response = auth_client.get(f"{URL}{path}", params)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "year" in response.json()["errors"]
    assert not IssuedReport.objects.exists()


@pytest.mark.django_db
def test_the_reports_need_a_token(api_client):
    for path in ("", "pdf/", "csv/"):
        assert api_client.get(f"{URL}{path}", {"year": YEAR}).status_code == 401
    assert api_client.get("/api/reports/issued/").status_code == 401


@pytest.mark.django_db
def test_another_organisations_data_never_appears(user, auth_client):
    stranger = UserFactory.create(organization__name="Stranger Industries Ltd")
    stranger_client = client_for(stranger)
    file_report(
        stranger_client, f"{YEAR}-01-01", f"{YEAR}-12-31", [{"activity": "diesel", "quantity": "7777", "unit": "l"}]
    )
    block = issue(owner=stranger.organization, quantity_kg=3000, buffer_share=Decimal(0)).owner_block
    retire(organization=stranger.organization, block=block, quantity_kg=2222, beneficiary="Stranger Beneficiary")
    stranger_pdf = stranger_client.get(f"{URL}pdf/", {"year": timezone.now().year})
    file_report(
        auth_client, f"{YEAR}-01-01", f"{YEAR}-01-31", [{"activity": "electricity", "quantity": "10", "unit": "kWh"}]
    )

    mine = auth_client.get(URL, {"year": YEAR}).json()
    mine_now = auth_client.get(URL, {"year": timezone.now().year}).json()
    text = pypdf_text(auth_client.get(f"{URL}pdf/", {"year": YEAR}).content)
    table = auth_client.get(f"{URL}csv/", {"year": YEAR}).content.decode("utf-8-sig")

    assert mine["total_kg"] == 2 and mine["organization"]["id"] == user.organization_id
    assert mine_now["retired_kg"] == 0 and mine_now["retirements"] == []
    for shown in (str(mine), str(mine_now), text, table):
        assert "Stranger" not in shown
        # As a number of its own: a hex hash in the statement may contain the digits.
        assert not re.search(r"\b7,?777\b", shown)
    stranger_issued = int(stranger_pdf["X-Report-Id"])
    assert auth_client.get(f"/api/reports/issued/{stranger_issued}/").status_code == 404
    patch = auth_client.patch(f"/api/reports/issued/{stranger_issued}/", {"public": True}, format="json")
    assert patch.status_code == 404
    assert not IssuedReport.objects.get(pk=stranger_issued).public
    assert auth_client.get("/api/reports/issued/").json()["count"] == 1


@pytest.mark.django_db
def test_the_organisation_cannot_be_chosen_in_the_request(user, auth_client):
    other = UserFactory.create()
    file_report(
        client_for(other),
        f"{YEAR}-01-01",
        f"{YEAR}-01-31",
        [{"activity": "electricity", "quantity": "5000", "unit": "kWh"}],
    )

    data = auth_client.get(URL, {"year": YEAR, "organization": other.organization_id}).json()

    assert data["organization"]["id"] == user.organization_id
    assert data["total_kg"] == 0


@pytest.mark.django_db
def test_retirements_in_the_year_and_the_net_figure(user, auth_client):
    block = issue(owner=user.organization, quantity_kg=5000, buffer_share=Decimal(0)).owner_block
    certificate = retire(organization=user.organization, block=block, quantity_kg=1234)
    year = certificate.retired_at.year
    file_report(
        auth_client, f"{year}-01-01", f"{year}-01-31", [{"activity": "electricity", "quantity": "20000", "unit": "kWh"}]
    )

    data = auth_client.get(URL, {"year": year}).json()
    before = auth_client.get(URL, {"year": year - 1}).json()

    assert data["retired_kg"] == 1234
    assert data["net_kg"] == data["total_kg"] - 1234
    assert data["retirements"][0]["public_id"] == certificate.public_id
    assert before["retired_kg"] == 0


@pytest.mark.django_db
def test_intensity_uses_the_organisations_size(user, auth_client):
    organization = user.organization
    organization.employees, organization.annual_revenue, organization.revenue_currency = 8, Decimal("400000"), "EUR"
    organization.save()
    file_report(
        auth_client, f"{YEAR}-01-01", f"{YEAR}-12-31", [{"activity": "diesel", "quantity": "1000", "unit": "l"}]
    )

    intensity = auth_client.get(URL, {"year": YEAR}).json()["intensity"]

    assert intensity["per_employee_kg"] == "321.4"  # 2,571 kg / 8
    assert intensity["per_revenue_kg"] == "6427.5"  # 2,571 kg per 0.4 million EUR
    assert intensity["per_revenue_unit"] == "kg CO2e per 1,000,000 EUR"


@pytest.mark.django_db
def test_statement_query_count_does_not_grow_with_the_data(auth_client, django_assert_max_num_queries):
    file_a_year(auth_client)

    with django_assert_max_num_queries(4):  # user, reports, their lines with factors, certificates
        response = auth_client.get(URL, {"year": YEAR})

    assert len(response.json()["reports"]) == 16


@pytest.mark.django_db
def test_csv_states_the_same_figures(auth_client):
    file_a_year(auth_client)
    data = auth_client.get(URL, {"year": YEAR}).json()

    response = auth_client.get(f"{URL}csv/", {"year": YEAR})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="carboncred-ghg-statement-{YEAR}.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    summary = {row["name"]: row["value"] for row in rows if row["section"] == "summary"}
    for key in ("scope1_kg", "scope2_kg", "scope3_kg", "total_kg", "retired_kg", "net_kg"):
        assert int(summary[key]) == data[key]
    assert int(summary["energy_total_kwh"]) == data["energy_kwh"]["total"]
    monthly = [row for row in rows if row["section"] == "month" and row["name"] == "total_kg"]
    assert [int(row["value"]) for row in monthly] == [month["total_kg"] for month in data["monthly"]]
    assert {row["name"] for row in rows if row["section"] == "note"} == {note["code"] for note in data["notes"]}
    assert next(row for row in rows if row["name"] == "fingerprint")["detail"] == data["fingerprint"]


@pytest.mark.django_db
def test_csv_does_not_let_a_name_become_a_formula(user, auth_client):
    user.organization.name = '=HYPERLINK("http://evil.example")'
    user.organization.save()

    table = auth_client.get(f"{URL}csv/", {"year": YEAR}).content.decode("utf-8-sig")

    row = next(row for row in csv.DictReader(io.StringIO(table)) if row["name"] == "organization")
    assert row["detail"] == "'" + user.organization.name
