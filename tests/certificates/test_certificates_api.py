"""The owner's certificates: list, detail and the PDF."""

import io
from decimal import Decimal
from typing import cast

import pytest
from django.conf import settings
from django.core.cache import cache
from pypdf import PdfReader
from pypdf.generic import ArrayObject

from certificates import services
from tests.accounts.factories import UserFactory
from tests.certificates.factories import retire
from tests.conftest import client_for
from tests.ledger.factories import issue

URL = "/api/certificates/"


def certify(organization, quantity_kg=100, **kwargs):
    block = issue(owner=organization, quantity_kg=2000, buffer_share=Decimal(0)).owner_block
    return retire(organization=organization, block=block, quantity_kg=quantity_kg, **kwargs)


@pytest.mark.django_db
def test_list_shows_only_the_organisations_certificates(user, auth_client):
    mine = [certify(user.organization, quantity_kg=100 + n) for n in range(3)]
    theirs = certify(UserFactory.create().organization)

    data = auth_client.get(URL).json()

    assert data["count"] == 3
    assert {item["id"] for item in data["results"]} == {c.pk for c in mine}
    assert theirs.pk not in {item["id"] for item in data["results"]}
    first = data["results"][0]
    assert first["id"] == mine[-1].pk, "newest first"
    assert first["project"]["id"] == mine[-1].block.project_id
    assert first["ledger_entry"] == {"seq": mine[-1].ledger_entry_id, "hash": mine[-1].entry_hash}


@pytest.mark.django_db
def test_list_of_b_does_not_show_a(user):
    certify(user.organization)
    b = client_for(UserFactory.create())

    assert b.get(URL).json()["count"] == 0


@pytest.mark.django_db
def test_list_query_count_does_not_grow_with_certificates(user, auth_client, django_assert_max_num_queries):
    for n in range(12):
        certify(user.organization, quantity_kg=10 + n)

    with django_assert_max_num_queries(4):  # user, count, page (certificates + block + project + org)
        response = auth_client.get(URL, {"page_size": 50})

    assert len(response.json()["results"]) == 12


@pytest.mark.django_db
def test_list_is_paginated(user, auth_client):
    for n in range(3):
        certify(user.organization, quantity_kg=10 + n)

    data = auth_client.get(URL, {"page_size": 2}).json()

    assert data["count"] == 3
    assert len(data["results"]) == 2
    assert data["next"]


@pytest.mark.django_db
def test_detail_of_own_certificate(user, auth_client):
    certificate = certify(user.organization, quantity_kg=1250)

    data = auth_client.get(f"{URL}{certificate.pk}/").json()

    assert data["id"] == certificate.pk
    assert data["public_id"] == certificate.public_id
    assert data["quantity_kg"] == 1250
    assert data["quantity_t"] == "1.250"


@pytest.mark.django_db
def test_detail_and_pdf_of_another_organisations_certificate_are_404(user):
    certificate = certify(user.organization)
    stranger = client_for(UserFactory.create())

    assert stranger.get(f"{URL}{certificate.pk}/").status_code == 404
    response = stranger.get(f"{URL}{certificate.pk}/pdf/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_certificates_need_a_token(api_client):
    assert api_client.get(URL).status_code == 401
    assert api_client.get(f"{URL}1/pdf/").status_code == 401


@pytest.mark.django_db
def test_pdf_is_the_certificate(user, auth_client):
    certificate = certify(user.organization, beneficiary="Zoë's Café GmbH")

    response = auth_client.get(f"{URL}{certificate.pk}/pdf/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="carboncred-retirement-{certificate.serial}.pdf"'
    data = response.content
    assert data.startswith(b"%PDF-")
    page = PdfReader(io.BytesIO(data)).pages[0]
    text = page.extract_text()
    assert certificate.serial in text
    assert "Zoë's Café GmbH" in text
    assert certificate.entry_hash in text
    assert certificate.block.project.title in text
    uris = [a.get_object()["/A"]["/URI"] for a in cast(ArrayObject, page["/Annots"])]
    assert uris == [f"{settings.PUBLIC_BASE_URL}/certificates/{certificate.public_id}/"]


@pytest.mark.django_db
def test_pdf_answers_accept_application_pdf_and_errors_stay_json(user, auth_client):
    certificate = certify(user.organization)

    ok = auth_client.get(f"{URL}{certificate.pk}/pdf/", HTTP_ACCEPT="application/pdf")
    missing = auth_client.get(f"{URL}{certificate.pk + 1000}/pdf/", HTTP_ACCEPT="application/pdf")

    assert ok.status_code == 200
    assert ok.content.startswith(b"%PDF-")
    assert missing.status_code == 404
    assert missing["Content-Type"].startswith("application/json")
    assert missing.json()["code"] == "not_found"


@pytest.mark.django_db
def test_pdf_is_rendered_once_then_served_from_the_cache(user, auth_client, monkeypatch):
    certificate = certify(user.organization)
    renders = []
    real_render = services.certificate_pdf_render

    def counted_render(facts):
        renders.append(facts)
        return real_render(facts)

    monkeypatch.setattr(services, "certificate_pdf_render", counted_render)

    first = auth_client.get(f"{URL}{certificate.pk}/pdf/").content
    second = auth_client.get(f"{URL}{certificate.pk}/pdf/").content

    assert first == second
    assert len(renders) == 1


@pytest.mark.django_db
def test_pdf_renders_of_one_certificate_are_byte_identical(user, auth_client):
    certificate = certify(user.organization)

    first = auth_client.get(f"{URL}{certificate.pk}/pdf/").content
    cache.clear()
    second = auth_client.get(f"{URL}{certificate.pk}/pdf/").content

    assert first == second
