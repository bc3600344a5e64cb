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
