from django.apps import AppConfig


class MarketplaceConfig(AppConfig):
    """Listings, trades (orders) and transfers of credits; every credit movement goes through ledger.services."""

    name = "marketplace"
    verbose_name = "Marketplace"
