"""Exact decimal arithmetic for report lines, and the one rounding rule.

Rounding rule: each line's emissions are the exact product quantity x conversion x factor, rounded
once to a whole kilogram with ROUND_HALF_UP. Scope totals and the report total are integer sums of
those rounded lines, so a report always adds up (total = scope 1 + 2 + 3 = sum of lines); the price
is at most 0.5 kg of rounding per line, and each line shows its exact value next to the rounded one.
"""

from decimal import ROUND_HALF_UP, Context, Decimal, Inexact, InvalidOperation, Overflow

# Wide enough for any product of the stored precisions (15 + 12 + 14 digits); Inexact is trapped, so
# a product that ever needed rounding would raise instead of being silently approximated.
_EXACT = Context(prec=60, traps=[Inexact, InvalidOperation, Overflow])


def exact_emissions(quantity: Decimal, conversion: Decimal, factor_value: Decimal) -> Decimal:
    """kg CO2e, exact."""
    return _EXACT.multiply(_EXACT.multiply(quantity, conversion), factor_value)


def round_kg(value: Decimal) -> int:
    """The one rounding step: half up to a whole kilogram."""
    return int(value.to_integral_value(rounding=ROUND_HALF_UP))


def plain(value: Decimal) -> str:
    """A decimal as a plain string without exponent or trailing zeros: 17700, 2570.82."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
