"""Expected solar PV yield at a site, from a solar-resource climatology shipped with the project.

Pure: numpy and the standard library only (no Django, no pvlib, no pandas), so it is cheap enough for a
web worker. The data (``verification/data/solar_climatology.npz``, ≈1.8 MB) is loaded lazily, once per
process; sources, licences and the build are described in ``verification/data/SOLAR_CLIMATOLOGY.md``.

The model, in the order it runs (every constant below is labelled ASSUMPTION or cited):

1. **Resource.** The 0.5° land cell holding the site (or the nearest land cell within ~500 km) gives the
   monthly mean daily global horizontal irradiation (GHI) and its diffuse fraction: GLDAS-2.1 sets the
   annual level, MERRA-2 the seasonal shape and the mix of clear and cloudy days (build script).
2. **Module plane.** Each month is represented by its average day (Klein 1977). The day's GHI and
   diffuse irradiation are spread over the hours with the Collares-Pereira & Rabl (1979) and Liu & Jordan
   (1960) profiles, and carried onto the module plane with the Hay & Davies (1980) sky model and a ground
   albedo of 0.2: the monthly-average method of Duffie & Beckman, *Solar Engineering of Thermal
   Processes*, ch. 2, with the geometry computed at the site's own latitude.
3. **PV output.** kWh/kWp = plane irradiation (kWh/m², a kWp being rated at 1 kW/m²) x optical loss x
   temperature loss x system losses. Without a tilt, the tilt that maximises the annual yield facing
   the equator is used: the "typical fixed, well-oriented system" the bounds are about.

Floats are fine here: these numbers route claims, they never become tonnes.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import numpy as np

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "solar_climatology.npz"

SOURCE = (
    "CarbonCred solar climatology v1: annual GHI from NASA GLDAS-2.1 Noah 0.25° 2010-2019 (via pvcz 0.3.0, "
    "Karin et al. 2019), monthly shape and clear/cloudy-day mix from NASA MERRA-2 2011-2015 (via "
    "gsee-climate-data 1.0.0, Pfenninger & Staffell 2016); NASA data, no use restrictions; PV model "
    "DERIVED (Hay-Davies plane irradiance, 14 % system losses, -0.37 %/K)"
)

# --- PV model constants -------------------------------------------------------------------------------
SYSTEM_LOSS = 0.14  # ASSUMPTION: PVGIS default "system loss" (inverter, cables, soiling, mismatch).
OPTICAL_LOSS = 0.03  # ASSUMPTION: reflection (angle-of-incidence) loss of a glass module, 2.5-4 % typical.
TEMP_COEFFICIENT = -0.0037  # per K: PVWatts v8 "standard" crystalline module (NREL).
HEATING_K_M2_PER_W = 0.03  # ASSUMPTION: module above air ≈ 0.03 K per W/m² (NOCT ≈ 44 °C, rack or vented roof).
DAYTIME_AIR_UPLIFT_K = 3.0  # ASSUMPTION: daytime air is warmer than the 24-hour mean the data gives.
ALBEDO = 0.2  # ASSUMPTION: ground reflectance, the usual default.
SOLAR_CONSTANT = 1361.0  # W/m² (Kopp & Lean 2011)
STEPS = 36  # points per average day (midpoint rule between sunrise and sunset)
# Klein (1977) average day of each month (day of year) and the mean length of each calendar month.
AVERAGE_DAY = np.array([17, 47, 75, 105, 135, 162, 198, 228, 258, 288, 318, 344], dtype=float)
MONTH_DAYS = np.array([31, 28.25, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
SEARCH_RADIUS_CELLS = 10  # nearest land cell within 5° (≈ 550 km at the equator)

# --- Screening constants (docs: verification/data/SOLAR_CLIMATOLOGY.md "Bounds") ------------------
ANNUAL_CEILING_FACTOR = 1.3  # the setting: ceiling ≈ 1.3 x the site's climatological yield
# Year-to-year variability of annual irradiation: 3.9 % (1 sd) for Toronto (Thevenard & Pelland 2013,
# Solar Energy 91:432-445); ASSUMPTION 5 % to cover cloudier and monsoon climates. Months are taken as
# independent, so a period of n months varies by sd_year·√(12/n): ≈ 17 % for a single month, in line
# with the 10-25 % spread of monthly irradiation seen in station records.
SIGMA_YEAR = 0.05
VARIABILITY_Z = 3.0  # a honest period exceeds its mean by 3 sd about once in 700 periods
MAX_PERIOD_FACTOR = 3.0  # days-long periods: the clear-sky ceiling in solar.py is the real bound
# ASSUMPTION: for bounding, no month is expected to yield less than 1 % of the annual yield, so that
# dark months at high latitude (expected ≈ 0) still allow the odd kWh; the clear-sky ceiling still rules.
MONTH_FLOOR_SHARE = 0.01
LOW_FACTOR = 0.2  # a month below 20 % of its expectation is worth a look (outage, or a wrong site)
# Flatness: the spread of log(per-day output) against the spread the climatology expects.
FLAT_MIN_SEASONALITY = 0.15  # ASSUMPTION: below this expected spread honest data may look flat
FLAT_RATIO = 0.35  # ASSUMPTION: observed spread under 35 % of the expected one is implausibly flat
IDENTICAL_RTOL = 1e-3


class ClimatologyError(ValueError):
    """No climatology for these coordinates (invalid, or far from any land cell)."""


@dataclass(frozen=True)
class SiteClimate:
    """The climatological PV yield of one site and module orientation (kWh per kWp)."""

    latitude: float
    longitude: float
    tilt_deg: float
    azimuth_deg: float  # clockwise from north: 180 = south
    annual_kwh_per_kwp: float
    monthly_kwh_per_kwp: tuple[float, ...]  # calendar months of average length (February 28.25 days)
    monthly_shares: tuple[float, ...]
    annual_ghi_kwh_m2: float
    cell_distance_km: float
    source: str
    quality: str

    def daily_kwh_per_kwp(self, month: int) -> float:
        return self.monthly_kwh_per_kwp[month - 1] / float(MONTH_DAYS[month - 1])


@dataclass(frozen=True)
class Flatness:
    """How flat a series of outputs is against the seasonal variation the site should show."""

    flagged: bool
    identical: bool
    score: float  # observed spread / expected spread of log per-day output (1 ≈ as expected, 0 = flat)
    expected_spread: float
    observed_spread: float
    detail: str


@dataclass(frozen=True)
class _Data:
    """The shipped arrays, kept in their compact stored types (about 2.5 MB); one cell is scaled at a time."""

    grid: np.ndarray  # int32 (360, 720): row of the land cell, -1 for none
    ghi: np.ndarray  # uint16 (cells, 12): Wh/m²/day
    diffuse: np.ndarray  # uint8 (cells, 12): diffuse fraction x diffuse_scale
    t_mean: np.ndarray  # int16 (cells,): 0.1 °C
    diffuse_scale: float
    step: float
    version: str

    def cell(self, index: int) -> tuple[np.ndarray, np.ndarray, float]:
        """Monthly GHI (kWh/m²/day), diffuse fraction and mean air temperature (°C) of one cell."""
        return (
            self.ghi[index].astype(float) / 1000.0,
            self.diffuse[index].astype(float) / self.diffuse_scale,
            float(self.t_mean[index]) / 10.0,
        )


@lru_cache(maxsize=1)
def _data() -> _Data:
    with np.load(DATA_FILE, allow_pickle=False) as npz:
        meta = json.loads(str(npz["meta"]))
        return _Data(
            grid=npz["grid"],
            ghi=npz["ghi"],
            diffuse=npz["diffuse"],
            t_mean=npz["t_mean"],
            diffuse_scale=float(meta["diffuse_fraction_scale"]),
            step=float(meta["grid_step_deg"]),
            version=str(meta["version"]),
        )


def _check_coordinates(latitude: float, longitude: float) -> tuple[float, float]:
    lat, lon = float(latitude), float(longitude)
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise ClimatologyError("latitude and longitude must be finite numbers")
    if not -90 <= lat <= 90:
        raise ClimatologyError(f"latitude {lat} is outside -90..90")
    if not -180 <= lon <= 360:
        raise ClimatologyError(f"longitude {lon} is outside -180..360")
    return lat, (lon + 180) % 360 - 180


def _cell(lat: float, lon: float) -> tuple[int, float]:
    """Index of the land cell holding the point, or the nearest one; and the distance in km."""
    data = _data()
    rows, cols = data.grid.shape
    row = min(int((lat + 90) / data.step), rows - 1)
    col = int((lon + 180) / data.step) % cols
    index = int(data.grid[row, col])
    if index >= 0:
        return index, 0.0
    best, best_km = -1, math.inf
    r = SEARCH_RADIUS_CELLS
    for rr in range(max(0, row - r), min(rows, row + r + 1)):
        for cc in range(col - r, col + r + 1):
            candidate = int(data.grid[rr, cc % cols])
            if candidate < 0:
                continue
            km = _distance_km(lat, lon, -90 + (rr + 0.5) * data.step, -180 + (cc % cols + 0.5) * data.step)
            if km < best_km:
                best, best_km = candidate, km
    if best < 0:
        raise ClimatologyError(f"no land cell of the climatology within ~550 km of ({lat:.3f}, {lon:.3f})")
    return best, best_km


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


def _plane_yield(
    lat: float, ghi: np.ndarray, diffuse_fraction: np.ndarray, t_mean: float, tilts: np.ndarray, azimuth: float
) -> np.ndarray:
    """Daily yield (kWh/kWp/day) for each tilt (rows) and month (columns)."""
    phi = math.radians(lat)
    doy = AVERAGE_DAY
    delta = np.radians(23.45) * np.sin(2 * np.pi * (284 + doy) / 365)  # Cooper (1969)
    cos_ws = np.clip(-math.tan(phi) * np.tan(delta), -1.0, 1.0)
    ws = np.arccos(cos_ws)  # sunset hour angle (12,)
    e0 = 1 + 0.033 * np.cos(2 * np.pi * doy / 365)
    frac = (np.arange(STEPS) + 0.5) / STEPS
    omega = (-ws[:, None]) + 2 * ws[:, None] * frac[None, :]  # (12, STEPS)
    d_omega = 2 * ws / STEPS  # radians per step
    hours = d_omega * 12 / np.pi  # hours per step (12,)

    cos_omega = np.cos(omega)
    denom = np.sin(ws) - ws * np.cos(ws)
    denom = np.where(denom > 1e-9, denom, 1.0)
    a = 0.409 + 0.5016 * np.sin(ws - math.pi / 3)
    b = 0.6609 - 0.4767 * np.sin(ws - math.pi / 3)
    base = np.maximum(cos_omega - cos_ws[:, None], 0.0) / denom[:, None]
    r_t = (a[:, None] + b[:, None] * cos_omega) * base  # Collares-Pereira & Rabl (1979)
    r_d = base  # Liu & Jordan (1960)
    w_t = r_t / np.maximum(r_t.sum(axis=1, keepdims=True), 1e-12)
    w_d = r_d / np.maximum(r_d.sum(axis=1, keepdims=True), 1e-12)

    cos_d, sin_d = np.cos(delta)[:, None], np.sin(delta)[:, None]
    sun_e = -cos_d * np.sin(omega)
    sun_n = sin_d * math.cos(phi) - cos_d * math.sin(phi) * cos_omega
    sun_u = sin_d * math.sin(phi) + cos_d * math.cos(phi) * cos_omega
    sun_u_safe = np.maximum(sun_u, 0.02)
    toa = SOLAR_CONSTANT * e0[:, None] * np.maximum(sun_u, 0.0) * hours[:, None]  # Wh/m² per step

    h = ghi[:, None] * 1000.0  # Wh/m²/day
    d = h * diffuse_fraction[:, None]
    glob = h * w_t  # Wh/m² in each step
    dif = np.minimum(d * w_d, glob)
    # The beam can be no stronger than under a clear sky: Meinel & Meinel (1976) direct normal
    # irradiance with the Kasten & Young (1989) air mass. Daily diffuse-fraction correlations overstate
    # the beam when the sun stays low (high-latitude winter); the excess is counted as diffuse.
    elevation = np.degrees(np.arcsin(np.clip(sun_u, 1e-6, 1.0)))
    air_mass = 1.0 / (np.clip(sun_u, 1e-6, 1.0) + 0.50572 * (6.07995 + elevation) ** -1.6364)
    clear_beam = SOLAR_CONSTANT * e0[:, None] * 0.7 ** (air_mass**0.678) * np.maximum(sun_u, 0.0) * hours[:, None]
    beam = np.minimum(glob - dif, clear_beam)
    dif = glob - beam
    anisotropy = np.clip(np.where(toa > 0, beam / np.maximum(toa, 1e-9), 0.0), 0.0, 1.0)

    beta = np.radians(tilts)[:, None, None]
    gamma = math.radians(azimuth)
    n_e, n_n, n_u = np.sin(beta) * math.sin(gamma), np.sin(beta) * math.cos(gamma), np.cos(beta)
    cos_inc = np.maximum(n_e * sun_e + n_n * sun_n + n_u * sun_u, 0.0)
    r_b = np.minimum(cos_inc / sun_u_safe, 5.0)
    sky = (1 + np.cos(beta)) / 2
    plane = (
        beam * r_b
        + dif * (anisotropy * r_b + (1 - anisotropy) * sky)  # Hay & Davies (1980)
        + glob * ALBEDO * (1 - np.cos(beta)) / 2
    )  # Wh/m² per step, (tilts, 12, STEPS)
    irradiance = plane / np.maximum(hours[None, :, None], 1e-9)  # W/m²
    t_cell = t_mean + DAYTIME_AIR_UPLIFT_K + HEATING_K_M2_PER_W * irradiance
    factor = (1 - OPTICAL_LOSS) * (1 - SYSTEM_LOSS) * (1 + TEMP_COEFFICIENT * (t_cell - 25.0))
    daily = (plane * factor).sum(axis=2) / 1000.0
    # Polar night: no sun steps; what little light the data holds is diffuse on the plane.
    dark = ws < 1e-6
    if dark.any():
        diffuse_only = ghi[None, :] * ((1 + np.cos(beta[:, :, 0])) / 2) * (1 - OPTICAL_LOSS) * (1 - SYSTEM_LOSS)
        daily = np.where(dark[None, :], diffuse_only, daily)
    return np.asarray(daily)


def _default_azimuth(lat: float) -> float:
    return 180.0 if lat >= 0 else 0.0


@lru_cache(maxsize=2048)
def _climate(index: int, lat_key: int, tilt_key: int | None, azimuth_key: int) -> tuple[float, tuple[float, ...]]:
    data = _data()
    lat = lat_key / 100
    ghi, diffuse, t_mean = data.cell(index)
    tilts = np.arange(0.0, min(90.0, abs(lat) + 20.0) + 0.1, 2.5) if tilt_key is None else np.array([tilt_key / 10])
    daily = _plane_yield(lat, ghi, diffuse, t_mean, tilts, azimuth_key / 10)
    annual = (daily * MONTH_DAYS).sum(axis=1)
    best = int(np.argmax(annual))
    return float(tilts[best]), tuple(float(x) for x in daily[best] * MONTH_DAYS)


def site_climate(
    latitude: float, longitude: float, tilt_deg: float | None = None, azimuth_deg: float | None = None
) -> SiteClimate:
    """The climatological yield of a fixed PV system at the coordinates.

    ``tilt_deg`` None: the tilt with the largest annual yield (a well-oriented system); ``azimuth_deg``
    None: facing the equator. Azimuth is clockwise from north (180 = south). Raises
    :class:`ClimatologyError` (a ``ValueError``) for non-finite or out-of-range input, or a point more
    than ~550 km from any land cell.
    """
    lat, lon = _check_coordinates(latitude, longitude)
    if tilt_deg is not None and not (math.isfinite(tilt_deg) and 0 <= tilt_deg <= 90):
        raise ClimatologyError(f"tilt {tilt_deg} is outside 0..90 degrees")
    if azimuth_deg is not None and not math.isfinite(azimuth_deg):
        raise ClimatologyError("azimuth must be a finite number")
    azimuth = _default_azimuth(lat) if azimuth_deg is None else float(azimuth_deg) % 360
    index, km = _cell(lat, lon)
    tilt, monthly = _climate(
        index, round(lat * 100), None if tilt_deg is None else round(tilt_deg * 10), round(azimuth * 10)
    )
    annual = sum(monthly)
    data = _data()
    where = "0.5° land cell" if km == 0 else f"nearest 0.5° land cell, {km:.0f} km away"
    quality = f"DERIVED (modelled climatology, {where}; typical accuracy ±15-20 % against published yields)"
    return SiteClimate(
        latitude=lat,
        longitude=lon,
        tilt_deg=tilt,
        azimuth_deg=azimuth,
        annual_kwh_per_kwp=annual,
        monthly_kwh_per_kwp=monthly,
        monthly_shares=tuple(m / annual if annual > 0 else 1 / 12 for m in monthly),
        annual_ghi_kwh_m2=float((data.cell(index)[0] * MONTH_DAYS).sum()),
        cell_distance_km=km,
        source=f"{SOURCE}; data {data.version}",
        quality=quality,
    )


def _check_period(period_start: date, period_end: date) -> None:
    if period_end < period_start:
        raise ValueError(f"the period ends ({period_end}) before it starts ({period_start})")


def _month_spans(period_start: date, period_end: date) -> list[tuple[int, int]]:
    """(calendar month, days of the period in it), in order, for an inclusive period."""
    spans: list[tuple[int, int]] = []
    day = period_start
    while day <= period_end:
        next_month = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        last = min(period_end, next_month - timedelta(days=1))
        spans.append((day.month, (last - day).days + 1))
        day = next_month
    return spans


def _days_in_month(year: int, month: int) -> int:
    nxt = date(year + month // 12, month % 12 + 1, 1)
    return (nxt - date(year, month, 1)).days


def expected_generation(climate: SiteClimate, capacity_kwp: float, period_start: date, period_end: date) -> float:
    """Expected kWh from ``capacity_kwp`` over the inclusive period: each day takes its calendar month's
    climatological daily yield, so partial months count by their days."""
    _check_period(period_start, period_end)
    if not (math.isfinite(capacity_kwp) and capacity_kwp >= 0):
        raise ValueError("capacity_kwp must be a finite, non-negative number")
    per_kwp = sum(days * climate.daily_kwh_per_kwp(month) for month, days in _month_spans(period_start, period_end))
    return capacity_kwp * per_kwp


def period_factor(period_days: float, annual_factor: float = ANNUAL_CEILING_FACTOR) -> float:
    """The ceiling multiple for a period: ``annual_factor`` for a year or more, more for shorter periods,
    whose weather varies more (sd_year·√(12/n) for n months, 3 sd above the annual allowance)."""
    if period_days >= 365:
        return annual_factor
    months = max(period_days, 1.0) / (365.25 / 12)
    extra = VARIABILITY_Z * SIGMA_YEAR * (math.sqrt(12.0 / months) - 1.0)
    return min(annual_factor + extra, MAX_PERIOD_FACTOR)


def yield_ceiling(
    climate: SiteClimate, period_start: date, period_end: date, *, factor: float = ANNUAL_CEILING_FACTOR
) -> float:
    """The most kWh per kWp an honest, well-oriented system should deliver over the inclusive period:
    :func:`period_factor` x the climatological expectation, each month counted at no less than
    ``MONTH_FLOOR_SHARE`` of the annual yield."""
    _check_period(period_start, period_end)
    floor_daily = MONTH_FLOOR_SHARE * climate.annual_kwh_per_kwp / (365.25 / 12)
    spans = _month_spans(period_start, period_end)
    expected = sum(days * max(climate.daily_kwh_per_kwp(month), floor_daily) for month, days in spans)
    return period_factor(sum(days for _, days in spans), factor) * expected


def monthly_bounds(
    climate: SiteClimate, *, factor: float = ANNUAL_CEILING_FACTOR, year: int | None = None
) -> list[tuple[float, float]]:
    """(low, high) kWh per kWp for each full calendar month, January first.

    High is the single-month ceiling (:func:`yield_ceiling` over that month); low is ``LOW_FACTOR`` of the
    expectation, a level worth a verifier's look rather than a rejection. ``year`` sets February's length
    (28.25 days when None)."""
    bounds = []
    for month in range(1, 13):
        days = _days_in_month(year, month) if year is not None else float(MONTH_DAYS[month - 1])
        expected = climate.daily_kwh_per_kwp(month) * days
        floor = MONTH_FLOOR_SHARE * climate.annual_kwh_per_kwp * days / (365.25 / 12)
        high = period_factor(days, factor) * max(expected, floor)
        bounds.append((LOW_FACTOR * expected, high))
    return bounds


def flatness(monthly_values: Sequence[float], climate: SiteClimate, *, months: Sequence[int] | None = None) -> Flatness:
    """Flatness of outputs for whole calendar months (``months``: their numbers 1-12, default January
    onwards). See :func:`flatness_over_periods` for the test itself."""
    values = [float(v) for v in monthly_values]
    month_numbers = list(months) if months is not None else [(i % 12) + 1 for i in range(len(values))]
    if len(month_numbers) != len(values):
        raise ValueError("months and monthly_values differ in length")
    if any(not 1 <= m <= 12 for m in month_numbers):
        raise ValueError("months are numbered 1..12")
    expected = [climate.monthly_kwh_per_kwp[m - 1] for m in month_numbers]
    days = [float(MONTH_DAYS[m - 1]) for m in month_numbers]
    return _flatness(values, expected, days)


def flatness_over_periods(items: Sequence[tuple[date, date, float]], climate: SiteClimate) -> Flatness:
    """Flatness of outputs over arbitrary inclusive periods (evidence items: start, end, kWh)."""
    values, expected, days = [], [], []
    for start, end, value in items:
        values.append(float(value))
        expected.append(expected_generation(climate, 1.0, start, end))
        days.append(float((end - start).days + 1))
    return _flatness(values, expected, days)


def _flatness(values: list[float], expected: list[float], days: list[float]) -> Flatness:
    """Identical values (3 or more, any site) are flagged outright. Otherwise the spread (standard
    deviation) of log per-day output is compared with the spread the climatology expects for the same
    periods: honest data keeps most of the seasonal swing (weather adds to it), a flat or evenly split
    series keeps none. Sites and periods whose expected swing is small (equatorial sites, a few summer
    months) are never flagged on spread alone."""
    if any(not math.isfinite(v) for v in values):
        raise ValueError("values must be finite numbers")
    n = len(values)
    positive = [v for v in values if v > 0]
    identical = n >= 3 and len(positive) == n and (max(values) - min(values)) <= IDENTICAL_RTOL * max(values)
    usable = [(v / d, e / d) for v, e, d in zip(values, expected, days, strict=True) if v > 0 and e > 0]
    if len(usable) < 3:
        detail = "identical values" if identical else "fewer than 3 positive values: spread not assessed"
        return Flatness(identical, identical, 1.0 if not identical else 0.0, 0.0, 0.0, detail)
    obs = np.log([u[0] for u in usable])
    exp = np.log([u[1] for u in usable])
    observed, expected_spread = float(np.std(obs)), float(np.std(exp))
    score = observed / expected_spread if expected_spread > 0 else 1.0
    flat = expected_spread >= FLAT_MIN_SEASONALITY and score < FLAT_RATIO
    if identical:
        detail = f"{n} identical values"
    elif flat:
        detail = (
            f"per-day output varies by {observed:.2f} (log s.d.) where the site's climate varies by "
            f"{expected_spread:.2f}: implausibly flat"
        )
    else:
        detail = f"seasonal variation {score:.0%} of the climatological one"
    return Flatness(identical or flat, identical, score, expected_spread, observed, detail)
