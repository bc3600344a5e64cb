"""The trust rules as pure functions: per-site rolling totals, the repeated-rejections adjustment, ages."""

import itertools
from datetime import date
from decimal import Decimal

import pytest

from verification.engine.rules import rolling_site_total_kg
from verification.engine.screening import adjusted_risk
from verification.engine.types import ClaimInput, SiteClaim


def claim(start: str, end: str) -> ClaimInput:
    return ClaimInput(
        category="solar",
        country="IN",
        period_start=date.fromisoformat(start),
        period_end=date.fromisoformat(end),
        parameters={"capacity_kwp": Decimal(50), "generation_kwh": Decimal(1)},
    )


def other(claim_id: int, start: str, end: str, kg: int) -> SiteClaim:
    return SiteClaim(claim_id, date.fromisoformat(start), date.fromisoformat(end), kg)


def test_a_site_with_no_other_claim_totals_the_new_one():
    total, start, end = rolling_site_total_kg(claim("2024-03-01", "2024-03-31"), 100, ())

    assert total == 100
    assert start <= date(2024, 3, 1) and end >= date(2024, 3, 31)


def test_the_heaviest_12_months_containing_the_claim_count():
    others = (
        other(1, "2023-01-01", "2023-01-31", 400),  # more than 12 months before March 2024's end: never with it
        other(2, "2023-06-01", "2023-06-30", 300),
        other(3, "2024-12-01", "2024-12-31", 200),
        other(4, "2025-04-01", "2025-04-30", 900),  # more than 12 months after March 2024's start
    )

    total, start, end = rolling_site_total_kg(claim("2024-03-01", "2024-03-31"), 100, others)

    # Claims 2 and 3 are 18 months apart: no 12 months hold both. The heaviest window holds 2 (300).
    assert total == 400
    assert start <= date(2023, 6, 1) and end >= date(2024, 3, 31)


def test_monthly_claims_add_up_as_one_year_would():
    months = tuple(other(n, f"2024-{n:02d}-01", f"2024-{n:02d}-28", 50) for n in range(1, 12))

    total, _, _ = rolling_site_total_kg(claim("2024-12-01", "2024-12-31"), 50, months)

    assert total == 600


def test_a_twelve_month_claim_is_its_own_window():
    total, start, end = rolling_site_total_kg(
        claim("2024-01-01", "2024-12-31"), 1_000, (other(1, "2025-01-01", "2025-01-31", 5),)
    )

    assert (total, start, end) == (1_000, date(2024, 1, 1), date(2024, 12, 31))


@pytest.mark.parametrize("risk", [0.0, 0.01, 0.2, 0.5, 0.9, 1.0])
def test_the_rejections_adjustment_is_bounded_and_monotonic(risk):
    adjusted = [adjusted_risk(risk, n) for n in range(8)]

    assert adjusted[0] == risk
    assert all(a <= b + 1e-12 for a, b in itertools.pairwise(adjusted))
    assert adjusted[4] == adjusted[7], "at most four rejections count"
    assert 0 <= adjusted[7] <= 1
    if 0 < risk < 1:
        odds = lambda p: p / (1 - p)  # noqa: E731
        assert odds(adjusted[7]) / odds(risk) == pytest.approx(4.055, rel=0.01)  # e^(4 x 0.35)
