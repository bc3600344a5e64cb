"""The engine on the table of cases: decisions and reduction ranges, without persisting anything."""

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings

from tests.verification.cases import CASES, Case
from verification.engine.factors import DatabaseFactorProvider
from verification.engine.screening import screen
from verification.engine.types import ClaimInput, EvidenceInput, HistoryContext
from verification.serializers import PARAMETER_SERIALIZERS, EvidenceItemInputSerializer


def claim_input(case: Case) -> ClaimInput:
    parameters = PARAMETER_SERIALIZERS[case.category](data=case.parameters)
    parameters.is_valid(raise_exception=True)
    evidence = EvidenceItemInputSerializer(data=case.evidence, many=True)
    evidence.is_valid(raise_exception=True)
    return ClaimInput(
        category=case.category,
        country=case.country,
        period_start=date.fromisoformat(case.period[0]),
        period_end=date.fromisoformat(case.period[1]),
        parameters=dict(parameters.validated_data),
        evidence=tuple(EvidenceInput(**item) for item in evidence.validated_data),
        latitude=float(case.latitude) if case.latitude else None,
        longitude=float(case.longitude) if case.longitude else None,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_screening_decides_table_case(case):
    result = screen(
        claim_input(case),
        factors=DatabaseFactorProvider(),
        history=HistoryContext(),
        risk_threshold=settings.VERIFICATION_REVIEW_RISK_THRESHOLD,
        size_review_kg=settings.VERIFICATION_REVIEW_SIZE_KG,
    )

    codes = {reason.code for reason in result.reasons}
    assert result.decision == case.decision, [r.as_json() for r in result.reasons]
    low, high = case.reduction
    assert low <= result.calculation.reduction_kg <= high
    assert case.codes <= codes
    assert Decimal(0) <= result.risk_score <= Decimal(1)


# --- ~50 plausible and ~50 gaming solar claims across climates (tests/verification/climate_table.py) ---

from tests.verification.climate_table import gaming_cases, plausible_cases  # noqa: E402
from verification.engine.factors import ListFactorProvider, load_csv_factors  # noqa: E402

PLAUSIBLE = plausible_cases()
GAMING = gaming_cases()
CSV_FACTORS = ListFactorProvider(load_csv_factors())


def _screen(claim):
    return screen(
        claim,
        factors=CSV_FACTORS,
        history=HistoryContext(),
        risk_threshold=Decimal("0.7"),
        size_review_kg=500_000,
    )


def test_the_table_is_the_size_it_claims():
    assert len(PLAUSIBLE) >= 50 and len(GAMING) >= 50
    assert len({c.name for c in PLAUSIBLE + GAMING}) == len(PLAUSIBLE) + len(GAMING)


@pytest.mark.parametrize("case", GAMING, ids=[c.name for c in GAMING])
def test_gaming_claim_is_kept_from_automatic_issuance(case):
    result = _screen(case.claim)

    assert result.decision != "approved", [r.as_json() for r in result.reasons]


def test_plausible_claims_across_climates_are_approved_at_least_95_percent():
    outcomes = {case.name: _screen(case.claim) for case in PLAUSIBLE}
    refused = {name: [r.code for r in o.reasons if r.severity != "info"] for name, o in outcomes.items()
               if o.decision != "approved"}  # fmt: skip

    assert (len(PLAUSIBLE) - len(refused)) / len(PLAUSIBLE) >= 0.95, refused
    for name in ("mumbai_monsoon_dip_deeper_than_climatology", "mumbai_published_1430", "pune_hourly_readings"):
        assert outcomes[name].decision == "approved", (name, [r.as_json() for r in outcomes[name].reasons])


def test_the_issues_attacks_are_refused_for_the_right_reasons():
    by_name = {case.name: _screen(case.claim) for case in GAMING}

    def codes(name):
        return {r.code for r in by_name[name].reasons}

    for name in ("seattle_2400", "sao_paulo_2300", "nairobi_2300"):
        assert by_name[name].decision == "rejected" and "solar_yield_above_site_ceiling" in codes(name)
    assert "solar_series_identical" in codes("berlin_flat_2500_a_month_30kwp")
    assert by_name["berlin_flat_2500_a_month_30kwp"].decision == "rejected"
    assert "readings_night_generation" in codes("pune_readings_night_generation")
    assert "readings_copied" in codes("pune_readings_copied")


def test_rounding_an_inflated_claim_never_turns_review_into_approval():
    """The same inflated claims with their readings rounded to 100 kWh (and to 1,000): whatever the
    unrounded claim got, the rounded one is not approved if the unrounded one was not."""
    from tests.verification.climate_table import PLACES, shaped

    checked = 0
    for n, place in enumerate(PLACES):
        for ratio in (1.15, 1.2, 1.25):
            plain = _screen(shaped(place, ratio=ratio, seed=n)).decision
            for step in (100, 1000):
                rounded = _screen(shaped(place, ratio=ratio, seed=n, step=step)).decision
                if plain != "approved":
                    checked += 1
                    assert rounded != "approved", (place[0], ratio, step)
                assert rounded != "approved" or step == 1000, (place[0], ratio, step)
    assert checked > 10, "some of the inflated claims went to review, so the property was exercised"
