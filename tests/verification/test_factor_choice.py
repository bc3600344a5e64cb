"""Crediting factors by vintage and by region: the edition of the claim's vintage year, a subregion's
factor where the site may lie in it, and the conservative choice at every fork."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from verification.engine.calculators import calculate
from verification.engine.factors import DatabaseFactorProvider, ListFactorProvider, for_vintage, load_csv_factors
from verification.engine.regions import grid_regions
from verification.engine.types import ClaimInput, FactorUsed

BASE = FactorUsed(
    ref="x", family="grid_cm_solar", activity="grid_electricity", unit="kWh", value=Decimal("0.5"), country="ZZ",
    year=2021, version="cea-v17", source="test", source_url="https://example.org", licence="test",
)  # fmt: skip


def editions(*pairs):
    return [
        replace(BASE, ref=f"r{year}", year=year, value=Decimal(value), version=f"cea-{year}") for year, value in pairs
    ]


def test_the_edition_of_the_vintage_year_is_chosen_not_the_latest():
    rows = editions((2021, "0.90"), (2023, "0.80"), (2025, "0.95"))
    provider = ListFactorProvider(rows)

    def pick(year):
        return provider.pick(family="grid_cm_solar", activity="grid_electricity", unit="kWh", country="ZZ",
                             choose="lowest", year=year)  # fmt: skip

    assert pick(2024).year == 2023  # the latest edition at or before the vintage
    assert pick(2025).value == Decimal("0.95")  # not the lowest of all editions: each year its own figure
    assert pick(2026).year == 2025
    assert pick(2019).year == 2021  # before the first edition: the first
    assert [row.year for row in for_vintage(rows, None)] == [2021, 2023, 2025]


def test_between_series_the_conservative_figure_stays():
    ifi = replace(BASE, ref="ifi", version="ifi-2021", year=2021, value=Decimal("0.82"))
    cea = editions((2023, "0.86"), (2024, "0.79"))
    provider = ListFactorProvider([ifi, *cea])

    chosen = provider.pick(family="grid_cm_solar", activity="grid_electricity", unit="kWh", country="ZZ",
                           choose="lowest", year=2023)  # fmt: skip

    assert chosen is not None and chosen.ref == "ifi"  # CEA 2023 0.86 vs IFI 0.82: the lower credits the fewest tonnes


@pytest.mark.parametrize(
    ("place", "lat", "lon", "regions"),
    [
        ("Los Angeles", 34.05, -118.24, ("US-CAMX",)),
        ("San Francisco", 37.77, -122.42, ("US-CAMX",)),
        ("Albany NY", 42.65, -73.75, ("US-NYUP",)),
        ("Buffalo", 42.89, -78.88, ("US-NYUP",)),
        ("New York City", 40.71, -74.01, ()),
        ("Austin", 30.27, -97.74, ()),
        ("Phoenix", 33.45, -112.07, ()),
    ],
)
def test_a_site_is_placed_on_the_listed_grids_it_may_be_on(place, lat, lon, regions):
    assert grid_regions("US", lat, lon) == regions, place


def solar_claim(lat, lon, year=2024):
    return ClaimInput(
        category="solar", country="US", period_start=date(year, 1, 1), period_end=date(year, 12, 31),
        parameters={"capacity_kwp": Decimal(10), "generation_kwh": Decimal(14_000)}, latitude=lat, longitude=lon,
    )  # fmt: skip


def test_a_californian_site_is_credited_at_the_lower_subregion_rate_a_texan_at_the_national():
    provider = ListFactorProvider(load_csv_factors())

    la = calculate(solar_claim(34.05, -118.24), provider)
    austin = calculate(solar_claim(30.27, -97.74), provider)
    legacy = calculate(solar_claim(None, None), provider)

    assert la.factors[0].region == "US-CAMX" and la.factors[0].value == Decimal("0.226469")
    assert austin.factors[0].region == "" and austin.factors[0].value == Decimal("0.352")
    assert legacy.factors[0].value == Decimal("0.352")
    assert la.reduction_kg < austin.reduction_kg


def test_a_subregion_dirtier_than_the_nation_never_raises_the_credits():
    dirty = replace(BASE, ref="dirty", country="US", region="US-CAMX", value=Decimal("0.9"), version="egrid-2022",
                    year=2022)  # fmt: skip
    national = replace(BASE, ref="national", country="US", value=Decimal("0.352"), version="ifi-2021")
    provider = ListFactorProvider([dirty, national])

    assert calculate(solar_claim(34.05, -118.24), provider).factors[0].ref == "national"


@pytest.mark.django_db
def test_the_database_provider_carries_the_regional_rows():
    chosen = DatabaseFactorProvider().pick(family="grid_cm_solar", activity="grid_electricity", unit="kWh",
                                           country="US", choose="lowest", year=2024, regions=("US-NYUP",))  # fmt: skip

    assert chosen is not None and chosen.region == "US-NYUP" and chosen.quality.startswith("SECONDARY")
    assert chosen.ref.endswith("US/US-NYUP:egrid-2022")
