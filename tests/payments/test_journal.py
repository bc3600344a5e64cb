"""The journal balances to zero after any sequence of money movements, and each organisation's
balance is what a plain model of the rules predicts (property test)."""

import uuid
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payments.errors import InsufficientFundsError
from payments.models import Account, JournalEntry, Posting
from payments.selectors import journal_problems
from payments.services import (
    _accounts,
    _post,
    bank_account_set,
    minting_fee_charge,
    order_settle,
    payout_mark_paid,
    payout_reject,
    payout_request,
)
from tests.accounts.factories import OrganizationFactory
from tests.payments.helpers import assert_books_balance, fund

CENTS = st.integers(min_value=0, max_value=50_000)
OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("top_up"), st.integers(0, 2), st.integers(1, 50_000)),
        st.tuples(st.just("buy"), st.integers(0, 2), st.integers(0, 2), CENTS, st.integers(0, 2_000)),
        st.tuples(st.just("minting_fee"), st.integers(0, 2), st.integers(0, 5_000)),
        st.tuples(st.just("payout"), st.integers(0, 2), st.integers(1, 50_000)),
        st.tuples(st.just("decide"), st.integers(0, 10), st.booleans()),
    ),
    min_size=1,
    max_size=20,
)


def money(cents: int) -> Decimal:
    return Decimal(cents) / 100


@pytest.mark.django_db
@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_the_journal_balances_to_zero_after_any_sequence(operations):
    with transaction.atomic():
        orgs = [OrganizationFactory.create() for _ in range(3)]
        for org in orgs:
            bank_account_set(organization=org, holder_name=org.name, account_number="GB29NWBK60161331926819")
        available = [0, 0, 0]  # the model: cents per organisation
        owed = [0, 0, 0]
        pending: list = []

        def settle(i: int) -> None:
            paid = min(available[i], owed[i])
            available[i] -= paid
            owed[i] -= paid

        for operation in operations:
            name, *args = operation
            if name == "top_up":
                i, cents = args
                fund(orgs[i], str(money(cents)))
                available[i] += cents
                settle(i)
            elif name == "buy":
                b, s, total, fee = args
                if b == s:
                    continue
                due = total + fee
                try:
                    order_settle(
                        buyer_id=orgs[b].pk,
                        seller_id=orgs[s].pk,
                        currency="USD",
                        total=money(total),
                        fee=money(fee),
                        order_id=uuid.uuid4(),
                    )
                except InsufficientFundsError:
                    assert available[b] < due
                    continue
                assert due == 0 or available[b] >= due
                if due:
                    available[b] -= due
                    available[s] += total
                    if owed[s]:
                        settle(s)
            elif name == "minting_fee":
                i, cents = args
                minting_fee_charge(organization_id=orgs[i].pk, amount=money(cents), currency="USD", reference="test")
                if cents and available[i] >= cents:
                    available[i] -= cents
                else:
                    owed[i] += cents
            elif name == "payout":
                i, cents = args
                try:
                    pending.append((payout_request(organization=orgs[i], amount=money(cents), currency="USD"), i))
                except InsufficientFundsError:
                    assert available[i] < cents
                    continue
                available[i] -= cents
            elif name == "decide" and pending:
                k, paid = args
                payout, i = pending.pop(k % len(pending))
                if paid:
                    payout_mark_paid(payout_id=payout.pk, decided_by=None)
                else:
                    payout_reject(payout_id=payout.pk, decided_by=None, note="wrong account")
                    available[i] += int(payout.amount * 100)

        for i, org in enumerate(orgs):
            accounts = {a.kind: a.balance for a in Account.objects.filter(organization=org, currency="USD")}
            assert accounts.get("available", 0) == available[i]
            assert -accounts.get("receivable", 0) == owed[i]
        assert_books_balance()
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_an_unbalanced_entry_is_refused_before_anything_is_written():
    org = OrganizationFactory.create()
    with transaction.atomic():
        accounts = _accounts([(org.pk, "available", "USD"), (None, "fees", "USD")])
        legs = list(accounts.values())
        with pytest.raises(ValueError, match="sum"):
            _post(kind="top_up", currency="USD", reference="x", legs=[(legs[0], 100), (legs[1], -99)])
    assert not JournalEntry.objects.exists() and not Posting.objects.exists()


@pytest.mark.django_db
def test_a_negative_available_balance_is_refused_by_the_database():
    org = OrganizationFactory.create()
    account = Account.objects.create(organization=org, kind="available", currency="USD")
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=account.pk).update(balance=-1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_refuses_at_commit_an_entry_whose_postings_do_not_sum_to_zero():
    org = OrganizationFactory.create()
    fund(org, "10.00")
    account = Account.objects.get(organization=org, kind="available")
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        entry = JournalEntry.objects.create(kind="top_up", currency="USD", reference="forged")
        Posting.objects.create(entry=entry, account=account, amount=500, balance_after=1500)
    assert journal_problems() == {"unbalanced_entries": [], "drifted_accounts": []}
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        Posting.objects.filter(account=account).update(amount=1)
    assert connection.vendor == "postgresql"
