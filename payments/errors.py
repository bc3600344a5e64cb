"""Errors of the payments services; each carries its HTTP status (core.errors renders them)."""

from decimal import Decimal

from core.errors import ConflictError, DomainError, NotFoundError


class InsufficientFundsError(ConflictError):
    """The organisation's available balance is less than the amount to pay."""

    code = "insufficient_funds"

    def __init__(self, *, available: Decimal, required: Decimal, currency: str) -> None:
        super().__init__(
            f"Your available balance is {available} {currency}; {required} {currency} is needed.",
            available=str(available),
            required=str(required),
            currency=currency,
        )


class AmountInvalidError(DomainError):
    code = "invalid"

    def __init__(self, message: str) -> None:
        super().__init__(message, errors={"amount": [message]})


class CardPaymentsDisabledError(DomainError):
    code, default_detail = "card_payments_disabled", "Card payments are not enabled here; use a bank transfer."

    def __init__(self) -> None:
        super().__init__(errors={"method": [self.default_detail]})


class PaymentProviderError(DomainError):
    """The payment provider could not be reached or refused to start the payment."""

    status_code, code = 502, "payment_provider_error"
    default_detail = "The payment provider did not answer; nothing was charged. Try again later."


class WebhookSignatureError(DomainError):
    code, default_detail = "invalid_signature", "The webhook's signature does not verify."


class TopUpNotFoundError(NotFoundError):
    code, default_detail = "top_up_not_found", "No such top-up."


class TopUpNotPendingError(ConflictError):
    code = "top_up_not_pending"

    def __init__(self, *, status: str) -> None:
        super().__init__(f"The top-up is {status}: only a pending top-up can be confirmed.", status=status)


class PayoutNotFoundError(NotFoundError):
    code, default_detail = "payout_not_found", "No such payout."


class PayoutNotRequestedError(ConflictError):
    code = "payout_not_requested"

    def __init__(self, *, status: str) -> None:
        super().__init__(f"The payout is {status}: only a requested payout can be decided.", status=status)


class BankAccountMissingError(ConflictError):
    code = "bank_account_missing"
    default_detail = "Add a bank account (PUT /api/balance/bank-account/) before requesting a payout."


class BankAccountNotFoundError(NotFoundError):
    code, default_detail = "bank_account_missing", "No bank account yet: set one with PUT."
