"""The money API as a client sees it: balances, top-ups, buying with a balance, statements, payouts."""

import csv
import io
from decimal import Decimal

import pytest
from django.conf import settings

from marketplace.models import Order
from payments.models import JournalEntry, Payout, TopUp
from payments.services import minting_fee_charge
from payments.signals import balance_credited
from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.marketplace.factories import listing as make_listing
from tests.payments.helpers import assert_books_balance, balance, fund

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client():
    return client_for(UserFactory.create(is_staff=True))


def buy(client, listing_id: int, quantity_kg: int):
    return client.post("/api/buy/", {"listing": listing_id, "quantity_kg": quantity_kg}, format="json")


# --- balance and top-ups --------------------------------------------------------------------


def test_a_new_organisation_has_no_balances(auth_client):
    assert auth_client.get("/api/balance/").json() == {"balances": []}


def test_a_bank_transfer_top_up_gives_instructions_and_counts_as_pending(auth_client):
    response = auth_client.post("/api/balance/top-ups/", {"amount": "250.00", "currency": "eur"}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["amount"], body["currency"], body["method"]) == (
        "pending",
        "250.00",
        "EUR",
        "bank_transfer",
    )
    instructions = body["instructions"]
    assert instructions["reference"] == body["reference"] and body["reference"].startswith("CCT-")
    assert instructions["iban"] == settings.PAYMENTS_BANK_IBAN and body["reference"] in instructions["note"]
    assert auth_client.get("/api/balance/").json()["balances"] == [
        {"currency": "EUR", "available": "0.00", "pending": "250.00", "owed": "0.00", "payouts_pending": "0.00"}
    ]


def test_every_top_up_gets_its_own_reference(auth_client):
    references = {
        auth_client.post("/api/balance/top-ups/", {"amount": "1.00"}, format="json").json()["reference"]
        for _ in range(5)
    }
    assert len(references) == 5


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "-5.00"}, "amount"),
        ({"amount": "1.001"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"amount": "10.00", "currency": "XYZ"}, "currency"),
        ({"amount": "10.00", "currency": "JPY"}, "currency"),
        ({"amount": "10.00", "method": "cash"}, "method"),
        ({}, "amount"),
    ],
)
def test_bad_top_ups_are_400_naming_the_field(auth_client, body, field):
    response = auth_client.post("/api/balance/top-ups/", body, format="json")
    assert response.status_code == 400 and field in response.json()["errors"], response.content
    assert not TopUp.objects.exists()


