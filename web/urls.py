from django.urls import path

from web.views import accounts, app, documents, integrations, members, money, public, review, sites, standing, verifiers

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
    path("app/sites/", sites.sites, name="sites"),
    path("app/sites/<int:site_id>/", sites.site_detail, name="site"),
    path("app/sites/<int:site_id>/readings/", sites.site_readings, name="site-readings"),
    path("app/sites/<int:site_id>/change/", sites.site_change, name="site-change"),
    path("app/documents/<int:document_id>/file/", documents.document_file, name="document-file"),
    path("app/verification/", standing.verification, name="verification"),
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
    path("app/review/claims/<int:claim_id>/reverse/", verifiers.claim_reverse_page, name="review-reverse"),
    path("app/review/organisations/", verifiers.organizations, name="review-organizations"),
    path(
        "app/review/organisations/<int:organization_id>/",
        verifiers.organization_detail,
        name="review-organization",
    ),
    *(
        path(
            f"app/review/organisations/<int:organization_id>/{decision}/",
            verifiers.organization_decide,
            {"decision": decision},
            name=f"review-organization-{decision}",
        )
        for decision in ("verify", "reject", "suspend")
    ),
    path("app/review/sites/", verifiers.sites, name="review-sites"),
    path(
        "app/review/sites/<int:site_id>/approve/",
        verifiers.site_decide,
        {"decision": "approve"},
        name="review-site-approve",
    ),
    path(
        "app/review/sites/<int:site_id>/reject/",
        verifiers.site_decide,
        {"decision": "reject"},
        name="review-site-reject",
    ),
    path("app/review/audits/", verifiers.audits, name="audits"),
    path("app/review/audits/<int:audit_id>/", verifiers.audit_detail, name="audit"),
    path("app/review/audits/<int:audit_id>/confirm/", verifiers.audit_confirm_page, name="audit-confirm"),
]
