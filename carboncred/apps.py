from django.apps import AppConfig


class CarbonCredConfig(AppConfig):
    """The top layer: settings, URLs, the dashboard composition, demo data and their commands."""

    name = "carboncred"
    verbose_name = "CarbonCred"

    def ready(self) -> None:
        from carboncred import signals  # noqa: F401  # connects payments' signals to webhooks
