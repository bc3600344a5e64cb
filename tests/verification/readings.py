"""Hourly PV meter readings for tests: the sun's path at the site, each day's weather, scaled to the
site's climatological month (``climatology``) x a performance factor. What an honest meter records."""

from datetime import UTC, date, datetime, timedelta

import numpy as np

from verification.engine import climatology
from verification.engine.series import sun_elevation_sin


def hourly_pv(
    latitude: float,
    longitude: float,
    kwp: float,
    first: date,
    last: date,
    *,
    seed: int = 1,
    performance: float = 0.92,
) -> list[tuple[datetime, datetime, float]]:
    """(start, end, kWh) for every UTC hour from ``first`` to ``last`` inclusive (local solar days are
    close enough for whole-month claims: nights sit at the edges)."""
    rng = np.random.default_rng(seed)
    climate = climatology.site_climate(latitude, longitude)
    start = datetime(first.year, first.month, first.day, tzinfo=UTC) - timedelta(hours=longitude / 15)
    hours = ((last - first).days + 1) * 24
    moments = np.array([(start + timedelta(hours=h, minutes=30)).timestamp() for h in range(hours)])
    shape = np.clip(sun_elevation_sin(latitude, longitude, moments), 0, None) ** 1.2
    weather = np.repeat(rng.uniform(0.35, 1.0, hours // 24), 24) * rng.normal(1, 0.08, hours).clip(0.6, 1.3)
    raw = shape * weather
    out = []
    day = first
    values = np.zeros(hours)
    while day <= last:
        nxt = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        end = min(nxt - timedelta(days=1), last)
        a, b = (day - first).days * 24, ((end - first).days + 1) * 24
        target = climatology.expected_generation(climate, kwp, day, end) * performance
        values[a:b] = raw[a:b] / raw[a:b].sum() * target
        day = end + timedelta(days=1)
    for h in range(hours):
        begin = start + timedelta(hours=h)
        out.append((begin, begin + timedelta(hours=1), round(float(values[h]), 3)))
    return out


def readings_body(meter_id: str, rows: list[tuple[datetime, datetime, float]]) -> dict:
    return {
        "meter_id": meter_id,
        "unit": "kWh",
        "readings": [{"start": a.isoformat(), "end": b.isoformat(), "value": f"{v:.3f}"} for a, b, v in rows],
    }
