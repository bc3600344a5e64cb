import pytest

from ledger.models import Checkpoint, CreditBlock, LedgerEntry
from ledger.services import checkpoint_create
from tests.accounts.factories import UserFactory
from tests.ledger.factories import checkpoint_made, signed_note
from tests.ledger.test_chain import make_entries

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory.create(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("model", [CreditBlock, LedgerEntry, Checkpoint])
def test_ledger_admin_shows_rows_and_refuses_changes(admin_client, model):
    make_entries(3)
    checkpoint_create()
    obj = model.objects.first()
    base = f"/admin/ledger/{model._meta.model_name}/"

    assert admin_client.get(base).status_code == 200
    assert admin_client.get(f"{base}{obj.pk}/change/").status_code == 200  # a read-only view
    assert admin_client.get(f"{base}add/").status_code == 403
    assert admin_client.post(f"{base}{obj.pk}/delete/", {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


def test_a_checkpoint_page_shows_its_signed_note(admin_client):
    make_entries(2)
    checkpoint = checkpoint_made()

    page = admin_client.get(f"/admin/ledger/checkpoint/{checkpoint.pk}/change/").content.decode()

    signature = signed_note(checkpoint).splitlines()[-1]
    assert signature.startswith("\u2014 ") and signature.split(" ")[2] in page
