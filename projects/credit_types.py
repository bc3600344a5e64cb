"""What a project's credits are: every CarbonCred credit is a reduction or an avoidance of emissions
against a baseline, never a removal of CO2 from the atmosphere. Recycling credits in particular are
avoided emissions (landfill emissions that did not happen), the weakest kind of claim, and are labelled
as such in the issuance memo (ledger entry), on certificates and in the API."""

CREDIT_TYPES: dict[str, tuple[str, str]] = {
    "solar": ("emission_reduction", "Emission reduction (grid electricity displaced), not a removal"),
    "energy_efficiency": ("emission_reduction", "Emission reduction (less energy used), not a removal"),
    "recycling": ("avoided_emissions", "Avoided emissions (landfill emissions avoided by recycling), not a removal"),
    "fuel_switch": ("emission_reduction", "Emission reduction (a lower-carbon fuel), not a removal"),
}


def credit_type(category: str) -> str:
    return CREDIT_TYPES.get(category, ("emission_reduction", ""))[0]


def credit_type_label(category: str) -> str:
    return CREDIT_TYPES.get(category, ("", "Emission reduction, not a removal"))[1]
