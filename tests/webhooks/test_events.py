"""Each event of the contract is recorded, for the right organisation, by the change it reports: a claim
decided (by screening or a verifier), credits received (issued, bought, transferred), a listing sold, a
certificate issued, an issuance reversed. Recorded rows only: delivery is tested in test_delivery."""

from decimal import Decimal

import pytest

from certificates.services import retirement_create
from marketplace.services import listing_buy, transfer_create
from payments.services import top_up_fund
from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.ledger.factories import issue
from tests.marketplace.factories import listing
from tests.verification.factories import project_for
from tests.verification.reversals import REVERSE, fund_pool, issued_claim
from tests.verification.test_claims_api import URL, solar_body
from webhooks.events import EventType
from webhooks.models import WebhookDelivery, WebhookEvent
from webhooks.services import Event, endpoint_create, events_emit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _record_only(settings):
    """Endpoints on loopback are allowed, and tasks are only queued: nothing is sent."""
    settings.WEBHOOK_ALLOW_PRIVATE = True
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def subscribe(organization, events=tuple(EventType.values)) -> None:
    user = UserFactory.create(organization=organization)
    endpoint_create(organization=organization, created_by=user, url="http://127.0.0.1:9/hook", events=list(events))


def funded(organization):
    """Paid for before subscribing: the buy's own events are then the only ones (a top-up would be
    ``balance.credited``)."""
    top_up_fund(organization=organization, amount=Decimal("100.00"), currency="USD")
    return organization


def events_of(organization) -> list[tuple[str, dict]]:
    return [
        (e.type, e.payload["data"])
        for e in WebhookEvent.objects.filter(organization=organization).order_by("created_at")
    ]


def test_a_purchase_tells_the_buyer_credits_arrived_and_the_seller_the_listing_sold():
    offer = listing(quantity_kg=100, price="10.00")
    buyer = funded(UserFactory.create().organization)
    subscribe(buyer)
    subscribe(offer.seller)

    order = listing_buy(buyer=buyer, listing_id=offer.pk, quantity_kg=40)

    [(kind, data)] = events_of(buyer)
    assert kind == "credits.received"
    assert data["reason"] == "purchase" and data["order"] == str(order.pk) and data["quantity_kg"] == 40
    assert data["block"] == order.block_id and data["serial"] == order.block.serial
    [(kind, data)] = events_of(offer.seller)
    assert kind == "listing.sold"
    assert data == {
        "listing": offer.pk,
        "order": str(order.pk),
        "quantity_kg": 40,
        "quantity_available_kg": 60,
        "status": "open",
        "price_per_tonne": "10.00",
        "total": "0.40",
        "currency": "USD",
    }


def test_a_transfer_tells_the_recipient():
    sender = UserFactory.create().organization
    block = issue(owner=sender, quantity_kg=1000, buffer_share=Decimal(0)).owner_block
    recipient = UserFactory.create().organization
    subscribe(recipient)
    subscribe(sender)

    transfer = transfer_create(sender=sender, block_id=block.pk, quantity_kg=250, to_organization_id=recipient.pk)

    [(kind, data)] = events_of(recipient)
    assert kind == "credits.received"
    assert data["reason"] == "transfer" and data["transfer"] == str(transfer.pk)
    assert data["from_organization"] == sender.pk and data["quantity_kg"] == 250
    assert events_of(sender) == []


def test_a_retirement_tells_the_organisation_its_certificate_was_issued():
    owner = UserFactory.create().organization
    block = issue(owner=owner, quantity_kg=1000, buffer_share=Decimal(0)).owner_block
    subscribe(owner, events=["certificate.issued"])

    certificate = retirement_create(
        organization=owner, block_id=block.pk, quantity_kg=100, beneficiary="Acme", reason="2025 footprint"
    )

    [(kind, data)] = events_of(owner)
    assert kind == "certificate.issued"
    assert data["certificate"] == certificate.pk and data["public_id"] == certificate.public_id
    assert data["quantity_kg"] == 100 and data["ledger_entry"]["seq"] == certificate.ledger_entry_id
    assert data["verify_url"].endswith(f"/api/certificates/verify/{certificate.public_id}/")


