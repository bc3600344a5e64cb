"""Integrity flags shown beside a listing, so a buyer sees what a credit is before paying for it.

They are derived from the listing's project alone (category and country, copied onto the listing),
so they cost no query. Claim-level facts (risk score, verifier decisions) live in the verification
app, which sits beside the marketplace in the import order; they are not shown here.
"""

from dataclasses import dataclass

from projects.integrity import ADDITIONALITY_HIGH_INCOME_GRID_CODE, ADDITIONALITY_HIGH_INCOME_GRID_DETAIL, HIGH_INCOME
from projects.models import Project


@dataclass(frozen=True)
class IntegrityFlag:
    code: str
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "detail": self.detail}


ADDITIONALITY_HIGH_INCOME_GRID = IntegrityFlag(
    ADDITIONALITY_HIGH_INCOME_GRID_CODE, ADDITIONALITY_HIGH_INCOME_GRID_DETAIL
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
