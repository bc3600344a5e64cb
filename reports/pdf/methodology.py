"""The words of the statement's methodology page and verification block (docs/REPORTS.md has the
same content for people reading the repository)."""

from decimal import Decimal

from reports.ghg.statement import Statement


def sections(statement: Statement, *, revenue_basis: Decimal) -> list[tuple[str, str]]:
    year = statement.year
    # The organisation's name is in the title and on every page; long paragraphs do without it
    # (a name in a script that needs shaping makes every line break of its paragraph a shaping run).
    return [
        (
            "What this statement is",
            f"The greenhouse gas emissions of the organisation named on the first page for the calendar year "
            f"{year}, computed by the CarbonCred "
            "registry from the emissions reports the organisation filed and the carbon credits it retired. The "
            "scopes follow the GHG Protocol Corporate Standard. The registry calculates; it has not audited the "
            "activity data, and this statement is not a third-party assurance.",
        ),
        (
            "Scopes",
            "Scope 1: direct emissions from sources the organisation owns or controls, here fuels burned on "
            "site and in its own vehicles (natural gas, diesel, petrol, LPG). Scope 2: indirect emissions from "
            "the generation of the electricity it bought, location-based as the GHG Protocol Scope 2 Guidance "
            "(2015) defines it: each kWh times the average emission factor of the grid where it was used. No "
            "market-based scope 2 is given, because the data records no supplier contract or certificate. "
            "Scope 3: other indirect emissions of the value chain, here only the categories the organisation "
            "reported (business travel, waste, grid transmission and distribution losses); the rest of scope 3 "
            "is not in the data and not estimated.",
        ),
        (
            "Emission factors",
            "Inventory factors from the registry's factor table, each row with its source, year and licence "
            "(listed under Factors used): UK DESNZ GHG Conversion Factors 2025 for the United Kingdom, and as the "
            "documented default for fuels, travel and waste elsewhere; US EPA GHG Emission Factors Hub 2025 and "
            "eGRID2023 for the United States; the CEA inventory average for India; the NGA Factors 2024 for "
            "Australia; Ember lifecycle grid intensities, and EU-27 or world averages, as labelled fallbacks for "
            "grids without their own factor. Global warming potentials are the 100-year AR5 values the sources "
            "use. Each report line recorded the exact factor row it used when it was filed, so a later revision "
            "of the table does not change this statement. Crediting factors, which the registry uses to issue "
            "credits for reductions, are a different family and never enter an inventory.",
        ),
        (
            "Calculation",
            "Each line: quantity x an exact unit conversion x the factor, computed in exact decimals and rounded "
            "once, half up, to a whole kilogram of CO2e. Every total is a sum of those whole kilograms, so the "
            "scopes add up to the total, and the months, the activities and the reports add up to the same total.",
        ),
        (
            "Months and the year",
            "Reports cover periods of any length. A report's lines are spread evenly over the days of its "
            "period: each month receives its share of days, in whole kilograms that add up exactly (largest "
            f"remainder). A report that runs into another year counts in {year} with the share of its days that "
            f"fall in {year}. Months no report covers count as zero and are marked as missing, not as measured.",
        ),
        (
            "Energy",
            "Energy use is the electricity bought (kWh as billed) plus the fuels burned, converted to kWh at "
            "their net calorific value. The calorific values are derived from UK DESNZ 2025 (a fuel's kg CO2e per "
            "litre or cubic metre divided by its kg CO2e per kWh on a net basis), and gas billed in kWh (gross "
            "basis) is taken to net the same way; they are listed with the factors. Grid electricity counts as "
            "non-renewable unless the data records it as renewable; renewable energy is the organisation's own "
            "recorded generation. Grid losses, travel and waste carry emissions but are not energy the "
            "organisation used.",
        ),
        (
            "Retired credits and the net figure",
            f"Credits retired by the organisation between 1 January and 31 December {year} (UTC), each with its "
            "certificate, are shown beside the inventory and not deducted from it: the GHG Protocol reports "
            "offsets separately from gross emissions. The net figure (total minus retired) is given for readers "
            "who ask for it.",
        ),
        (
            "Intensity",
            "Total emissions per employee, and per "
            f"{revenue_basis:,} units of annual revenue in its currency, from the headcount and revenue the "
            "organisation recorded (current values, not figures for the year).",
        ),
        (
            "What is estimated, and what the data does not say",
            "Estimated: the monthly split of reports longer than a month, the share of reports that cross the "
            "year's boundary, lines on fallback or default factors, and fuel calorific values. Not said by the "
            "data: whether each quantity was metered, billed or estimated; the organisational boundary "
            "(operational or financial control); market-based scope 2; scope 3 categories not reported. The "
            "Data quality section lists what applies to this statement.",
        ),
        (
            "VSME alignment",
            "The EU's voluntary standard for non-listed SMEs (EFRAG VSME, Basic Module, disclosure B3 on energy "
            "and greenhouse gas emissions) asks for total energy consumption in MWh, split into renewable and "
            "non-renewable where known, gross scope 1 and location-based scope 2 emissions in tonnes of CO2e, and "
            "a GHG intensity per turnover, with scope 3 where the undertaking can report it. This statement gives "
            "each of these: energy use (MWh and kWh, renewable and not), scope 1, scope 2 (location-based), "
            "intensity per revenue, and scope 3 for the categories reported. This is the registry's reading of "
            "the standard; check the standard's own text for your disclosure.",
        ),
    ]


def verification(statement: Statement, *, verify_url: str) -> list[str]:
    year = statement.year
    return [
        "When this PDF was first downloaded, the registry recorded the SHA-256 hash of its exact bytes. The same "
        "data always produces the same file, so every copy of this statement has the same hash, and any change "
        "to the file, even of one byte, gives another.",
        f"To check a copy, open {verify_url} and upload the PDF or enter its SHA-256 (sha256sum on Linux, "
        "shasum -a 256 on macOS, Get-FileHash in Windows PowerShell). The registry answers whether it issued "
        f"this document, and to which organisation, for {year}. It answers only for documents the organisation "
        "has chosen to publish; an unpublished or altered document is reported as not issued by the registry.",
    ]
