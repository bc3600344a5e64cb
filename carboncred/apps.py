from django.apps import AppConfig


class CarbonCredConfig(AppConfig):
    """Cross-cutting pieces that need tables of their own (idempotency records)."""

    name = "carboncred"
    verbose_name = "CarbonCred platform"

    def ready(self) -> None:
        from carboncred import schema  # noqa: F401 - registers the OpenAPI extension
        from carboncred.logcontext import install_record_factory

        install_record_factory()
