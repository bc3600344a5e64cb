"""Who may download a certificate's PDF: its owner, any verifier by id, anyone by public id."""

from decimal import Decimal

import pytest

from ledger.models import Checkpoint
from tests.accounts.factories import UserFactory
from tests.certificates.factories import retire
from tests.conftest import client_for
from tests.ledger.factories import issue


def certify(organization, quantity_kg=100):
    block = issue(owner=organization, quantity_kg=2000, buffer_share=Decimal(0)).owner_block
    return retire(organization=organization, block=block, quantity_kg=quantity_kg)


@pytest.mark.django_db
def test_a_verifier_downloads_any_organisations_certificate_pdf(verifier_client):
    certificate = certify(UserFactory.create().organization)

    response = verifier_client.get(f"/api/certificates/{certificate.pk}/pdf/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


@pytest.mark.django_db
def test_a_verifier_still_lists_only_their_own_certificates(verifier_client):
    certificate = certify(UserFactory.create().organization)

    assert verifier_client.get(f"/api/certificates/{certificate.pk}/").status_code == 404
    assert verifier_client.get("/api/certificates/").json()["count"] == 0


@pytest.mark.django_db
def test_a_member_of_another_organisation_gets_404_for_the_pdf():
    certificate = certify(UserFactory.create().organization)

    response = client_for(UserFactory.create()).get(f"/api/certificates/{certificate.pk}/pdf/")

    assert response.status_code == 404


@pytest.mark.django_db
def test_the_public_page_links_to_the_public_pdf(client, user, auth_client):
    certificate = certify(user.organization)
    owners = auth_client.get(f"/api/certificates/{certificate.pk}/pdf/").content  # stores the checkpoint

    page = client.get(f"/certificates/{certificate.public_id}/")
    pdf = client.get(f"/certificates/{certificate.public_id}/pdf/")

    assert page.status_code == 200
    assert f'href="/certificates/{certificate.public_id}/pdf/"' in page.content.decode()
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("inline;")
    assert pdf.content == owners, "the same file as the owner's, once a checkpoint covers the entry"


@pytest.mark.django_db
def test_the_public_pdf_writes_nothing(client, user):
    certificate = certify(user.organization)  # in a test, the after-commit checkpoint is not stored
    assert Checkpoint.objects.count() == 0

    response = client.get(f"/certificates/{certificate.public_id}/pdf/")

    assert response.status_code == 200
    assert Checkpoint.objects.count() == 0, "a public GET stores no checkpoint"


@pytest.mark.django_db
def test_the_public_pdf_of_an_unknown_certificate_is_404(client):
    assert client.get("/certificates/NoSuchCertificate0000000/pdf/").status_code == 404


@pytest.mark.django_db
def test_the_verify_api_gives_the_public_pdf_url(api_client, user):
    certificate = certify(user.organization)

    data = api_client.get(f"/api/certificates/verify/{certificate.public_id}/").json()

    assert data["certificate"]["pdf_url"].endswith(f"/certificates/{certificate.public_id}/pdf/")
