from django.urls import path

from web.views import accounts, app, integrations, members, public, review

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
    path("accounts/invitation/<str:token>/", accounts.invitation_page, name="invitation"),
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
    path("app/certificates/", app.certificates, name="certificates"),
    path("app/certificates/<int:certificate_id>/pdf/", app.certificate_pdf_download, name="certificate-pdf"),
    # integrations
    path("app/api-keys/", integrations.api_keys, name="api-keys"),
    path("app/api-keys/<int:api_key_id>/revoke/", integrations.api_key_revoke_page, name="api-key-revoke"),
    path("app/webhooks/", integrations.webhooks, name="webhooks"),
    path("app/webhooks/<int:endpoint_id>/", integrations.webhook_detail, name="webhook"),
    path("app/webhooks/<int:endpoint_id>/toggle/", integrations.webhook_toggle, name="webhook-toggle"),
    path("app/webhooks/<int:endpoint_id>/delete/", integrations.webhook_delete, name="webhook-delete"),
    path(
        "app/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/retry/",
        integrations.webhook_retry,
        name="webhook-retry",
    ),
    # the organisation's people and the person's account
    path("app/members/", members.members, name="members"),
    path("app/members/<int:member_id>/role/", members.member_role, name="member-role"),
    path("app/members/<int:member_id>/remove/", members.member_remove_page, name="member-remove"),
    path("app/invitations/<int:invitation_id>/withdraw/", members.invitation_withdraw_page, name="invitation-withdraw"),
    path("app/account/", members.account, name="account"),
    path("app/account/organization/", members.account_organization, name="account-organization"),
    path("app/account/password/", members.account_password, name="account-password"),
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
