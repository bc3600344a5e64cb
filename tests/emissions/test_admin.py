from decimal import Decimal

import pytest
from django.test import Client

from accounts.models import User
from emissions.models import EmissionFactor
from tests.emissions.factories import EmissionReportFactory, line


@pytest.fixture
def admin_client(db) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser(email="admin@example.com", password="x" * 12))
    return client


def change_form(factor: EmissionFactor, **changes) -> dict:
    data = {
        name: getattr(factor, name)
        for name in (
            "value",
            "year",
            "source",
            "source_url",
            "licence",
            "region_name",
            "source_activity",
            "source_unit",
            "caveat",
            "note",
        )
    }
    data.update(changes)
    if factor.is_fallback:
        data["is_fallback"] = "on"
    return data


def test_saving_a_factor_in_the_admin_publishes_a_new_version(admin_client):
    original = EmissionFactor.objects.get(activity="electricity", region="GB", is_current=True)
    report = EmissionReportFactory.create(organization__country="GB", lines=[line("electricity", 100_000, "kWh")])

    response = admin_client.post(
        f"/admin/emissions/emissionfactor/{original.pk}/change/",
        change_form(original, value="0.18", note="corrected"),
    )

    assert response.status_code == 302
    versions = EmissionFactor.objects.filter(activity="electricity", region="GB", unit="kWh").order_by("version")
    assert [(f.version, f.value, f.is_current) for f in versions] == [
        (1, Decimal("0.177"), False),
        (2, Decimal("0.18"), True),
    ]
    assert versions[1].note == "corrected" and versions[1].previous_id == original.pk
    old_line = report.lines.get()
    old_line.refresh_from_db()
    assert (old_line.factor_id, old_line.factor_value, old_line.emissions_kg) == (original.pk, Decimal("0.177"), 17_700)


def test_saving_without_changes_makes_no_version(admin_client):
    original = EmissionFactor.objects.get(activity="diesel", region="GB", is_current=True)

    response = admin_client.post(f"/admin/emissions/emissionfactor/{original.pk}/change/", change_form(original))

    assert response.status_code == 302
    assert EmissionFactor.objects.filter(activity="diesel", region="GB").count() == 1


def test_factor_admin_pages_render_and_delete_is_not_offered(admin_client):
    factor = EmissionFactor.objects.get(activity="diesel", region="GB", is_current=True)

    assert admin_client.get("/admin/emissions/emissionfactor/").status_code == 200
    assert admin_client.get(f"/admin/emissions/emissionfactor/{factor.pk}/change/").status_code == 200
    assert admin_client.get(f"/admin/emissions/emissionfactor/{factor.pk}/delete/").status_code == 403


def test_report_admin_shows_lines_and_checks(admin_client):
    report = EmissionReportFactory.create()

    assert admin_client.get("/admin/emissions/emissionreport/").status_code == 200
    page = admin_client.get(f"/admin/emissions/emissionreport/{report.pk}/change/")
    assert page.status_code == 200
    assert b"Factor for United Kingdom, 2025." in page.content
