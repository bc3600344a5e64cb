"""Integrity facts that follow from a project's category and country alone, shared by claim
screening (an information reason) and the marketplace (a flag beside each listing)."""

# World Bank high-income economies (FY2025 classification) among the countries with crediting factors.
# ASSUMPTION: maintained by hand; it only raises an information flag.
HIGH_INCOME = frozenset({"GB", "DE", "NL", "PL", "CZ", "FR", "CH", "AT", "HU", "GR", "IT", "ES", "PT", "US", "CA", "AU",
                         "JP", "KR", "SA"})  # fmt: skip

ADDITIONALITY_HIGH_INCOME_GRID_CODE = "additionality_high_income_grid"
ADDITIONALITY_HIGH_INCOME_GRID_DETAIL = (
    "Grid-connected solar in a high-income grid: ICVCM (2024) refused its label to grid renewable "
    "methodologies and Verra excludes most grid renewables outside least-developed countries."
)