def test_an_automatic_approval_tells_the_claimant_the_decision_and_the_credits(user):
    subscribe(user.organization)

    claim = issued_claim(user)

    kinds = dict(events_of(user.organization))
    assert set(kinds) == {"claim.decided", "credits.received"}
    decided = kinds["claim.decided"]
    assert decided["claim"] == claim["id"] and decided["status"] == "approved"
    assert decided["decided_by"] == "screening" and decided["reasons"] == [
        reason["code"] for reason in claim["verification"]["reasons"]
    ]
    received = kinds["credits.received"]
    assert received["reason"] == "issuance" and received["claim"] == claim["id"]
    assert received["quantity_kg"] == claim["issuance"]["quantity_kg"]


def test_a_claim_waiting_for_review_is_not_decided_yet_and_a_verifier_decides_it(user, verifier_client, settings):
    settings.VERIFICATION_REVIEW_SIZE_KG = 1
    subscribe(user.organization, events=["claim.decided"])
    first = client_for(user).post(URL, solar_body(project_for(user.organization)), format="json").json()
    assert first["status"] == "needs_review"
    assert events_of(user.organization) == []

    assert (
        verifier_client.post(f"/api/verifications/{first['id']}/reject/", {"note": "no"}, format="json").status_code
        == 200
    )

    [(kind, data)] = events_of(user.organization)
    assert (kind, data["claim"], data["status"], data["decided_by"]) == (
        "claim.decided",
        first["id"],
        "rejected",
        "verifier",
    )


def test_a_verifier_approval_tells_the_decision_and_the_credits(user, verifier_client, settings):
    settings.VERIFICATION_REVIEW_SIZE_KG = 1
    subscribe(user.organization)
    claim = client_for(user).post(URL, solar_body(project_for(user.organization)), format="json").json()

    response = verifier_client.post(f"/api/verifications/{claim['id']}/approve/", {"note": "ok"}, format="json")

    assert response.status_code == 200, response.content
    kinds = dict(events_of(user.organization))
    assert kinds["claim.decided"]["status"] == "approved" and kinds["claim.decided"]["decided_by"] == "verifier"
    assert kinds["credits.received"]["claim"] == claim["id"]


def test_a_reversal_tells_the_claimant(user, verifier_client):
    claim = issued_claim(user)
    fund_pool(1_000)
    subscribe(user.organization, events=["issuance.reversed"])

    response = verifier_client.post(REVERSE.format(claim["id"]), {"reason": "Evidence forged"}, format="json")

    assert response.status_code == 200, response.content
    [(kind, data)] = events_of(user.organization)
    assert kind == "issuance.reversed"
    assert data["claim"] == claim["id"] and data["cancelled_kg"] == response.json()["cancelled_kg"]


def test_a_purchase_that_fails_after_its_events_were_recorded_leaves_none(monkeypatch):
    """The events are written inside the purchase's transaction: when the ledger step after them fails,
    they roll back with the purchase."""
    offer = listing(quantity_kg=100)
    buyer = funded(UserFactory.create().organization)
    subscribe(buyer)
    subscribe(offer.seller)

    def append_fails(**kwargs):
        assert WebhookEvent.objects.count() == 2  # recorded by then
        raise RuntimeError("the ledger head is gone")

    monkeypatch.setattr("ledger.services.append_entry", append_fails)
    with pytest.raises(RuntimeError):
        listing_buy(buyer=buyer, listing_id=offer.pk, quantity_kg=10)

    assert not WebhookEvent.objects.exists()


def test_several_events_of_one_change_look_up_their_endpoints_once(django_assert_num_queries):
    buyer, seller, bystander = (UserFactory.create().organization for _ in range(3))
    subscribe(buyer, events=[EventType.CREDITS_RECEIVED])
    subscribe(buyer, events=[EventType.CREDITS_RECEIVED, EventType.LISTING_SOLD])
    subscribe(seller, events=[EventType.CERTIFICATE_ISSUED])  # not the event it is sent

    events = [
        Event(organization_id=buyer.pk, type=EventType.CREDITS_RECEIVED, data={"order": "o-1"}),
        Event(organization_id=seller.pk, type=EventType.LISTING_SOLD, data={"order": "o-1"}),
        Event(organization_id=bystander.pk, type=EventType.LISTING_SOLD, data={"order": "o-1"}),
    ]
    with django_assert_num_queries(3):  # the endpoints of all three; the buyer's event; its deliveries
        recorded = events_emit(events)

    assert recorded[1] is None and recorded[2] is None  # nobody there wants a listing.sold
    assert events_of(buyer) == [("credits.received", {"order": "o-1"})]
    assert events_of(seller) == [] and events_of(bystander) == []
    assert WebhookDelivery.objects.filter(event=recorded[0]).count() == 2  # both of the buyer's endpoints
