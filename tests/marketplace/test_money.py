from decimal import Decimal

import pytest

from marketplace.money import trade_amounts


@pytest.mark.parametrize(
    ("price", "kg", "total", "fee"),
    [
        ("12.34", 1, "0.01", "0.00"),  # 0.01234 → 0.01; fee 0.0002 → 0.00
        ("10.01", 333, "3.33", "0.07"),  # 3.33333 → 3.33; fee 0.0666 → 0.07
        ("12.34", 1000, "12.34", "0.25"),  # one tonne costs the price; fee 0.2468 → 0.25
        ("0.25", 500, "0.13", "0.00"),  # 0.125: half up (half-even would say 0.12)
        ("25.00", 250, "6.25", "0.13"),  # fee 0.125: half up (half-even would say 0.12)
        ("0.01", 500, "0.01", "0.00"),  # 0.005 rounds up to a cent
        ("0.01", 499, "0.00", "0.00"),  # 0.00499 is under half a cent
        ("15.50", 2, "0.03", "0.00"),  # 0.031
        ("7.77", 123_456, "959.25", "19.19"),  # 959.25312; fee 19.185 → 19.19
        ("99999.99", 1, "100.00", "2.00"),  # 99.99999 → 100.00
        ("100000.00", 10**15, "100000000000000000.00", "2000000000000000.00"),  # the largest order, exact
    ],
)
def test_trade_amounts_are_exact_to_the_cent_rounding_half_up(price, kg, total, fee):
    amounts = trade_amounts(price_per_tonne=Decimal(price), quantity_kg=kg, fee_rate=Decimal("0.02"))

    assert (amounts.total, amounts.fee) == (Decimal(total), Decimal(fee))
    assert amounts.total.as_tuple().exponent == amounts.fee.as_tuple().exponent == -2, "always two places"
    assert amounts.amount_due == Decimal(total) + Decimal(fee)


def test_fee_follows_the_rate_given():
    amounts = trade_amounts(price_per_tonne=Decimal("10.00"), quantity_kg=1500, fee_rate=Decimal("0.035"))

    assert (amounts.total, amounts.fee) == (Decimal("15.00"), Decimal("0.53"))  # 0.525 → 0.53


@pytest.mark.parametrize(
    ("price", "kg", "rate"),
    [(12.34, 1, Decimal("0.02")), (Decimal("12.34"), 1.0, Decimal("0.02")), (Decimal("1"), True, Decimal("0.02"))],
)
def test_trade_amounts_refuse_floats_and_booleans(price, kg, rate):
    with pytest.raises(TypeError):
        trade_amounts(price_per_tonne=price, quantity_kg=kg, fee_rate=rate)
