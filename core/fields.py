"""Serializer fields every app shares: one rule for what a number in a request is.

In a JSON body an integer is a JSON integer (:class:`JSONIntegerField`, :class:`IdField`, and
``ledger.serializers.QuantityKgField`` for kilograms); in a query string it is written with ASCII
digits (:class:`QueryIntegerField`). Both are bounded: nothing outside a bigint column's range gets
past the serializer (``tests/security/test_bad_input.py`` checks every input serializer for it).
"""

import re

from rest_framework import serializers

from core.currencies import Currency
from core.ids import MAX_ID

MIN_BIGINT = -MAX_ID - 1


class JSONIntegerField(serializers.IntegerField):
    """A JSON integer, nothing else: ``"12"``, ``12.0``, ``1.9`` and ``true`` are refused, never
    coerced (``1.9`` must not quietly name row 1). Without bounds of its own it takes a bigint's,
    so a number no column can hold is a 400, not a database error."""

    default_error_messages = {"invalid": "A whole number (a JSON integer) is required."}

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_value", MAX_ID)
        kwargs.setdefault("min_value", MIN_BIGINT)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class QueryIntegerField(serializers.IntegerField):
    """An integer in a query string, written in ASCII digits (``?vintage=2024``): ``2024.0``,
    ``2024.5``, ``1e3`` and fullwidth digits are refused. Bounded like :class:`JSONIntegerField`."""

    default_error_messages = {"invalid": "A whole number written in digits is required."}
    _DIGITS = re.compile(r"-?[0-9]{1,19}")

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_value", MAX_ID)
        kwargs.setdefault("min_value", MIN_BIGINT)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not self._DIGITS.fullmatch(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class IdField(JSONIntegerField):
    """The id of a row: a JSON integer from 1 to 2^63 - 1 (a bigint)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)


class CurrencyField(serializers.ChoiceField):
    """An ISO 4217 code from :class:`core.currencies.Currency`; ``usd`` is read as ``USD``."""

    def __init__(self, **kwargs):
        super().__init__(choices=Currency.choices, **kwargs)

    def to_internal_value(self, data):
        return super().to_internal_value(data.strip().upper() if isinstance(data, str) else data)


class JSONCharField(serializers.CharField):
    """A JSON string, nothing else: a number or a boolean is refused, never turned into text."""

    default_error_messages = {"invalid": "A string is required."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)
