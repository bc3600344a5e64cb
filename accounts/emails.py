"""One spelling per e-mail address.

An address is normalised once, wherever one comes in (registration, every sign-in, users made in
code or the admin), stored normalised and looked up exactly; lockouts are keyed on the same value.
NFKC folds compatibility forms (fullwidth letters such as U+FF53, the Kelvin sign U+212A, the long
s U+017F) into their plain letters, and case folding (Unicode's, not ``lower()``) maps ``ß`` to
``ss``. The dotless i (U+0131) stays itself: it is a different letter, so ``j\u0131m@…`` is a
different address from ``jim@…`` and an exact lookup can never confuse them (``email__iexact`` on
PostgreSQL did: ``UPPER`` of a dotless i is ``I``).
"""

import unicodedata


def email_normalize(value: str) -> str:
    """NFKC and case folding, repeated until stable (folding can undo NFKC's composition), trimmed.

    Idempotent: ``email_normalize(email_normalize(x)) == email_normalize(x)`` for any text.
    """
    current = value.strip()
    for _ in range(_MAX_ROUNDS):
        folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", current).casefold()).strip()
        if folded == current:
            break
        current = folded
    return current


# One round is stable for every code point Unicode assigns today; a few more cost nothing.
_MAX_ROUNDS = 4
