from django.apps import AppConfig


class CarbonCredConfig(AppConfig):
    """Cross-cutting pieces that need tables of their own (idempotency records)."""

    name = "carboncred"
    verbose_name = "CarbonCred platform"
