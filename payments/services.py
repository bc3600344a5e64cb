"""Writes of the payments app: every movement of money is one balanced journal entry.

Other apps call these inside their own transactions (the buy in ``marketplace.services``, the
minting fee in ``verification.services``); they never write the journal's tables themselves.

Locks: an organisation account's row is taken ``FOR UPDATE`` before its balance is checked or
changed, and accounts are always locked together, in primary-key order (``_lock``). A caller's own
rows come first (the listing in a buy, the top-up or payout row here), the credit blocks and the
ledger head after. Platform accounts are never locked: their postings are only inserted.
Accounts are created on first use in (organisation, kind, currency) order, so two transactions
creating the same pair of accounts cannot wait on each other crosswise.
"""

import logging
from collections.abc import Iterable
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Organization, User
from accounts.services import organization_check_can_trade
from core.currencies import Currency, from_minor, to_minor
from core.db import atomic_with_retry
from core.ids import is_id
from payments.errors import (
    AmountInvalidError,
    BankAccountMissingError,
    InsufficientFundsError,
    PayoutNotFoundError,
    PayoutNotRequestedError,
    TopUpNotFoundError,
    TopUpNotPendingError,
)
from payments.models import (
    Account,
    AccountKind,
    BankAccount,
    EntryKind,
    JournalEntry,
    Payout,
    Posting,
    ProviderEvent,
    TopUp,
)
from payments.providers import PaymentEvent, StripeCardProvider, provider_for
from payments.signals import balance_credited

logger = logging.getLogger(__name__)

AccountKey = tuple[int | None, str, str]  # (organization id or None for the platform, kind, currency)


# --- the journal ----------------------------------------------------------------------------


def _accounts(keys: Iterable[AccountKey], *, if_present: Iterable[AccountKey] = ()) -> dict[AccountKey, Account]:
    """The accounts of ``keys`` (one query), those missing created on first use, in key order (see
    the module docstring); and those of ``if_present`` that exist, read in the same query."""
    wanted = set(keys)
    match = Q()
    for organization_id, kind, currency in wanted | set(if_present):
        match |= Q(organization_id=organization_id, kind=kind, currency=currency)
    found: dict[AccountKey, Account] = {
        (account.organization_id, account.kind, account.currency): account for account in Account.objects.filter(match)
    }
    for key in sorted(wanted - set(found), key=lambda k: (k[0] is not None, k[0] or 0, k[1], k[2])):
        organization_id, kind, currency = key
        found[key], _ = Account.objects.get_or_create(
            organization_id=organization_id,  # type: ignore[misc]  # None: the platform's account
            kind=kind,
            currency=currency,
        )
    return found


def _lock(accounts: Iterable[Account]) -> None:
    """Lock organisation accounts ``FOR UPDATE`` in primary-key order and refresh their balances."""
    mine = {account.pk: account for account in accounts if account.organization_id is not None}
    if not mine:
        return
    locked = Account.objects.select_for_update().filter(pk__in=mine).order_by("pk").values_list("pk", "balance")
    for pk, balance in locked:
        mine[pk].balance = balance


def _post(
    *, kind: str, currency: str, reference: str, legs: list[tuple[Account, int]], order_id: UUID | None = None
) -> JournalEntry:
    """Write one journal entry of ``legs`` (account, signed minor units) that sum to zero.

    Expects the organisation accounts among them to be locked (``_lock``) by the caller's
    transaction; their ``balance`` and each posting's ``balance_after`` move with it."""
    if not connection.in_atomic_block:
        raise RuntimeError("journal entries are written inside the caller's transaction")
    legs = [(account, amount) for account, amount in legs if amount != 0]
    if sum(amount for _, amount in legs) != 0 or len(legs) < 2:
        raise ValueError(f"an entry must be two or more legs summing to zero: {legs}")
    if any(account.currency != currency for account, _ in legs):
        raise ValueError("every leg of an entry is in the entry's currency")
    entry = JournalEntry.objects.create(kind=kind, currency=currency, reference=reference[:80], order_id=order_id)
    postings, kept = [], []
    for account, amount in legs:
        balance_after = None
        if account.organization_id is not None:
            account.balance += amount
            balance_after = account.balance
            kept.append(account)
        postings.append(Posting(entry=entry, account=account, amount=amount, balance_after=balance_after))
    Account.objects.bulk_update(kept, ["balance"])  # one UPDATE for every kept balance
    Posting.objects.bulk_create(postings)
    return entry


