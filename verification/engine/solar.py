"""Solar physics and yield bounds: a clear-sky ceiling at the site and regional specific-yield bounds.

The clear-sky model is Haurwitz (1945) as implemented in pvlib (``pvlib.clearsky.haurwitz``:
GHI = 1098 · cos z · exp(-0.059 / cos z) W/m²), with the sun's position from Spencer's (1971) Fourier
series for the declination and the hour angle in local solar time. For daily totals the longitude and
the equation of time cancel out (every day is integrated over a full solar day), so only the latitude is
needed. ``tests/verification/test_solar_physics.py`` cross-checks these totals against pvlib when it is
installed. Floats are fine here: these numbers route claims, they never become tonnes.
"""

import csv
import math
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache, lru_cache
from pathlib import Path

import numpy as np

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

# ASSUMPTION (labelled in docs/VERIFICATION.md): the most a module plane can collect relative to the
# clear-sky horizontal irradiation over a period. A two-axis tracker on clear days gains ~30-45 % over
# the horizontal at mid latitudes; 1.5 leaves room for albedo and bifacial gain. A kWp is rated at
# 1 kW/m², so kWh/kWp cannot exceed this plane irradiation in kWh/m² without a performance ratio > 1.
PLANE_GAIN_BOUND = 1.5

# The regional bound flags yields above this multiple of the regional high (reference/README.md).
REGIONAL_MARGIN = 1.2

STEPS_PER_DAY = 144  # 10-minute steps

# The most equatorward latitude of a country (degrees, absolute): where a site without coordinates
# could receive the most sun, so the ceiling computed there is an upper bound for the whole country.
COUNTRY_MIN_ABS_LATITUDE = {
    "GB": 49.9, "DE": 47.3, "NL": 50.75, "PL": 49.0, "CZ": 48.55, "FR": 41.3, "CH": 45.8, "AT": 46.4,
    "HU": 45.7, "GR": 34.8, "RS": 42.2, "IT": 35.5, "ES": 27.6, "PT": 32.6, "IN": 6.7, "US": 18.9,
    "CA": 41.7, "AU": 10.7, "JP": 24.0, "KR": 33.1, "CN": 18.2, "BR": 0.0, "MX": 14.5, "ZA": 22.1,
    "ID": 0.0, "TR": 35.8, "SA": 16.3, "NG": 4.3, "KE": 0.0, "EG": 22.0, "VN": 8.6, "PH": 4.6,
    "TH": 5.6, "PK": 23.7, "BD": 20.7,
}  # fmt: skip


def declination_spencer(day_of_year: np.ndarray) -> np.ndarray:
    """Solar declination in radians (Spencer 1971)."""
    g = 2 * np.pi * (day_of_year - 1) / 365.0
    return (
        0.006918
        - 0.399912 * np.cos(g)
        + 0.070257 * np.sin(g)
        - 0.006758 * np.cos(2 * g)
        + 0.000907 * np.sin(2 * g)
        - 0.002697 * np.cos(3 * g)
        + 0.00148 * np.sin(3 * g)
    )


def haurwitz_ghi(cos_zenith: np.ndarray) -> np.ndarray:
    """Clear-sky global horizontal irradiance in W/m² (Haurwitz 1945), zero with the sun below the horizon."""
    out = np.zeros_like(cos_zenith)
    up = cos_zenith > 0
    out[up] = 1098.0 * cos_zenith[up] * np.exp(-0.059 / cos_zenith[up])
    return out


@lru_cache(maxsize=4096)
def _daily_clear_sky_kwh_m2(latitude_tenths: int, year: int) -> np.ndarray:
    """Clear-sky horizontal irradiation for every day of ``year`` at a latitude (kWh/m² per day)."""
    days = (date(year + 1, 1, 1) - date(year, 1, 1)).days
    doy = np.arange(1, days + 1, dtype=float)
    phi = math.radians(latitude_tenths / 10)
    delta = declination_spencer(doy)[:, None]
    hour_angle = np.linspace(-np.pi, np.pi, STEPS_PER_DAY, endpoint=False)[None, :] + np.pi / STEPS_PER_DAY
    cos_z = math.sin(phi) * np.sin(delta) + math.cos(phi) * np.cos(delta) * np.cos(hour_angle)
    hours_per_step = 24 / STEPS_PER_DAY
    return haurwitz_ghi(cos_z).sum(axis=1) * hours_per_step / 1000.0


def clear_sky_irradiation(latitude: float, start: date, end: date) -> float:
    """Clear-sky horizontal irradiation at ``latitude`` from ``start`` to ``end`` inclusive, kWh/m²."""
    key = round(latitude * 10)
    total = 0.0
    for year in range(start.year, end.year + 1):
        daily = _daily_clear_sky_kwh_m2(key, year)
        first = start if start.year == year else date(year, 1, 1)
        last = end if end.year == year else date(year, 12, 31)
        total += float(daily[first.timetuple().tm_yday - 1 : last.timetuple().tm_yday].sum())
    return total


def ceiling_latitude(country: str, latitude: float | None) -> tuple[float, bool]:
    """The latitude the ceiling is computed at, and whether it is the site's own."""
    if latitude is not None:
        return latitude, True
    return COUNTRY_MIN_ABS_LATITUDE.get(country, 0.0), False


def physical_ceiling_kwh_per_kwp(latitude: float, start: date, end: date) -> float:
    """The most one kWp can deliver over the period at this latitude under permanently clear skies."""
    return PLANE_GAIN_BOUND * clear_sky_irradiation(latitude, start, end)


@dataclass(frozen=True)
class YieldBounds:
    country: str  # "*" for the global fallback
    typical: float
    high: float
    basis: str
    source: str
    quality: str
    mapping_note: str

    @property
    def is_fallback(self) -> bool:
        return self.country == "*"


@cache
def _yield_table() -> dict[str, YieldBounds]:
    with (DATA_DIR / "solar_yield_bounds.csv").open(newline="", encoding="utf-8") as handle:
        return {
            row["country"]: YieldBounds(
                country=row["country"],
                typical=float(row["typical_kwh_per_kwp"]),
                high=float(row["high_kwh_per_kwp"]),
                basis=row["basis"],
                source=row["source"],
                quality=row["quality"],
                mapping_note=row["mapping_note"],
            )
            for row in csv.DictReader(handle)
        }


def yield_bounds(country: str) -> YieldBounds:
    table = _yield_table()
    return table.get(country, table["*"])


def seasonal_share(latitude: float, start: date, end: date) -> float:
    """The share of a year's yield one may expect in the period: the larger of its clear-sky share and
    its share of days. Taking the larger never tightens the bound for a winter-only period."""
    year_start = date(start.year, 1, 1)
    annual = clear_sky_irradiation(latitude, year_start, year_start + timedelta(days=364))
    by_sun = clear_sky_irradiation(latitude, start, end) / annual if annual else 1.0
    by_days = ((end - start).days + 1) / 365.25
    return max(by_sun, by_days)
