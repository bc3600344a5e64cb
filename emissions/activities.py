"""The fixed vocabulary of activities and units a report line may use.

Every unit converts to the unit its emission factor is published per, with an exact decimal
multiplier taken from a legal definition (1 US gallon = 3.785411784 l, 1 mile = 1.609344 km,
1 ft3 = 0.028316846592 m3, 1 imperial gallon = 4.54609 l), so conversions never round.
Natural gas needs no calorific-value assumption: the loaded factor sets publish it both per kWh
(gross CV, as UK and US bills state it) and per cubic metre, and a line uses the matching one.

Scopes follow the GHG Protocol: fuels burned on site (and in own vehicles, reported as fuel) are
scope 1, purchased electricity is scope 2 (location-based), travel, waste and grid losses are scope 3.
"""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Unit:
    code: str  # the spelling reports echo back
    factor_unit: str  # the unit the emission factor is published per
    to_factor_unit: Decimal  # exact multiplier: quantity in `code` x this = quantity in `factor_unit`
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Activity:
    key: str
    label: str
    scope: int
    units: tuple[Unit, ...]
    # A grid activity uses the region's own grid; without one it falls back to a labelled
    # regional/world average. Other activities fall back to `default_region`'s factor set
    # (None: no fallback, the region must have its own factor).
    grid: bool = False
    default_region: str | None = "GB"

    def unit(self, spelling: str) -> Unit | None:
        wanted = _canonical_spelling(spelling)
        for unit in self.units:
            if wanted in {_canonical_spelling(name) for name in (unit.code, *unit.aliases)}:
                return unit
        return None

    @property
    def unit_codes(self) -> list[str]:
        return [unit.code for unit in self.units]


def _canonical_spelling(spelling: str) -> str:
    return spelling.strip().lower().replace(" ", "_").replace("-", "_").replace(".", "_")


ONE = Decimal(1)
KWH = Unit("kWh", "kWh", ONE)
MWH = Unit("MWh", "kWh", Decimal(1000))
M3 = Unit("m3", "m3", ONE, ("m³", "cubic_metres", "cubic_metre", "cubic_meters", "cubic_meter"))
FT3 = Unit("ft3", "m3", Decimal("0.028316846592"), ("cubic_feet", "cubic_foot", "cf"))
LITRES = Unit("litres", "litre", ONE, ("l", "litre", "liter", "liters"))
US_GALLONS = Unit("us_gallons", "litre", Decimal("3.785411784"), ("us_gallon", "us_gal"))
IMPERIAL_GALLONS = Unit("imperial_gallons", "litre", Decimal("4.54609"), ("imperial_gallon", "imp_gal", "uk_gallons"))
KG = Unit("kg", "kg", ONE, ("kilograms", "kilogram", "kgs"))
TONNES = Unit("tonnes", "kg", Decimal(1000), ("t", "tonne", "metric_tons", "metric_ton"))
PASSENGER_KM = Unit("passenger_km", "passenger_km", ONE, ("pkm", "p_km"))
PASSENGER_MILES = Unit("passenger_miles", "passenger_km", Decimal("1.609344"), ("passenger_mile", "pmi"))
KM = Unit("km", "vehicle_km", ONE, ("vehicle_km", "kilometres", "kilometers", "vkm"))
MILES = Unit("miles", "vehicle_km", Decimal("1.609344"), ("mile", "mi", "vehicle_miles"))

ELECTRICITY_UNITS = (KWH, MWH)
LIQUID_FUEL_UNITS = (LITRES, US_GALLONS, IMPERIAL_GALLONS)
MASS_UNITS = (KG, TONNES)
PASSENGER_DISTANCE_UNITS = (PASSENGER_KM, PASSENGER_MILES)

ACTIVITIES: dict[str, Activity] = {
    activity.key: activity
    for activity in (
        Activity("electricity", "Purchased grid electricity", 2, ELECTRICITY_UNITS, grid=True, default_region=None),
        Activity(
            "electricity_td_losses",
            "Grid transmission and distribution losses of purchased electricity",
            3,
            ELECTRICITY_UNITS,
            default_region=None,  # losses depend on the grid; another country's figure would mislead
        ),
        Activity("natural_gas", "Natural gas burned on site", 1, (KWH, MWH, M3, FT3)),
        Activity("diesel", "Diesel burned on site or in own vehicles", 1, LIQUID_FUEL_UNITS),
        Activity("petrol", "Petrol burned on site or in own vehicles", 1, LIQUID_FUEL_UNITS),
        Activity("lpg", "LPG burned on site or in own vehicles", 1, LIQUID_FUEL_UNITS),
        Activity("waste_landfill", "Waste sent to landfill", 3, MASS_UNITS),
        Activity("waste_recycled", "Waste sent for recycling", 3, MASS_UNITS),
        Activity("flight_domestic", "Flights under about 500 km (domestic)", 3, PASSENGER_DISTANCE_UNITS),
        Activity("flight_short_haul", "Flights under 3,700 km (short haul)", 3, PASSENGER_DISTANCE_UNITS),
        Activity("flight_long_haul", "Flights of 3,700 km or more (long haul)", 3, PASSENGER_DISTANCE_UNITS),
        Activity("car", "Business travel by car not owned by the organisation (vehicle distance)", 3, (KM, MILES)),
        Activity("rail", "Business travel by national rail", 3, PASSENGER_DISTANCE_UNITS),
    )
}

FACTOR_UNITS = sorted({unit.factor_unit for activity in ACTIVITIES.values() for unit in activity.units})


def units_help_text() -> str:
    """The unit vocabulary per activity, for the OpenAPI schema and error messages."""
    return "; ".join(f"{key}: {', '.join(activity.unit_codes)}" for key, activity in ACTIVITIES.items())
