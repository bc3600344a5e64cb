"""The SME's workspace: what the owner sees and does, through the API's services; another
organisation's objects are 404; every page needs a session; query counts pinned."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from certificates.models import RetirementCertificate
from emissions.models import EmissionReport
from ledger.models import BlockStatus, CreditBlock
from marketplace.models import Listing, Order, Transfer
from projects.models import Project
from verification.models import ReductionClaim

pytestmark = pytest.mark.django_db

APP_PAGES = [
    "/app/",
    "/app/emissions/",
    "/app/sites/",
    "/app/projects/",
    "/app/claims/",
    "/app/holdings/",
    "/app/orders/",
    "/app/balance/",
    "/app/certificates/",
    "/app/verification/",
]


@pytest.mark.parametrize("url", APP_PAGES)
def test_workspace_pages_ask_for_a_session(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(f"/accounts/login/?next={url}")


@pytest.mark.parametrize("url", APP_PAGES)
def test_workspace_pages_open_for_the_owner(sme_client, listing, certificate, url, django_assert_max_num_queries):
    with django_assert_max_num_queries(16):
        response = sme_client.get(url)

    assert response.status_code == 200
    assert '<nav class="app-nav"' in response.content.decode()


def test_dashboard_draws_the_three_charts_from_the_statement(sme_client, sme, holding, certificate):
    from emissions.services import emission_report_create

    emission_report_create(
        organization=sme.organization,
        period_start=datetime.date(2024, 1, 1),
        period_end=datetime.date(2024, 3, 31),
        lines=[{"activity": "electricity", "quantity": 12000, "unit": "kWh"}],
    )

    html = sme_client.get("/app/?year=2024").content.decode()

    assert html.count('<svg class="chart"') == 3
    assert "Emissions by scope and month, 2024" in html
    assert "Net balance over 2024" in html
    assert "Credits held, listed and retired" in html
    assert "Retire" in html  # recent activity names the retirement


def test_emissions_lines_are_saved_by_the_emissions_service(sme_client, sme):
    response = sme_client.post(
        "/app/emissions/",
        {
            "form": "lines",
            "period_start": "2025-01-01",
            "period_end": "2025-03-31",
            "lines-0-activity": "electricity",
            "lines-0-quantity": "12500",
            "lines-0-unit": "kWh",
            "lines-0-region": "",
            "lines-1-activity": "diesel",
            "lines-1-quantity": "300",
            "lines-1-unit": "litres",
            "lines-1-region": "",
            "lines-2-activity": "",
            "lines-2-quantity": "",
            "lines-2-unit": "",
            "lines-2-region": "",
        },
    )

    assert response.status_code == 302
    report = EmissionReport.objects.get(organization=sme.organization)
    assert report.lines.count() == 2 and report.total_kg > 0


def test_emissions_refusals_name_the_line_and_store_nothing(sme_client, sme):
    response = sme_client.post(
        "/app/emissions/",
        {
            "form": "lines",
            "period_start": "2025-01-01",
            "period_end": "2025-03-31",
            "lines-0-activity": "electricity",
            "lines-0-quantity": "100",
            "lines-0-unit": "furlongs",
        },
    )

    assert response.status_code == 400
    assert "Unknown unit for electricity" in response.content.decode()
    assert not EmissionReport.objects.exists()


def test_emissions_csv_upload(sme_client, sme):
    upload = SimpleUploadedFile(
        "q1.csv", b"activity,quantity,unit,region\nelectricity,12500,kWh,\nnatural_gas,4000,kWh,GB\n", "text/csv"
    )

    response = sme_client.post(
        "/app/emissions/", {"form": "csv", "period_start": "2025-01-01", "period_end": "2025-03-31", "file": upload}
    )

    assert response.status_code == 302
    assert EmissionReport.objects.get(organization=sme.organization).lines.count() == 2


def test_emissions_csv_without_the_header_is_refused(sme_client):
    upload = SimpleUploadedFile("q1.csv", b"electricity,12500,kWh\n", "text/csv")

    response = sme_client.post(
        "/app/emissions/", {"form": "csv", "period_start": "2025-01-01", "period_end": "2025-03-31", "file": upload}
    )

    assert response.status_code == 400
    assert "The header row must name activity, quantity, unit, region" in response.content.decode()


def test_project_registration_uses_the_apis_serializer_and_service(sme_client, sme):
    ok = sme_client.post(
        "/app/projects/",
        {"title": "LED retrofit", "category": "energy_efficiency", "country": "IN", "start_date": "2024-01-01"},
    )
    refused = sme_client.post(
        "/app/projects/",
        {"title": "Half a place", "category": "solar", "country": "IN", "start_date": "2024-01-01", "latitude": "18.5"},
    )

    assert ok.status_code == 302
    assert Project.objects.filter(owner=sme.organization, title="LED retrofit").exists()
    assert refused.status_code == 400
    assert "Give both latitude and longitude, or neither." in refused.content.decode()


def test_a_claim_is_screened_and_explained_in_plain_words(sme_client, sme):
    from tests.verification.factories import project_for

    project = project_for(sme.organization, category="solar", country="IN")
    response = sme_client.post(
        "/app/claims/",
        {
            "project": str(project.pk),
            "period_start": "2024-01-01",
            "period_end": "2024-12-31",
            "capacity_kwp": "50",
            "generation_kwh": "70000",
            "evidence_kind": "meter_reading",
            "evidence_reference": "MTR-2024",
            "evidence_period_start": "2024-01-01",
            "evidence_period_end": "2024-12-31",
            "evidence_quantity": "70000",
            "evidence_unit": "kWh",
        },
    )

    claim = ReductionClaim.objects.get(project=project)
    assert response.status_code == 302 and response["Location"] == f"/app/claims/{claim.pk}/"
    page = sme_client.get(response["Location"]).content.decode()
    assert "Decided by automated screening" in page
    assert "MTR-2024" in page
    assert "Log-odds" not in page  # the model's contributions are for verifiers only


def test_a_claim_with_bad_parameters_names_the_field(sme_client, sme):
    from tests.verification.factories import project_for

    project = project_for(sme.organization, category="solar", country="IN")
    response = sme_client.post(
        "/app/claims/",
        {"project": str(project.pk), "period_start": "2024-01-01", "period_end": "2024-12-31", "capacity_kwp": "50"},
    )

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not ReductionClaim.objects.exists()


def test_another_organisations_claim_is_404(other_client, sme):
    from tests.verification.factories import project_for
    from verification.services import claim_submit

    project = project_for(sme.organization, category="recycling", country="IN")
    claim = claim_submit(
        submitted_by=sme,
        project_id=project.pk,
        period_start=datetime.date(2024, 1, 1),
        period_end=datetime.date(2024, 3, 31),
        parameters={"material": "cardboard", "mass_kg": __import__("decimal").Decimal("5000")},
        evidence=[],
    )

    assert other_client.get(f"/app/claims/{claim.pk}/").status_code == 404


def test_holdings_actions_list_transfer_retire(sme_client, sme, other, holding):
    block = holding.owner_block

    listed = sme_client.post(
        "/app/holdings/list/", {"block": block.pk, "quantity_kg": "300", "price_per_tonne": "15.00", "currency": "USD"}
    )
    moved = sme_client.post(
        "/app/holdings/transfer/",
        {"block": block.pk, "quantity_kg": "200", "to_organization": str(other.organization_id)},
    )
    retired = sme_client.post(
        "/app/holdings/retire/",
        {"block": block.pk, "quantity_kg": "100", "beneficiary": "Bakery Ltd", "reason": "2024 scope 2"},
    )

    assert [listed.status_code, moved.status_code, retired.status_code] == [302, 302, 302]
    assert Listing.objects.get(seller=sme.organization).quantity_kg == 300
    assert Transfer.objects.get(sender=sme.organization).quantity_kg == 200
    assert RetirementCertificate.objects.get(organization=sme.organization).quantity_kg == 100


def test_a_refused_action_comes_back_on_its_form_by_htmx(sme_client, holding):
    response = sme_client.post(
        "/app/holdings/retire/",
        {"block": holding.owner_block.pk, "quantity_kg": "999999", "beneficiary": "Bakery", "reason": "x"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert "<html" not in html and "Try again" in html


def test_a_successful_action_by_htmx_reloads_the_holdings(sme_client, holding):
    response = sme_client.post(
        "/app/holdings/retire/",
        {"block": holding.owner_block.pk, "quantity_kg": "10", "beneficiary": "Bakery", "reason": "x"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 204 and response["HX-Redirect"] == "/app/holdings/"


def test_another_organisations_block_is_not_found_by_any_action(other_client, holding):
    block = holding.owner_block
    response = other_client.post(
        "/app/holdings/retire/", {"block": block.pk, "quantity_kg": "10", "beneficiary": "X", "reason": "y"}
    )

    assert response.status_code == 404
    assert CreditBlock.objects.get(pk=block.pk).status == BlockStatus.AVAILABLE


def test_withdraw_a_listing_and_not_anothers(sme_client, other_client, listing):
    assert other_client.post(f"/app/listings/{listing.pk}/withdraw/").status_code == 404
    assert sme_client.post(f"/app/listings/{listing.pk}/withdraw/").status_code == 302
    listing.refresh_from_db()
    assert listing.status == Listing.Status.WITHDRAWN


def test_buy_from_the_market_page(other_client, other, listing):
    response = other_client.post("/app/buy/", {"listing": str(listing.pk), "quantity_kg": "200"})

    assert response.status_code == 302 and response["Location"] == "/app/orders/"
    assert Order.objects.get(buyer=other.organization).quantity_kg == 200
    orders = other_client.get("/app/orders/").content.decode()
    assert "Bought" in orders and "Bakery Ltd" in orders


def test_buying_your_own_listing_is_refused_with_the_ledgers_words(sme_client, listing):
    response = sme_client.post("/app/buy/", {"listing": str(listing.pk), "quantity_kg": "10"}, follow=True)

    assert not Order.objects.exists()
    assert response.status_code == 200
    assert "notice bad" in response.content.decode()


def test_certificate_pdf_download_and_not_anothers(sme_client, other_client, certificate):
    response = sme_client.get(f"/app/certificates/{certificate.pk}/pdf/")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert other_client.get(f"/app/certificates/{certificate.pk}/pdf/").status_code == 404


def test_post_without_csrf_token_is_refused(sme):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(sme)
    assert strict.post("/app/projects/", {"title": "x"}).status_code == 403


def test_people_read_tonnes_with_the_kilograms_beside(sme_client, holding):
    html = sme_client.get("/app/holdings/").content.decode()

    assert '1.800 t <span class="exact">(1,800 kg)</span>' in html


def test_claimants_and_the_public_never_read_the_models_contributions(sme_client, client, sme):
    from decimal import Decimal

    from tests.verification.factories import project_for, solar_evidence
    from verification.services import claim_submit

    project = project_for(sme.organization, category="solar", country="IN")
    claim = claim_submit(
        submitted_by=sme,
        project_id=project.pk,
        period_start=datetime.date(2024, 1, 1),
        period_end=datetime.date(2024, 12, 31),
        parameters={"capacity_kwp": Decimal(50), "generation_kwh": Decimal(70000)},
        evidence=[
            {
                **item,
                "period_start": datetime.date.fromisoformat(item["period_start"]),
                "period_end": datetime.date.fromisoformat(item["period_end"]),
                "quantity": Decimal(item["quantity"]),
            }
            for item in solar_evidence("2024-01-01", "2024-12-31", 70000, country="IN")
        ],
    )
    # The API's words: the model's reason names its contributions (stored so for verifiers).
    claim.assessment.reasons = [
        *claim.assessment.reasons,
        {
            "code": "model_risk_high",
            "severity": "review",
            "detail": "Risk 0.9. Largest contributions (log-odds): x +2.0.",
        },
    ]
    claim.assessment.save(update_fields=["reasons"])

    own = sme_client.get(f"/app/claims/{claim.pk}/").content.decode()
    assert "so a verifier checks them" in own  # told in plain words instead
    public = client.get(f"/registry/projects/{project.pk}/").content.decode()

    assert "log-odds" not in own and "Largest contributions" not in own
    assert "log-odds" not in public and "Largest contributions" not in public
