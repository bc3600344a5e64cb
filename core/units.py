"""Kilograms and tonnes of CO2e: the one conversion every app uses."""

from decimal import Decimal

KG_PER_TONNE = Decimal(1000)
_THREE_PLACES = Decimal("0.001")


def kg_to_tonnes(quantity_kg: int) -> Decimal:
    """Integer kilograms as tonnes with three places (``1250`` → ``Decimal("1.250")``): exact, no floats."""
    return (Decimal(quantity_kg) / KG_PER_TONNE).quantize(_THREE_PLACES)
