"""A table of ~50 plausible and ~50 gaming solar claims across the world's climates, built from the
site climatology (what an honest meter there shows) and from published yields, for the engine test
(``test_screening_table``). Deterministic: the weather noise comes from a fixed seed per case."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import numpy as np

from verification.engine.rules import add_months
from verification.engine.site_solar import site_climate
from verification.engine.types import ClaimInput, EvidenceInput, ReadingPoint, ReadingsEvidence

# (name, country, latitude, longitude)
PLACES = [
    ("berlin", "DE", 52.52, 13.40), ("munich", "DE", 48.14, 11.58), ("london", "GB", 51.51, -0.13),
    ("glasgow", "GB", 55.86, -4.25), ("aberdeen", "GB", 57.15, -2.09), ("madrid", "ES", 40.42, -3.70),
    ("seville", "ES", 37.39, -5.98), ("rome", "IT", 41.90, 12.50), ("paris", "FR", 48.86, 2.35),
    ("amsterdam", "NL", 52.37, 4.90), ("warsaw", "PL", 52.23, 21.01), ("toronto", "CA", 43.65, -79.38),
    ("edmonton", "CA", 53.55, -113.49), ("seattle", "US", 47.61, -122.33), ("phoenix", "US", 33.45, -112.07),
    ("houston", "US", 29.76, -95.37), ("mexico_city", "MX", 19.43, -99.13), ("sao_paulo", "BR", -23.55, -46.63),
    ("fortaleza", "BR", -3.73, -38.52), ("johannesburg", "ZA", -26.20, 28.05), ("nairobi", "KE", -1.29, 36.82),
    ("lagos", "NG", 6.52, 3.38), ("cairo", "EG", 30.04, 31.24), ("riyadh", "SA", 24.71, 46.68),
    ("ankara", "TR", 39.93, 32.86), ("mumbai", "IN", 19.08, 72.88), ("delhi", "IN", 28.61, 77.21),
    ("chennai", "IN", 13.08, 80.27), ("karachi", "PK", 24.86, 67.01), ("dhaka", "BD", 23.81, 90.41),
    ("bangkok", "TH", 13.76, 100.50), ("ho_chi_minh", "VN", 10.82, 106.63), ("manila", "PH", 14.60, 120.98),
    ("jakarta", "ID", -6.21, 106.85), ("shanghai", "CN", 31.23, 121.47), ("tokyo", "JP", 35.68, 139.69),
    ("seoul", "KR", 37.57, 126.98), ("sydney", "AU", -33.87, 151.21), ("alice_springs", "AU", -23.70, 133.88),
]  # fmt: skip
BY_NAME = {p[0]: p for p in PLACES}


@dataclass(frozen=True)
class TableCase:
    name: str
    claim: ClaimInput
    plausible: bool


def _months(first: date, months: int) -> list[tuple[date, date]]:
    out = []
    for i in range(months):
        a = add_months(first, i)
        out.append((a, add_months(first, i + 1) - timedelta(days=1)))
    return out


def _claim(place, spans, values, *, kwp, parameters=None, unit="kWh") -> ClaimInput:
    _, country, lat, lon = place
    evidence = tuple(
        EvidenceInput("meter_reading", a, b, Decimal(v), unit, f"{place[0]}-{a:%Y%m}")
        for (a, b), v in zip(spans, values, strict=True)
    )
    total = sum((e.quantity for e in evidence), Decimal(0)) * (1000 if unit == "MWh" else 1)
    return ClaimInput(
        category="solar",
        country=country,
        period_start=spans[0][0],
        period_end=spans[-1][1],
        parameters={"capacity_kwp": Decimal(kwp), "generation_kwh": total, **(parameters or {})},
        evidence=evidence,
        latitude=lat,
        longitude=lon,
    )


def expected_monthly(place) -> tuple[float, ...]:
    _, country, lat, lon = place
    probe = ClaimInput("solar", country, date(2024, 1, 1), date(2024, 12, 31), {}, latitude=lat, longitude=lon)
    return site_climate(probe).monthly_kwh_per_kwp


def shaped(
    place,
    *,
    ratio,
    kwp=40,
    first=date(2024, 1, 1),
    months=12,
    seed=0,
    noise=0.08,
    shape_from=None,
    step=None,
    annual=None,
):
    """Monthly readings shaped like ``shape_from``'s climate (default the place's own) at ``ratio`` x
    the place's climatological yield, or scaled to an ``annual`` kWh/kWp over 12 months."""
    rng = np.random.default_rng(seed)
    own = expected_monthly(place)
    shape = expected_monthly(shape_from) if shape_from else own
    spans = _months(first, months)
    raw = [shape[a.month - 1] * float(rng.normal(1, noise)) for a, _ in spans]
    target = (annual if annual is not None else ratio * sum(own[a.month - 1] for a, _ in spans)) * kwp
    values = [target * r / sum(raw) for r in raw]
    if step:
        values = [max(step, round(v / step) * step) for v in values]
    return _claim(place, spans, [round(v) for v in values], kwp=kwp)


