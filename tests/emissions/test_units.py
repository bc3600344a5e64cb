from decimal import Decimal

import pytest

from emissions.activities import ACTIVITIES
from emissions.arithmetic import exact_emissions, plain, round_kg


@pytest.mark.parametrize(
    ("activity", "typed", "code", "factor_unit", "multiplier"),
    [
        ("electricity", "kWh", "kWh", "kWh", "1"),
        ("electricity", "kwh", "kWh", "kWh", "1"),
        ("electricity", "MWh", "MWh", "kWh", "1000"),
        ("natural_gas", "m3", "m3", "m3", "1"),
        ("natural_gas", "cubic metres", "m3", "m3", "1"),
        ("natural_gas", "ft3", "ft3", "m3", "0.028316846592"),
        ("natural_gas", "kWh", "kWh", "kWh", "1"),
        ("diesel", "L", "litres", "litre", "1"),
        ("diesel", "litres", "litres", "litre", "1"),
        ("petrol", "US gallons", "us_gallons", "litre", "3.785411784"),
        ("lpg", "imperial_gallons", "imperial_gallons", "litre", "4.54609"),
        ("waste_landfill", "t", "tonnes", "kg", "1000"),
        ("flight_long_haul", "passenger-km", "passenger_km", "passenger_km", "1"),
        ("flight_long_haul", "passenger.km", "passenger_km", "passenger_km", "1"),
        ("rail", "passenger_miles", "passenger_miles", "passenger_km", "1.609344"),
        ("car", "miles", "miles", "vehicle_km", "1.609344"),
    ],
)
def test_unit_spellings_normalise_with_exact_conversions(activity, typed, code, factor_unit, multiplier):
    unit = ACTIVITIES[activity].unit(typed)

    assert unit is not None
    assert (unit.code, unit.factor_unit, unit.to_factor_unit) == (code, factor_unit, Decimal(multiplier))


@pytest.mark.parametrize(
    ("activity", "typed"),
    [("electricity", "litres"), ("diesel", "gallons"), ("diesel", "kWh"), ("natural_gas", "therms"), ("car", "pkm")],
)
def test_units_outside_an_activitys_vocabulary_are_unknown(activity, typed):
    # Bare "gallons" is refused: US and imperial gallons differ by 20 %.
    assert ACTIVITIES[activity].unit(typed) is None


def test_every_activity_in_the_api_contract_exists_with_its_contract_unit():
    contract = {
        "electricity": "kWh",
        "natural_gas": "m3",
        "diesel": "litres",
        "petrol": "litres",
        "lpg": "litres",
        "waste_landfill": "kg",
        "waste_recycled": "kg",
        "flight_short_haul": "passenger_km",
        "flight_long_haul": "passenger_km",
        "car": "km",
        "rail": "passenger_km",
    }

    for key, unit in contract.items():
        assert ACTIVITIES[key].unit(unit) is not None, key
    assert ACTIVITIES["natural_gas"].unit("kWh") is not None


def test_exact_product_has_no_float_error():
    exact = exact_emissions(Decimal(1000), Decimal("3.785411784"), Decimal("2.70583"))

    assert exact == Decimal("10242.68076750072")
    assert plain(exact) == "10242.68076750072"


@pytest.mark.parametrize(("value", "kg"), [("0.5", 1), ("1.5", 2), ("2.4999", 2), ("2570.82", 2571), ("3056.4", 3056)])
def test_rounding_is_half_up_to_whole_kilograms(value, kg):
    assert round_kg(Decimal(value)) == kg


def test_plain_strips_trailing_zeros_without_exponents():
    assert plain(Decimal("17700.000")) == "17700"
    assert plain(Decimal("1E+3")) == "1000"
    assert plain(Decimal("0.028316846592")) == "0.028316846592"
