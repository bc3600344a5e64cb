"""Checks on a site's metered readings (a solar claim with ``parameters.source = "readings"``).

Every check gives a reason code; the series is judged per meter, the claim on the sum of its meters:

``readings_night_generation``   generation while the sun is below the horizon at the site for the whole
                                interval and an hour either side (the hour absorbs clock and labelling
                                errors: hour-ending vs hour-beginning). reject above 1 % of the total,
                                else review.
``readings_above_clear_sky_max``  an interval above what the capacity can deliver: 1.25 kW per kWp
                                (cloud-edge enhancement, cold modules) for the hours the sun is up, or,
                                for intervals of a day or more, the clear-sky plane ceiling (``solar``).
                                reject.
``readings_flatline``           the same non-zero value for 6 or more consecutive sub-daily readings (5
                                daily, 3 longer): a frozen register or typed figures. review.
``readings_spike``              a rate above 5x the median of its 24 neighbours and above 0.3 kW/kWp.
                                review.
``readings_copied``             a stretch of 24 readings identical (to 1 Wh) to one stored earlier on
                                another meter or in another period, or repeated inside the period. reject.
``readings_copied_elsewhere``   the same stretch was stored later on another meter: someone may have
                                copied these (or this is the copy). review.
``readings_gap``                a meter's readings cover under 90 % of the claim period. review; smaller
                                gaps are listed as info (missing energy is simply not credited).
``readings_overlap``            intervals of one meter overlap (timestamps out of order): energy would
                                count twice. reject (the import refuses them too; this guards replays).
``readings_total_mismatch``     the declared generation is more than 2 % above the readings. reject.

Time is absolute (readings carry UTC offsets); the claim period's days are taken in local mean solar time
at the site's longitude (UTC + longitude/15 h), and a reading belongs to the period when its midpoint does.
"""

import math
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import numpy as np

from verification.engine import solar
from verification.engine.types import ClaimInput, EvidenceInput, ReadingPoint

NIGHT_MARGIN = timedelta(hours=1)
NIGHT_CHECK_MAX = timedelta(hours=6)  # longer intervals always hold some daylight outside polar night
NIGHT_TOLERANCE_KWH_PER_KWP_HOUR = 0.002  # meter noise / inverter wake-up
NIGHT_REJECT_SHARE = 0.01
PEAK_KW_PER_KWP = 1.25  # ASSUMPTION: cloud-edge enhancement and cold modules, never above ~1.2 in practice
FLATLINE_RUN = {"subdaily": 6, "daily": 5, "longer": 3}
SPIKE_RATIO = 5.0
SPIKE_NEIGHBOURS = 24
SPIKE_MIN_KW_PER_KWP = 0.3
GAP_REVIEW_COVERAGE = 0.9
TOTAL_TOLERANCE = Decimal("0.02")
SAMPLE_MINUTES = 10


def local_offset(longitude: float) -> timedelta:
    return timedelta(hours=longitude / 15.0)


def claim_window(period_start: date, period_end: date, longitude: float) -> tuple[datetime, datetime]:
    """The claim period as absolute instants: local mean solar midnight to midnight at the longitude."""
    offset = local_offset(longitude)
    first = datetime(period_start.year, period_start.month, period_start.day, tzinfo=UTC) - offset
    last = datetime(period_end.year, period_end.month, period_end.day, tzinfo=UTC) + timedelta(days=1) - offset
    return first, last


def in_window(point: ReadingPoint, first: datetime, last: datetime) -> bool:
    midpoint = point.start + (point.end - point.start) / 2
    return first <= midpoint < last


def sun_elevation_sin(latitude: float, longitude: float, moments: np.ndarray) -> np.ndarray:
    """sin(solar elevation) at UTC instants given as POSIX seconds (Spencer 1971 declination and
    equation of time; good to a fraction of a degree, plenty for day and night)."""
    seconds = np.asarray(moments, dtype=float)
    year_start = seconds.astype("datetime64[s]").astype("datetime64[Y]").astype("datetime64[s]").astype(float)
    doy = (seconds - year_start) / 86400.0 + 1.0
    g = 2 * np.pi * (np.floor(doy) - 1) / 365.0
    delta = solar.declination_spencer(np.floor(doy))
    eot_min = 229.18 * (
        0.000075 + 0.001868 * np.cos(g) - 0.032077 * np.sin(g) - 0.014615 * np.cos(2 * g) - 0.040849 * np.sin(2 * g)
    )
    utc_hours = (doy % 1.0) * 24.0
    solar_time = utc_hours + longitude / 15.0 + eot_min / 60.0
    hour_angle = np.radians(15.0 * (solar_time - 12.0))
    phi = math.radians(latitude)
    return math.sin(phi) * np.sin(delta) + math.cos(phi) * np.cos(delta) * np.cos(hour_angle)


