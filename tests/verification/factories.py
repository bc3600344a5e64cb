"""Claim bodies as clients send them, with evidence that tiles the period month by month."""

import datetime
from decimal import ROUND_FLOOR, Decimal

from tests.accounts.factories import OrganizationFactory
from tests.projects.factories import ProjectFactory
from verification.engine.rules import add_months

__all__ = [
    "OrganizationFactory",
    "ProjectFactory",
    "baseline_books",
    "claim_body",
    "monthly_evidence",
    "project_for",
    "solar_evidence",
    "solar_shape",
]

PERIOD_2024 = ("2024-01-01", "2024-12-31")


def monthly_evidence(start: str, end: str, total, *, kind="meter_reading", unit="kWh", prefix="MTR", weights=None):
    """Evidence items, one per calendar month, adding up exactly to ``total``."""
    first, last = datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)
    spans, cursor = [], first
    while cursor <= last:
        nxt = add_months(cursor, 1)
        spans.append((cursor, min(nxt - datetime.timedelta(days=1), last)))
        cursor = nxt
    weights = weights or [1] * len(spans)
    total = Decimal(str(total))
    parts = [(total * w / sum(weights)).to_integral_value(rounding=ROUND_FLOOR) for w in weights]
    parts[-1] += total - sum(parts)
    return [
        {
            "kind": kind,
            "period_start": a.isoformat(),
            "period_end": b.isoformat(),
            "quantity": str(q),
            "unit": unit,
            "reference": f"{prefix}-{a:%Y-%m}",
        }
        for (a, b), q in zip(spans, parts, strict=True)
    ]


# Monthly shape of PV output in the northern mid-latitudes (Jan..Dec), roughly: real meters follow the sun.
NORTHERN_SOLAR_SHAPE = [3, 5, 8, 11, 13, 13, 13, 11, 9, 6, 4, 3]


def solar_shape(country: str) -> list[Decimal]:
    """The climatological monthly shares (Jan..Dec) at the factory sites' point in ``country``: what an
    honest meter there shows (Pune's monsoon dip, Nairobi's flat year, Frankfurt's summer peak)."""
    from tests.sites.factories import POINTS
    from verification.engine import climatology

    latitude, longitude = POINTS[country]
    shares = climatology.site_climate(float(latitude), float(longitude)).monthly_shares
    return [Decimal(str(round(share, 4))) for share in shares]


def solar_evidence(start: str, end: str, total, *, country: str = "IN", prefix="MTR"):
    """Monthly meter readings adding up to ``total``, shaped like the site's climate."""
    shape = solar_shape(country)
    first = datetime.date.fromisoformat(start)
    last = datetime.date.fromisoformat(end)
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    weights = [shape[(first.month - 1 + i) % 12] for i in range(months)]
    return monthly_evidence(start, end, total, prefix=prefix, weights=weights)


def claim_body(project, *, period=PERIOD_2024, parameters, evidence=None, **extra):
    return {
        "project": project.id,
        "period_start": period[0],
        "period_end": period[1],
        "parameters": parameters,
        "evidence": evidence if evidence is not None else [],
        **extra,
    }


def project_for(owner, *, category="solar", country="IN", **kwargs):
    """An active project that started before the 2024 monitoring periods used in these tests."""
    kwargs.setdefault("start_date", datetime.date(2023, 1, 1))
    return ProjectFactory.create(owner=owner, category=category, country=country, **kwargs)


def baseline_books(organization, *, carrier: str, kwh, period=("2023-01-01", "2023-12-31")):
    """An emission report of the baseline period showing ``kwh`` of ``carrier``: the books an efficiency
    claim's baseline is held to."""
    from emissions.services import emission_report_create
    from tests.emissions.factories import line

    unit = {"electricity": "kWh", "natural_gas": "kWh", "diesel": "litres"}[carrier]
    return emission_report_create(
        organization=organization,
        period_start=datetime.date.fromisoformat(period[0]),
        period_end=datetime.date.fromisoformat(period[1]),
        lines=[line(carrier, kwh, unit)],
    )
