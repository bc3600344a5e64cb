"""Staff work in the admin through the services; the journal's own checks find what was tampered with."""

from decimal import Decimal

import pytest

from payments.models import Account, Payout, TopUp
from payments.selectors import journal_problems, platform_balances
from payments.services import bank_account_set, payout_request, top_up_request
from tests.accounts.factories import OrganizationFactory, UserFactory
from tests.conftest import client_for
from tests.payments.helpers import assert_books_balance, balance, fund

pytestmark = pytest.mark.django_db


def test_staff_confirm_bank_transfers_in_the_admin_once(admin_client):
    org = OrganizationFactory.create()
    pending = top_up_request(organization=org, amount=Decimal("80.00"), currency="USD", method="bank_transfer")
    other = top_up_request(organization=org, amount=Decimal("5.00"), currency="USD", method="bank_transfer")

    response = admin_client.post(
        "/admin/payments/topup/", {"action": "confirm", "_selected_action": [pending.pk]}, follow=True
    )
    again = admin_client.post(
        "/admin/payments/topup/", {"action": "confirm", "_selected_action": [pending.pk]}, follow=True
    )
    cancelled = admin_client.post(
        "/admin/payments/topup/", {"action": "cancel", "_selected_action": [other.pk]}, follow=True
    )

    assert b"Credited 1 top-up(s)." in response.content and b"Credited 0 top-up(s)." in again.content
    assert b"Cancelled 1 top-up(s)." in cancelled.content
    assert balance(org) == Decimal("80.00")
    assert TopUp.objects.get(pk=other.pk).status == "cancelled"
    assert admin_client.get(f"/admin/payments/topup/{pending.pk}/change/").status_code == 200
    assert admin_client.get("/admin/payments/journalentry/add/").status_code == 403
    assert_books_balance()


def test_staff_mark_payouts_paid_in_the_admin(admin_client):
    org = OrganizationFactory.create()
    fund(org, "50.00")
    bank_account_set(organization=org, holder_name="SME", account_number="12345678")
    payout = payout_request(organization=org, amount=Decimal("20.00"), currency="USD")

    response = admin_client.post(
        "/admin/payments/payout/", {"action": "mark_paid", "_selected_action": [payout.pk]}, follow=True
    )

    assert b"Marked 1 payout(s) paid." in response.content
    assert Payout.objects.get().status == "paid"
    rows = {(row["kind"], row["currency"]): row["balance"] for row in platform_balances()}
    # 50 came in through the bank, 20 went back out through it; nothing is left in transit.
    assert rows[("bank_clearing", "USD")] == Decimal("-30.00")
    assert rows[("payouts_in_transit", "USD")] == Decimal("0.00")
    assert_books_balance()


def test_staff_cancel_a_top_up_through_the_api():
    user = UserFactory.create()
    top_up = client_for(user).post("/api/balance/top-ups/", {"amount": "9.00"}, format="json").json()
    staff = client_for(UserFactory.create(is_staff=True))

    assert client_for(user).post(f"/api/balance/top-ups/{top_up['id']}/cancel/").status_code == 403
    response = staff.post(f"/api/balance/top-ups/{top_up['id']}/cancel/")

    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert staff.post(f"/api/balance/top-ups/{top_up['id']}/confirm/").status_code == 409
    assert balance(user.organization) == 0


def test_a_balance_changed_behind_the_journals_back_is_reported():
    org = OrganizationFactory.create()
    fund(org, "10.00")
    account = Account.objects.get(organization=org, kind="available")
    assert journal_problems() == {"unbalanced_entries": [], "drifted_accounts": []}

    Account.objects.filter(pk=account.pk).update(balance=99_999)

    assert journal_problems()["drifted_accounts"] == [account.pk]


def test_the_statement_of_what_is_owed_and_the_csv_by_accept_header():
    from payments.services import minting_fee_charge

    user = UserFactory.create()
    client = client_for(user)
    minting_fee_charge(organization_id=user.organization_id, amount=Decimal("3.00"), currency="USD", reference="r")

    owed = client.get("/api/balance/statement/?account=receivable").json()["results"]
    as_csv = client.get("/api/balance/statement/?account=receivable", HTTP_ACCEPT="text/csv")

    assert [(r["kind"], r["amount"]) for r in owed] == [("minting_fee_owed", "-3.00")]
    assert as_csv["Content-Type"].startswith("text/csv")
    assert b"minting_fee_owed,-3.00" in b"".join(as_csv.streaming_content)  # type: ignore[attr-defined]
    assert client.get("/api/balance/statement/?account=fees").status_code == 400


def test_a_payout_is_readable_by_its_organisation_only():
    user = UserFactory.create()
    fund(user.organization, "10.00")
    bank_account_set(organization=user.organization, holder_name="SME", account_number="12345678")
    payout = payout_request(organization=user.organization, amount=Decimal("4.00"), currency="USD")

    mine = client_for(user).get(f"/api/payouts/{payout.pk}/")

    assert mine.status_code == 200 and mine.json()["amount"] == "4.00"
    assert client_for(UserFactory.create()).get(f"/api/payouts/{payout.pk}/").status_code == 404


def test_a_platform_accounts_balance_is_the_sum_of_its_postings():
    from payments.selectors import account_balance

    fund(OrganizationFactory.create(), "10.00")
    fund(OrganizationFactory.create(), "2.50")

    clearing = Account.objects.get(organization__isnull=True, kind="bank_clearing", currency="USD")
    assert account_balance(account=clearing) == -1250 and clearing.balance == 0  # kept on org accounts only


def test_the_journal_check_command_passes_then_fails_on_a_drifted_balance():
    import io
    import json

    from django.core.management import CommandError, call_command

    org = OrganizationFactory.create()
    fund(org, "10.00")
    out = io.StringIO()
    call_command("journal_check", stdout=out)
    report = json.loads(out.getvalue())
    assert report["ok"] is True
    assert {"kind": "bank_clearing", "currency": "USD", "balance": "-10.00"} in report["platform"]

    Account.objects.filter(organization=org, kind="available").update(balance=1)
    with pytest.raises(CommandError, match="does not balance"):
        call_command("journal_check", stdout=io.StringIO())
