from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    """Evidence files, stored content-addressed (SHA-256) through Django's storage API."""

    name = "documents"
    verbose_name = "Evidence documents"