def flat(place, *, per_month, kwp, months=12, jitter=0.0, seed=0) -> ClaimInput:
    rng = np.random.default_rng(seed)
    values = [round(per_month * (1 + float(rng.uniform(-jitter, jitter)))) for _ in range(months)]
    return _claim(place, _months(date(2024, 1, 1), months), values, kwp=kwp)


def hourly_readings(place, *, kwp, first, last, seed=0, ratio=0.92, night_kwh=0.0, noon_factor=1.0, copied=()):
    """A ``source: readings`` claim: hourly points following the sun at the place."""
    from tests.verification.readings import hourly_pv

    _, country, lat, lon = place
    rows = hourly_pv(lat, lon, kwp, first, last, seed=seed, performance=ratio)
    points = []
    for n, (a, b, v) in enumerate(rows):
        local = a + timedelta(hours=lon / 15)
        if local.hour == 2:
            v += night_kwh
        if local.hour == 12:
            v *= noon_factor
        points.append(ReadingPoint("M1", a, b, Decimal(f"{v:.3f}"), n + 1))
    readings = ReadingsEvidence(tuple(points), len(points), copied_from=tuple(copied))
    return ClaimInput(
        category="solar",
        country=country,
        period_start=first,
        period_end=last,
        parameters={"capacity_kwp": Decimal(kwp), "generation_kwh": readings.total_kwh, "source": "readings"},
        evidence=(),
        latitude=lat,
        longitude=lon,
        readings=readings,
    )


def plausible_cases() -> list[TableCase]:
    cases = []
    ratios = (0.82, 0.9, 0.97, 1.04, 1.1)
    for n, place in enumerate(PLACES):
        cases.append(TableCase(f"{place[0]}_year_{ratios[n % 5]}", shaped(place, ratio=ratios[n % 5], seed=n), True))
    for n, place in enumerate(PLACES[::3]):
        first = date(2024, 1 + (n * 5) % 12, 1)
        cases.append(
            TableCase(f"{place[0]}_quarter", shaped(place, ratio=0.95, first=first, months=3, seed=100 + n), True)
        )
    # Published yields (verification/data/SOLAR_CLIMATOLOGY.md), shaped like the place's climate.
    for name, annual in (
        ("seattle", 1233),
        ("phoenix", 2081),
        ("mumbai", 1430),
        ("sydney", 1382),
        ("nairobi", 1971),
        ("tokyo", 1351),
        ("madrid", 1399),
    ):
        cases.append(
            TableCase(f"{name}_published_{annual}", shaped(BY_NAME[name], ratio=1, annual=annual, seed=7), True)
        )
    cases.append(TableCase("mumbai_monsoon_dip_deeper_than_climatology", mumbai_monsoon_year(), True))
    cases.append(
        TableCase(
            "pune_hourly_readings",
            hourly_readings(("pune", "IN", 18.52, 73.86), kwp=50, first=date(2024, 3, 1), last=date(2024, 3, 31)),
            True,
        )
    )
    cases.append(
        TableCase(
            "berlin_hourly_readings_june",
            hourly_readings(BY_NAME["berlin"], kwp=30, first=date(2024, 6, 1), last=date(2024, 6, 30), seed=3),
            True,
        )
    )
    return cases


