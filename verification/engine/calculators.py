"""Methodology calculators: tonnes from a fixed formula and sourced factors, never from the model.

Exact arithmetic in Decimal; the result is rounded DOWN to whole kilograms and never negative.
Every fork takes the conservative branch (see :mod:`verification.engine.factors`).
"""

from decimal import ROUND_FLOOR, Decimal

from verification.engine.factors import FactorProvider
from verification.engine.types import Calculation, ClaimInput, FactorUsed

# The energy carriers of an efficiency measure and the factor each one is credited with.
EFFICIENCY_CARRIER_FAMILY = {
    "electricity": ("grid_cm_efficiency", "grid_electricity"),
    "natural_gas": ("fuel_combustion", "natural_gas"),
    "diesel": ("fuel_combustion", "diesel"),
}

# Diesel displaced by solar, computed from the solar side: kWh a generator would have delivered per litre.
# ASSUMPTION: 3.7 kWh/l, the efficient end of the 2.5-3.7 kWh/l that diesel generator sets achieve (the
# rules flag above 4.0): the most efficient generator burns the least diesel for the same kWh, so this
# credits the fewest litres. docs/VERIFICATION.md "Fuel switch".
SOLAR_DISPLACED_KWH_PER_LITRE = Decimal("3.7")

FIGURE_GRID = "grid emission reduction (combined margin)"
FIGURE_FUEL = "fuel emission reduction (baseline minus project emissions)"
FIGURE_RECYCLING = (
    "avoided landfill emissions: the inventory change landfill -> recycling, not the displaced virgin production"
)


def whole_kg_down(value: Decimal) -> int:
    """Round down to a whole kilogram and never below zero (micro-credits are rounded down)."""
    return max(0, int(value.to_integral_value(rounding=ROUND_FLOOR)))


def _missing(family: str, activity: str, unit: str, country: str) -> str:
    return f"{family}:{activity}:{unit}:{country or '*'}"


def calculate(claim: ClaimInput, factors: FactorProvider) -> Calculation:
    calculator = {
        "solar": _solar,
        "energy_efficiency": _efficiency,
        "recycling": _recycling,
        "fuel_switch": _fuel_switch,
    }[claim.category]
    return calculator(claim, factors)


def _solar(claim: ClaimInput, factors: FactorProvider) -> Calculation:
    generation = claim.parameters["generation_kwh"]
    calc = Calculation(
        reduction_kg=0,
        formula="ER = generation_kwh x EF_grid_CM_solar",
        figure=FIGURE_GRID,
        inputs={"generation_kwh": str(generation)},
    )
    factor = factors.pick(
        family="grid_cm_solar", activity="grid_electricity", unit="kWh", country=claim.country, choose="lowest"
    )
    if factor is None:
        calc.missing_factors.append(_missing("grid_cm_solar", "grid_electricity", "kWh", claim.country))
        return calc
    calc.factors.append(factor)
    calc.notes.append("Project emissions of PV are zero (AMS-I.D).")
    calc.reduction_kg = whole_kg_down(generation * factor.value)
    return calc


def _efficiency(claim: ClaimInput, factors: FactorProvider) -> Calculation:
    p = claim.parameters
    baseline, post = p["baseline_kwh"], p["post_kwh"]
    family, activity = EFFICIENCY_CARRIER_FAMILY[p["energy_carrier"]]
    calc = Calculation(
        reduction_kg=0,
        formula=f"ER = (baseline_kwh - post_kwh) x EF_{family}({activity})",
        figure=FIGURE_GRID if family.startswith("grid") else FIGURE_FUEL,
        inputs={"baseline_kwh": str(baseline), "post_kwh": str(post), "energy_carrier": p["energy_carrier"]},
    )
    factor = factors.pick(family=family, activity=activity, unit="kWh", country=claim.country, choose="lowest")
    if factor is None:
        calc.missing_factors.append(_missing(family, activity, "kWh", claim.country))
        return calc
    calc.factors.append(factor)
    saving = baseline - post
    calc.inputs["saving_kwh"] = str(saving)
    if saving <= 0:
        calc.notes.append("Consumption did not fall: nothing to credit.")
    calc.reduction_kg = whole_kg_down(saving * factor.value)
    return calc