def _minor(amount: Decimal, currency: str) -> int:
    if currency not in Currency.values:
        raise AmountInvalidError(f"Unsupported currency {currency!r}.")
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount < 0:
        raise AmountInvalidError("Give a positive decimal amount.")
    try:
        return to_minor(amount, currency)
    except ValueError:
        raise AmountInvalidError(f"Give at most 2 decimal places for {currency}.") from None


def _settle_receivable(*, available: Account, receivable: Account | None) -> JournalEntry | None:
    """Pay what the organisation owes the platform (minting fees charged while its balance was short)
    from its available funds, as far as they go. Both accounts locked by the caller."""
    if receivable is None or receivable.balance >= 0 or available.balance <= 0:
        return None
    amount = min(available.balance, -receivable.balance)
    return _post(
        kind=EntryKind.RECEIVABLE_SETTLED,
        currency=available.currency,
        reference="receivable",
        legs=[(available, -amount), (receivable, amount)],
    )


# --- paying for things ----------------------------------------------------------------------


def order_settle(
    *, buyer_id: int, seller_id: int, currency: str, total: Decimal, fee: Decimal, order_id: UUID
) -> JournalEntry | None:
    """Pay for a marketplace order inside the buy's transaction: the buyer's available funds
    ``- (total + fee)``, the seller's ``+ total``, the platform's fees ``+ fee`` (one entry,
    ``purchase``). :class:`InsufficientFundsError` (409 ``insufficient_funds``) when the buyer's
    balance is short; nothing is written then. A seller who owes minting fees pays them from
    the proceeds. Nothing to pay (a total that rounds to zero) writes nothing.

    Locks the buyer's and the seller's accounts in primary-key order (after the caller's listing
    row, before the credit block and the ledger head)."""
    total_minor, fee_minor = _minor(total, currency), _minor(fee, currency)
    due = total_minor + fee_minor
    if due == 0:
        return None
    keys: list[AccountKey] = [
        (buyer_id, AccountKind.AVAILABLE, currency),
        (seller_id, AccountKind.AVAILABLE, currency),
        (None, AccountKind.FEES, currency),
    ]
    owed_key: AccountKey = (seller_id, AccountKind.RECEIVABLE, currency)
    accounts = _accounts(keys, if_present=[owed_key])
    buyer, seller, fees = (accounts[key] for key in keys)
    # Read unlocked, only to decide whether to lock it too; settled below from its locked balance.
    receivable = accounts.get(owed_key)
    seller_owes = receivable is not None and receivable.balance < 0
    _lock([buyer, seller, *([receivable] if seller_owes and receivable is not None else [])])
    if buyer.balance < due:
        raise InsufficientFundsError(
            available=from_minor(buyer.balance, currency), required=from_minor(due, currency), currency=currency
        )
    entry = _post(
        kind=EntryKind.PURCHASE,
        currency=currency,
        reference=f"order:{order_id}",
        order_id=order_id,
        legs=[(buyer, -due), (seller, total_minor), (fees, fee_minor)],
    )
    if seller_owes:
        _settle_receivable(available=seller, receivable=receivable)
    return entry


def minting_fee_charge(*, organization_id: int, amount: Decimal, currency: str, reference: str) -> JournalEntry | None:
    """Charge the minting fee of an issuance inside the issuance's transaction: from the
    organisation's available funds when they cover it (``minting_fee``), otherwise the whole fee
    is recorded as owed (``minting_fee_owed``, the receivable goes negative) and paid from its
    next top-up or sale. Locks the organisation's two accounts in primary-key order."""
    fee = _minor(amount, currency)
    if fee == 0:
        return None
    keys: list[AccountKey] = [
        (organization_id, AccountKind.AVAILABLE, currency),
        (organization_id, AccountKind.RECEIVABLE, currency),
        (None, AccountKind.FEES, currency),
    ]
    accounts = _accounts(keys)
    available, receivable, fees = (accounts[key] for key in keys)
    _lock([available, receivable])
    if available.balance >= fee:
        return _post(
            kind=EntryKind.MINTING_FEE, currency=currency, reference=reference, legs=[(available, -fee), (fees, fee)]
        )
    return _post(
        kind=EntryKind.MINTING_FEE_OWED, currency=currency, reference=reference, legs=[(receivable, -fee), (fees, fee)]
    )


