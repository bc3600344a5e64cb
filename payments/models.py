"""Money held for organisations, as a double-entry journal.

Every movement of money is one :class:`JournalEntry` with two or more :class:`Posting` rows whose
amounts (integers, in the currency's minor units) sum to zero. An :class:`Account` belongs to an
organisation (``available``: what it may spend or pay out; ``receivable``: what it owes the
platform) or to the platform (``fees``, the clearing accounts of the bank and the card provider,
``payouts_in_transit``). The balance of any account is the sum of its postings. Organisation
accounts also keep that sum on the row (``balance``, updated under the row's lock in the same
transaction as the posting, with ``balance_after`` on the posting), so a balance check is one
locked row, and check constraints stop an ``available`` balance below zero. Platform accounts are
never locked: they are written by every purchase, so their balance is summed from the postings
when it is read (``payments.selectors.account_balance``). Signs: a positive balance is money the
platform owes (an organisation's funds, its fee income); a clearing account goes negative by the
money that came in through it — the sum over every account is always zero.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Organization
from core.currencies import Currency, from_minor


class AccountKind(models.TextChoices):
    AVAILABLE = "available", "Available funds"
    RECEIVABLE = "receivable", "Owed to the platform"
    FEES = "fees", "Platform fees"
    BANK_CLEARING = "bank_clearing", "Bank clearing"
    CARD_CLEARING = "card_clearing", "Card provider clearing"
    PAYOUTS_IN_TRANSIT = "payouts_in_transit", "Payouts in transit"


ORGANIZATION_KINDS = (AccountKind.AVAILABLE, AccountKind.RECEIVABLE)
PLATFORM_KINDS = (
    AccountKind.FEES,
    AccountKind.BANK_CLEARING,
    AccountKind.CARD_CLEARING,
    AccountKind.PAYOUTS_IN_TRANSIT,
)


class Account(models.Model):
    """One organisation's (or the platform's) money of one kind in one currency.

    ``balance`` is kept for organisation accounts only (see the module docstring); it never goes
    below zero for ``available`` nor above zero for ``receivable``."""

    Kind = AccountKind

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="money_accounts"
    )
    kind = models.CharField(max_length=20, choices=AccountKind)
    currency = models.CharField(max_length=3, choices=Currency)
    balance = models.BigIntegerField(default=0, help_text="Minor units; organisation accounts only.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "currency"],
                condition=Q(organization__isnull=False),
                name="account_one_per_organization_kind_currency",
            ),
            models.UniqueConstraint(
                fields=["kind", "currency"], condition=Q(organization__isnull=True), name="account_one_platform_account"
            ),
            models.CheckConstraint(
                condition=Q(organization__isnull=False, kind__in=[k.value for k in ORGANIZATION_KINDS])
                | Q(organization__isnull=True, kind__in=[k.value for k in PLATFORM_KINDS], balance=0),
                name="account_kind_matches_owner",
            ),
            models.CheckConstraint(
                condition=~Q(kind="available") | Q(balance__gte=0), name="account_available_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(kind="receivable") | Q(balance__lte=0), name="account_receivable_not_positive"
            ),
            models.CheckConstraint(condition=Q(currency__in=Currency.values), name="account_currency_supported"),
        ]

    def __str__(self) -> str:
        owner = self.organization.name if self.organization_id and self.organization else "platform"
        return f"{owner}: {self.kind} {self.currency}"


class EntryKind(models.TextChoices):
    TOP_UP = "top_up", "Top-up"
    PURCHASE = "purchase", "Purchase of credits"
    MINTING_FEE = "minting_fee", "Minting fee"
    MINTING_FEE_OWED = "minting_fee_owed", "Minting fee owed"
    RECEIVABLE_SETTLED = "receivable_settled", "Amount owed settled"
    PAYOUT = "payout", "Payout requested"
    PAYOUT_PAID = "payout_paid", "Payout paid"
    PAYOUT_RETURNED = "payout_returned", "Payout returned"


class JournalEntry(models.Model):
    """One movement of money: its postings sum to zero (checked by the service and, on PostgreSQL,
    by a deferred constraint trigger at commit). Rows are never changed once written."""

    Kind = EntryKind

    kind = models.CharField(max_length=20, choices=EntryKind)
    currency = models.CharField(max_length=3, choices=Currency)
    reference = models.CharField(max_length=80, help_text="What the movement is for, e.g. order:<id>, top_up:<ref>.")
    order_id = models.UUIDField(null=True, blank=True, db_index=True, help_text="The marketplace order paid.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name_plural = "journal entries"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.currency} ({self.reference})"


class Posting(models.Model):
    """One leg of a journal entry: ``amount`` minor units to one account (signed, never zero).
    ``balance_after`` is the organisation account's balance after it (null on platform accounts)."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="postings")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="postings")
    amount = models.BigIntegerField()
    balance_after = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["account", "-id"], name="posting_account_recent")]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="posting_amount_not_zero")]

    def __str__(self) -> str:
        return f"{self.amount:+d} to account {self.account_id}"

    @property
    def amount_decimal(self):
        return from_minor(self.amount, self.account.currency)

    @property
    def balance_after_decimal(self):
        return from_minor(self.balance_after or 0, self.account.currency)


