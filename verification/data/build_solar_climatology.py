"""Build ``solar_climatology.npz``: monthly solar resource on a 0.5° land grid, offline, once.

Not imported by the project. Run it in a throw-away environment with the pinned build inputs::

    python -m venv /tmp/climbuild
    /tmp/climbuild/bin/pip install numpy==2.3.5 pandas==3.1.1 gsee-climate-data==1.0.0
    /tmp/climbuild/bin/pip install --no-deps pvcz==0.3.0
    /tmp/climbuild/bin/python verification/data/build_solar_climatology.py

Inputs (both from PyPI; sources and licences in ``verification/data/SOLAR_CLIMATOLOGY.md``):

* ``pvcz`` 0.3.0 (Karin et al. 2019, MIT): long-term (2010-2019) mean global horizontal irradiance
  (``GHI_mean``, kWh/m²/day) and mean air temperature (``T_ambient_mean``, °C) for every land cell of
  NASA GLDAS-2.1 Noah at 0.25°.
* ``gsee-climate-data`` 1.0.0 (Pfenninger & Staffell, BSD-3 code; NASA MERRA-2 data): per 3° land cell
  and calendar month, the distribution (128-bin histogram) of daily mean GHI, 2011-2015.

What it computes for each 0.5° cell that holds GLDAS land:

1. the annual mean GHI: the mean of the GLDAS 0.25° land cells inside it (the fine-grained level);
2. the monthly shape: MERRA-2 monthly mean GHI, bilinearly interpolated between the valid 3° cells
   around the cell centre, scaled so that its annual mean equals the GLDAS value (MERRA-2 alone reads
   10-20 % high in cloudy mid-latitudes; GLDAS sets the level, MERRA-2 only the seasonal shape);
3. the monthly diffuse fraction: for every histogram bin (one kind of day) the daily clearness index
   K = H / H0 on the month's average day (Klein 1977) and the Erbs, Klein & Duffie (1982) daily diffuse
   fraction, weighted by the bin's energy: cloudy and clear days are split separately, as they should be;
4. the mean air temperature (mean of the GLDAS land cells).

The PV model itself (transposition to the module plane, temperature and system losses) runs at
run time in ``verification/engine/climatology.py``, so that tilt and azimuth can be the site's own.
"""

import json
import sys
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent / "solar_climatology.npz"
STEP = 0.5  # output grid, degrees
FINE = 0.25  # GLDAS grid
SOLAR_CONSTANT = 1361.0  # W/m² (Kopp & Lean 2011)
# Klein (1977) average day of each month (day of year, non-leap year).
AVERAGE_DAY = np.array([17, 47, 75, 105, 135, 162, 198, 228, 258, 288, 318, 344], dtype=float)


def declination(doy: np.ndarray) -> np.ndarray:
    """Cooper (1969) declination, radians."""
    return np.radians(23.45) * np.sin(2 * np.pi * (284 + doy) / 365)


