from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from emissions.errors import EmissionFactorImmutableError
from emissions.models import EmissionFactor, EmissionLine, EmissionReport
from emissions.selectors import emissions_total_kg_for
from emissions.services import emission_factor_revise, emission_report_create
from tests.accounts.factories import OrganizationFactory
from tests.emissions.factories import EmissionReportFactory, line

JAN = {"period_start": date(2025, 1, 1), "period_end": date(2025, 1, 31)}


def create(organization, *lines, **period):
    return emission_report_create(organization=organization, lines=list(lines), **(period or JAN))


@pytest.fixture
def gb_org(db):
    return OrganizationFactory.create(country="GB")


@pytest.mark.parametrize(
    ("report_line", "source_value", "exact", "kg"),
    [
        (line("electricity", 100_000, "kWh"), "0.177", "17700", 17_700),  # DESNZ 2025 UK grid
        (line("electricity", 100, "MWh"), "0.177", "17700", 17_700),
        (line("diesel", 1_000, "litres"), "2.57082", "2570.82", 2_571),  # DESNZ 2025 diesel
        (line("flight_long_haul", 20_000, "passenger_km"), "0.15282", "3056.4", 3_056),  # long-haul, with RF
        (line("natural_gas", 10_000, "m3"), "2.06672", "20667.2", 20_667),
        (line("car", 1_000, "miles"), "0.16725", "269.162784", 269),
        (line("electricity", "12345.6789", "kWh"), "0.177", "2185.1851653", 2_185),
    ],
)
def test_line_emissions_are_exact_products_of_the_source_values(gb_org, report_line, source_value, exact, kg):
    report = create(gb_org, report_line)

    stored = report.lines.get()
    assert stored.factor_value == Decimal(source_value)
    assert stored.emissions_exact == Decimal(exact)
    assert stored.emissions_kg == kg
    assert report.total_kg == kg


def test_us_organisation_gets_epa_factors_and_gallons_convert_exactly(db):
    report = create(OrganizationFactory.create(country="US"), line("diesel", 1_000, "us_gallons"))

    stored = report.lines.get()
    assert stored.factor.region == "US"
    assert stored.factor.source.startswith("US EPA GHG Emission Factors Hub 2025")
    assert stored.emissions_exact == Decimal("10242.68076750072")  # 3,785.411784 l x 2.70583
    assert stored.emissions_kg == 10_243


def test_scopes_split_by_ghg_protocol(gb_org):
    report = create(
        gb_org,
        line("diesel", 1_000, "litres"),  # 1: 2,570.82
        line("natural_gas", 10_000, "kWh"),  # 1: 1,829.6
        line("electricity", 100_000, "kWh"),  # 2: 17,700
        line("electricity_td_losses", 100_000, "kWh"),  # 3: 1,853
        line("flight_long_haul", 20_000, "passenger_km"),  # 3: 3,056.4
        line("waste_landfill", 2, "tonnes"),  # 3: 1,041.06
    )

    assert list(report.lines.values_list("scope", flat=True)) == [1, 1, 2, 3, 3, 3]
    assert (report.scope1_kg, report.scope2_kg, report.scope3_kg) == (2_571 + 1_830, 17_700, 1_853 + 3_056 + 1_041)
    assert report.total_kg == report.scope1_kg + report.scope2_kg + report.scope3_kg == 28_051


def test_totals_are_sums_of_lines_rounded_half_up(gb_org):
    factor = EmissionFactor.objects.get(activity="electricity", region="GB", is_current=True)
    emission_factor_revise(factor_id=factor.pk, changes={"value": Decimal("0.5")}, note="test: a factor that halves")

    report = create(gb_org, *[line("electricity", 1, "kWh")] * 3)

    # Each 0.5 kg line rounds half up to 1 kg; the total is the sum of the rounded lines (3), not the
    # rounded exact sum (1.5 -> 2): the report adds up line by line.
    assert [stored.emissions_kg for stored in report.lines.all()] == [1, 1, 1]
    assert report.total_kg == report.scope2_kg == 3


def test_electricity_uses_the_line_region_over_the_organisation_country(gb_org):
    report = create(gb_org, line("electricity", 1_000, "kWh", region="US-CAMX"), line("electricity", 1_000, "kWh"))

    camx, home = report.lines.all()
    assert (camx.region, camx.factor_region, camx.factor_value) == ("US-CAMX", "US-CAMX", Decimal("0.19874"))
    assert (home.region, home.factor_region, home.factor_value) == ("GB", "GB", Decimal("0.177"))


def test_unknown_grid_falls_back_to_the_world_average_with_a_label(db):
    report = create(OrganizationFactory.create(country="PE"), line("electricity", 1_000, "kWh"))

    stored = report.lines.get()
    assert (stored.region, stored.factor_region, stored.factor_match) == ("PE", "WORLD", "grid_average")
    assert stored.factor_fallback is True
    assert stored.factor_label.startswith("FALLBACK: the grid of PE is not in the factor table")
    assert stored.emissions_kg == 486  # 1,000 kWh x 0.48599


def test_fuel_outside_uk_and_us_is_labelled_as_the_desnz_default(db):
    report = create(OrganizationFactory.create(country="DE"), line("diesel", 1_000, "litres"))

    stored = report.lines.get()
    assert (stored.factor_region, stored.factor_match, stored.factor_fallback) == ("GB", "default", True)
    assert "documented default set (GB, 2025)" in stored.factor_label


