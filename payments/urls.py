from django.urls import path

from payments import views

urlpatterns = [
    path("balance/", views.BalanceApi.as_view(), name="balance"),
    path("balance/statement/", views.StatementApi.as_view(), name="balance-statement"),
    path("balance/top-ups/", views.TopUpListCreateApi.as_view(), name="top-up-list"),
    path("balance/top-ups/<id:top_up_id>/", views.TopUpDetailApi.as_view(), name="top-up-detail"),
    path("balance/top-ups/<id:top_up_id>/confirm/", views.TopUpConfirmApi.as_view(), name="top-up-confirm"),
    path("balance/top-ups/<id:top_up_id>/cancel/", views.TopUpCancelApi.as_view(), name="top-up-cancel"),
    path("balance/bank-account/", views.BankAccountApi.as_view(), name="bank-account"),
    path("payouts/", views.PayoutListCreateApi.as_view(), name="payout-list"),
    path("payouts/<id:payout_id>/", views.PayoutDetailApi.as_view(), name="payout-detail"),
    path("payouts/<id:payout_id>/mark-paid/", views.PayoutMarkPaidApi.as_view(), name="payout-mark-paid"),
    path("payouts/<id:payout_id>/reject/", views.PayoutRejectApi.as_view(), name="payout-reject"),
    path("payments/stripe/webhook/", views.StripeWebhookApi.as_view(), name="stripe-webhook"),
]
