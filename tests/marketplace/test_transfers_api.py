from decimal import Decimal

import pytest

from ledger.models import CreditBlock, LedgerEntry, format_serial
from marketplace.models import Transfer
from marketplace.services import transfer_create
from tests.accounts.factories import OrganizationFactory, UserFactory
from tests.conftest import client_for
from tests.ledger.factories import issue
from tests.marketplace.factories import listing as make_listing

pytestmark = pytest.mark.django_db


def my_block(user, quantity_kg=1000):
    return issue(owner=user.organization, quantity_kg=quantity_kg, buffer_share=Decimal(0)).owner_block


def send(client, body, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post("/api/transfers/", body, format="json", **headers)


def test_transfer_moves_credits_and_answers_blocks_and_ledger_entry(auth_client, user):
    block = my_block(user)
    receiver = OrganizationFactory.create(name="Offset Buyer plc", country="GB")

    response = send(auth_client, {"block": block.pk, "quantity_kg": 200, "to_organization": receiver.pk})

    assert response.status_code == 201, response.content
    body = response.json()
    transfer = Transfer.objects.get()
    entry = LedgerEntry.objects.get(kind="transfer")
    assert body == {
        "id": str(transfer.pk),
        "direction": "sent",
        "quantity_kg": 200,
        "from_organization": {
            "id": user.organization_id,
            "name": user.organization.name,
            "country": "GB",
            "verification_status": "verified",
            "registration_number": user.organization.registration_number,
        },
        "to_organization": {
            "id": receiver.pk,
            "name": "Offset Buyer plc",
            "country": "GB",
            "verification_status": "verified",
            "registration_number": receiver.registration_number,
        },
        "project": {"id": block.project_id, "title": block.project.title, "category": "solar", "country": "GB"},
        "vintage": 2025,
        "source_block": block.pk,
        "blocks": [
            {
                "block": transfer.block_id,
                "serial": format_serial(country="GB", project_id=block.project_id, vintage=2025, first=801, last=1000),
                "quantity_kg": 200,
            }
        ],
        "ledger_entry": {"seq": entry.seq, "hash": entry.hash_hex},
        "created_at": body["created_at"],
    }
    moved = CreditBlock.objects.get(pk=transfer.block_id)
    assert (moved.owner_id, moved.status) == (receiver.pk, "available")
    assert entry.payload["memo"] == {"transfer": str(transfer.pk)}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"to_organization": 987654}, "to_organization"),
        ({"to_organization": "acme"}, "to_organization"),
        ({"to_organization": None}, "to_organization"),
        ({"to_organization": 10**30}, "to_organization"),
        ({"to_organization": "SELF"}, "to_organization"),
        ({"quantity_kg": 0}, "quantity_kg"),
        ({"quantity_kg": "1.5"}, "quantity_kg"),
        ({"block": "b"}, "block"),
        ({"block": -1}, "block"),
    ],
)
def test_transfer_with_bad_input_is_400_naming_the_field(auth_client, user, change, field):
    block = my_block(user)
    receiver = OrganizationFactory.create()
    body = {"block": block.pk, "quantity_kg": 1, "to_organization": receiver.pk, **change}
    if body["to_organization"] == "SELF":
        body["to_organization"] = user.organization_id

    response = send(auth_client, body)

    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not Transfer.objects.exists() and LedgerEntry.objects.count() == 1


def test_transfer_of_another_organisations_block_is_404(auth_client):
    block = issue().owner_block

    response = send(
        auth_client, {"block": block.pk, "quantity_kg": 1, "to_organization": OrganizationFactory.create().pk}
    )

    assert response.status_code == 404 and response.json()["code"] == "block_not_found"


def test_transfer_of_more_than_available_or_of_listed_credits_is_409(auth_client, user):
    block = my_block(user, quantity_kg=100)
    listing = make_listing(seller=user.organization)
    receiver = OrganizationFactory.create().pk

    too_much = send(auth_client, {"block": block.pk, "quantity_kg": 101, "to_organization": receiver})
    listed = send(auth_client, {"block": listing.block_id, "quantity_kg": 1, "to_organization": receiver})

    assert too_much.status_code == 409 and too_much.json()["available_kg"] == 100
    assert listed.status_code == 409 and listed.json()["code"] == "block_not_available"


def test_transfer_sender_is_the_tokens_organisation(auth_client, user):
    block = my_block(user)
    receiver = OrganizationFactory.create()

    send(auth_client, {"block": block.pk, "quantity_kg": 5, "to_organization": receiver.pk, "sender": receiver.pk})

    assert Transfer.objects.get().sender_id == user.organization_id


def test_a_replayed_transfer_moves_once(auth_client, user):
    block = my_block(user)
    body = {"block": block.pk, "quantity_kg": 5, "to_organization": OrganizationFactory.create().pk}

    first = send(auth_client, body, key="t-1")
    second = send(auth_client, body, key="t-1")
    changed = send(auth_client, {**body, "quantity_kg": 6}, key="t-1")

    assert first.status_code == second.status_code == 201 and first.json() == second.json()
    assert changed.status_code == 422
    assert Transfer.objects.count() == 1 and LedgerEntry.objects.filter(kind="transfer").count() == 1


def test_transfers_list_sent_and_received_only(user, django_assert_max_num_queries):
    other = UserFactory.create()
    sent = transfer_create(
        sender=user.organization, block_id=my_block(user).pk, quantity_kg=3, to_organization_id=other.organization.pk
    )
    received = transfer_create(
        sender=other.organization, block_id=my_block(other).pk, quantity_kg=4, to_organization_id=user.organization.pk
    )
    stranger = issue().owner_block
    transfer_create(
        sender=stranger.owner, block_id=stranger.pk, quantity_kg=1, to_organization_id=OrganizationFactory.create().pk
    )
    client = client_for(user)

    with django_assert_max_num_queries(4):  # user, organisation, count, page
        data = client.get("/api/transfers/").json()

    assert [(t["id"], t["direction"]) for t in data["results"]] == [
        (str(received.pk), "received"),
        (str(sent.pk), "sent"),
    ]
    assert [t["id"] for t in client.get("/api/transfers/?direction=sent").json()["results"]] == [str(sent.pk)]
    assert [t["id"] for t in client.get("/api/transfers/?direction=received").json()["results"]] == [str(received.pk)]
    assert client.get("/api/transfers/?direction=up").status_code == 400
    assert client.get(f"/api/transfers/{received.pk}/").json()["direction"] == "received"


def test_transfers_query_count_does_not_grow_with_the_transfers(user, django_assert_max_num_queries):
    block = my_block(user)
    for _ in range(12):
        transfer_create(
            sender=user.organization,
            block_id=block.pk,
            quantity_kg=1,
            to_organization_id=OrganizationFactory.create().pk,
        )

    with django_assert_max_num_queries(4):
        assert client_for(user).get("/api/transfers/").json()["count"] == 12


def test_another_organisations_transfers_are_invisible(auth_client):
    block = issue().owner_block
    transfer = transfer_create(
        sender=block.owner, block_id=block.pk, quantity_kg=1, to_organization_id=OrganizationFactory.create().pk
    )

    assert auth_client.get("/api/transfers/").json()["count"] == 0
    response = auth_client.get(f"/api/transfers/{transfer.pk}/")
    assert response.status_code == 404 and response.json()["code"] == "transfer_not_found"
