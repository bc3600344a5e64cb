"""Finding 9d: an unknown certificate id on the public page is a branded "not a valid certificate"
page (404), not Django's bare "Not Found" — a person who scanned a forged QR code must be told
plainly that no such certificate exists."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("public_id", ["Zq3k9PqLmN0aBcDeFgHiJk", "not-a-certificate", "x", "%3Cscript%3E", "a.b"])
@pytest.mark.parametrize("suffix", ["", "pdf/"], ids=["page", "pdf"])
def test_an_unknown_certificate_is_a_branded_404_page(client, public_id, suffix):
    """The public page and the public PDF link alike."""
    response = client.get(f"/certificates/{public_id}/{suffix}")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "not a valid certificate" in page.lower()
    assert "CarbonCred" in page
    assert "<script>" not in page  # whatever was typed is never echoed unescaped


def test_a_real_certificate_still_opens(client, user):
    from tests.certificates.factories import retire
    from tests.ledger.factories import issue

    certificate = retire(organization=user.organization, block=issue(owner=user.organization).owner_block)

    response = client.get(f"/certificates/{certificate.public_id}/")

    assert response.status_code == 200
    assert "not a valid certificate" not in response.content.decode().lower()