class SunClock:
    """Daylight over a span of time at one place, on a 10-minute grid: hours of sun between two instants
    in constant time (a cumulative sum), so a year of hourly readings costs one vectorised pass."""

    def __init__(self, latitude: float, longitude: float, first: datetime, last: datetime) -> None:
        step = SAMPLE_MINUTES * 60
        self.origin = first.timestamp() - 2 * 3600
        count = int((last.timestamp() + 2 * 3600 - self.origin) // step) + 2
        moments = self.origin + (np.arange(count) + 0.5) * step
        up = sun_elevation_sin(latitude, longitude, moments) > math.sin(math.radians(-0.83))
        self.cumulative = np.concatenate([[0], np.cumsum(up)])
        self.step = step

    def _index(self, moment: datetime) -> int:
        index = round((moment.timestamp() - self.origin) / self.step)
        return min(max(index, 0), len(self.cumulative) - 1)

    def sun_hours(self, start: datetime, end: datetime) -> float:
        samples = self.cumulative[self._index(end)] - self.cumulative[self._index(start)]
        return float(samples) * self.step / 3600.0


def _kind(duration: timedelta) -> str:
    if duration < timedelta(days=1):
        return "subdaily"
    if duration <= timedelta(days=1, hours=1):
        return "daily"
    return "longer"


def monthly_totals(claim: ClaimInput, points: list[ReadingPoint], longitude: float) -> list[EvidenceInput]:
    """Calendar-month totals (local solar time) of the readings, for months the readings cover at
    least 95 % of (per meter, then summed): what the climatology rules and the model see."""
    offset = local_offset(longitude)
    per_month: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    covered: dict[tuple[str, int, int], float] = defaultdict(float)
    for point in points:
        local = point.start + (point.end - point.start) / 2 + offset
        key = (local.year, local.month)
        per_month[key] += point.kwh
        covered[(point.meter, *key)] += (point.end - point.start).total_seconds()
    meters = sorted({point.meter for point in points})
    items = []
    for year, month in sorted(per_month):
        first = date(year, month, 1)
        nxt = date(year + month // 12, month % 12 + 1, 1)
        first, last = max(first, claim.period_start), min(nxt - timedelta(days=1), claim.period_end)
        seconds = ((last - first).days + 1) * 86400
        if all(covered[(meter, year, month)] >= 0.95 * seconds for meter in meters):
            items.append(
                EvidenceInput("meter_reading", first, last, per_month[(year, month)], "kWh", f"readings-{year}-{month}")
            )
    return items


def evaluate_readings(claim: ClaimInput, out, *, capacity_kwp: float) -> None:
    """Add the series checks to ``out`` (a ``rules.RuleOutcome``)."""
    readings = claim.readings
    if readings is None:
        return
    latitude, longitude = claim.latitude, claim.longitude
    points = sorted(readings.points, key=lambda p: (p.meter, p.start))
    total = readings.total_kwh
    out.metrics["readings_count"] = float(len(points))
    if readings.declared_kwh is not None and readings.declared_kwh > total * (1 + TOTAL_TOLERANCE):
        out.add(
            "readings_total_mismatch",
            "reject",
            f"The declared generation {readings.declared_kwh.normalize():f} kWh is above the {total.normalize():f} "
            "kWh the site's readings add up to for the period.",
        )
    if readings.copied_from:
        out.add(
            "readings_copied",
            "reject",
            "Stretches of these readings repeat values stored before (another meter, another period, or twice in "
            f"this one): {'; '.join(readings.copied_from[:5])}.",
        )
    if readings.copied_to:
        out.add(
            "readings_copied_elsewhere",
            "review",
            f"Stretches of these readings were later stored again elsewhere: {'; '.join(readings.copied_to[:5])}.",
        )
    if latitude is None or longitude is None or not points:
        return
    by_meter: dict[str, list[ReadingPoint]] = defaultdict(list)
    for point in points:
        by_meter[point.meter].append(point)
    night_kwh, night_items, above, flat, spikes, overlaps = Decimal(0), [], [], [], [], []
    first, last = claim_window(claim.period_start, claim.period_end, longitude)
    window_hours = (last - first).total_seconds() / 3600
    gaps = []
    clock = SunClock(latitude, longitude, min(p.start for p in points), max(p.end for p in points))
    for meter, series in by_meter.items():
        covered = 0.0
        previous_end = None
        run_value, run_length, run_start = None, 0, None
        rates = [float(p.kwh) / max((p.end - p.start).total_seconds() / 3600, 1e-9) for p in series]
        for index, point in enumerate(series):
            hours = (point.end - point.start).total_seconds() / 3600
            covered += hours
            if previous_end is not None and point.start < previous_end:
                overlaps.append(f"{meter} {point.start.isoformat()}")
            if previous_end is not None and point.start - previous_end > timedelta(days=1):
                gaps.append(f"{meter} {previous_end.isoformat()}..{point.start.isoformat()}")
            previous_end = max(previous_end, point.end) if previous_end else point.end
            kwh = float(point.kwh)
            duration = point.end - point.start
            noticeable = kwh > NIGHT_TOLERANCE_KWH_PER_KWP_HOUR * capacity_kwp * max(hours, 1)
            if (
                duration <= NIGHT_CHECK_MAX
                and noticeable
                and clock.sun_hours(point.start - NIGHT_MARGIN, point.end + NIGHT_MARGIN) == 0
            ):
                night_kwh += point.kwh
                night_items.append(f"{meter} {point.start.isoformat()} {kwh:g} kWh")
            if duration <= timedelta(days=1, hours=1):
                sun = clock.sun_hours(point.start - NIGHT_MARGIN, point.end + NIGHT_MARGIN)
                bound = capacity_kwp * PEAK_KW_PER_KWP * min(hours, sun)
            else:
                offset = local_offset(longitude)
                bound = capacity_kwp * solar.physical_ceiling_kwh_per_kwp(
                    latitude, (point.start + offset).date(), (point.end + offset - timedelta(seconds=1)).date()
                )
            if kwh > bound + 1e-9 and not (bound == 0 and night_items and night_items[-1].startswith(meter)):
                above.append(f"{meter} {point.start.isoformat()} {kwh:g} > {bound:.2f} kWh")
            if kwh > 0 and run_value == point.kwh:
                run_length += 1
            else:
                if run_value and run_length >= FLATLINE_RUN[_kind(duration)]:
                    flat.append(f"{meter} from {run_start} x{run_length}")
                run_value, run_length, run_start = point.kwh, 1, point.start.isoformat()
            neighbours = [r for r in rates[max(0, index - SPIKE_NEIGHBOURS // 2) : index + SPIKE_NEIGHBOURS // 2 + 1]]
            positive = sorted(r for j, r in enumerate(neighbours) if r > 0)
            if positive and duration < timedelta(days=1):
                median = positive[len(positive) // 2]
                if rates[index] > SPIKE_RATIO * median and rates[index] > SPIKE_MIN_KW_PER_KWP * capacity_kwp:
                    spikes.append(f"{meter} {point.start.isoformat()} {kwh:g} kWh")
        if run_value and series and run_length >= FLATLINE_RUN[_kind(series[-1].end - series[-1].start)]:
            flat.append(f"{meter} from {run_start} x{run_length}")
        coverage = covered / window_hours if window_hours else 1.0
        out.metrics[f"readings_coverage:{meter}"] = coverage
        if coverage < GAP_REVIEW_COVERAGE:
            out.add(
                "readings_gap",
                "review",
                f"Meter {meter}'s readings cover {coverage:.0%} of the claim period: a verifier checks the rest.",
            )
    if gaps:
        out.add("readings_gaps_listed", "info", f"Gaps over a day (not credited): {'; '.join(gaps[:5])}.")
    if night_items:
        severity = "reject" if night_kwh > Decimal(str(NIGHT_REJECT_SHARE)) * total else "review"
        out.add(
            "readings_night_generation",
            severity,
            f"Generation while the sun is down at the site ({len(night_items)} interval(s), {night_kwh:f} kWh): "
            + "; ".join(night_items[:5])
            + ".",
        )
    if above:
        out.add(
            "readings_above_clear_sky_max",
            "reject",
            f"Intervals above what {capacity_kwp:g} kWp can deliver: " + "; ".join(above[:5]) + ".",
        )
    if overlaps:
        out.add("readings_overlap", "reject", f"Overlapping intervals: {'; '.join(overlaps[:5])}.")
    if flat:
        out.add("readings_flatline", "review", f"The same value repeated: {'; '.join(flat[:5])}.")
    if spikes:
        out.add("readings_spike", "review", f"Spikes far above the neighbouring readings: {'; '.join(spikes[:5])}.")
