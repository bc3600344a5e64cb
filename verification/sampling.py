"""Risk-based sampling of automatically approved issuances for audit: pure functions, no Django.

The rate rises with the claim's risk score ``r`` (0..1):

    rate(r) = min_rate + (max_rate - min_rate) * r ** exponent        (rounded up to 6 places)

and the draw is a keyed hash of the claim, so it is reproducible and cannot be steered:

    salt(period) = HMAC-SHA256(AUDIT_SEED_KEY, "CarbonCred/audit-salt/v1" 0x00 period)   period = "YYYY-MM", UTC
    draw         = first 8 bytes, big-endian, of HMAC-SHA256(salt, "CarbonCred/audit-draw/v1" 0x00 claim id)
    sampled      = draw < floor(rate * 2^64)        i.e. draw / 2^64, uniform on [0, 1), below the rate

Each month's salt is committed before the month starts (``commitment`` = SHA-256 of it, published at
``GET /api/audit-seeds/``) and revealed once the month is over, so anyone can then recompute every draw
of that month from the issue entries (their memo records the claim, the period and the rate) — while
during the month no claimant can predict whether a claim will be drawn. Exact integer arithmetic; no
floats. docs/VERIFICATION.md ("Audits and reversals") explains the choices.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_CEILING, Decimal

SALT_TAG = b"CarbonCred/audit-salt/v1\x00"
DRAW_TAG = b"CarbonCred/audit-draw/v1\x00"
COMMIT_TAG = b"CarbonCred/audit-commit/v1\x00"
DRAW_BITS = 64
RATE_PLACES = Decimal("0.000001")


def period_of(moment: datetime) -> str:
    """The sampling period (a calendar month, UTC) of an instant: ``"2025-06"``."""
    return moment.astimezone(UTC).strftime("%Y-%m")


def period_salt(key: bytes, period: str) -> bytes:
    """The month's salt: a keyed hash, so revealing one month's salt reveals nothing of another's."""
    return hmac.new(key, SALT_TAG + period.encode("ascii"), hashlib.sha256).digest()


def salt_commitment(salt: bytes) -> str:
    """What is published before the month: SHA-256 of the salt (hex). A revealed salt must hash to it."""
    return hashlib.sha256(COMMIT_TAG + salt).hexdigest()


def draw(salt: bytes, claim_id: int) -> int:
    """The claim's draw: an integer uniform on [0, 2^64) (HMAC-SHA256 is a pseudorandom function)."""
    digest = hmac.new(salt, DRAW_TAG + str(claim_id).encode("ascii"), hashlib.sha256).digest()
    return int.from_bytes(digest[: DRAW_BITS // 8], "big")


def sampling_rate(risk: Decimal, *, min_rate: Decimal, max_rate: Decimal, exponent: Decimal) -> Decimal:
    """The probability of an audit for a claim of ``risk``: ``min_rate`` at risk 0, rising to ``max_rate``
    at risk 1 along ``risk ** exponent`` (convex for an exponent above 1: the rate climbs fastest where
    the model is least sure). Rounded up to 6 places, never outside [min_rate, max_rate]."""
    risk = min(max(Decimal(risk), Decimal(0)), Decimal(1))
    rate = min_rate + (max_rate - min_rate) * risk**exponent
    return min(max(rate.quantize(RATE_PLACES, rounding=ROUND_CEILING), min_rate), max_rate)


def threshold(rate: Decimal) -> int:
    """floor(rate * 2^64), exactly: a draw below it is sampled, so P(sampled) = threshold / 2^64 ≈ rate."""
    numerator, denominator = Decimal(rate).as_integer_ratio()
    return (numerator << DRAW_BITS) // denominator


def is_sampled(drawn: int, rate: Decimal) -> bool:
    return drawn < threshold(rate)


@dataclass(frozen=True)
class Draw:
    """One claim's draw in its period: sampled when ``value`` is below ``threshold(rate)``."""

    period: str
    rate: Decimal
    value: int
    sampled: bool

    @property
    def value_hex(self) -> str:
        return f"{self.value:016x}"


def draw_for(
    *, key: bytes, claim_id: int, risk: Decimal, period: str, min_rate: Decimal, max_rate: Decimal, exponent: Decimal
) -> Draw:
    rate = sampling_rate(risk, min_rate=min_rate, max_rate=max_rate, exponent=exponent)
    value = draw(period_salt(key, period), claim_id)
    return Draw(period=period, rate=rate, value=value, sampled=is_sampled(value, rate))
