"""The table of plausible and impossible claims: per category and country, the expected decision and
the expected range of the computed reduction (kg). Used by the engine test and the API test."""

from dataclasses import dataclass, field

from tests.verification.factories import NORTHERN_SOLAR_SHAPE, monthly_evidence

P = ("2024-01-01", "2024-12-31")
Q3 = ("2024-07-01", "2024-09-30")


@dataclass
class Case:
    name: str
    category: str
    country: str
    parameters: dict
    evidence: list
    decision: str
    reduction: tuple[int, int]  # inclusive kg range
    period: tuple[str, str] = P
    codes: set[str] = field(default_factory=set)  # reason codes that must appear
    latitude: str | None = None
    longitude: str | None = None


def solar(
    kwp, kwh, *, period: tuple[str, str] = P, shape=NORTHERN_SOLAR_SHAPE, evidence_total=None
) -> tuple[dict, list]:
    months = int(period[1][5:7]) - int(period[0][5:7]) + 1
    weights = shape[int(period[0][5:7]) - 1 : int(period[0][5:7]) - 1 + months]
    return (
        {"capacity_kwp": kwp, "generation_kwh": kwh},
        monthly_evidence(*period, evidence_total if evidence_total is not None else kwh, weights=weights),
    )


BASELINE = ("2023-01-01", "2023-12-31")


def bills(total, *, period: tuple[str, str] = P, prefix="BILL", unit="kWh", kind="utility_bill"):
    return monthly_evidence(*period, total, kind=kind, prefix=prefix, unit=unit)


def efficiency_bills(baseline, post):
    """The monitoring year's bills and the baseline year's before it (an efficiency claim needs both)."""
    return bills(post) + bills(baseline, period=BASELINE, prefix="BASE")


