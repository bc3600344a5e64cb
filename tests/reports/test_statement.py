"""The statement as a pure function: totals that add up, allocation by days, energy, intensity, notes."""

import datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from reports.ghg import allocation
from reports.ghg.energy import conversions, line_energy
from reports.ghg.inputs import SelfGeneration
from reports.ghg.statement import statement_build
from tests.reports.factories import (
    AFTER_THE_YEAR,
    DIESEL_GB,
    GRID_GB,
    RAIL_GB,
    line,
    organization,
    quarterly_reports,
    report,
    retirement,
    statement,
)

D = datetime.date


def codes(result) -> set[str]:
    return {note.code for note in result.notes}


@given(
    amount=st.integers(min_value=0, max_value=10**12),
    start=st.dates(min_value=D(2020, 1, 1), max_value=D(2030, 12, 31)),
    days=st.integers(min_value=1, max_value=800),
)
def test_allocation_by_days_adds_up_exactly(amount, start, days):
    end = start + datetime.timedelta(days=days - 1)

    parts = allocation.allocate_by_month(amount, start, end)

    assert sum(parts.values()) == amount
    assert all(part >= 0 for part in parts.values())
    spans = dict(allocation.month_spans(start, end))
    assert sum(spans.values()) == days
    for month, part in parts.items():  # each part within one kg of its exact day-weighted share
        assert abs(part * days - amount * spans[month]) < days


def test_allocation_favours_the_earlier_month_on_a_tie():
    assert allocation.allocate(1, [1, 1]) == [1, 0]
    assert allocation.allocate(10, [3, 3, 3]) == [4, 3, 3]


def test_a_year_of_reports_inside_the_year_adds_up_to_the_reports():
    reports = quarterly_reports()

    result = statement(reports=reports)

    assert result.total_kg == sum(r.total_kg for r in reports)
    assert result.scope2_kg == sum(item.emissions_kg for r in reports for item in r.lines if item.scope == 2)
    assert result.total_kg == result.scope1_kg + result.scope2_kg + result.scope3_kg
    assert sum(month.total_kg for month in result.monthly) == result.total_kg
    assert sum(activity.emissions_kg for activity in result.by_activity) == result.total_kg
    assert [share.in_year_kg for share in result.reports] == [r.total_kg for r in reports]
    assert all(month.days_covered == month.days for month in result.monthly)
    assert "missing_months" not in codes(result)


def test_a_report_running_into_the_next_year_counts_its_share_of_days():
    # 1 December 2025 to 31 January 2026: 31 of its 62 days are in 2025.
    winter = report(9, D(2025, 12, 1), D(2026, 1, 31), line(GRID_GB, "10000"))  # 1,770 kg

    result = statement(reports=[*quarterly_reports()[:3], winter])

    assert result.reports[-1].in_year_kg == 885
    assert result.monthly[11].scope2_kg == 885
    assert result.monthly[9].days_covered == 0, "October"
    assert {"crosses_year", "missing_months", "day_weighted"} <= codes(result)
    missing = next(note for note in result.notes if note.code == "missing_months")
    assert "October, November 2025" in missing.detail


def test_overlapping_reports_are_counted_as_filed_and_flagged():
    reports = quarterly_reports()
    again = report(5, D(2025, 3, 1), D(2025, 3, 31), line(GRID_GB, "1000"))

    result = statement(reports=[*reports, again])

    assert result.total_kg == sum(r.total_kg for r in reports) + again.total_kg
    note = next(note for note in result.notes if note.code == "overlapping_reports")
    assert "#1 and #5 (31 days)" in note.detail


def test_energy_from_electricity_and_fuel_at_net_calorific_value():
    result = statement()

    carriers = {carrier.carrier: carrier.kwh for carrier in result.energy.carriers}
    # Each line rounded once, like emissions: 4 quarters x (900 l x 9.906 kWh/l = 8,915.4 -> 8,915).
    assert carriers == {"electricity": 96_000, "diesel": 35_660}
    assert result.energy.total_kwh == 131_660
    assert result.energy.renewable_kwh == 0
    assert result.energy.non_renewable_kwh == 131_660
    rail = next(activity for activity in result.by_activity if activity.activity == "rail")
    assert rail.energy_kwh is None, "travel is not energy the organisation used"
    assert "renewable_not_recorded" in codes(result)
    energy_factors = [row for row in result.factors if row.kind == "energy"]
    assert [(row.activity, row.value, row.year) for row in energy_factors] == [("diesel", Decimal("9.906"), 2025)]
    assert "DESNZ" in energy_factors[0].source
    assert energy_factors[0].licence == "Open Government Licence v3.0"


