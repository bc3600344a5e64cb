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
        strict_text_fields()


def strict_text_fields() -> None:
    """Text fields take JSON strings only: DRF's CharField turns a JSON number into text (``12`` ->
    ``"12"``), which the schema (``type: string``) does not allow, so a client generated from it
    never sends one, and a number sent for a name is a mistake to report (400), not to store.
    Forms, multipart bodies and query strings carry only strings, so only JSON is affected. A length
    limit counts the text as sent, blanks around it included."""
    from rest_framework import serializers
    from rest_framework.fields import empty

    original = serializers.CharField.to_internal_value
    if getattr(original, "strict", False):
        return

    def to_internal_value(self, data):
        if isinstance(data, int | float) and not isinstance(data, bool):
            self.fail("invalid")
        return original(self, data)

    original_run = serializers.CharField.run_validation

    def run_validation(self, data=empty):
        # The length limit counts what was sent, as the schema's maxLength does (DRF counts after
        # trimming the blanks around it, and takes blanks alone for ""): 65 spaces exceed 64.
        if isinstance(data, str) and self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length, length=len(data))
        return original_run(self, data)

    to_internal_value.strict = True  # type: ignore[attr-defined]
    serializers.CharField.to_internal_value = to_internal_value  # type: ignore[method-assign]
    serializers.CharField.run_validation = run_validation  # type: ignore[method-assign]
