"""Read-mostly admin: credits move through the services alone, so rows are never added or edited here.
An operator can withdraw open listings (the seller's own service, on the seller's behalf)."""

from django.contrib import admin, messages

from core.errors import DomainError
from ledger import admin as ledger_admin
from marketplace.models import Listing, OpenListingCount, Order, Transfer
from marketplace.services import listing_withdraw


class ReadOnlyAdmin(ledger_admin.ReadOnlyAdmin):
    show_full_result_count = False  # no COUNT(*) over a large table on every page


@admin.register(Listing)
class ListingAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "seller",
        "project",
        "vintage",
        "quantity_available_kg",
        "quantity_kg",
        "price_per_tonne",
        "currency",
        "status",
        "created_at",
    )
    list_filter = ("status", "category", "currency", "vintage")
    search_fields = ("=id", "seller__name", "project__title")
    list_select_related = ("seller", "project")
    raw_id_fields = ("seller", "block", "source_block", "project", "ledger_entry")
    actions = ["withdraw"]

    @admin.action(
        description="Withdraw the selected open listings (unsold credits return to their sellers)",
        permissions=["withdraw"],
    )
    def withdraw(self, request, queryset) -> None:
        done = 0
        for listing in queryset.filter(status=Listing.Status.OPEN).select_related("seller"):
            try:
                listing_withdraw(seller=listing.seller, listing_id=listing.pk)
                done += 1
            except DomainError as error:  # sold out meanwhile: report it, go on with the rest
                self.message_user(request, f"Listing {listing.pk}: {error.detail}", messages.WARNING)
        self.message_user(request, f"Withdrew {done} listing(s).")

    def has_withdraw_permission(self, request) -> bool:
        return request.user.has_perm("marketplace.change_listing")


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ("id", "created_at", "buyer", "seller", "quantity_kg", "price_per_tonne", "total", "fee", "currency")
    list_filter = ("currency",)
    search_fields = ("=id", "buyer__name", "seller__name", "=listing__id")
    list_select_related = ("buyer", "seller")
    raw_id_fields = ("listing", "buyer", "seller", "block", "ledger_entry")
    date_hierarchy = "created_at"


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    list_display = ("id", "created_at", "sender", "recipient", "quantity_kg", "project", "vintage")
    list_filter = ("vintage",)
    search_fields = ("=id", "sender__name", "recipient__name", "project__title")
    list_select_related = ("sender", "recipient", "project")
    raw_id_fields = ("sender", "recipient", "source_block", "block", "project", "ledger_entry")
    date_hierarchy = "created_at"


@admin.register(OpenListingCount)
class OpenListingCountAdmin(ReadOnlyAdmin):
    """The counts behind the public marketplace's ``count``; ``open_listing_counts_rebuild()`` repairs them."""

    list_display = ("category", "country", "vintage", "listings")
    list_filter = ("category", "vintage")
    search_fields = ("country",)
