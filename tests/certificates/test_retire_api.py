"""POST /api/retire/: retire part or all of a block and receive a certificate."""

from decimal import Decimal

import pytest
from django.conf import settings

from certificates.models import RetirementCertificate
from ledger.models import BlockStatus, CreditBlock, LedgerEntry
from tests.accounts.factories import UserFactory
from tests.certificates.factories import retire
from tests.conftest import client_for
from tests.ledger.factories import issue

URL = "/api/retire/"


def body(block, **overrides):
    data = {
        "block": block.pk,
        "quantity_kg": 250,
        "beneficiary": "Acme Widgets Pvt Ltd",
        "reason": "Offsetting the 2025 scope 2 emissions of the Pune plant",
    }
    data.update(overrides)
    return data


@pytest.fixture
def block(user):
    return issue(owner=user.organization, quantity_kg=1000, buffer_share=Decimal(0)).owner_block


def retired_kg() -> int:
    return sum(b.quantity_kg for b in CreditBlock.objects.filter(status=BlockStatus.RETIRED))


@pytest.mark.django_db
def test_retire_part_of_a_block_splits_it_and_returns_the_certificate(auth_client, user, block):
    response = auth_client.post(URL, body(block), format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    certificate = RetirementCertificate.objects.get()
    entry = LedgerEntry.objects.get(kind="retire")
    assert data["ledger_entry"] == {"seq": entry.seq, "hash": entry.hash_hex}
    issued = data["certificate"]
    assert issued["id"] == certificate.pk
    assert issued["public_id"] == certificate.public_id
    assert len(certificate.public_id) >= 22 and not certificate.public_id.isdigit()
    assert issued["quantity_kg"] == 250
    assert issued["quantity_t"] == "0.250"
    assert issued["serial"] == certificate.block.serial
    assert issued["serial"].endswith("-751-1000"), "the retired part is the end of the range"
    assert issued["pdf_url"] == f"{settings.PUBLIC_BASE_URL}/api/certificates/{certificate.pk}/pdf/"
    assert issued["verify_url"] == f"{settings.PUBLIC_BASE_URL}/api/certificates/verify/{certificate.public_id}/"
    assert issued["public_url"] == f"{settings.PUBLIC_BASE_URL}/certificates/{certificate.public_id}/"
    assert issued["beneficiary"] == "Acme Widgets Pvt Ltd"

    block.refresh_from_db()
    assert (block.quantity_kg, block.status) == (750, BlockStatus.AVAILABLE)
    retired = certificate.block
    assert (retired.quantity_kg, retired.status, retired.parent_id) == (250, BlockStatus.RETIRED, block.pk)
    assert entry.payload["memo"] == {
        "beneficiary": "Acme Widgets Pvt Ltd",
        "reason": "Offsetting the 2025 scope 2 emissions of the Pune plant",
    }
    assert certificate.organization == user.organization


@pytest.mark.django_db
def test_retire_a_whole_block(auth_client, block):
    response = auth_client.post(URL, body(block, quantity_kg=1000), format="json")

    assert response.status_code == 201
    block.refresh_from_db()
    assert block.status == BlockStatus.RETIRED
    assert RetirementCertificate.objects.get().block == block


@pytest.mark.django_db
def test_retire_more_than_held_is_409_and_writes_nothing(auth_client, block):
    entries = LedgerEntry.objects.count()

    response = auth_client.post(URL, body(block, quantity_kg=1001), format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "insufficient_credits"
    assert LedgerEntry.objects.count() == entries
    assert not RetirementCertificate.objects.exists()
    assert retired_kg() == 0


@pytest.mark.django_db
def test_retire_an_already_retired_block_is_409(auth_client, block):
    assert auth_client.post(URL, body(block, quantity_kg=1000), format="json").status_code == 201

    response = auth_client.post(URL, body(block, quantity_kg=1), format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "block_not_available"
    assert RetirementCertificate.objects.count() == 1
    assert retired_kg() == 1000


@pytest.mark.django_db
def test_retired_part_of_a_block_cannot_be_retired_again(auth_client, block):
    first = auth_client.post(URL, body(block, quantity_kg=100), format="json").json()
    retired_block = RetirementCertificate.objects.get(pk=first["certificate"]["id"]).block

    response = auth_client.post(URL, body(retired_block, quantity_kg=100), format="json")

    assert response.status_code == 409
    assert retired_kg() == 100


@pytest.mark.django_db
def test_retire_another_organisations_block_is_404(block):
    stranger = client_for(UserFactory.create())

    response = stranger.post(URL, body(block), format="json")

    assert response.status_code == 404
    assert response.json()["code"] == "block_not_found"
    assert retired_kg() == 0


@pytest.mark.django_db
def test_retire_unknown_block_is_404(auth_client):
    response = auth_client.post(URL, {**body(CreditBlock(pk=987654))}, format="json")

    assert response.status_code == 404


@pytest.mark.django_db
def test_organisation_comes_from_the_token_not_the_body(auth_client, user, block):
    other = UserFactory.create()

    response = auth_client.post(URL, body(block, organization=other.organization_id), format="json")

    assert response.status_code == 201
    assert RetirementCertificate.objects.get().organization == user.organization


@pytest.mark.django_db
def test_retire_needs_a_token(api_client, block):
    assert api_client.post(URL, body(block), format="json").status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"quantity_kg": 0}, "quantity_kg"),
        ({"quantity_kg": -5}, "quantity_kg"),
        ({"quantity_kg": 12.5}, "quantity_kg"),
        ({"quantity_kg": 12.0}, "quantity_kg"),
        ({"quantity_kg": "12"}, "quantity_kg"),
        ({"quantity_kg": True}, "quantity_kg"),
        ({"quantity_kg": None}, "quantity_kg"),
        ({"quantity_kg": 10**30}, "quantity_kg"),
        ({"block": "first"}, "block"),
        ({"block": None}, "block"),
        ({"beneficiary": ""}, "beneficiary"),
        ({"beneficiary": "   "}, "beneficiary"),
        ({"beneficiary": "x" * 151}, "beneficiary"),
        ({"beneficiary": ["Acme"]}, "beneficiary"),
        ({"reason": ""}, "reason"),
        ({"reason": "x" * 301}, "reason"),
        ({"reason": "nul\x00byte"}, "reason"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_writes_nothing(auth_client, block, overrides, field):
    response = auth_client.post(URL, {**body(block), **overrides}, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not RetirementCertificate.objects.exists()
    assert retired_kg() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("missing", ["block", "quantity_kg", "beneficiary", "reason"])
def test_every_field_is_required(auth_client, block, missing):
    data = body(block)
    del data[missing]

    response = auth_client.post(URL, data, format="json")

    assert response.status_code == 400
    assert missing in response.json()["errors"]


@pytest.mark.django_db
def test_whitespace_in_names_is_folded_to_one_line(auth_client, block):
    response = auth_client.post(URL, body(block, beneficiary="  Acme\n\tWidgets  "), format="json")

    assert response.json()["certificate"]["beneficiary"] == "Acme Widgets"


@pytest.mark.django_db
def test_idempotent_replay_returns_the_same_certificate_and_retires_nothing_more(auth_client, block):
    first = auth_client.post(URL, body(block), format="json", HTTP_IDEMPOTENCY_KEY="retire-1")
    second = auth_client.post(URL, body(block), format="json", HTTP_IDEMPOTENCY_KEY="retire-1")

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert RetirementCertificate.objects.count() == 1
    assert LedgerEntry.objects.filter(kind="retire").count() == 1
    assert retired_kg() == 250


@pytest.mark.django_db
def test_same_key_with_another_body_is_refused(auth_client, block):
    auth_client.post(URL, body(block), format="json", HTTP_IDEMPOTENCY_KEY="retire-1")

    response = auth_client.post(URL, body(block, quantity_kg=300), format="json", HTTP_IDEMPOTENCY_KEY="retire-1")

    assert response.status_code == 422
    assert retired_kg() == 250


@pytest.mark.django_db
def test_service_certificate_matches_the_ledger_entry(user, block):
    certificate = retire(organization=user.organization, block=block, quantity_kg=40)

    entry = certificate.ledger_entry
    assert certificate.entry_hash == entry.hash_hex
    assert certificate.retired_at == entry.created_at
    assert (certificate.serial_start, certificate.serial_end) == (961, 1000)