def mumbai_monsoon_year() -> ClaimInput:
    """An honest Mumbai year with the deep monsoon dip station records show (July ~45 % of April)."""
    shares = [9.6, 9.4, 10.4, 10.2, 10.0, 6.4, 4.6, 5.2, 7.4, 9.2, 9.0, 9.1]
    total = 1430 * 50
    spans = _months(date(2024, 1, 1), 12)
    return _claim(BY_NAME["mumbai"], spans, [round(total * s / sum(shares)) for s in shares], kwp=50)


def gaming_cases() -> list[TableCase]:
    cases = [
        TableCase("seattle_2400", shaped(BY_NAME["seattle"], ratio=1, annual=2400, seed=1), False),
        TableCase("sao_paulo_2300", shaped(BY_NAME["sao_paulo"], ratio=1, annual=2300, seed=2), False),
        TableCase("nairobi_2300", shaped(BY_NAME["nairobi"], ratio=1, annual=2300, seed=3), False),
        TableCase("berlin_flat_2500_a_month", flat(BY_NAME["berlin"], per_month=2500, kwp=10), False),
        TableCase("berlin_flat_2500_a_month_30kwp", flat(BY_NAME["berlin"], per_month=2500, kwp=30), False),
    ]
    for n, place in enumerate(PLACES[::4]):  # far above the climate, honestly shaped
        cases.append(TableCase(f"{place[0]}_x{1.5 + 0.1 * n:.1f}", shaped(place, ratio=1.5 + 0.1 * n, seed=n), False))
    for place in PLACES[1::5]:  # identical monthly figures at an honest level
        per_month = sum(expected_monthly(place)) * 40 / 12
        cases.append(TableCase(f"{place[0]}_identical_months", flat(place, per_month=per_month, kwp=40), False))
    for n, name in enumerate(("london", "warsaw", "toronto", "seoul", "edmonton")):  # near-flat, seasons missing
        place = BY_NAME[name]
        per_month = sum(expected_monthly(place)) * 40 / 12
        cases.append(
            TableCase(f"{name}_flat_1pct", flat(place, per_month=per_month, kwp=40, jitter=0.01, seed=n), False)
        )
    for name, source in (
        ("sydney", "london"),
        ("johannesburg", "madrid"),
        ("sao_paulo", "paris"),
        ("berlin", "sydney"),
        ("toronto", "johannesburg"),
    ):
        cases.append(
            TableCase(
                f"{name}_with_{source}_seasons", shaped(BY_NAME[name], ratio=1.05, shape_from=BY_NAME[source]), False
            )
        )
    for n, place in enumerate(PLACES[2::5]):  # inflated x1.2 and rounded to 100 kWh
        cases.append(TableCase(f"{place[0]}_inflated_rounded", shaped(place, ratio=1.2, step=100, seed=n), False))
    for place in PLACES[3::8]:  # one summer month at twice its climate
        first = date(2024, 7 if place[2] > 0 else 1, 1)
        cases.append(TableCase(f"{place[0]}_summer_month_x2", shaped(place, ratio=2.0, first=first, months=1), False))
    for name in ("delhi", "madrid", "houston"):  # Wh entered as kWh
        claim = shaped(BY_NAME[name], ratio=1.0, seed=9)
        evidence = tuple(
            EvidenceInput(e.kind, e.period_start, e.period_end, e.quantity * 1000, "kWh", e.reference)
            for e in claim.evidence
        )
        cases.append(
            TableCase(
                f"{name}_wh_as_kwh",
                ClaimInput(
                    **{
                        **claim.__dict__,
                        "evidence": evidence,
                        "parameters": {**claim.parameters, "generation_kwh": claim.parameters["generation_kwh"] * 1000},
                    }
                ),
                False,
            )
        )
    pune = ("pune", "IN", 18.52, 73.86)
    march = {"first": date(2024, 3, 1), "last": date(2024, 3, 31)}
    cases += [
        TableCase("pune_readings_night_generation", hourly_readings(pune, kwp=50, night_kwh=5, **march), False),
        TableCase("pune_readings_noon_x3", hourly_readings(pune, kwp=50, noon_factor=3, **march), False),
        TableCase(
            "pune_readings_copied", hourly_readings(pune, kwp=50, copied=("2024-03-02 = another site",), **march), False
        ),
    ]
    return cases


def all_cases() -> list[TableCase]:
    return plausible_cases() + gaming_cases()
