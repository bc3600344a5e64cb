"""Database ids as the API accepts them: positive integers that fit a bigint column."""

from typing import Any

MAX_ID = 2**63 - 1


def is_id(value: Any) -> bool:
    """True for an ``int`` (not a ``bool``) from 1 to :data:`MAX_ID`: anything else names no row."""
    return not isinstance(value, bool) and isinstance(value, int) and 0 < value <= MAX_ID