# --- top-ups --------------------------------------------------------------------------------


def top_up_request(
    *, organization: Organization, amount: Decimal, currency: str, method: str, user: User | None = None
) -> TopUp:
    """Start a top-up: a pending row with a unique reference and the payer's instructions (bank
    details, or a card payment's client secret from the provider). The provider is called with no
    money account locked (and, without an ``Idempotency-Key``, after the row is committed); a
    provider failure is a 502 and leaves the top-up ``failed`` (or, inside the idempotent request's
    transaction, not stored at all). The provider's own idempotency key is the top-up's id."""
    if _minor(amount, currency) <= 0:
        raise AmountInvalidError("Give a positive amount.")
    provider = provider_for(method)  # 400 card_payments_disabled before anything is written
    with transaction.atomic():
        top_up = TopUp.objects.create(
            organization=organization, amount=amount, currency=currency, method=method, requested_by=user
        )
    try:
        started = provider.start(top_up)
    except Exception:
        TopUp.objects.filter(pk=top_up.pk, status=TopUp.Status.PENDING).update(status=TopUp.Status.FAILED)
        raise
    top_up.instructions, top_up.provider_reference = started.instructions, started.provider_reference
    top_up.save(update_fields=["instructions", "provider_reference"])
    return top_up


def _lock_top_up(**lookup: Any) -> TopUp:
    top_up = TopUp.objects.select_for_update().filter(**lookup).first()
    if top_up is None:
        raise TopUpNotFoundError()
    return top_up


def _top_up_credit(*, top_up: TopUp, by: User | None) -> TopUp:
    """Credit a pending top-up, locked by the caller: the clearing account of its method ``-amount``,
    the organisation's available funds ``+amount`` (``top_up``), then what it owes is settled from
    them; ``balance_credited`` is sent inside the transaction."""
    if top_up.status != TopUp.Status.PENDING:
        raise TopUpNotPendingError(status=top_up.status)
    currency, amount = top_up.currency, _minor(top_up.amount, top_up.currency)
    clearing_kind = AccountKind.CARD_CLEARING if top_up.method == TopUp.Method.CARD else AccountKind.BANK_CLEARING
    keys: list[AccountKey] = [
        (top_up.organization_id, AccountKind.AVAILABLE, currency),
        (top_up.organization_id, AccountKind.RECEIVABLE, currency),
        (None, clearing_kind, currency),
    ]
    accounts = _accounts(keys)
    available, receivable, clearing = (accounts[key] for key in keys)
    _lock([available, receivable])
    entry = _post(
        kind=EntryKind.TOP_UP,
        currency=currency,
        reference=f"top_up:{top_up.reference}",
        legs=[(clearing, -amount), (available, amount)],
    )
    _settle_receivable(available=available, receivable=receivable)
    top_up.status, top_up.journal_entry, top_up.completed_at = TopUp.Status.COMPLETED, entry, timezone.now()
    top_up.confirmed_by = by
    top_up.save(update_fields=["status", "journal_entry", "completed_at", "confirmed_by"])
    balance_credited.send(
        sender=TopUp,
        organization_id=top_up.organization_id,
        amount=top_up.amount,
        currency=currency,
        top_up_id=top_up.pk,
        reference=top_up.reference,
    )
    return top_up


@atomic_with_retry
def top_up_confirm(*, top_up_id: Any, confirmed_by: User | None) -> TopUp:
    """Staff confirm that a bank transfer arrived: the top-up is credited once (409
    ``top_up_not_pending`` when it is not pending any more). Locks the top-up row, then the
    organisation's accounts."""
    if not is_id(top_up_id):
        raise TopUpNotFoundError()
    return _top_up_credit(top_up=_lock_top_up(pk=top_up_id), by=confirmed_by)


