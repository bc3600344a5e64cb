"""Integrity flags shown beside a listing, so a buyer sees what a credit is before paying for it.

Today they are derived from the listing's project alone (category and country, copied onto the
listing), so they cost no query. The verification app (not merged yet) will know more about each
claim — its assessment, reason codes, the verifier's decision. :func:`claim_flags_for` is the hook
for that: it returns nothing until then, and the marketplace selector already calls it once per page.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from projects.models import Project

# World Bank high-income economies (FY2025 classification) among the countries CarbonCred has
# crediting factors for: the same set, and the same reason code, as the verification engine's
# rule (verification/engine/rules.py, HIGH_INCOME). When that app is merged, import it from there.
HIGH_INCOME = frozenset({"GB", "DE", "NL", "PL", "CZ", "FR", "CH", "AT", "HU", "GR", "IT", "ES", "PT", "US", "CA", "AU",
                         "JP", "KR", "SA"})  # fmt: skip


@dataclass(frozen=True)
class IntegrityFlag:
    code: str
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "detail": self.detail}


ADDITIONALITY_HIGH_INCOME_GRID = IntegrityFlag(
    "additionality_high_income_grid",
    "Grid-connected solar in a high-income grid: ICVCM (2024) refused its label to grid renewable "
    "methodologies and Verra excludes most grid renewables outside least-developed countries.",
)
AVOIDED_EMISSIONS = IntegrityFlag(
    "avoided_emissions",
    "Recycling credits count emissions avoided elsewhere (displaced virgin material), not a reduction "
    "in the holder's own emissions or a removal.",
)


def project_flags(*, category: str, country: str) -> list[IntegrityFlag]:
    """What the project's category and country alone say about its credits."""
    flags = []
    if category == Project.Category.SOLAR and country in HIGH_INCOME:
        flags.append(ADDITIONALITY_HIGH_INCOME_GRID)
    if category == Project.Category.RECYCLING:
        flags.append(AVOIDED_EMISSIONS)
    return flags


def claim_flags_for(*, project_ids: Iterable[int]) -> dict[int, list[IntegrityFlag]]:
    """HOOK for the verification app: flags from each project's verified claims (risk, reasons,
    verifier decisions), keyed by project id, for one page of listings in one query.

    Returns no flags until the verification app is merged; nothing is invented in the meantime.
    """
    return {}
