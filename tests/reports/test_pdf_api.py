"""The statement PDF through the API: recorded once per distinct document, the same bytes on every
download of the same data, published on request."""

import hashlib

import pytest
from django.core.cache import cache

from reports.models import IssuedReport
from tests.core.pdfcheck import NAMES, pypdf_text, reader
from tests.reports.test_api import YEAR, file_report

URL = "/api/reports/ghg/pdf/"


@pytest.mark.django_db
def test_the_pdf_is_the_statement_and_its_hash_is_recorded(user, auth_client):
    file_report(
        auth_client, f"{YEAR}-01-01", f"{YEAR}-06-30", [{"activity": "electricity", "quantity": "42000", "unit": "kWh"}]
    )

    response = auth_client.get(URL, {"year": YEAR})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="carboncred-ghg-statement-{YEAR}.pdf"'
    sha256 = hashlib.sha256(response.content).hexdigest()
    assert response["X-Report-SHA256"] == sha256
    issued = IssuedReport.objects.get()
    assert (issued.pk, issued.organization_id, issued.year, issued.sha256) == (
        int(response["X-Report-Id"]),
        user.organization_id,
        YEAR,
        sha256,
    )
    assert not issued.public and "X-Report-Verify-URL" not in response
    text = pypdf_text(response.content)
    assert f"Greenhouse gas statement {YEAR}" in text
    assert "7,434 kg" in text, "scope 2: 42,000 kWh x 0.177"
    assert "METHODOLOGY" in text and "location-based" in text and "VSME alignment" in text
    assert "/reports/verify/" in text


@pytest.mark.django_db
def test_downloading_again_gives_the_same_bytes_and_no_new_record(auth_client):
    file_report(auth_client, f"{YEAR}-01-01", f"{YEAR}-01-31", [{"activity": "diesel", "quantity": "50", "unit": "l"}])

    first = auth_client.get(URL, {"year": YEAR})
    cache.clear()  # another worker, or an eviction: rendered again from the same data
    second = auth_client.get(URL, {"year": YEAR})

    assert first.content == second.content
    assert IssuedReport.objects.count() == 1


@pytest.mark.django_db
def test_new_data_is_a_new_document(auth_client):
    file_report(auth_client, f"{YEAR}-01-01", f"{YEAR}-01-31", [{"activity": "diesel", "quantity": "50", "unit": "l"}])
    first = auth_client.get(URL, {"year": YEAR})

    file_report(auth_client, f"{YEAR}-02-01", f"{YEAR}-02-28", [{"activity": "diesel", "quantity": "60", "unit": "l"}])
    second = auth_client.get(URL, {"year": YEAR})

    assert first["X-Report-SHA256"] != second["X-Report-SHA256"]
    assert IssuedReport.objects.count() == 2


@pytest.mark.django_db
def test_the_creation_date_is_the_datas_time_not_the_clock(auth_client):
    report = file_report(
        auth_client, f"{YEAR}-01-01", f"{YEAR}-01-31", [{"activity": "diesel", "quantity": "5", "unit": "l"}]
    )

    metadata = reader(auth_client.get(URL, {"year": YEAR}).content).metadata

    filed = report["created_at"]  # e.g. 2026-12-06T13:10:00.123456Z
    assert metadata is not None
    assert str(metadata["/CreationDate"]).startswith(
        "D:" + filed[:19].replace("-", "").replace("T", "").replace(":", "")
    )


@pytest.mark.django_db
def test_post_public_true_publishes_the_document(auth_client, client):
    file_report(auth_client, f"{YEAR}-01-01", f"{YEAR}-01-31", [{"activity": "diesel", "quantity": "5", "unit": "l"}])
    private = auth_client.get(URL, {"year": YEAR})

    response = auth_client.post(f"{URL}?year={YEAR}&public=true")

    assert response.status_code == 200
    assert response.content == private.content, "publishing does not change the document"
    issued = IssuedReport.objects.get()
    assert issued.public and issued.published_at is not None
    assert response["X-Report-Verify-URL"].endswith(f"/reports/verify/{issued.token}/")
    assert client.get(f"/reports/verify/{issued.token}/").status_code == 200


@pytest.mark.django_db
def test_publish_and_withdraw_through_the_issued_list(auth_client, client):
    auth_client.get(URL, {"year": YEAR})
    issued = auth_client.get("/api/reports/issued/").json()["results"][0]
    assert issued["public"] is False and issued["verify_url"] is None

    published = auth_client.patch(f"/api/reports/issued/{issued['id']}/", {"public": True}, format="json").json()
    page = client.get(published["verify_url"].split("8000", 1)[-1])
    withdrawn = auth_client.patch(f"/api/reports/issued/{issued['id']}/", {"public": False}, format="json").json()

    assert published["public"] is True and published["verify_url"]
    assert page.status_code == 200
    assert withdrawn["public"] is False
    assert client.get(published["verify_url"].split("8000", 1)[-1]).status_code == 404


@pytest.mark.django_db
def test_publish_needs_a_boolean(auth_client):
    auth_client.get(URL, {"year": YEAR})
    issued = IssuedReport.objects.get()

    response = auth_client.patch(f"/api/reports/issued/{issued.pk}/", {"public": "perhaps"}, format="json")

    assert response.status_code == 400
    assert "public" in response.json()["errors"]


@pytest.mark.django_db
def test_issued_list_query_count_does_not_grow(auth_client, django_assert_max_num_queries):
    for year in range(2015, 2025):
        auth_client.get(URL, {"year": year})

    with django_assert_max_num_queries(3):  # user, count, page
        response = auth_client.get("/api/reports/issued/")

    assert response.json()["count"] == 10


@pytest.mark.django_db
def test_errors_stay_json_when_a_pdf_is_asked_for(auth_client):
    response = auth_client.get(URL, {"year": "x"}, HTTP_ACCEPT="application/pdf")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


@pytest.mark.django_db
def test_a_hindi_organisation_name_prints_in_the_downloaded_pdf(user, auth_client):
    user.organization.name = NAMES["hindi"]
    user.organization.save()

    text = pypdf_text(auth_client.get(URL, {"year": YEAR}).content)

    assert NAMES["hindi"] in text


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", "?public=true", "?year=2025&public=perhaps", f"?year={YEAR}x"])
def test_issuing_refuses_a_bad_year_or_flag(auth_client, query):
    response = auth_client.post(f"{URL}{query}")

    assert response.status_code == 400
    assert set(response.json()["errors"]) <= {"year", "public"}
    assert not IssuedReport.objects.exists()