@atomic_with_retry
def top_up_cancel(*, top_up_id: Any) -> TopUp:
    """Staff cancel a pending top-up that will never arrive (nothing was credited)."""
    if not is_id(top_up_id):
        raise TopUpNotFoundError()
    top_up = _lock_top_up(pk=top_up_id)
    if top_up.status != TopUp.Status.PENDING:
        raise TopUpNotPendingError(status=top_up.status)
    top_up.status = TopUp.Status.CANCELLED
    top_up.save(update_fields=["status"])
    return top_up


def top_up_fund(*, organization: Organization, amount: Decimal, currency: str, by: User | None = None) -> TopUp:
    """A bank-transfer top-up requested and confirmed at once (operators crediting a transfer that
    already arrived; the demo data). The same journal entries as any other top-up."""
    top_up = top_up_request(
        organization=organization, amount=amount, currency=currency, method=TopUp.Method.BANK_TRANSFER, user=by
    )
    return top_up_confirm(top_up_id=top_up.pk, confirmed_by=by)


@atomic_with_retry
def _provider_event_apply(*, provider: str, event: PaymentEvent) -> str:
    try:
        with transaction.atomic():
            record = ProviderEvent.objects.create(provider=provider, event_id=event.event_id, type=event.type)
    except IntegrityError:
        return "duplicate"  # delivered before (or concurrently, and that delivery committed first)
    outcome = "ignored"
    if (event.succeeded or event.failed) and (event.top_up_id is not None or event.provider_reference):
        lookup: dict[str, Any] = (
            {"pk": event.top_up_id} if event.top_up_id is not None else {"provider_reference": event.provider_reference}
        )
        top_up = TopUp.objects.select_for_update().filter(method=TopUp.Method.CARD, **lookup).first()
        if top_up is None:
            outcome = "unknown_top_up"
        elif top_up.provider_reference and event.provider_reference != top_up.provider_reference:
            outcome = "payment_mismatch"
        elif top_up.status != TopUp.Status.PENDING:
            outcome = f"already_{top_up.status}"
        elif event.failed:
            top_up.status = TopUp.Status.FAILED
            top_up.save(update_fields=["status"])
            outcome = "failed"
        elif event.currency != top_up.currency or event.amount_minor != _minor(top_up.amount, top_up.currency):
            outcome = "amount_mismatch"
        else:
            _top_up_credit(top_up=top_up, by=None)
            outcome = "credited"
        record.top_up = top_up
    record.outcome = outcome
    record.save(update_fields=["top_up", "outcome"])
    if outcome in ("unknown_top_up", "payment_mismatch", "amount_mismatch"):
        logger.warning("payment event %s not credited: %s", event.event_id, outcome)
    return outcome


def stripe_webhook_handle(*, payload: bytes, signature: str | None) -> str:
    """Verify and apply one Stripe webhook delivery; returns what it did (``credited``,
    ``duplicate``, ``ignored``...). A forged or stale signature is 400 and nothing is written;
    a second delivery of the same event id does nothing."""
    provider = StripeCardProvider()
    event = provider.event_from(payload=payload, signature=signature)
    return _provider_event_apply(provider=provider.name, event=event)


# --- payouts --------------------------------------------------------------------------------


@transaction.atomic
def bank_account_set(
    *, organization: Organization, holder_name: str, account_number: str, bank_code: str = ""
) -> BankAccount:
    """Set where the organisation's payouts go (replacing the previous account)."""
    account, _ = BankAccount.objects.update_or_create(
        organization=organization,
        defaults={
            "holder_name": holder_name.strip(),
            "account_number": " ".join(account_number.split()).upper(),
            "bank_code": bank_code.strip().upper(),
            "updated_at": timezone.now(),
        },
    )
    return account


