"""Energy use from activity data: which activities are energy the organisation consumed, and how
many kWh a unit of each is.

- Purchased electricity counts as delivered: the kWh (or MWh) on the bill.
- Fuels burned on site or in own vehicles (natural gas, diesel, petrol, LPG) are converted with the
  **net** calorific values in ``reports/data/energy_conversions.csv``. Each value is derived from
  two published rows of UK DESNZ 2025 (the fuel's kg CO2e per litre or cubic metre divided by its kg
  CO2e per kWh on a net CV basis), which gives back the calorific value DESNZ itself used; the file
  says so on every row. Natural gas billed in kWh is on a gross CV basis (UK and US bills); the
  DESNZ ratio of its two factors takes it to net. The same values are applied to every country's
  fuel: specifications differ by a few per cent, and the statement says that too.
- Grid transmission losses, travel and waste are not energy the organisation consumed (the losses
  are the grid's, travel burns someone else's fuel): they carry emissions, not kWh.

Renewable energy: grid electricity is counted as non-renewable, because the activity data records no
supplier contract or certificate (the grid's own renewable share is not claimed). Renewable energy
today comes only from self-generation passed in by the caller (:class:`SelfGeneration`): metered
solar from the organisation's own sites, once the sites app stores readings.
"""

import csv
import functools
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "energy_conversions.csv"

ELECTRICITY = "electricity"
SELF_GENERATION = "self_generation"


@dataclass(frozen=True, kw_only=True)
class Carrier:
    key: str
    label: str
    renewable: bool


# In the order the statement lists them.
CARRIERS: dict[str, Carrier] = {
    carrier.key: carrier
    for carrier in (
        Carrier(key=ELECTRICITY, label="Grid electricity (purchased)", renewable=False),
        Carrier(key="natural_gas", label="Natural gas", renewable=False),
        Carrier(key="diesel", label="Diesel", renewable=False),
        Carrier(key="petrol", label="Petrol", renewable=False),
        Carrier(key="lpg", label="LPG", renewable=False),
        Carrier(key=SELF_GENERATION, label="Self-generated renewable electricity", renewable=True),
    )
}


@dataclass(frozen=True, kw_only=True)
class EnergyConversion:
    """kWh per unit of a fuel (the unit its emission factor is per), with where the number comes from."""

    activity: str
    unit: str
    kwh_per_unit: Decimal
    basis: str
    derivation: str
    source: str
    source_url: str
    year: int
    licence: str


@functools.cache
def conversions(path: Path = DATA_FILE) -> dict[tuple[str, str], EnergyConversion]:
    """The conversion table, keyed by (activity, factor unit); numbers parsed from text, never floats."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [
            EnergyConversion(
                activity=row["activity"],
                unit=row["unit"],
                kwh_per_unit=Decimal(row["kwh_per_unit"]),
                basis=row["basis"],
                derivation=row["derivation"],
                source=row["source"],
                source_url=row["source_url"],
                year=int(row["year"]),
                licence=row["licence"],
            )
            for row in csv.DictReader(handle)
        ]
    return {(row.activity, row.unit): row for row in rows}


@dataclass(frozen=True)
class LineEnergy:
    """The kWh of one line's quantity, and the conversion used (None for electricity, counted as billed)."""

    kwh: Decimal
    conversion: EnergyConversion | None


def line_energy(activity: str, factor_unit: str, quantity: Decimal) -> LineEnergy | None:
    """Energy of ``quantity`` (in the factor's unit) of ``activity``; None when the activity is not
    energy the organisation consumed, or no conversion is known for the unit (the caller notes it)."""
    if activity == ELECTRICITY:
        return LineEnergy(quantity, None) if factor_unit == "kWh" else None
    if activity not in CARRIERS:
        return None
    conversion = conversions().get((activity, factor_unit))
    if conversion is None:
        return None
    return LineEnergy(quantity * conversion.kwh_per_unit, conversion)


def is_energy_activity(activity: str) -> bool:
    return activity in CARRIERS and activity != SELF_GENERATION