def test_card_top_ups_are_refused_while_cards_are_disabled(auth_client, settings):
    settings.PAYMENTS_CARD_ENABLED = False
    response = auth_client.post("/api/balance/top-ups/", {"amount": "10.00", "method": "card"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "card_payments_disabled"
    assert not TopUp.objects.exists()


def test_staff_confirm_a_transfer_once_and_the_balance_is_credited(user, auth_client, staff_client):
    top_up = auth_client.post("/api/balance/top-ups/", {"amount": "120.50"}, format="json").json()
    received = []
    balance_credited.connect(lambda **kwargs: received.append(kwargs), weak=False, dispatch_uid="test-credited")
    try:
        assert auth_client.post(f"/api/balance/top-ups/{top_up['id']}/confirm/").status_code == 403
        first = staff_client.post(f"/api/balance/top-ups/{top_up['id']}/confirm/")
        second = staff_client.post(f"/api/balance/top-ups/{top_up['id']}/confirm/")
    finally:
        balance_credited.disconnect(dispatch_uid="test-credited")

    assert first.status_code == 200 and first.json()["status"] == "completed"
    assert second.status_code == 409 and second.json()["code"] == "top_up_not_pending"
    assert balance(user.organization) == Decimal("120.50")
    assert [(r["organization_id"], r["amount"], r["currency"], r["top_up_id"]) for r in received] == [
        (user.organization.pk, Decimal("120.50"), "USD", top_up["id"])
    ]
    assert auth_client.get("/api/balance/").json()["balances"][0]["pending"] == "0.00"
    assert_books_balance()


def test_another_organisations_top_up_is_404(auth_client):
    other = client_for(UserFactory.create())
    top_up = other.post("/api/balance/top-ups/", {"amount": "5.00"}, format="json").json()
    assert auth_client.get(f"/api/balance/top-ups/{top_up['id']}/").status_code == 404
    assert other.get(f"/api/balance/top-ups/{top_up['id']}/").status_code == 200


def test_staff_confirming_an_unknown_top_up_is_404(staff_client):
    assert staff_client.post("/api/balance/top-ups/999999/confirm/").status_code == 404


# --- buying ---------------------------------------------------------------------------------


def test_buying_moves_total_and_fee_between_buyer_seller_and_platform(user, auth_client, settings):
    settings.PLATFORM_FEE_RATE = Decimal("0.02")
    listing = make_listing(quantity_kg=500, price="12.34")
    fund(user.organization, "100.00")

    response = buy(auth_client, listing.pk, 333)

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["total"], body["fee"]) == ("4.11", "0.08")  # 12.34 * 0.333 = 4.10922; 2 % of 4.11 = 0.0822
    assert {"ledger_entry", "blocks", "price_per_tonne", "currency", "listing", "quantity_kg"} <= set(body)
    assert balance(user.organization) == Decimal("95.81")
    assert balance(listing.seller) == Decimal("4.11") - Decimal(0)  # minting fees on issue() are not charged
    entry = JournalEntry.objects.get(order_id=body["id"])
    assert sorted(p.amount for p in entry.postings.all()) == [-419, 8, 411]
    assert_books_balance()


def test_a_buyer_short_of_funds_gets_409_and_nothing_moves(user, auth_client):
    listing = make_listing(quantity_kg=500, price="10.00")
    fund(user.organization, "1.00")

    response = buy(auth_client, listing.pk, 100)  # 1.00 + fee

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "insufficient_funds" and body["available"] == "1.00" and body["currency"] == "USD"
    assert not Order.objects.exists()
    listing.refresh_from_db()
    assert listing.quantity_available_kg == 500
    assert balance(user.organization) == Decimal("1.00")
    assert_books_balance()


def test_money_in_another_currency_does_not_pay(user, auth_client):
    listing = make_listing(quantity_kg=100, price="10.00", currency="KES")
    fund(user.organization, "1000.00", "USD")
    response = buy(auth_client, listing.pk, 10)
    assert response.status_code == 409 and response.json()["currency"] == "KES"


def test_a_listing_in_a_local_currency_trades_in_it(user, auth_client):
    listing = make_listing(quantity_kg=100, price="1500.00", currency="ZAR")
    fund(user.organization, "1000.00", "ZAR")
    assert buy(auth_client, listing.pk, 100).status_code == 201
    assert balance(listing.seller, "ZAR") == Decimal("150.00")


# --- minting fee ----------------------------------------------------------------------------


def test_the_minting_fee_is_owed_when_short_and_paid_from_the_next_top_up(user, auth_client):
    owner = user.organization
    minting_fee_charge(organization_id=owner.pk, amount=Decimal("2.50"), currency="USD", reference="issuance:x")
    row = {"currency": "USD", "available": "0.00", "pending": "0.00", "owed": "2.50", "payouts_pending": "0.00"}
    assert auth_client.get("/api/balance/").json()["balances"] == [row]

    fund(owner, "10.00")

    assert balance(owner) == Decimal("7.50")
    assert auth_client.get("/api/balance/").json()["balances"][0]["owed"] == "0.00"
    minting_fee_charge(organization_id=owner.pk, amount=Decimal("1.25"), currency="USD", reference="issuance:y")
    assert balance(owner) == Decimal("6.25")
    kinds = [r["kind"] for r in auth_client.get("/api/balance/statement/").json()["results"]]
    assert kinds == ["minting_fee", "receivable_settled", "top_up"]
    assert_books_balance()


# --- statement ------------------------------------------------------------------------------


def test_the_statement_lists_each_movement_with_the_balance_after(user, auth_client, settings):
    settings.PLATFORM_FEE_RATE = Decimal("0.02")
    fund(user.organization, "50.00")
    listing = make_listing(quantity_kg=100, price="100.00")
    buy(auth_client, listing.pk, 100)  # 10.00 + 0.20

    data = auth_client.get("/api/balance/statement/").json()

    assert data["count"] == 2
    newest, oldest = data["results"]
    assert set(newest) >= {"id", "created_at", "kind", "amount", "currency", "balance_after", "reference"}
    assert (oldest["kind"], oldest["amount"], oldest["balance_after"]) == ("top_up", "+50.00", "50.00")
    assert (newest["kind"], newest["amount"], newest["balance_after"]) == ("purchase", "-10.20", "39.80")
    assert newest["reference"].startswith("order:")
    seller = client_for(UserFactory.create(organization=listing.seller))
    sale = seller.get("/api/balance/statement/").json()["results"][0]
    assert (sale["kind"], sale["amount"], sale["balance_after"]) == ("purchase", "+10.00", "10.00")


def test_the_statement_as_csv(user, auth_client):
    fund(user.organization, "5.00")
    fund(user.organization, "7.25")

    response = auth_client.get("/api/balance/statement/?format=csv")

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["kind"], r["amount"], r["balance_after"]) for r in rows] == [
        ("top_up", "+7.25", "12.25"),
        ("top_up", "+5.00", "5.00"),
    ]