def test_calorific_values_agree_with_the_desnz_factor_pairs_they_come_from():
    # The per-litre (or per-m3) factor divided by the per-kWh (net CV) factor, DESNZ 2025.
    pairs = {
        ("diesel", "litre"): (Decimal("2.57082"), Decimal("0.25953")),
        ("petrol", "litre"): (Decimal("2.06916"), Decimal("0.23181")),
        ("lpg", "litre"): (Decimal("1.55713"), Decimal("0.23032")),
        ("natural_gas", "m3"): (Decimal("2.06672"), Decimal("0.2027")),
        ("natural_gas", "kWh"): (Decimal("0.18296"), Decimal("0.2027")),
    }
    table = conversions()

    assert set(table) == set(pairs)
    for key, (per_unit, per_kwh_net) in pairs.items():
        assert abs(table[key].kwh_per_unit - per_unit / per_kwh_net) / table[key].kwh_per_unit < Decimal("0.001")


def test_gas_billed_in_kwh_is_taken_to_net_and_electricity_counts_as_billed():
    gas, electricity = (
        line_energy("natural_gas", "kWh", Decimal(1000)),
        line_energy("electricity", "kWh", Decimal(1000)),
    )
    assert gas is not None and gas.kwh == Decimal("902.6000")
    assert electricity is not None and electricity.kwh == Decimal(1000)
    assert line_energy("electricity_td_losses", "kWh", Decimal(1000)) is None
    assert line_energy("car", "vehicle_km", Decimal(1000)) is None


def test_self_generation_is_renewable_energy():
    result = statement_build(
        year=2025,
        organization=organization(),
        reports=quarterly_reports(),
        retirements=[],
        self_generation=[SelfGeneration(start=D(2025, 6, 1), end=D(2025, 6, 30), kwh=4_000, source="roof meter")],
        today=AFTER_THE_YEAR,
    )

    assert result.energy.renewable_kwh == 4_000
    assert result.energy.total_kwh == 135_660
    assert result.monthly[5].energy_kwh - result.monthly[4].energy_kwh > 3_000
    assert "renewable_not_recorded" not in codes(result)


def test_an_organisation_without_data_gets_zeros_and_says_why():
    result = statement(reports=[])

    assert result.empty
    assert (result.total_kg, result.energy.total_kwh, result.net_kg) == (0, 0, 0)
    assert len(result.monthly) == 12
    assert result.factors == ()
    assert "no_data" in codes(result)
    assert "missing_months" not in codes(result), "one clear note, not twelve missing months"


def test_retirements_and_the_net_figure():
    result = statement(retirements=[retirement(1_500)])

    assert result.retired_kg == 1_500
    assert result.net_kg == result.total_kg - 1_500
    assert "retirements_separate" in codes(result)


def test_intensity_per_employee_and_per_million_of_revenue():
    result = statement(employees=40, annual_revenue=Decimal("2500000.00"), revenue_currency="GBP")

    total = Decimal(result.total_kg)
    assert result.intensity.per_employee_kg == (total / 40).quantize(Decimal("0.1"))
    assert result.intensity.per_revenue_kg == (total / Decimal("2.5")).quantize(Decimal("0.1"))
    assert result.intensity.revenue_unit == "kg CO2e per 1,000,000 GBP"


def test_intensity_is_absent_when_the_organisation_has_not_said_its_size():
    result = statement(employees=None, annual_revenue=None, revenue_currency="")

    assert result.intensity.per_employee_kg is None
    assert result.intensity.per_revenue_kg is None
    assert "intensity_not_available" in codes(result)


def test_fallback_factors_are_named_with_the_kg_resting_on_them():
    fallback = report(1, D(2025, 1, 1), D(2025, 12, 31), line(GRID_GB, "1000", fallback=True, region="ZZ"))

    result = statement(reports=[fallback])

    note = next(note for note in result.notes if note.code == "fallback_factors")
    assert note.severity == "warning"
    assert "electricity in ZZ" in note.detail
    assert "177 kg CO2e, 100.0 %" in note.detail
    assert result.factors[0].fallback


def test_every_factor_used_is_listed_with_source_year_and_licence():
    result = statement()

    emission = [row for row in result.factors if row.kind == "emission"]
    assert {row.factor_id for row in emission} == {GRID_GB.id, DIESEL_GB.id, RAIL_GB.id}
    assert all(row.source and row.year and row.licence and row.source_url for row in result.factors)
    assert all(row.lines == 4 for row in emission)


def test_months_of_a_year_in_progress_have_not_begun():
    result = statement_build(
        year=2025,
        organization=organization(),
        reports=quarterly_reports()[:1],
        retirements=[],
        today=D(2025, 5, 10),
    )

    assert [month.begun for month in result.monthly] == [True] * 5 + [False] * 7
    assert "year_in_progress" in codes(result)
    missing = next(note for note in result.notes if note.code == "missing_months")
    assert "April, May 2025" in missing.detail


def test_the_fingerprint_follows_the_data():
    assert statement().fingerprint == statement().fingerprint
    assert statement().fingerprint != statement(name="Another Ltd").fingerprint
