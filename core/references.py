"""Keys that recognise one document or one meter however its number is typed.

A bill typed ``INV-001`` one month and ``inv 1`` the next is one bill; a meter ``MPAN 01 2345`` is the
meter ``mpan-1-2345``. Used for evidence references (``verification``) and meter ids (``sites``), so
both apps read numbers the same way. Pure functions, no Django.

Two keys, because each alone either misses a disguise or confuses two honest documents:

``reference_key``  letters and digit runs, case-folded, each digit run without its leading zeros, runs of
                   digits kept apart by a dot: ``INV-01`` ≡ ``INV-001`` ≡ ``inv 1`` → ``inv1``;
                   ``2024-01-11`` → ``2024.1.11``, which stays distinct from ``2024-11-01``.
``compact_key``    letters and digits only, zeros kept (the key used before round 2): ``INV-2024-01`` ≡
                   ``INV202401`` → ``inv202401``.
"""

import re

_TOKENS = re.compile(r"[^\W\d_]+|\d+")


def reference_key(text: str) -> str:
    """The padding-insensitive key of a reference (see the module docstring); ``""`` when it holds no
    letter or digit."""
    parts: list[str] = []
    previous_digits = False
    for token in _TOKENS.findall(text.casefold()):
        digits = token.isdigit()
        if digits:
            token = token.lstrip("0") or "0"
            if previous_digits:
                parts.append(".")
        parts.append(token)
        previous_digits = digits
    return "".join(parts)


def compact_key(text: str) -> str:
    """Letters and digits only, case-folded, zeros kept: ``"INV-001 "`` → ``"inv001"``."""
    return "".join(_TOKENS.findall(text.casefold()))
