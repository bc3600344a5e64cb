from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    """Balances as a double-entry journal, top-ups, payouts and payment providers."""

    name = "payments"
    verbose_name = "Payments"