def test_the_statement_filters_by_currency_and_refuses_a_bad_one(user, auth_client, django_assert_max_num_queries):
    fund(user.organization, "5.00", "EUR")
    fund(user.organization, "6.00", "USD")
    with django_assert_max_num_queries(4):
        data = auth_client.get("/api/balance/statement/?currency=EUR").json()
    assert [r["currency"] for r in data["results"]] == ["EUR"]
    assert auth_client.get("/api/balance/statement/?currency=XXX").status_code == 400


def test_statements_are_private(user, auth_client):
    fund(UserFactory.create().organization, "5.00")
    assert auth_client.get("/api/balance/statement/").json()["count"] == 0
    assert auth_client.get("/api/balance/").json() == {"balances": []}


def test_money_endpoints_need_a_token(api_client):
    for path in ("/api/balance/", "/api/balance/statement/", "/api/payouts/", "/api/balance/top-ups/"):
        assert api_client.get(path).status_code == 401


# --- payouts --------------------------------------------------------------------------------


def test_a_payout_needs_a_bank_account(user, auth_client):
    fund(user.organization, "10.00")
    response = auth_client.post("/api/payouts/", {"amount": "5.00"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "bank_account_missing"
    assert auth_client.get("/api/balance/bank-account/").status_code == 404


def test_the_bank_account_is_shown_masked(auth_client):
    response = auth_client.put(
        "/api/balance/bank-account/",
        {"holder_name": "SME Ltd", "account_number": "GB29 NWBK 6016 1331 9268 19", "bank_code": "nwbkgb2l"},
        format="json",
    )
    assert response.status_code == 200
    shown = auth_client.get("/api/balance/bank-account/").json()
    assert shown["account_number"] == "•••• 6819" and "6016" not in str(shown) and shown["bank_code"] == "NWBKGB2L"
    bad = auth_client.put(
        "/api/balance/bank-account/", {"holder_name": "x", "account_number": "<script>"}, format="json"
    )
    assert bad.status_code == 400 and "account_number" in bad.json()["errors"]


def test_payout_lifecycle_requested_then_paid(user, auth_client, staff_client):
    fund(user.organization, "100.00")
    auth_client.put(
        "/api/balance/bank-account/", {"holder_name": "SME Ltd", "account_number": "12345678"}, format="json"
    )

    created = auth_client.post("/api/payouts/", {"amount": "60.00", "currency": "USD"}, format="json")

    assert created.status_code == 201, created.content
    payout = created.json()
    assert payout["status"] == "requested" and payout["bank_account"]["account_number"] == "•••• 5678"
    assert auth_client.get("/api/balance/").json()["balances"][0] | {} == {
        "currency": "USD",
        "available": "40.00",
        "pending": "0.00",
        "owed": "0.00",
        "payouts_pending": "60.00",
    }
    too_much = auth_client.post("/api/payouts/", {"amount": "40.01"}, format="json")
    assert too_much.status_code == 409 and too_much.json()["code"] == "insufficient_funds"

    assert auth_client.post(f"/api/payouts/{payout['id']}/mark-paid/").status_code == 403
    paid = staff_client.post(f"/api/payouts/{payout['id']}/mark-paid/", {"bank_reference": "BACS 991"}, format="json")
    assert paid.status_code == 200 and paid.json()["status"] == "paid"
    again = staff_client.post(f"/api/payouts/{payout['id']}/reject/", {"note": "late"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "payout_not_requested"
    assert balance(user.organization) == Decimal("40.00")
    assert auth_client.get("/api/payouts/").json()["count"] == 1
    assert_books_balance()


def test_a_rejected_payout_returns_to_the_balance(user, auth_client, staff_client):
    fund(user.organization, "30.00")
    auth_client.put(
        "/api/balance/bank-account/", {"holder_name": "SME Ltd", "account_number": "12345678"}, format="json"
    )
    payout = auth_client.post("/api/payouts/", {"amount": "30.00"}, format="json").json()
    assert balance(user.organization) == 0

    rejected = staff_client.post(f"/api/payouts/{payout['id']}/reject/", {"note": "account closed"}, format="json")

    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert balance(user.organization) == Decimal("30.00")
    assert Payout.objects.get().note == "account closed"
    assert_books_balance()


# --- receipts -------------------------------------------------------------------------------


def test_the_receipt_is_a_pdf_for_the_buyer_and_the_seller_only(user, auth_client):
    from pypdf import PdfReader

    listing = make_listing(quantity_kg=100, price="25.00")
    fund(user.organization, "10.00")
    order = buy(auth_client, listing.pk, 100).json()
    url = f"/api/orders/{order['id']}/receipt/"

    response = auth_client.get(url)

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Receipt" in text and user.organization.name in text and listing.seller.name in text
    assert "2.50 USD" in text and "2.55 USD" in text  # total, and total + 2 % fee
    assert auth_client.get(url).content == response.content, "the same bytes every time"
    seller = client_for(UserFactory.create(organization=listing.seller))
    assert seller.get(url).status_code == 200
    assert client_for(UserFactory.create()).get(url).status_code == 404


def test_an_unverified_organisation_cannot_pay_out(db):
    from accounts.models import VerificationStatus
    from tests.accounts.factories import OrganizationFactory

    unverified = UserFactory.create(
        organization=OrganizationFactory.create(verification_status=VerificationStatus.UNVERIFIED)
    )
    fund(unverified.organization, "10.00")
    client = client_for(unverified)
    client.put("/api/balance/bank-account/", {"holder_name": "New Co", "account_number": "12345678"}, format="json")

    response = client.post("/api/payouts/", {"amount": "5.00"}, format="json")

    assert response.status_code == 403 and response.json()["code"] == "organization_unverified"
    assert balance(unverified.organization) == Decimal("10.00")


def test_an_approved_claim_charges_the_minting_fee_or_records_it_as_owed(user, settings):
    from tests.verification.test_issuance import HONEST, submit

    settings.MINTING_FEE_PER_TONNE = Decimal("0.50")
    first = submit(user, HONEST[0]).json()
    fee = Decimal(first["issuance"]["minting_fee"])
    assert fee > 0
    rows = client_for(user).get("/api/balance/").json()["balances"]
    assert rows == [
        {"currency": "USD", "available": "0.00", "pending": "0.00", "owed": f"{fee:.2f}", "payouts_pending": "0.00"}
    ]

    fund(user.organization, "1000.00")  # pays what is owed first
    assert balance(user.organization) == Decimal("1000.00") - fee
    assert_books_balance()


def test_an_approved_claim_of_a_funded_owner_pays_the_minting_fee_at_once(settings):
    from tests.verification.test_issuance import HONEST, submit

    settings.MINTING_FEE_PER_TONNE = Decimal("0.50")
    funded = UserFactory.create()
    fund(funded.organization, "1000.00")
    charged = Decimal(submit(funded, HONEST[0]).json()["issuance"]["minting_fee"])
    assert charged > 0
    assert balance(funded.organization) == Decimal("1000.00") - charged
    kinds = [e["kind"] for e in client_for(funded).get("/api/balance/statement/").json()["results"]]
    assert kinds == ["minting_fee", "top_up"]
    assert_books_balance()
