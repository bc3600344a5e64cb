from django.urls import path

from marketplace import views

urlpatterns = [
    path("marketplace/", views.MarketplaceListApi.as_view(), name="marketplace"),
    path("marketplace/<id:listing_id>/", views.MarketplaceDetailApi.as_view(), name="marketplace-listing"),
    path("listings/", views.ListingListCreateApi.as_view(), name="listing-list"),
    path("listings/<id:listing_id>/", views.ListingDetailApi.as_view(), name="listing-detail"),
    path("buy/", views.BuyApi.as_view(), name="buy"),
    path("orders/", views.OrderListApi.as_view(), name="order-list"),
    path("orders/<uuid:order_id>/", views.OrderDetailApi.as_view(), name="order-detail"),
    path("orders/<uuid:order_id>/receipt/", views.OrderReceiptApi.as_view(), name="order-receipt"),
    path("transfers/", views.TransferListCreateApi.as_view(), name="transfer-list"),
    path("transfers/<uuid:transfer_id>/", views.TransferDetailApi.as_view(), name="transfer-detail"),
]