@atomic_with_retry
def payout_request(*, organization: Organization, amount: Decimal, currency: str, user: User | None = None) -> Payout:
    """Take ``amount`` out of the available balance towards the organisation's bank account: it
    moves to the platform's payouts in transit at once (``payout``), so a buy or another payout
    racing this one can never spend it too. 409 ``insufficient_funds`` beyond the available
    balance, 409 ``bank_account_missing`` without a bank account; only a verified organisation is paid
    out (403 ``organization_unverified``: money leaves the platform only to a business whose identity
    was checked). Locks the organisation's row ``FOR SHARE``, then the available account."""
    minor = _minor(amount, currency)
    if minor <= 0:
        raise AmountInvalidError("Give a positive amount.")
    organization_check_can_trade(organization_id=organization.pk)
    bank = BankAccount.objects.filter(organization=organization).first()
    if bank is None:
        raise BankAccountMissingError()
    keys: list[AccountKey] = [
        (organization.pk, AccountKind.AVAILABLE, currency),
        (None, AccountKind.PAYOUTS_IN_TRANSIT, currency),
    ]
    accounts = _accounts(keys)
    available, in_transit = accounts[keys[0]], accounts[keys[1]]
    _lock([available])
    if available.balance < minor:
        raise InsufficientFundsError(
            available=from_minor(available.balance, currency), required=amount, currency=currency
        )
    payout = Payout(
        organization=organization,
        amount=amount,
        currency=currency,
        holder_name=bank.holder_name,
        account_number=bank.account_number,
        bank_code=bank.bank_code,
        requested_by=user,
    )
    payout.requested_entry = _post(
        kind=EntryKind.PAYOUT,
        currency=currency,
        reference=f"payout:{bank.masked_number}",
        legs=[(available, -minor), (in_transit, minor)],
    )
    payout.save()
    return payout


def _lock_payout(payout_id: Any) -> Payout:
    payout = Payout.objects.select_for_update().filter(pk=payout_id).first() if is_id(payout_id) else None
    if payout is None:
        raise PayoutNotFoundError()
    if payout.status != Payout.Status.REQUESTED:
        raise PayoutNotRequestedError(status=payout.status)
    return payout


@atomic_with_retry
def payout_mark_paid(*, payout_id: Any, decided_by: User | None, bank_reference: str = "") -> Payout:
    """Staff record that the bank transfer of a requested payout went out: payouts in transit
    ``-amount``, bank clearing ``+amount`` (``payout_paid``). Locks the payout row."""
    payout = _lock_payout(payout_id)
    minor = _minor(payout.amount, payout.currency)
    keys: list[AccountKey] = [
        (None, AccountKind.PAYOUTS_IN_TRANSIT, payout.currency),
        (None, AccountKind.BANK_CLEARING, payout.currency),
    ]
    accounts = _accounts(keys)
    payout.settled_entry = _post(
        kind=EntryKind.PAYOUT_PAID,
        currency=payout.currency,
        reference=f"payout:{payout.pk}",
        legs=[(accounts[keys[0]], -minor), (accounts[keys[1]], minor)],
    )
    payout.status, payout.decided_by, payout.decided_at = Payout.Status.PAID, decided_by, timezone.now()
    payout.bank_reference = bank_reference.strip()[:100]
    payout.save(update_fields=["settled_entry", "status", "decided_by", "decided_at", "bank_reference"])
    return payout


@atomic_with_retry
def payout_reject(*, payout_id: Any, decided_by: User | None, note: str = "") -> Payout:
    """Staff refuse a requested payout: the amount returns to the organisation's available funds
    (``payout_returned``). Locks the payout row, then the organisation's account."""
    payout = _lock_payout(payout_id)
    minor = _minor(payout.amount, payout.currency)
    keys: list[AccountKey] = [
        (payout.organization_id, AccountKind.AVAILABLE, payout.currency),
        (None, AccountKind.PAYOUTS_IN_TRANSIT, payout.currency),
    ]
    accounts = _accounts(keys)
    available = accounts[keys[0]]
    _lock([available])
    payout.settled_entry = _post(
        kind=EntryKind.PAYOUT_RETURNED,
        currency=payout.currency,
        reference=f"payout:{payout.pk}",
        legs=[(accounts[keys[1]], -minor), (available, minor)],
    )
    payout.status, payout.decided_by, payout.decided_at = Payout.Status.REJECTED, decided_by, timezone.now()
    payout.note = note.strip()[:500]
    payout.save(update_fields=["settled_entry", "status", "decided_by", "decided_at", "note"])
    return payout
