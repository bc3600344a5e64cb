"""Serializer fields every app shares: one rule for what a number in a request body is."""

from rest_framework import serializers

from core.ids import MAX_ID


class JSONIntegerField(serializers.IntegerField):
    """A JSON integer, nothing else: ``"12"``, ``12.0``, ``1.9`` and ``true`` are refused, never
    coerced (``1.9`` must not quietly name row 1)."""

    default_error_messages = {"invalid": "A whole number (a JSON integer) is required."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class IdField(JSONIntegerField):
    """The id of a row: a JSON integer from 1 to 2^63 - 1 (a bigint)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)
