"""Request and response shapes of the payments API (docs/MARKETPLACE.md, "Money")."""

from decimal import Decimal

from rest_framework import serializers

from core.currencies import from_minor
from core.fields import CurrencyField
from payments.models import AccountKind, Payout, TopUp

MAX_AMOUNT = Decimal("1000000000.00")  # far above any top-up or payout; keeps amounts well inside the columns


def amount_field(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=Decimal("0.01"), max_value=MAX_AMOUNT, **kwargs
    )


class BalanceRowOutputSerializer(serializers.Serializer):
    currency = serializers.CharField()
    available = serializers.DecimalField(max_digits=20, decimal_places=2, help_text="May be spent or paid out.")
    pending = serializers.DecimalField(
        max_digits=20, decimal_places=2, help_text="Top-ups requested and not yet received."
    )
    owed = serializers.DecimalField(
        max_digits=20, decimal_places=2, help_text="Minting fees owed; paid from the next top-up or sale."
    )
    payouts_pending = serializers.DecimalField(
        max_digits=20, decimal_places=2, help_text="Payouts requested and not yet paid (already out of available)."
    )


class BalanceOutputSerializer(serializers.Serializer):
    balances = BalanceRowOutputSerializer(many=True)


class StatementListInputSerializer(serializers.Serializer):
    currency = CurrencyField(required=False)
    account = serializers.ChoiceField(
        choices=[AccountKind.AVAILABLE.value, AccountKind.RECEIVABLE.value],
        default=AccountKind.AVAILABLE.value,
        help_text="`available` (the default) or `receivable` (minting fees owed).",
    )


class StatementEntryOutputSerializer(serializers.Serializer):
    """One posting to the organisation's account. Its entry's other postings (the counterparties and
    the platform's accounts) make it sum to zero."""

    id = serializers.IntegerField()
    created_at = serializers.DateTimeField(source="entry.created_at")
    kind = serializers.CharField(source="entry.kind")
    amount = serializers.SerializerMethodField(help_text="Signed decimal string: + into the account, - out.")
    currency = serializers.CharField(source="account.currency")
    balance_after = serializers.SerializerMethodField()
    reference = serializers.CharField(source="entry.reference")
    entry = serializers.IntegerField(source="entry_id", help_text="The journal entry.")

    def get_amount(self, posting) -> str:
        return statement_amount(posting.amount, posting.account.currency)

    def get_balance_after(self, posting) -> str:
        return statement_amount(posting.balance_after or 0, posting.account.currency, signed=False)


#: The statement as CSV (core.csv): the serializer's fields, in its order.
STATEMENT_CSV_COLUMNS = [
    (name, name) for name in ("id", "created_at", "kind", "amount", "currency", "balance_after", "reference", "entry")
]


def statement_amount(minor: int, currency: str, *, signed: bool = True) -> str:
    value = from_minor(minor, currency)
    return f"{value:+.2f}" if signed else f"{value:.2f}"


class TopUpCreateInputSerializer(serializers.Serializer):
    amount = amount_field()
    currency = CurrencyField(default="USD")
    method = serializers.ChoiceField(choices=TopUp.Method.choices, default=TopUp.Method.BANK_TRANSFER)


class TopUpOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=TopUp.Status.choices)
    amount = serializers.DecimalField(max_digits=18, decimal_places=2)
    currency = serializers.CharField()
    method = serializers.ChoiceField(choices=TopUp.Method.choices)
    reference = serializers.CharField(help_text="Write it on the bank transfer.")
    instructions = serializers.DictField(help_text="Bank details and reference, or the card payment's client secret.")
    created_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)


class BankAccountInputSerializer(serializers.Serializer):
    holder_name = serializers.CharField(max_length=200)
    account_number = serializers.RegexField(
        r"^[A-Za-z0-9 ]{4,64}$", max_length=64, help_text="IBAN or the local account number (letters, digits, spaces)."
    )
    bank_code = serializers.RegexField(
        r"^[A-Za-z0-9 -]{0,34}$",
        max_length=34,
        required=False,
        allow_blank=True,
        default="",
        help_text="BIC/SWIFT, sort code, IFSC or routing number.",
    )


class BankAccountOutputSerializer(serializers.Serializer):
    holder_name = serializers.CharField()
    account_number = serializers.CharField(source="masked_number", help_text="Masked: only the last four characters.")
    bank_code = serializers.CharField()
    updated_at = serializers.DateTimeField()


class PayoutCreateInputSerializer(serializers.Serializer):
    amount = amount_field()
    currency = CurrencyField(default="USD")


class PayoutBankOutputSerializer(serializers.Serializer):
    holder_name = serializers.CharField()
    account_number = serializers.CharField(source="masked_number")
    bank_code = serializers.CharField()


class PayoutOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Payout.Status.choices)
    amount = serializers.DecimalField(max_digits=18, decimal_places=2)
    currency = serializers.CharField()
    bank_account = PayoutBankOutputSerializer(source="*")
    bank_reference = serializers.CharField()
    note = serializers.CharField()
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)


class PayoutMarkPaidInputSerializer(serializers.Serializer):
    bank_reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class PayoutRejectInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500)


class WebhookOutputSerializer(serializers.Serializer):
    received = serializers.BooleanField()
    outcome = serializers.CharField()
