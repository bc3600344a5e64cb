"""Helpers for the reversal tests: an automatically issued claim, and a buffer pool with credits in it."""

from decimal import Decimal

from accounts.models import buffer_pool
from ledger.models import CreditBlock
from ledger.services import Issuance
from tests.conftest import client_for
from tests.ledger.factories import issue
from tests.verification.factories import monthly_evidence, solar_shape
from tests.verification.test_claims_api import URL
from tests.verification.test_issuance import HONEST, case_body, case_project

REVERSE = "/api/reduction-data/{}/reverse/"
SOLAR = HONEST[0]  # India, 50 kWp, 70 MWh: about 57 t issued


def issued_claim(user, *, prefix: str = "MTR") -> dict:
    """A solar claim of ``user``'s organisation approved by screening, its credits issued (through the
    API). Claims of different organisations need different evidence numbers (``prefix``), or the later
    ones go to review as evidence seen in another organisation's claim."""
    evidence = monthly_evidence(*SOLAR.period, 70_000, weights=solar_shape("IN"), prefix=prefix)
    project = case_project(user.organization, SOLAR)
    response = client_for(user).post(URL, {**case_body(project, SOLAR), "evidence": evidence}, format="json")
    assert response.status_code == 201, response.content
    claim = response.json()
    assert claim["status"] == "approved" and claim["issuance"], claim["verification"]["reasons"]
    return claim


def fund_pool(kg: int, *, vintage: int = 2023) -> Issuance:
    """Put ``kg`` into the buffer pool: the buffer share of another project's issuance."""
    issuance = issue(quantity_kg=kg * 10, vintage=vintage, buffer_share=Decimal("0.10"))
    assert issuance.buffer_block is not None and issuance.buffer_block.quantity_kg == kg
    return issuance


def pool_available_kg() -> int:
    return sum(block.quantity_kg for block in CreditBlock.objects.filter(owner=buffer_pool(), status="available"))
