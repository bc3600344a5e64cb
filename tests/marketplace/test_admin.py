import pytest
from django.test import Client

from accounts.models import User
from ledger.models import CreditBlock
from marketplace.models import Listing
from marketplace.services import listing_buy, transfer_create
from tests.accounts.factories import OrganizationFactory
from tests.ledger.factories import issue
from tests.marketplace.factories import listing as make_listing

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(db) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser(email="admin@example.com", password="x" * 12))
    return client


def test_changelists_and_details_open_read_only(admin_client, django_assert_max_num_queries):
    listings = [make_listing(seller=OrganizationFactory.create(name=f"Seller {n}")) for n in range(5)]
    order = listing_buy(buyer=OrganizationFactory.create(), listing_id=listings[0].pk, quantity_kg=5)
    block = issue().owner_block
    transfer = transfer_create(
        sender=block.owner, block_id=block.pk, quantity_kg=3, to_organization_id=OrganizationFactory.create().pk
    )

    with django_assert_max_num_queries(5):  # session, user, count, page (seller, project joined), vintages
        listing_page = admin_client.get("/admin/marketplace/listing/")
    pages = [
        listing_page,
        # Quoted: unquoted, "3" would be a term of its own and match ids and project titles containing 3.
        admin_client.get("/admin/marketplace/listing/?q=%22Seller+3%22&status__exact=open"),
        admin_client.get("/admin/marketplace/order/"),
        admin_client.get(f"/admin/marketplace/order/?q={order.pk}"),
        admin_client.get("/admin/marketplace/order/?q=not-a-uuid"),
        admin_client.get("/admin/marketplace/transfer/"),
        admin_client.get(f"/admin/marketplace/listing/{listings[1].pk}/change/"),
        admin_client.get(f"/admin/marketplace/order/{order.pk}/change/"),
        admin_client.get(f"/admin/marketplace/transfer/{transfer.pk}/change/"),
    ]

    assert [page.status_code for page in pages] == [200] * len(pages)
    assert b"Seller 3" in pages[1].content and b"Seller 4" not in pages[1].content
    assert b'name="_save"' not in pages[6].content, "nothing is edited by hand"
    assert admin_client.get("/admin/marketplace/listing/add/").status_code == 403


def test_the_withdraw_action_returns_unsold_credits_to_the_sellers(admin_client):
    open_listing, sold_out = make_listing(quantity_kg=50), make_listing(quantity_kg=5)
    listing_buy(buyer=OrganizationFactory.create(), listing_id=sold_out.pk, quantity_kg=5)

    response = admin_client.post(
        "/admin/marketplace/listing/",
        {"action": "withdraw", "_selected_action": [open_listing.pk, sold_out.pk]},
        follow=True,
    )

    assert response.status_code == 200 and b"Withdrew 1 listing(s)." in response.content
    open_listing.refresh_from_db()
    assert open_listing.status == Listing.Status.WITHDRAWN
    block = CreditBlock.objects.get(pk=open_listing.block_id)
    assert (block.owner_id, block.status) == (open_listing.seller_id, "available")