def new_reference(prefix: str) -> str:
    """A short reference a person can type on a bank transfer: no 0/O or 1/I to confuse."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    body = "".join(secrets.choice(alphabet) for _ in range(8))
    return f"{prefix}-{body[:4]}-{body[4:]}"


def _top_up_reference() -> str:
    return new_reference("CCT")


class TopUp(models.Model):
    """Money an organisation sends in to its balance, by bank transfer (confirmed by staff) or card
    (confirmed by the provider's signed webhook). Credited once: ``journal_entry`` is set exactly
    when ``status`` is ``completed``."""

    class Method(models.TextChoices):
        BANK_TRANSFER = "bank_transfer", "Bank transfer"
        CARD = "card", "Card"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="top_ups")
    amount = models.DecimalField(max_digits=18, decimal_places=2)
    currency = models.CharField(max_length=3, choices=Currency)
    method = models.CharField(max_length=20, choices=Method)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    reference = models.CharField(max_length=20, unique=True, default=_top_up_reference, editable=False)
    provider_reference = models.CharField(
        max_length=255, null=True, blank=True, unique=True, help_text="The card provider's id (a PaymentIntent)."
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    instructions = models.JSONField(default=dict, blank=True, help_text="What the payer was told to do.")
    journal_entry = models.OneToOneField(
        JournalEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="top_up"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "-created_at"], name="topup_organization_recent")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="topup_amount_positive"),
            models.CheckConstraint(
                condition=Q(status="completed", journal_entry__isnull=False)
                | (~Q(status="completed") & Q(journal_entry__isnull=True)),
                name="topup_credited_iff_completed",
            ),
        ]

    def __str__(self) -> str:
        return f"Top-up {self.reference}: {self.amount} {self.currency} ({self.status})"


class ProviderEvent(models.Model):
    """A payment provider's webhook event, stored once by its id: a second delivery finds it and does nothing."""

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=255)
    type = models.CharField(max_length=100)
    top_up = models.ForeignKey(TopUp, on_delete=models.PROTECT, null=True, blank=True, related_name="events")
    outcome = models.CharField(max_length=200, blank=True)
    received_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="providerevent_once_per_event"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_id} ({self.type})"


def mask(number: str) -> str:
    """An account number as people see it: all but the last four characters hidden."""
    compact = number.replace(" ", "")
    return "•••• " + compact[-4:] if len(compact) > 4 else "••••"


class BankAccount(models.Model):
    """Where an organisation's payouts go. Shown masked; staff see it whole when they pay a payout."""

    organization = models.OneToOneField(Organization, on_delete=models.PROTECT, related_name="bank_account")
    holder_name = models.CharField(max_length=200)
    account_number = models.CharField(max_length=64, help_text="IBAN or the local account number.")
    bank_code = models.CharField(max_length=34, blank=True, help_text="BIC/SWIFT, sort code, IFSC, routing number.")
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.holder_name} {self.masked_number}"

    @property
    def masked_number(self) -> str:
        return mask(self.account_number)


class Payout(models.Model):
    """Money an organisation takes out of its balance to its bank account. Requesting it moves the
    amount from ``available`` to the platform's payouts in transit (so it can never be spent twice);
    staff pay it (``paid``) or return it to the balance (``rejected``)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        PAID = "paid", "Paid"
        REJECTED = "rejected", "Rejected"

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="payouts")
    amount = models.DecimalField(max_digits=18, decimal_places=2)
    currency = models.CharField(max_length=3, choices=Currency)
    status = models.CharField(max_length=10, choices=Status, default=Status.REQUESTED)
    holder_name = models.CharField(max_length=200)
    account_number = models.CharField(max_length=64)
    bank_code = models.CharField(max_length=34, blank=True)
    bank_reference = models.CharField(max_length=100, blank=True, help_text="The bank's reference once paid.")
    note = models.CharField(max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="+")
    settled_entry = models.OneToOneField(
        JournalEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "-created_at"], name="payout_organization_recent")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payout_amount_positive"),
            models.CheckConstraint(
                condition=Q(status="requested", settled_entry__isnull=True)
                | (~Q(status="requested") & Q(settled_entry__isnull=False)),
                name="payout_settled_iff_decided",
            ),
        ]

    def __str__(self) -> str:
        return f"Payout {self.pk}: {self.amount} {self.currency} ({self.status})"

    @property
    def masked_number(self) -> str:
        return mask(self.account_number)
