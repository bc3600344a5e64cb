import csv
from decimal import Decimal

import pytest

from emissions.activities import ACTIVITIES
from emissions.factors import DATA_FILE, FactorTable, ResolvedFactor, emission_factors_load
from emissions.models import EmissionFactor


def current(activity: str, region: str, unit: str) -> EmissionFactor:
    return EmissionFactor.objects.get(activity=activity, region=region, unit=unit, is_current=True)


def table() -> FactorTable:
    return FactorTable(EmissionFactor.objects.filter(is_current=True))


def resolved_factor(activity: str, factor_unit: str, region: str) -> ResolvedFactor:
    """The factor the current table resolves, for tests where one must exist."""
    resolved = table().resolve(ACTIVITIES[activity], factor_unit, region)
    assert resolved is not None, (activity, factor_unit, region)
    return resolved


def test_loaded_factor_keeps_value_unit_region_year_source_url_licence_and_version():
    factor = current("electricity", "GB", "kWh")

    assert factor.value == Decimal("0.177")
    assert factor.year == 2025
    assert factor.source.startswith("UK DESNZ GHG Conversion Factors for Company Reporting 2025")
    assert (
        factor.source_url
        == "https://www.gov.uk/government/publications/greenhouse-gas-reporting-conversion-factors-2025"
    )
    assert factor.licence == "Open Government Licence v3.0"
    assert factor.source_unit == "kWh"
    assert factor.version == 1
    assert factor.is_fallback is False


def test_table_holds_every_csv_row_and_nothing_else():
    with DATA_FILE.open(newline="", encoding="utf-8") as handle:
        rows = {(r["activity"], r["region"], r["unit"]): Decimal(r["kg_co2e_per_unit"]) for r in csv.DictReader(handle)}

    loaded = {(f.activity, f.region, f.unit): f.value for f in EmissionFactor.objects.filter(is_current=True)}

    assert loaded == rows


def test_no_crediting_factor_is_loaded():
    # India's CEA combined margins sit in the reference's `electricity` category, not in
    # `electricity_crediting`; only the inventory average may be used for a footprint.
    assert not EmissionFactor.objects.filter(source_activity__icontains="margin").exists()
    assert current("electricity", "IN", "kWh").value == Decimal("0.7117")


def test_csv_copies_only_inventory_categories():
    with DATA_FILE.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))

    assert {row["source_category"] for row in rows} <= {"electricity", "fuel", "travel_air", "travel_land", "waste"}
    assert not [row for row in rows if "margin" in row["source_activity"].lower()]


def test_secondary_weak_and_unconfirmed_rows_carry_a_visible_caveat():
    marked = [
        f
        for f in EmissionFactor.objects.all()
        if any(mark in f.source for mark in ("SECONDARY", "WEAK", "UNCONFIRMED"))
    ]

    assert len(marked) == 10  # India CEA and the nine Australian NGA rows
    for factor in marked:
        mark = next(m for m in ("SECONDARY", "WEAK", "UNCONFIRMED") if m in factor.source)
        assert mark in factor.caveat, factor


def test_fallback_rows_say_so_in_their_caveat():
    fallbacks = EmissionFactor.objects.filter(is_fallback=True)

    assert fallbacks.filter(region__in=["EU", "WORLD", "DE", "FR"]).count() == 4
    for factor in fallbacks:
        assert factor.caveat.startswith("FALLBACK:"), factor


def test_uk_and_us_sets_cover_every_fuel_travel_and_waste_activity():
    for region in ("GB", "US"):
        for key, activity in ACTIVITIES.items():
            if activity.grid or activity.default_region is None:
                continue
            assert EmissionFactor.objects.filter(activity=key, region=region, is_current=True).exists(), (key, region)


def test_loader_is_idempotent_and_keeps_revisions():
    factor = current("diesel", "GB", "litre")
    EmissionFactor.objects.filter(pk=factor.pk).update(is_current=False)
    EmissionFactor.objects.create(
        activity="diesel", region="GB", unit="litre", value=Decimal("2.6"), year=2026, source="test", version=2
    )

    assert emission_factors_load(model=EmissionFactor) == 0
    assert current("diesel", "GB", "litre").value == Decimal("2.6")


@pytest.mark.parametrize(
    ("region", "expected_region", "match", "fallback"),
    [
        ("GB", "GB", "region", False),
        ("US-CAMX", "US-CAMX", "region", False),
        ("AU-VIC", "AU-VIC", "region", False),
        ("DE", "DE", "region", True),  # Ember lifecycle intensity: the country's own, but a stand-in
        ("PT", "EU", "grid_average", True),
        ("PE", "WORLD", "grid_average", True),
    ],
)
def test_electricity_uses_the_regions_grid_then_labelled_averages(region, expected_region, match, fallback):
    resolved = resolved_factor("electricity", "kWh", region)

    assert resolved.factor.region == expected_region
    assert resolved.match == match
    assert resolved.fallback is fallback
    if fallback:
        assert "FALLBACK" in resolved.label


def test_fuel_outside_uk_and_us_uses_the_labelled_desnz_default():
    resolved = resolved_factor("diesel", "litre", "DE")

    assert resolved.factor.region == "GB"
    assert resolved.match == "default"
    assert resolved.fallback is True
    assert "No diesel factor for DE is loaded; the documented default set (GB, 2025) is used." in resolved.label


def test_sub_region_falls_back_to_its_country_for_non_grid_activities():
    resolved = resolved_factor("diesel", "litre", "US-CAMX")

    assert (resolved.factor.region, resolved.match, resolved.fallback) == ("US", "country", False)


def test_grid_losses_have_no_default_outside_the_uk():
    assert table().resolve(ACTIVITIES["electricity_td_losses"], "kWh", "US") is None
    assert resolved_factor("electricity_td_losses", "kWh", "GB").factor.value == Decimal("0.01853")


@pytest.mark.parametrize(
    ("typed", "code"),
    [("gb", "GB"), (" UK ", "GB"), ("us-camx", "US-CAMX"), ("AU-ACT", "AU-NSW"), ("PE", "PE")],
)
def test_region_spellings_are_normalised(typed, code):
    assert table().region(typed) == code


@pytest.mark.parametrize("typed", ["EU", "WORLD", "XX", "US-NOPE", "", "GBR"])
def test_unknown_regions_and_fallback_codes_are_not_locations(typed):
    assert table().region(typed) is None