CASES = [
    # --- solar ---------------------------------------------------------------------------------
    Case("india_50kwp_70mwh", "solar", "IN", *solar(50, 70_000), "approved", (57_000, 58_000)),
    Case("gb_100kwp_95mwh", "solar", "GB", *solar(100, 95_000), "approved", (30_000, 30_500),
         codes={"additionality_high_income_grid"}),
    Case("gb_100kwp_300mwh", "solar", "GB", *solar(100, 300_000), "rejected", (95_000, 97_000),
         codes={"solar_yield_above_physical_ceiling"}),
    Case("gb_100kwp_130mwh_inflated", "solar", "GB", *solar(100, 130_000), "rejected", (41_000, 42_000),
         codes={"solar_yield_above_regional_bound"}),
    Case("de_30kwp_28mwh", "solar", "DE", *solar(30, 28_000), "approved", (14_500, 14_700)),
    Case("es_20kwp_29mwh_q3_summer", "solar", "ES", *solar(20, 9_800, period=Q3), "approved", (3_200, 3_300),
         period=Q3),
    Case("kenya_sited_40kwp_64mwh", "solar", "KE", *solar(40, 64_000, shape=[1] * 12), "approved", (29_500, 29_600),
         latitude="-1.29", longitude="36.82", codes={"solar_yield_bound_generic"}),
    Case("india_wh_entered_as_kwh", "solar", "IN", *solar(50, 70_000_000), "rejected", (57_000_000, 58_000_000),
         codes={"unit_slip_suspected"}),
    Case("india_evidence_short", "solar", "IN", *solar(50, 70_000, evidence_total=60_000), "rejected",
         (57_000, 58_000), codes={"evidence_total_mismatch"}),
    Case("norway_no_factor", "solar", "NO", *solar(50, 45_000), "rejected", (0, 0),
         codes={"crediting_factor_missing"}),
    # --- energy efficiency -------------------------------------------------------------------------
    Case("gb_led_40pct", "energy_efficiency", "GB",
         {"measure": "led", "energy_carrier": "electricity", "baseline_kwh": 50_000, "post_kwh": 30_000},
         efficiency_bills(50_000, 30_000), "approved", (4_300, 4_400)),
    Case("gb_led_95pct", "energy_efficiency", "GB",
         {"measure": "led", "energy_carrier": "electricity", "baseline_kwh": 50_000, "post_kwh": 2_500},
         efficiency_bills(50_000, 2_500), "rejected", (10_400, 10_500), codes={"savings_fraction_implausible"}),
    Case("in_motor_vsd_30pct", "energy_efficiency", "IN",
         {"measure": "motor", "energy_carrier": "electricity", "baseline_kwh": 200_000, "post_kwh": 140_000},
         efficiency_bills(200_000, 140_000), "approved", (36_000, 36_500)),
    Case("de_gas_insulation_20pct", "energy_efficiency", "DE",
         {"measure": "insulation", "energy_carrier": "natural_gas", "baseline_kwh": 300_000, "post_kwh": 240_000},
         efficiency_bills(300_000, 240_000), "approved", (10_800, 10_900)),
    Case("gb_hvac_70pct_review", "energy_efficiency", "GB",
         {"measure": "hvac", "energy_carrier": "electricity", "baseline_kwh": 100_000, "post_kwh": 30_000},
         efficiency_bills(100_000, 30_000), "needs_review", (15_300, 15_400),
         codes={"savings_fraction_above_measure_range"}),
    Case("gb_consumption_rose", "energy_efficiency", "GB",
         {"measure": "led", "energy_carrier": "electricity", "baseline_kwh": 50_000, "post_kwh": 52_000},
         efficiency_bills(50_000, 52_000), "rejected", (0, 0), codes={"no_reduction"}),
    # --- recycling ---------------------------------------------------------------------------------
    Case("gb_cardboard_20t", "recycling", "GB", {"material": "cardboard", "mass_kg": 20_000},
         bills(20_000, kind="weighbridge_ticket", unit="kg", prefix="WB"), "approved", (19_600, 19_650),
         codes={"avoided_emissions_figure"}),
    Case("us_paper_12t_in_tonnes", "recycling", "US", {"material": "paper", "mass_kg": 12_000},
         bills(12, kind="weighbridge_ticket", unit="t", prefix="WB"), "approved", (10_800, 10_900)),
    Case("gb_plastic_no_inventory_gain", "recycling", "GB", {"material": "plastic", "mass_kg": 5_000},
         bills(5_000, kind="weighbridge_ticket", unit="kg", prefix="WB"), "rejected", (0, 0), codes={"no_reduction"}),
    Case("gb_cardboard_tickets_in_tonnes_as_kg", "recycling", "GB", {"material": "cardboard", "mass_kg": 20_000},
         bills(20, kind="weighbridge_ticket", unit="kg", prefix="WB"), "rejected", (19_600, 19_650),
         codes={"evidence_unit_slip"}),
    # --- fuel switch -------------------------------------------------------------------------------
    Case("ke_diesel_to_solar", "fuel_switch", "KE",
         {"baseline_fuel": "diesel", "baseline_quantity": 10_000, "unit": "litres", "new_fuel": "solar",
          "new_quantity": 30_000}, bills(30_000, kind="meter_reading", prefix="PV"), "approved", (20_840, 20_850),
         codes={"fuel_switch_credited_on_solar_side"}),
    Case("gb_gas_to_heat_pump", "fuel_switch", "GB",
         {"baseline_fuel": "natural_gas", "baseline_quantity": 100_000, "unit": "kWh", "new_fuel": "electricity",
          "new_quantity": 28_000}, bills(28_000), "approved", (7_400, 7_500)),
    Case("gb_heat_pump_cop_10", "fuel_switch", "GB",
         {"baseline_fuel": "natural_gas", "baseline_quantity": 100_000, "unit": "kWh", "new_fuel": "electricity",
          "new_quantity": 8_500}, bills(8_500), "rejected", (14_800, 14_900), codes={"heat_pump_cop_implausible"}),
    Case("in_gas_to_heat_pump_coal_grid", "fuel_switch", "IN",
         {"baseline_fuel": "natural_gas", "baseline_quantity": 100_000, "unit": "kWh", "new_fuel": "electricity",
          "new_quantity": 28_000}, bills(28_000), "rejected", (0, 0), codes={"no_reduction"}),
]  # fmt: skip