def test_secondary_factor_caveat_reaches_the_line(db):
    report = create(OrganizationFactory.create(country="IN"), line("electricity", 1_000, "kWh"))

    stored = report.lines.get()
    assert "SECONDARY" in stored.factor_source
    assert "SECONDARY source" in stored.factor_label
    assert stored.emissions_kg == 712  # 1,000 x 0.7117 = 711.7


@pytest.mark.parametrize(
    ("bad_line", "field"),
    [
        ({"activity": "electricity", "quantity": Decimal(-1), "unit": "kWh"}, "lines.2.quantity"),
        ({"activity": "electricity", "quantity": 1.5, "unit": "kWh"}, "lines.2.quantity"),  # a float is refused
        ({"activity": "electricity", "quantity": Decimal("1.00001"), "unit": "kWh"}, "lines.2.quantity"),
        ({"activity": "electricity", "quantity": Decimal("NaN"), "unit": "kWh"}, "lines.2.quantity"),
        ({"activity": "teleportation", "quantity": Decimal(1), "unit": "kWh"}, "lines.2.activity"),
        ({"activity": "diesel", "quantity": Decimal(1), "unit": "gallons"}, "lines.2.unit"),
        ({"activity": "electricity", "quantity": Decimal(1), "unit": "kWh", "region": "XX"}, "lines.2.region"),
        (
            {"activity": "electricity_td_losses", "quantity": Decimal(1), "unit": "kWh", "region": "US"},
            "lines.2.region",
        ),
    ],
)
def test_a_bad_line_refuses_the_whole_report(gb_org, bad_line, field):
    good = line("electricity", 1_000, "kWh")

    with pytest.raises(ValidationError) as refused:
        create(gb_org, good, good, bad_line, good, good)

    assert list(refused.value.message_dict) == [field]
    assert not EmissionReport.objects.exists()
    assert not EmissionLine.objects.exists()


def test_period_ending_before_it_starts_is_refused(gb_org):
    with pytest.raises(ValidationError) as refused:
        create(gb_org, line("electricity", 1, "kWh"), period_start=date(2025, 2, 1), period_end=date(2025, 1, 31))

    assert list(refused.value.message_dict) == ["period_end"]
    assert not EmissionReport.objects.exists()


def test_revising_a_factor_keeps_history_and_old_reports(gb_org):
    before = create(gb_org, line("electricity", 100_000, "kWh"))
    original = EmissionFactor.objects.get(activity="electricity", region="GB", is_current=True)

    revision = emission_factor_revise(
        factor_id=original.pk, changes={"value": Decimal("0.2"), "year": 2026}, note="new year"
    )
    after = create(gb_org, line("electricity", 100_000, "kWh"))

    original.refresh_from_db()
    assert (original.version, original.is_current) == (1, False)
    assert (revision.version, revision.is_current, revision.previous_id) == (2, True, original.pk)
    assert revision.source == original.source and revision.note == "new year"
    old_line, new_line = before.lines.get(), after.lines.get()
    assert (old_line.factor_id, old_line.factor_value, old_line.emissions_kg) == (original.pk, Decimal("0.177"), 17_700)
    assert (new_line.factor_id, new_line.factor_value, new_line.emissions_kg) == (revision.pk, Decimal("0.2"), 20_000)
    before.refresh_from_db()
    assert before.total_kg == 17_700


def test_factor_rows_cannot_be_edited_in_place():
    factor = EmissionFactor.objects.get(activity="electricity", region="GB", is_current=True)
    factor.value = Decimal("0.1")

    with pytest.raises(EmissionFactorImmutableError):
        factor.save()
    assert EmissionFactor.objects.get(pk=factor.pk).value == Decimal("0.177")


def test_a_retired_version_cannot_be_revised():
    original = EmissionFactor.objects.get(activity="petrol", region="GB", is_current=True)
    emission_factor_revise(factor_id=original.pk, changes={"value": Decimal("2.1")})

    with pytest.raises(EmissionFactorImmutableError):
        emission_factor_revise(factor_id=original.pk, changes={"value": Decimal("2.2")})
    assert EmissionFactor.objects.filter(activity="petrol", region="GB").count() == 2


def test_a_revision_cannot_change_the_factor_identity():
    original = EmissionFactor.objects.get(activity="petrol", region="GB", is_current=True)

    with pytest.raises(ValidationError) as refused:
        emission_factor_revise(factor_id=original.pk, changes={"region": "FR"})

    assert list(refused.value.message_dict) == ["region"]
    original.refresh_from_db()
    assert original.is_current


def test_dashboard_total_sums_the_organisations_reports(gb_org):
    assert emissions_total_kg_for(organization=gb_org) == 0
    EmissionReportFactory.create(organization=gb_org, lines=[line("electricity", 100_000, "kWh")])
    EmissionReportFactory.create(
        organization=gb_org,
        period_start=date(2025, 2, 1),
        period_end=date(2025, 2, 28),
        lines=[line("diesel", 1_000, "litres")],
    )
    EmissionReportFactory.create(lines=[line("electricity", 1_000_000, "kWh")])  # another organisation

    total = emissions_total_kg_for(organization=gb_org)

    assert total == 17_700 + 2_571
    assert isinstance(total, int)
