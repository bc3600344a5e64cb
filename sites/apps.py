from django.apps import AppConfig


class SitesConfig(AppConfig):
    """Physical sites (coordinates checked against offline country boundaries), their meters and capacity."""

    name = "sites"
    verbose_name = "Sites and meters"
