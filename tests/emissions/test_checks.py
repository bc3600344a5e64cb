from datetime import date
from decimal import Decimal

import pytest

from emissions.checks import ENGINE_VERSION, add_years
from emissions.errors import EmissionReportNotFoundError
from emissions.models import EmissionCheck
from emissions.services import emission_report_check
from tests.accounts.factories import OrganizationFactory
from tests.emissions.factories import EmissionReportFactory, line


@pytest.fixture
def org(db):
    return OrganizationFactory.create(country="GB")


def report(org, start, end, *lines):
    return EmissionReportFactory.create(organization=org, period_start=start, period_end=end, lines=list(lines))


def verify(org, target) -> EmissionCheck:
    return emission_report_check(organization=org, report_id=target.pk)


def codes(check: EmissionCheck) -> list[str]:
    return [finding["code"] for finding in check.findings]


def january(org, year, electricity_kwh, gas_kwh=20_000, electricity_unit="kWh"):
    return report(
        org,
        date(year, 1, 1),
        date(year, 1, 31),
        line("electricity", electricity_kwh, electricity_unit),
        line("natural_gas", gas_kwh, "kWh"),
    )


def test_clean_seasonal_series_is_consistent(org):
    january(org, 2024, 10_000, gas_kwh=20_000)
    report(
        org, date(2024, 7, 1), date(2024, 7, 31), line("electricity", 9_000, "kWh"), line("natural_gas", 3_000, "kWh")
    )
    latest = january(org, 2025, 11_000, gas_kwh=22_000)

    check = verify(org, latest)

    # Winter gas is 7x July's, but it is compared with the January a year earlier (x1.1): no jump.
    assert (check.status, check.risk_score, check.findings) == ("consistent", Decimal("0.000"), [])
    assert check.engine_version == ENGINE_VERSION
    assert EmissionCheck.objects.get(report=latest) == check


def test_unit_slip_against_the_same_month_last_year_is_an_intensity_jump(org):
    earlier = january(org, 2024, 10_000)
    slipped = january(org, 2025, 11_000, electricity_unit="MWh")  # 11 GWh typed as MWh instead of kWh

    check = verify(org, slipped)

    assert check.status == "anomalies_found"
    assert "intensity_jump" in codes(check)
    jump = next(f for f in check.findings if f["code"] == "intensity_jump")
    assert jump["detail"].startswith("electricity per day is x1,100.00 the same period a year earlier")
    assert f"report {earlier.pk}" in jump["detail"]


def test_tripled_use_is_a_jump_but_a_ten_percent_rise_is_not(org):
    january(org, 2024, 10_000)
    tripled = january(org, 2025, 30_000)

    assert codes(verify(org, tripled)) == ["intensity_jump"]
    assert verify(org, tripled).risk_score == Decimal("0.400")


def test_jumps_in_immaterial_activities_are_ignored(org):
    report(org, date(2024, 1, 1), date(2024, 1, 31), line("electricity", 10_000, "kWh"), line("car", 10, "km"))
    latest = report(
        org, date(2025, 1, 1), date(2025, 1, 31), line("electricity", 10_000, "kWh"), line("car", 100, "km")
    )

    assert verify(org, latest).status == "consistent"  # 17 kg of driving next to 1,770 kg of electricity


def test_duplicate_period_is_found(org):
    first = january(org, 2025, 10_000)
    second = january(org, 2025, 10_000)

    check = verify(org, second)

    assert check.findings == [
        {
            "code": "duplicate_period",
            "detail": f"Report {first.pk} covers the same period 2025-01-01..2025-01-31; counted twice.",
        }
    ]
    assert check.risk_score == Decimal("0.600")


def test_overlapping_period_is_found_with_the_shared_days(org):
    january(org, 2025, 10_000)
    straddling = report(org, date(2025, 1, 15), date(2025, 2, 14), line("electricity", 10_000, "kWh"))

    check = verify(org, straddling)

    assert codes(check) == ["period_overlap"]
    assert "shares 17 days" in check.findings[0]["detail"]


def test_other_organisations_periods_do_not_clash(org):
    january(org, 2025, 10_000)
    mine = january(OrganizationFactory.create(), 2025, 10_000)

    assert verify(mine.organization, mine).status == "consistent"


@pytest.mark.parametrize(
    ("start", "end", "too_long"),
    [
        (date(2024, 1, 1), date(2024, 12, 31), False),  # a leap year: 366 days, 12 months
        (date(2024, 2, 29), date(2025, 2, 28), False),
        (date(2024, 1, 1), date(2025, 1, 1), True),
        (date(2023, 7, 1), date(2025, 6, 30), True),
    ],
)
def test_periods_over_twelve_months_are_found(org, start, end, too_long):
    long_report = report(org, start, end, line("electricity", 100_000, "kWh"))

    assert ("period_too_long" in codes(verify(org, long_report))) is too_long


def test_electricity_on_an_unknown_grid_is_found(db):
    peru = OrganizationFactory.create(country="PE")
    estimated = report(
        peru, date(2025, 1, 1), date(2025, 1, 31), line("electricity", 1_000, "kWh"), line("diesel", 10, "l")
    )

    check = verify(peru, estimated)

    assert codes(check) == ["electricity_unknown_grid"]
    assert check.findings[0]["detail"].startswith(
        "Line 1 (electricity): no grid factor for PE is loaded; the WORLD average"
    )
    assert (check.status, check.risk_score) == ("anomalies_found", Decimal("0.100"))


def test_implausible_magnitude_for_an_sme_is_found(org):
    huge = report(org, date(2025, 1, 1), date(2025, 1, 31), line("diesel", 1_000_000, "litres"))

    check = verify(org, huge)

    assert codes(check) == ["implausible_magnitude", "implausible_magnitude"]
    assert check.findings[0]["detail"].startswith(
        "diesel: 1,000,000.00 litre over 31 days is 11,774,193.55 litre a year"
    )
    assert "10,000 t" in check.findings[1]["detail"]
    assert check.risk_score == Decimal("0.500")  # one kind of problem, counted once


def test_a_single_delivery_is_not_annualised_by_365(org):
    one_day = report(org, date(2025, 3, 3), date(2025, 3, 3), line("diesel", 50_000, "litres"))

    # 50,000 l over one day is treated as over 28 days: 651,786 l a year, under the 1,000,000 l ceiling.
    assert verify(org, one_day).status == "consistent"


def test_distinct_findings_combine_into_one_risk_score(org):
    january(org, 2025, 10_000)
    clash = report(org, date(2025, 1, 1), date(2026, 1, 31), line("electricity", 10_000, "kWh"))

    check = verify(org, clash)

    assert set(codes(check)) == {"period_overlap", "period_too_long"}
    assert check.risk_score == Decimal("0.580")  # 1 - (1 - 0.4) x (1 - 0.3)


def test_each_verification_is_stored(org):
    target = january(org, 2025, 10_000)

    verify(org, target)
    january(org, 2025, 10_000)
    verify(org, target)

    assert list(target.checks.values_list("status", flat=True)) == ["anomalies_found", "consistent"]


def test_another_organisations_report_is_not_found(org):
    theirs = january(OrganizationFactory.create(), 2025, 10_000)

    with pytest.raises(EmissionReportNotFoundError):
        verify(org, theirs)
    assert not EmissionCheck.objects.exists()


def test_add_years_moves_29_february_to_1_march():
    assert add_years(date(2024, 2, 29), 1) == date(2025, 3, 1)
    assert add_years(date(2024, 3, 31), 1) == date(2025, 3, 31)
