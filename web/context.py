"""What every page's layout needs: the signed-in person's organisation and the navigation."""

from typing import Any

from django.http import HttpRequest

from accounts.roles import Ability, role_allows

APP_NAV = (
    ("web:dashboard", "Dashboard"),
    ("web:emissions", "Emissions"),
    ("web:sites", "Sites"),
    ("web:projects", "Projects"),
    ("web:claims", "Claims"),
    ("web:holdings", "Holdings"),
    ("web:orders", "Orders"),
    ("web:balance", "Balance"),
    ("web:certificates", "Certificates"),
    ("web:verification", "Verification"),
    ("web:api-keys", "API keys"),
    ("web:webhooks", "Webhooks"),
    ("web:members", "Members"),
    ("web:account", "Account"),
)
REVIEW_NAV = (
    ("web:review", "Claims"),
    ("web:review-organizations", "Organisations"),
    ("web:review-sites", "Sites"),
    ("web:audits", "Audits"),
)


def site(request: HttpRequest) -> dict[str, Any]:
    match = getattr(request, "resolver_match", None)
    user = getattr(request, "user", None)
    role = getattr(user, "role", "") if user is not None and user.is_authenticated else ""
    return {
        "app_nav": APP_NAV,
        # A viewer is told once, on every workspace page, why the forms will not work for them.
        "read_only_role": bool(role) and not role_allows(role, Ability.OPERATE),
        "review_nav": REVIEW_NAV,
        "current_url_name": f"{match.namespace}:{match.url_name}" if match and match.namespace else "",
    }