def _recycling(claim: ClaimInput, factors: FactorProvider) -> Calculation:
    p = claim.parameters
    calc = Calculation(
        reduction_kg=0,
        formula="ER = mass_kg x EF_avoided(material), EF_avoided = EF_landfill - EF_recycling",
        figure=FIGURE_RECYCLING,
        inputs={"material": p["material"], "mass_kg": str(p["mass_kg"])},
    )
    factor = factors.pick(
        family="recycling_avoided", activity=p["material"], unit="kg", country=claim.country, choose="lowest"
    )
    if factor is None:
        calc.missing_factors.append(_missing("recycling_avoided", p["material"], "kg", claim.country))
        return calc
    calc.factors.append(factor)
    if factor.value <= 0:
        calc.notes.append(
            f"Recycling {p['material']} instead of landfilling it does not lower inventory emissions in the "
            f"most conservative source ({factor.version}: {factor.value} kg CO2e/kg)."
        )
    calc.reduction_kg = whole_kg_down(p["mass_kg"] * factor.value)
    return calc


def _fuel_switch(claim: ClaimInput, factors: FactorProvider) -> Calculation:
    p = claim.parameters
    calc = Calculation(
        reduction_kg=0,
        formula="ER = baseline_quantity x EF_fuel(baseline_fuel) - new_quantity x EF(new_fuel)",
        figure=FIGURE_FUEL,
        inputs={
            "baseline_fuel": p["baseline_fuel"],
            "baseline_quantity": str(p["baseline_quantity"]),
            "unit": p["unit"],
            "new_fuel": p["new_fuel"],
            "new_quantity": str(p["new_quantity"]),
            "new_unit": p["new_unit"],
        },
    )
    baseline_factor = factors.pick(
        family="fuel_combustion", activity=p["baseline_fuel"], unit=p["unit"], country=claim.country, choose="lowest"
    )
    if baseline_factor is None:
        calc.missing_factors.append(_missing("fuel_combustion", p["baseline_fuel"], p["unit"], claim.country))
    else:
        calc.factors.append(baseline_factor)

    project_factor: FactorUsed | None = None
    if p["new_fuel"] == "solar":
        calc.notes.append("On-site solar has no project emissions.")
    elif p["new_fuel"] == "electricity":
        # Grid electricity consumed by a heat pump or an electrified process counts against the
        # reduction; the operating margin is the highest crediting-side grid factor, so the most is charged.
        project_factor = factors.pick(
            family="grid_om", activity="grid_electricity", unit="kWh", country=claim.country, choose="highest"
        )
        if project_factor is None:
            calc.missing_factors.append(_missing("grid_om", "grid_electricity", "kWh", claim.country))
    else:
        project_factor = factors.pick(
            family="fuel_combustion",
            activity=p["new_fuel"],
            unit=p["new_unit"],
            country=claim.country,
            choose="highest",
        )
        if project_factor is None:
            calc.missing_factors.append(_missing("fuel_combustion", p["new_fuel"], p["new_unit"], claim.country))
    if project_factor is not None:
        calc.factors.append(project_factor)
    if calc.missing_factors or baseline_factor is None:
        return calc

    baseline_kg = p["baseline_quantity"] * baseline_factor.value
    project_kg = p["new_quantity"] * project_factor.value if project_factor is not None else Decimal(0)
    calc.inputs["baseline_emissions_kg"] = str(baseline_kg)
    calc.inputs["project_emissions_kg"] = str(project_kg)
    if baseline_kg <= project_kg:
        calc.notes.append("The new fuel emits at least as much as the old one: nothing to credit.")
    reduction = baseline_kg - project_kg
    if p["new_fuel"] == "solar" and p["baseline_fuel"] == "diesel" and p["unit"] == "litre":
        # Two computations of the diesel displaced: the litres claimed, and the litres a generator would
        # have burnt for the metered solar output. The lesser is credited (conservative).
        litres_from_solar = p["new_quantity"] / SOLAR_DISPLACED_KWH_PER_LITRE
        solar_side_kg = litres_from_solar * baseline_factor.value
        calc.formula = (
            "ER = min(baseline_quantity, new_quantity / 3.7 kWh/l) x EF_fuel(diesel): the lesser of the diesel "
            "claimed and the diesel the metered solar output displaced"
        )
        calc.inputs["diesel_displaced_by_solar_litres"] = str(litres_from_solar)
        calc.inputs["solar_side_emissions_kg"] = str(solar_side_kg)
        if solar_side_kg < reduction:
            calc.notes.append(
                f"Credited on the solar side: {p['new_quantity']} kWh of solar displaces at most "
                f"{litres_from_solar.quantize(Decimal('0.1'))} l of diesel at {SOLAR_DISPLACED_KWH_PER_LITRE} kWh/l, "
                f"less than the {p['baseline_quantity']} l claimed."
            )
            reduction = solar_side_kg
    calc.reduction_kg = whole_kg_down(reduction)
    return calc
