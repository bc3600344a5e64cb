"""Money arithmetic of a trade. Exact ``Decimal`` throughout; the only rounding is to the currency's
minor unit (``core.currencies.minor_unit``: the cent for every supported currency).

    total = price_per_tonne * quantity_kg / 1000     exact, then rounded to the minor unit, half up
    fee   = total * fee_rate                        on the rounded total, rounded to the minor unit, half up

The buyer pays ``total + fee`` (``amount_due``); the seller receives ``total``; the platform keeps
``fee`` (``payments.services.order_settle`` posts all three in the buy's transaction). Half up
(0.005 → 0.01) is the rule people expect from a receipt; it never rounds a non-zero exact total of
half a cent or more down to zero.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

from core.currencies import Currency, minor_unit
from core.units import KG_PER_TONNE

CENT = Decimal("0.01")


@dataclass(frozen=True)
class TradeAmounts:
    total: Decimal
    fee: Decimal

    @property
    def amount_due(self) -> Decimal:
        return self.total + self.fee


def trade_amounts(
    *, price_per_tonne: Decimal, quantity_kg: int, fee_rate: Decimal, currency: str = Currency.USD
) -> TradeAmounts:
    """``total`` and ``fee`` of buying ``quantity_kg`` at ``price_per_tonne`` (see the module docstring)."""
    if not isinstance(price_per_tonne, Decimal) or not isinstance(fee_rate, Decimal):
        raise TypeError("price_per_tonne and fee_rate must be Decimal")
    if isinstance(quantity_kg, bool) or not isinstance(quantity_kg, int):
        raise TypeError("quantity_kg must be an int")
    step = minor_unit(currency)
    # Enough digits that the products below are exact for any price (≤ 10 digits) and quantity
    # (≤ 16 digits) the models accept: the context's default 28 would also do, but this does not
    # depend on what a caller set.
    with localcontext() as context:
        context.prec = 60
        total = (price_per_tonne * quantity_kg / KG_PER_TONNE).quantize(step, rounding=ROUND_HALF_UP)
        fee = (total * fee_rate).quantize(step, rounding=ROUND_HALF_UP)
    return TradeAmounts(total=total, fee=fee)
