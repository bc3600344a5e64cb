"""The balance page: balances, a bank-transfer top-up with its instructions, bank account, payouts,
the statement and its CSV; order receipts from the orders page."""

from decimal import Decimal

import pytest

from payments.models import Payout, TopUp
from payments.services import top_up_fund
from tests.web.conftest import session_for

pytestmark = [pytest.mark.django_db, pytest.mark.unfunded]


def test_the_balance_page_asks_for_a_session(client):
    response = client.get("/app/balance/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=/app/balance/")


def test_the_balance_page_shows_balances_and_the_statement(sme_client, sme, django_assert_max_num_queries):
    top_up_fund(organization=sme.organization, amount=Decimal("1234.50"), currency="USD")

    with django_assert_max_num_queries(14):
        response = sme_client.get("/app/balance/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<a href="/app/balance/" aria-current="page">Balance</a>' in html
    assert "1,234.50 USD" in html and "Top-up" in html
    assert '<label for="top_up_amount">Amount</label>' in html and '<label for="payout_amount">' not in html


def test_a_top_up_request_shows_the_transfer_instructions(sme_client, sme, settings):
    response = sme_client.post("/app/balance/", {"form": "top_up", "amount": "250.00", "currency": "KES"})

    assert response.status_code == 302
    top_up = TopUp.objects.get(organization=sme.organization)
    html = sme_client.get("/app/balance/").content.decode()
    assert top_up.reference in html and settings.PAYMENTS_BANK_IBAN in html and "250.00 KES" in html


def test_a_bad_top_up_is_shown_on_its_form(sme_client):
    response = sme_client.post("/app/balance/", {"form": "top_up", "amount": "-1", "currency": "USD"})
    assert response.status_code == 400
    assert "greater than or equal to 0.01" in response.content.decode()
    assert not TopUp.objects.exists()


def test_bank_account_then_payout_and_overdraft_refused(sme_client, sme):
    top_up_fund(organization=sme.organization, amount=Decimal("100.00"), currency="USD")
    saved = sme_client.post(
        "/app/balance/",
        {"form": "bank_account", "holder_name": "Bakery Ltd", "account_number": "GB29 NWBK 6016 1331 9268 19"},
    )
    assert saved.status_code == 302
    assert "•••• 6819" in sme_client.get("/app/balance/").content.decode()

    paid = sme_client.post("/app/balance/", {"form": "payout", "amount": "60.00", "currency": "USD"})
    refused = sme_client.post("/app/balance/", {"form": "payout", "amount": "60.00", "currency": "USD"})

    assert paid.status_code == 302 and Payout.objects.count() == 1
    assert refused.status_code == 409 and "40.00 USD" in refused.content.decode()


def test_the_statement_downloads_as_csv(sme_client, sme):
    top_up_fund(organization=sme.organization, amount=Decimal("5.00"), currency="USD")
    response = sme_client.get("/app/balance/statement.csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response.status_code == 200 and text.splitlines()[1].split(",")[2:4] == ["top_up", "+5.00"]


def test_order_receipts_are_linked_and_private(sme_client, sme, other, listing):
    from marketplace.services import listing_buy

    top_up_fund(organization=other.organization, amount=Decimal("100.00"), currency="USD")
    order = listing_buy(buyer=other.organization, listing_id=listing.pk, quantity_kg=10)
    seller_page = sme_client.get("/app/orders/").content.decode()

    assert f"/app/orders/{order.pk}/receipt/" in seller_page
    assert sme_client.get(f"/app/orders/{order.pk}/receipt/")["Content-Type"] == "application/pdf"
    assert session_for(other).get(f"/app/orders/{order.pk}/receipt/").status_code == 200
    from tests.accounts.factories import UserFactory

    assert session_for(UserFactory.create()).get(f"/app/orders/{order.pk}/receipt/").status_code == 404


def test_buying_on_the_market_page_without_the_money_says_so(other, listing):
    client = session_for(other)

    response = client.post("/app/buy/", {"listing": listing.pk, "quantity_kg": 100}, follow=True)

    html = response.content.decode()
    assert "Your available balance is 0.00 USD; 1.28 USD is needed." in html  # 1.25 + 2 % fee
    assert not other.organization.purchases.exists()
