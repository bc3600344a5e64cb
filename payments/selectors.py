"""Reads of the payments app: balances, statements, top-ups, payouts, and the journal's checks."""

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from accounts.models import Organization
from core.currencies import from_minor
from payments.errors import BankAccountNotFoundError, PayoutNotFoundError, TopUpNotFoundError
from payments.models import Account, AccountKind, BankAccount, JournalEntry, Payout, Posting, TopUp


def balances_for(*, organization: Organization) -> list[dict[str, Any]]:
    """Per currency: ``available`` (may be spent or paid out), ``pending`` (top-ups requested but
    not yet received), ``owed`` (minting fees not yet paid) and ``payouts_pending`` (requested,
    not yet paid). Currencies with nothing in any of them are left out. Three queries."""
    rows: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for kind, currency, balance in Account.objects.filter(organization=organization).values_list(
        "kind", "currency", "balance"
    ):
        key = "available" if kind == AccountKind.AVAILABLE else "owed"
        rows[currency][key] = from_minor(balance if kind == AccountKind.AVAILABLE else -balance, currency)
    pending = (
        TopUp.objects.filter(organization=organization, status=TopUp.Status.PENDING)
        .values("currency")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in pending:
        rows[row["currency"]]["pending"] = row["total"]
    payouts = (
        Payout.objects.filter(organization=organization, status=Payout.Status.REQUESTED)
        .values("currency")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in payouts:
        rows[row["currency"]]["payouts_pending"] = row["total"]
    zero = Decimal("0.00")
    result = []
    for currency in sorted(rows):
        values = {key: rows[currency].get(key, zero) for key in ("available", "pending", "owed", "payouts_pending")}
        if any(values.values()) or "available" in rows[currency]:
            result.append({"currency": currency, **{key: f"{value:.2f}" for key, value in values.items()}})
    return result


def available_balance(*, organization_id: int, currency: str) -> Decimal:
    balance = (
        Account.objects.filter(organization_id=organization_id, kind=AccountKind.AVAILABLE, currency=currency)
        .values_list("balance", flat=True)
        .first()
    )
    return from_minor(balance or 0, currency)


def owed_balance(*, organization_id: int, currency: str) -> Decimal:
    """What the organisation owes the platform (minting fees charged while its balance was short)."""
    balance = (
        Account.objects.filter(organization_id=organization_id, kind=AccountKind.RECEIVABLE, currency=currency)
        .values_list("balance", flat=True)
        .first()
    )
    return from_minor(-(balance or 0), currency)


def statement_for(
    *, organization: Organization, currency: str | None = None, account: str = AccountKind.AVAILABLE
) -> QuerySet[Posting]:
    """The postings to one of the organisation's accounts (``available`` by default, or
    ``receivable``), newest first, each with its entry and account (one query per page)."""
    postings = Posting.objects.filter(account__organization=organization, account__kind=account)
    if currency:
        postings = postings.filter(account__currency=currency)
    return postings.select_related("entry", "account").order_by("-id")


def top_up_list_for(*, organization: Organization) -> QuerySet[TopUp]:
    return TopUp.objects.filter(organization=organization).order_by("-created_at", "-id")


def top_up_get_for(*, organization: Organization, top_up_id: int) -> TopUp:
    top_up = top_up_list_for(organization=organization).filter(pk=top_up_id).first()
    if top_up is None:
        raise TopUpNotFoundError()
    return top_up


def payout_list_for(*, organization: Organization) -> QuerySet[Payout]:
    return Payout.objects.filter(organization=organization).order_by("-created_at", "-id")


def payout_get_for(*, organization: Organization, payout_id: int) -> Payout:
    payout = payout_list_for(organization=organization).filter(pk=payout_id).first()
    if payout is None:
        raise PayoutNotFoundError()
    return payout


def order_payment_entry(*, order_id: Any) -> JournalEntry | None:
    """The ``purchase`` entry that paid for a marketplace order (none when it cost nothing)."""
    return JournalEntry.objects.filter(order_id=order_id, kind=JournalEntry.Kind.PURCHASE).first()


def account_balance(*, account: Account) -> int:
    """Any account's balance in minor units, summed from its postings."""
    return Posting.objects.filter(account=account).aggregate(total=Coalesce(Sum("amount"), 0))["total"]


def platform_balances() -> list[dict[str, Any]]:
    """The platform's accounts with their balances summed from the journal (for staff and the docs)."""
    rows = (
        Account.objects.filter(organization__isnull=True)
        .annotate(total=Coalesce(Sum("postings__amount"), 0))
        .order_by("currency", "kind")
        .values_list("kind", "currency", "total")
    )
    return [
        {"kind": kind, "currency": currency, "balance": from_minor(total, currency)} for kind, currency, total in rows
    ]


def journal_problems() -> dict[str, list[Any]]:
    """What would be wrong with the journal: entries whose postings do not sum to zero (or have
    fewer than two), and organisation accounts whose kept balance differs from their postings'
    sum. Empty lists when the books are right."""
    unbalanced = list(
        JournalEntry.objects.annotate(total=Coalesce(Sum("postings__amount"), 0), legs=Count("postings"))
        .filter(~Q(total=0) | Q(legs__lt=2))
        .values_list("pk", flat=True)
    )
    drifted = list(
        Account.objects.filter(organization__isnull=False)
        .annotate(total=Coalesce(Sum("postings__amount"), 0))
        .exclude(balance=F("total"))
        .values_list("pk", flat=True)
    )
    return {"unbalanced_entries": unbalanced, "drifted_accounts": drifted}


def bank_account_for(*, organization: Organization) -> BankAccount | None:
    """Where the organisation's payouts go, or ``None`` before it says."""
    return BankAccount.objects.filter(organization=organization).first()


def bank_account_get_for(*, organization: Organization) -> BankAccount:
    account = bank_account_for(organization=organization)
    if account is None:
        raise BankAccountNotFoundError()
    return account
