from django.urls import path

from web.views import accounts, app, money, public, review

app_name = "web"

urlpatterns = [
    # public
    path("", public.home, name="home"),
    path("market/", public.market, name="market"),
    path("market/<int:listing_id>/", public.market_detail, name="market-detail"),
    path("registry/", public.registry, name="registry"),
    path("registry/projects/<int:project_id>/", public.registry_project, name="registry-project"),
    # accounts
    path("accounts/login/", accounts.login_page, name="login"),
    path("accounts/signup/", accounts.signup_page, name="signup"),
    path("accounts/logout/", accounts.logout_page, name="logout"),
    path("accounts/password-reset/", accounts.PasswordResetPage.as_view(), name="password-reset"),
    path("accounts/password-reset/sent/", accounts.PasswordResetDonePage.as_view(), name="password-reset-done"),
    path(
        "accounts/reset/<uidb64>/<token>/", accounts.PasswordResetConfirmPage.as_view(), name="password-reset-confirm"
    ),
    path("accounts/reset/done/", accounts.PasswordResetCompletePage.as_view(), name="password-reset-complete"),
    # the SME's workspace
    path("app/", app.dashboard, name="dashboard"),
    path("app/emissions/", app.emissions, name="emissions"),
    path("app/projects/", app.projects, name="projects"),
    path("app/claims/", app.claims, name="claims"),
    path("app/claims/<int:claim_id>/", app.claim_detail, name="claim"),
    path("app/holdings/", app.holdings, name="holdings"),
    path("app/holdings/list/", app.holding_list, name="holding-list"),
    path("app/holdings/transfer/", app.holding_transfer, name="holding-transfer"),
    path("app/holdings/retire/", app.holding_retire, name="holding-retire"),
    path("app/listings/<int:listing_id>/withdraw/", app.listing_withdraw_page, name="listing-withdraw"),
    path("app/buy/", app.buy, name="buy"),
    path("app/orders/", app.orders, name="orders"),
    path("app/balance/", money.balance, name="balance"),
    path("app/balance/statement.csv", money.statement_csv, name="balance-statement-csv"),
    path("app/orders/<uuid:order_id>/receipt/", money.order_receipt, name="order-receipt"),
    path("app/certificates/", app.certificates, name="certificates"),
    path("app/certificates/<int:certificate_id>/pdf/", app.certificate_pdf_download, name="certificate-pdf"),
    # verifiers
    path("app/review/", review.review, name="review"),
    path("app/review/claims/<int:claim_id>/", review.review_claim, name="review-claim"),
    path(
        "app/review/claims/<int:claim_id>/approve/",
        review.review_decide,
        {"decision": "approve"},
        name="review-approve",
    ),
    path(
        "app/review/claims/<int:claim_id>/reject/", review.review_decide, {"decision": "reject"}, name="review-reject"
    ),
]
