from django.apps import AppConfig


class MarketplaceConfig(AppConfig):
    """Listings, trades (orders) and transfers of credits; every credit movement goes through ledger.services."""

    name = "marketplace"
    verbose_name = "Marketplace"

    def ready(self) -> None:
        from accounts.signals import organization_suspended
        from ledger.signals import credits_cancelling
        from marketplace.services import listings_close_on_cancellation, listings_withdraw_on_suspension

        # A suspended organisation's open listings are withdrawn in the suspension's own transaction.
        organization_suspended.connect(listings_withdraw_on_suspension, dispatch_uid="marketplace-withdraw-listings")
        # Listings of credits a reversal cancels are closed in the reversal's transaction, before it locks blocks.
        credits_cancelling.connect(listings_close_on_cancellation, dispatch_uid="marketplace-close-cancelled-listings")