def extraterrestrial_daily_mean(lat_deg: np.ndarray, doy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean extraterrestrial irradiance on a horizontal plane over the 24 h of the day (W/m²) and the
    sunset hour angle (radians); arrays broadcast."""
    phi = np.radians(lat_deg)
    delta = declination(doy)
    cos_ws = np.clip(-np.tan(phi) * np.tan(delta), -1.0, 1.0)
    ws = np.arccos(cos_ws)
    e0 = 1 + 0.033 * np.cos(2 * np.pi * doy / 365)
    h0 = SOLAR_CONSTANT * e0 / np.pi * (np.cos(phi) * np.cos(delta) * np.sin(ws) + ws * np.sin(phi) * np.sin(delta))
    return np.maximum(h0, 0.0), ws


def erbs_daily_diffuse_fraction(kt: np.ndarray, ws: np.ndarray) -> np.ndarray:
    """Erbs, Klein & Duffie (1982) daily diffuse fraction, by clearness index and sunset hour angle."""
    low_sun = np.where(
        kt < 0.715,
        1.0 - 0.2727 * kt + 2.4495 * kt**2 - 11.9514 * kt**3 + 9.3879 * kt**4,
        0.143,
    )
    high_sun = np.where(kt < 0.722, 1.0 + 0.2832 * kt - 2.5557 * kt**2 + 0.8448 * kt**3, 0.175)
    return np.clip(np.where(ws <= np.radians(81.4), low_sun, high_sun), 0.05, 1.0)


def gldas_cells() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    import pvcz

    frame = pvcz.get_pvcz_data()
    return (
        frame["lat"].to_numpy(float),
        frame["lon"].to_numpy(float),
        frame["GHI_mean"].to_numpy(float),
        frame["T_ambient_mean"].to_numpy(float),
    )


def aggregate(lat: np.ndarray, lon: np.ndarray, ghi: np.ndarray, temp: np.ndarray) -> dict[str, np.ndarray]:
    """GLDAS 0.25° land cells → 0.5° cells (mean of the land quarter-cells present)."""
    rows = np.floor((lat + 90) / STEP).astype(int)
    cols = np.floor(((lon + 180) % 360) / STEP).astype(int) % int(360 / STEP)
    key = rows * int(360 / STEP) + cols
    unique, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    ghi_sum = np.bincount(inverse, weights=ghi)
    temp_sum = np.bincount(inverse, weights=temp)
    return {
        "row": (unique // int(360 / STEP)).astype(np.int32),
        "col": (unique % int(360 / STEP)).astype(np.int32),
        "ghi_annual": ghi_sum / counts,  # kWh/m²/day
        "t_mean": temp_sum / counts,
        "fine_cells": counts,
    }


class Merra:
    """MERRA-2 3° monthly daily-GHI histograms, interpolated to any point."""

    def __init__(self) -> None:
        import gsee_climate_data

        data = gsee_climate_data.load()
        self.xk = np.maximum(np.nan_to_num(data["xk"].astype(np.float64)), 0.0)
        pk = np.nan_to_num(data["pk"].astype(np.float64))
        pk = np.where(pk > 0, pk, 0.0)
        self.lat, self.lon = data["lat"].astype(float), data["lon"].astype(float)
        total = pk.sum(axis=-1)  # (lat, lon, month)
        self.valid = (total > 0).all(axis=-1)
        safe = np.where(total > 0, total, 1.0)
        self.mean = np.where(total > 0, (pk * self.xk).sum(axis=-1) / safe, 0.0)
        self.p = np.where(total[..., None] > 0, pk / safe[..., None], 0.0)

    def at(self, cell_lat: np.ndarray, cell_lon: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Monthly mean GHI (n, 12) in W/m² and the histogram bins x, p (n, 12, 128), bilinear between
        the valid 3° cells around each point; the nearest valid cell where none is valid."""
        step = 3.0
        n = cell_lat.size
        monthly = np.zeros((n, 12))
        bins_x = np.zeros((n, 12, self.xk.shape[-1]))
        bins_p = np.zeros_like(bins_x)
        fi = np.clip((cell_lat - self.lat[0]) / step, 0, self.lat.size - 1)
        fj = ((cell_lon - self.lon[0]) / step) % self.lon.size
        i0, j0 = np.floor(fi).astype(int), np.floor(fj).astype(int)
        di, dj = fi - i0, fj - j0
        weight_sum = np.zeros(n)
        for a, wa in ((0, 1 - di), (1, di)):
            for b, wb in ((0, 1 - dj), (1, dj)):
                ii = np.clip(i0 + a, 0, self.lat.size - 1)
                jj = (j0 + b) % self.lon.size
                w = wa * wb * self.valid[ii, jj]
                weight_sum += w
                monthly += w[:, None] * self.mean[ii, jj]
                bins_x += w[:, None, None] * self.xk[ii, jj]
                bins_p += w[:, None, None] * self.p[ii, jj]
        missing = np.nonzero(weight_sum <= 1e-9)[0]
        if missing.size:
            vi, vj = np.nonzero(self.valid)
            for k in missing:
                dlon = (self.lon[vj] - cell_lon[k] + 180) % 360 - 180
                d2 = (self.lat[vi] - cell_lat[k]) ** 2 + (dlon * np.cos(np.radians(cell_lat[k]))) ** 2
                m = int(np.argmin(d2))
                monthly[k], bins_x[k], bins_p[k] = self.mean[vi[m], vj[m]], self.xk[vi[m], vj[m]], self.p[vi[m], vj[m]]
                weight_sum[k] = 1.0
        return monthly / weight_sum[:, None], bins_x / weight_sum[:, None, None], bins_p / weight_sum[:, None, None]


DAYS = np.array([31, 28.25, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def monthly_resource(
    merra: Merra, cell_lat: np.ndarray, cell_lon: np.ndarray, ghi_annual: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Monthly mean GHI (kWh/m²/day) and diffuse fraction for a chunk of cells."""
    merra_mean, bins_x, bins_p = merra.at(cell_lat, cell_lon)
    merra_annual = (merra_mean * DAYS).sum(axis=1) / DAYS.sum()  # W/m²
    target_annual = ghi_annual * 1000 / 24  # kWh/m²/day → W/m²
    h0, ws = extraterrestrial_daily_mean(cell_lat[:, None], AVERAGE_DAY[None, :])
    shape = np.where(merra_annual[:, None] > 0, merra_mean / np.maximum(merra_annual[:, None], 1e-9), 1.0)
    monthly = shape * target_annual[:, None]
    # Physics guard: a month's mean GHI cannot exceed ~80 % of the extraterrestrial (clear, dry air).
    monthly = np.minimum(monthly, 0.8 * h0)
    scale = np.where(merra_mean > 0, monthly / np.maximum(merra_mean, 1e-9), 0.0)
    day_ghi = bins_x * scale[..., None]
    kt = np.clip(np.where(h0[..., None] > 0, day_ghi / np.maximum(h0[..., None], 1e-9), 0.0), 0.0, 0.85)
    fd = erbs_daily_diffuse_fraction(kt, ws[..., None])
    energy = bins_p * day_ghi
    total = energy.sum(axis=-1)
    diffuse = np.where(total > 0, (energy * fd).sum(axis=-1) / np.where(total > 0, total, 1.0), 1.0)
    return monthly * 24 / 1000, diffuse


def main() -> None:
    lat, lon, ghi, temp = gldas_cells()
    cells = aggregate(lat, lon, ghi, temp)
    cell_lat = -90 + (cells["row"] + 0.5) * STEP
    cell_lon = -180 + (cells["col"] + 0.5) * STEP
    merra = Merra()
    n = cell_lat.size
    monthly_kwh_day = np.zeros((n, 12))
    diffuse_fraction = np.zeros((n, 12))
    for start in range(0, n, 4000):
        part = slice(start, min(n, start + 4000))
        monthly_kwh_day[part], diffuse_fraction[part] = monthly_resource(
            merra, cell_lat[part], cell_lon[part], cells["ghi_annual"][part]
        )
    grid = np.full((int(180 / STEP), int(360 / STEP)), -1, dtype=np.int32)
    grid[cells["row"], cells["col"]] = np.arange(cells["row"].size, dtype=np.int32)
    meta = {
        "version": "solar-climatology-1",
        "grid_step_deg": STEP,
        "grid_origin": [-90.0, -180.0],
        "ghi_units": "Wh/m2/day, monthly mean of daily totals",
        "diffuse_fraction_scale": 250,
        "t_mean_units": "0.1 degC",
        "annual_level": "NASA GLDAS-2.1 Noah 0.25 deg, 2010-2019 mean GHI, via pvcz 0.3.0 (MIT)",
        "monthly_shape": "NASA MERRA-2 2011-2015 monthly daily-GHI histograms, 3 deg, via gsee-climate-data 1.0.0",
        "diffuse_model": "Erbs, Klein & Duffie (1982) daily correlation per histogram bin",
        "python": sys.version.split()[0],
        "numpy": np.__version__,
    }
    np.savez_compressed(
        OUT,
        grid=grid,
        ghi=np.round(monthly_kwh_day * 1000).astype(np.uint16),
        diffuse=np.round(np.clip(diffuse_fraction, 0, 1) * 250).astype(np.uint8),
        t_mean=np.round(cells["t_mean"] * 10).astype(np.int16),
        meta=np.array(json.dumps(meta, sort_keys=True)),
    )
    print(f"{OUT.name}: {cells['row'].size} land cells, {OUT.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
