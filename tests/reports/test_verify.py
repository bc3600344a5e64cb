"""The public check: a customer uploads a statement (or enters its SHA-256) and learns whether the
registry issued it. A changed byte, or an unpublished document, is "not issued by us"."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reports.models import IssuedReport
from tests.core.pdfcheck import NAMES
from tests.reports.test_api import YEAR, file_report

PDF = "/api/reports/ghg/pdf/"


def published_statement(user, auth_client, *, name="Thames Valley Bakery Ltd") -> tuple[bytes, IssuedReport]:
    user.organization.name = name
    user.organization.save()
    file_report(
        auth_client, f"{YEAR}-01-01", f"{YEAR}-03-31", [{"activity": "electricity", "quantity": "9000", "unit": "kWh"}]
    )
    data = auth_client.post(f"{PDF}?year={YEAR}&public=true").content
    return data, IssuedReport.objects.get()


def one_byte_changed(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]


def upload(client, url, data: bytes):
    return client.post(url, {"document": SimpleUploadedFile("statement.pdf", data, content_type="application/pdf")})


@pytest.mark.django_db
def test_the_published_document_is_confirmed_on_its_page(user, auth_client, client):
    data, issued = published_statement(user, auth_client, name=NAMES["arabic"])

    response = upload(client, f"/reports/verify/{issued.token}/", data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Issued by the registry" in html
    assert f"This document was issued by the CarbonCred registry for <strong>{NAMES['arabic']}</strong>, {YEAR}" in html
    assert hashlib.sha256(data).hexdigest() in html


@pytest.mark.django_db
def test_the_check_fails_for_a_pdf_with_one_byte_changed(user, auth_client, client):
    data, issued = published_statement(user, auth_client)
    modified = one_byte_changed(data)

    on_its_page = upload(client, f"/reports/verify/{issued.token}/", modified)
    anywhere = upload(client, "/reports/verify/", modified)
    by_api = client.get("/api/reports/verify/", {"sha256": hashlib.sha256(modified).hexdigest()})

    for response in (on_its_page, anywhere):
        assert response.status_code == 200
        html = response.content.decode()
        assert "Not issued by us" in html
        assert "Issued by the registry" not in html
        assert hashlib.sha256(modified).hexdigest() in html
    assert issued.sha256 in on_its_page.content.decode(), "the page shows what was published, to compare"
    assert by_api.json() == {"sha256": hashlib.sha256(modified).hexdigest(), "issued": False, "document": None}


@pytest.mark.django_db
def test_the_general_page_and_the_api_find_a_published_document_by_its_hash(user, auth_client, client):
    data, _ = published_statement(user, auth_client)
    sha256 = hashlib.sha256(data).hexdigest()

    by_hash = client.post("/reports/verify/", {"sha256": sha256.upper()})
    by_file = upload(client, "/reports/verify/", data)
    by_api = client.get("/api/reports/verify/", {"sha256": sha256})

    for response in (by_hash, by_file):
        assert "Issued by the registry" in response.content.decode()
        assert user.organization.name in response.content.decode()
    assert by_api.status_code == 200
    body = by_api.json()
    assert body["issued"] is True
    assert body["document"]["organization"] == {"name": user.organization.name, "country": "GB"}
    assert body["document"]["year"] == YEAR


@pytest.mark.django_db
def test_an_unpublished_document_is_not_confirmed(user, auth_client, client):
    file_report(
        auth_client, f"{YEAR}-01-01", f"{YEAR}-03-31", [{"activity": "electricity", "quantity": "9000", "unit": "kWh"}]
    )
    data = auth_client.get(PDF, {"year": YEAR}).content
    issued = IssuedReport.objects.get()

    page = client.get(f"/reports/verify/{issued.token}/")
    anywhere = upload(client, "/reports/verify/", data)
    by_api = client.get("/api/reports/verify/", {"sha256": issued.sha256})

    assert page.status_code == 404
    assert "Not issued by us" in anywhere.content.decode()
    assert by_api.json()["issued"] is False


@pytest.mark.django_db
def test_a_withdrawn_document_is_no_longer_confirmed(user, auth_client, client):
    data, issued = published_statement(user, auth_client)
    auth_client.patch(f"/api/reports/issued/{issued.pk}/", {"public": False}, format="json")

    assert "Not issued by us" in upload(client, "/reports/verify/", data).content.decode()


@pytest.mark.django_db
def test_the_page_refuses_a_form_without_a_document_or_a_hash(client):
    empty = client.post("/reports/verify/", {})
    not_hex = client.post("/reports/verify/", {"sha256": "xyz"})

    assert empty.status_code == 400
    assert "Upload the PDF or enter its SHA-256" in empty.content.decode()
    assert not_hex.status_code == 400
    assert "64 hexadecimal characters" in not_hex.content.decode()


@pytest.mark.django_db
def test_the_api_refuses_what_is_not_a_sha256(client):
    response = client.get("/api/reports/verify/", {"sha256": "abc"})

    assert response.status_code == 400
    assert "sha256" in response.json()["errors"]


@pytest.mark.django_db
def test_the_pages_show_a_form_with_labels(client, user, auth_client):
    _, issued = published_statement(user, auth_client)

    general = client.get("/reports/verify/")
    specific = client.get(f"/reports/verify/{issued.token}/")

    for response in (general, specific):
        assert response.status_code == 200
        html = response.content.decode()
        assert '<label for="id_document">' in html and '<label for="id_sha256">' in html
        assert "csrfmiddlewaretoken" in html
    assert issued.sha256 in specific.content.decode()
    assert f"GHG statement {YEAR} of {user.organization.name}" in specific.content.decode()


@pytest.mark.django_db
def test_an_unknown_address_is_404(client):
    assert client.get("/reports/verify/NoSuchToken000000000000/").status_code == 404


@pytest.mark.django_db
def test_checking_writes_nothing(user, auth_client, client, django_assert_max_num_queries):
    data, issued = published_statement(user, auth_client)

    with django_assert_max_num_queries(2):  # the published document, by token; nothing else
        upload(client, f"/reports/verify/{issued.token}/", data)
    assert IssuedReport.objects.count() == 1
