"""The ``id`` path converter: a segment that is a row id (1 to 2^63 - 1, ASCII digits), or no match.

``<int:…>`` matches any run of digits, so ``/api/ledger/entries/99999999999999999999/`` reached the
database with a number no bigint column holds (a 500 on SQLite). With ``<id:…>`` such a segment,
like ``1.5`` or ``-1``, matches no route: the answer is the 404 of an unknown path. Registered by
``core.apps.CoreConfig.ready``; routers use it through ``lookup_value_converter = "id"``.
"""

from core.ids import MAX_ID


class IdConverter:
    # At most 19 digits (MAX_ID has 19), no sign, no leading zero.
    regex = "[1-9][0-9]{0,18}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValueError("beyond the bigint range")  # Django treats it as no match
        return number

    def to_url(self, value: int) -> str:
        return str(int(value))
