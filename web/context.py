"""What every page's layout needs: the signed-in person's organisation and the navigation."""

from typing import Any

from django.http import HttpRequest

APP_NAV = (
    ("web:dashboard", "Dashboard"),
    ("web:emissions", "Emissions"),
    ("web:projects", "Projects"),
    ("web:claims", "Claims"),
    ("web:holdings", "Holdings"),
    ("web:orders", "Orders"),
    ("web:balance", "Balance"),
    ("web:certificates", "Certificates"),
)


def site(request: HttpRequest) -> dict[str, Any]:
    match = getattr(request, "resolver_match", None)
    return {
        "app_nav": APP_NAV,
        "current_url_name": f"{match.namespace}:{match.url_name}" if match and match.namespace else "",
    }
