from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The bottom layer: error handling, transactions, idempotency, request context. Imports no app."""

    name = "core"
    verbose_name = "Platform core"

    def ready(self) -> None:
        from django.urls import register_converter

        from core.converters import IdConverter
        from core.logcontext import install_record_factory

        install_record_factory()
        register_converter(IdConverter, "id")
