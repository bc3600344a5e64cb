"""Writes of sites: register, change, and the verifiers' approve / reject.

A site's coordinates must fall inside its declared country (``sites.boundaries``, offline Natural Earth
boundaries with a 10 km tolerance): 400 ``coordinates_outside_country`` otherwise. A new site within
:data:`PROXIMITY_METRES` of any existing site (any organisation's, the same one's too) or sharing a meter
id with one is ``under_review``; so is a site whose capacity, meters or location change. Registrations
and changes run one at a time (a transaction-level advisory lock), so two racing registrations of one
roof cannot both miss each other.

Lock order: the registration lock, then the site row. Claims lock the organisation, then the site row,
and never take the registration lock.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from accounts.models import Organization, User
from accounts.services import organization_check_not_suspended
from core.db import advisory_xact_lock, atomic_with_retry
from core.ids import is_id
from core.references import compact_key
from sites import boundaries
from sites.errors import (
    CoordinatesOutsideCountryError,
    ReadingsRejectedError,
    SiteNotFoundError,
    SiteNotPendingError,
    SiteSelfReviewError,
    TooManyReadingsError,
)
from sites.models import Meter, Reading, Site
from sites.readings import MAX_INTERVAL, MAX_ROWS, READING_WINDOW, ParsedRow, RowReject, parse_row, window_digests

# Two sites closer than this are taken for one roof until a verifier says otherwise (about the size
# of one commercial rooftop; a GPS fix from a phone is good to 5-10 m).
PROXIMITY_METRES = 50
EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)
METRES_PER_DEGREE_LATITUDE = 111_132.0  # the shortest degree of latitude is ~110,574 m: this errs wide
REGISTRATION_LOCK = "sites.registration"
MAX_METERS = 20


@dataclass(frozen=True)
class ReviewReason:
    code: str
    detail: str

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "detail": self.detail}


MIN_METER_DIGITS = 6  # shorter digit runs ("Meter 2") say too little to match meters on


def meter_key(*, country: str, meter_id: str) -> str:
    """The comparable id of a meter: its country and its letters and digits, case-folded (``MPAN 12-0002``
    ≡ ``mpan120002``). Meter numbering is national, so the country is part of the key."""
    return f"{str(country).upper()}:{compact_key(meter_id)}"


def meter_digits(*, country: str, meter_id: str) -> str:
    """The meter's digits alone, without leading zeros (``MPAN 01200023305967`` ≡ ``1200023305967``), or
    ``""`` for fewer than :data:`MIN_METER_DIGITS` digits."""
    digits = "".join(ch for ch in meter_id if ch.isdigit()).lstrip("0")
    return f"{str(country).upper()}:{digits}" if len(digits) >= MIN_METER_DIGITS else ""


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine, spherical Earth: good to ~0.5 % here)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def sites_near(
    *, latitude: Decimal, longitude: Decimal, metres: float = PROXIMITY_METRES, exclude_id: int | None = None
) -> list[tuple[Site, float]]:
    """Sites within ``metres`` of a point, nearest first, with their distance: a bounding box the
    ``site_position`` index serves, then the exact haversine distance of the few rows inside it."""
    lat, lon = float(latitude), float(longitude)
    dlat = metres / METRES_PER_DEGREE_LATITUDE
    cos_lat = max(math.cos(math.radians(min(abs(lat) + dlat, 90.0))), 1e-6)
    dlon = min(metres / (METRES_PER_DEGREE_LATITUDE * cos_lat), 180.0)
    box = Site.objects.filter(
        latitude__gte=Decimal(str(round(lat - dlat, 6))), latitude__lte=Decimal(str(round(lat + dlat, 6)))
    )
    low, high = lon - dlon, lon + dlon
    if low < -180 or high > 180:  # the box wraps around the antimeridian
        wrapped_low, wrapped_high = (low + 360, 180.0) if low < -180 else (-180.0, high - 360)
        box = box.filter(
            Q(
                longitude__gte=Decimal(str(round(max(low, -180), 6))),
                longitude__lte=Decimal(str(round(min(high, 180), 6))),
            )
            | Q(longitude__gte=Decimal(str(round(wrapped_low, 6))), longitude__lte=Decimal(str(round(wrapped_high, 6))))
        )
    else:
        box = box.filter(longitude__gte=Decimal(str(round(low, 6))), longitude__lte=Decimal(str(round(high, 6))))
    if exclude_id is not None:
        box = box.exclude(pk=exclude_id)
    found = [(site, haversine_m(lat, lon, float(site.latitude), float(site.longitude))) for site in box]
    return sorted(((site, d) for site, d in found if d <= metres), key=lambda pair: pair[1])


def _check_location(*, country: str, latitude: Decimal, longitude: Decimal) -> None:
    try:
        inside = boundaries.within_country(latitude, longitude, country)
    except ValueError as error:
        raise ValidationError({"country": [str(error)]}) from error
    if not inside:
        found = boundaries.country_at(latitude, longitude)
        where = f"in {found}" if found else "at sea or in no country"
        raise CoordinatesOutsideCountryError(
            f"The coordinates {latitude}, {longitude} are {where}, not in {country} "
            f"(Natural Earth 1:10m boundaries, {boundaries.DEFAULT_TOLERANCE_KM:g} km tolerance).",
            errors={
                "latitude": ["Not inside the declared country."],
                "longitude": ["Not inside the declared country."],
            },
        )


def _meter_keys(*, country: str, meter_ids: Iterable[str]) -> dict[str, str]:
    """``{key: meter_id}``; a meter named twice (however typed) is a 400."""
    keys: dict[str, str] = {}
    errors = []
    for meter_id in meter_ids:
        cleaned = meter_id.strip()
        if not compact_key(cleaned):
            errors.append(f"{meter_id!r} has no letter or digit.")
            continue
        key = meter_key(country=country, meter_id=cleaned)
        if key in keys:
            errors.append(f"{meter_id!r} is the same meter as {keys[key]!r}.")
        keys[key] = cleaned
    if len(keys) > MAX_METERS:
        errors.append(f"At most {MAX_METERS} meters per site.")
    if errors:
        raise ValidationError({"meter_ids": errors})
    return keys


def _registration_reasons(
    *, latitude: Decimal, longitude: Decimal, keys: Iterable[str], exclude_id: int | None
) -> list[ReviewReason]:
    reasons = []
    near = sites_near(latitude=latitude, longitude=longitude, exclude_id=exclude_id)
    if near:
        listed = ", ".join(f"site {site.pk} at {distance:.0f} m" for site, distance in near[:10])
        reasons.append(
            ReviewReason(
                "site_near_existing",
                f"Within {PROXIMITY_METRES} m of {len(near)} registered site(s) ({listed}): one roof is registered "
                "once, whoever registers it. A verifier checks that this is a different site.",
            )
        )
    keys = list(keys)
    digits = [
        d for d in (meter_digits(country=key.split(":", 1)[0], meter_id=key.split(":", 1)[1]) for key in keys) if d
    ]
    shared = Meter.objects.filter(Q(key__in=keys) | Q(digits__in=digits), active=True)
    if exclude_id is not None:
        shared = shared.exclude(site_id=exclude_id)
    shared_rows = list(shared.values_list("meter_id", "site_id").order_by("site_id"))
    if shared_rows:
        listed = ", ".join(f"{meter} (site {site_id})" for meter, site_id in shared_rows[:10])
        reasons.append(
            ReviewReason(
                "meter_shared",
                f"Meter id(s) already registered on another site: {listed}. A meter's energy is counted once.",
            )
        )
    return reasons


@atomic_with_retry
def site_create(
    *,
    owner: Organization,
    name: str,
    country: str,
    latitude: Decimal,
    longitude: Decimal,
    address: str = "",
    meter_ids: list[str] | None = None,
    capacity_kw: Decimal | None = None,
) -> Site:
    """Register a site. 400 ``coordinates_outside_country`` when the point is not in ``country``; the
    site is ``under_review`` when it is near another site or shares a meter with one (reasons stored)."""
    organization_check_not_suspended(owner)
    country = str(country).upper()
    _check_location(country=country, latitude=latitude, longitude=longitude)
    keys = _meter_keys(country=country, meter_ids=meter_ids or [])
    advisory_xact_lock(REGISTRATION_LOCK)
    reasons = _registration_reasons(latitude=latitude, longitude=longitude, keys=keys, exclude_id=None)
    site = Site(
        owner=owner,
        name=name,
        country=country,
        latitude=latitude,
        longitude=longitude,
        address=address,
        capacity_kw=capacity_kw,
        status=Site.Status.UNDER_REVIEW if reasons else Site.Status.ACTIVE,
        review_reasons=[reason.as_json() for reason in reasons],
    )
    site.full_clean()
    site.save()
    _meters_add(site, keys)
    return site


def _meters_add(site: Site, keys: dict[str, str]) -> None:
    Meter.objects.bulk_create(
        Meter(site=site, meter_id=meter_id, key=key, digits=meter_digits(country=str(site.country), meter_id=meter_id))
        for key, meter_id in keys.items()
    )


def _lock_own(*, owner: Organization, site_id: Any) -> Site:
    site = Site.objects.select_for_update().filter(pk=site_id, owner=owner).first() if is_id(site_id) else None
    if site is None:
        raise SiteNotFoundError()
    return site


@atomic_with_retry
def site_update(*, owner: Organization, site_id: int, **changes: Any) -> Site:
    """Change a site (``name``, ``address``, ``capacity_kw``, ``meter_ids``, ``latitude``/``longitude``).
    A new capacity, meter set or location puts it ``under_review`` (with the same checks as a
    registration for a new location or new meters); a rejected site stays rejected."""
    organization_check_not_suspended(owner)
    advisory_xact_lock(REGISTRATION_LOCK)
    site = _lock_own(owner=owner, site_id=site_id)
    country = str(site.country)
    reasons: list[ReviewReason] = []
    for field in ("name", "address"):
        if field in changes:
            setattr(site, field, changes[field])
    if "capacity_kw" in changes and changes["capacity_kw"] != site.capacity_kw:
        reasons.append(
            ReviewReason(
                "capacity_changed", f"Capacity changed from {site.capacity_kw} to {changes['capacity_kw']} kW."
            )
        )
        site.capacity_kw = changes["capacity_kw"]
    latitude, longitude = changes.get("latitude", site.latitude), changes.get("longitude", site.longitude)
    moved = Decimal(latitude) != site.latitude or Decimal(longitude) != site.longitude
    current = {meter.key: meter for meter in site.meters.filter(active=True)}
    keys = _meter_keys(country=country, meter_ids=changes["meter_ids"]) if "meter_ids" in changes else None
    if moved:
        _check_location(country=country, latitude=latitude, longitude=longitude)
        reasons.append(
            ReviewReason(
                "location_changed", f"Moved from {site.latitude}, {site.longitude} to {latitude}, {longitude}."
            )
        )
        site.latitude, site.longitude = latitude, longitude
    meters_changed = keys is not None and set(keys) != set(current)
    if keys is not None and meters_changed:
        added = [key for key in keys if key not in current]
        removed = [meter for key, meter in current.items() if key not in keys]
        reasons.append(
            ReviewReason(
                "meters_changed",
                f"Meters changed: added {[keys[k] for k in added]}, removed {[m.meter_id for m in removed]}.",
            )
        )
        Meter.objects.filter(pk__in=[meter.pk for meter in removed]).update(active=False)
        _meters_add(site, {key: keys[key] for key in added})
    if moved or meters_changed:
        reasons += _registration_reasons(
            latitude=site.latitude, longitude=site.longitude, keys=keys if keys is not None else current,
            exclude_id=site.pk,
        )  # fmt: skip
    if reasons and site.status != Site.Status.REJECTED:
        site.status = Site.Status.UNDER_REVIEW
        site.review_reasons = [*site.review_reasons, *(reason.as_json() for reason in reasons)]
    site.updated_at = timezone.now()
    site.full_clean()
    site.save()
    return site


def _review_lock(*, site_id: Any, reviewer: User) -> Site:
    site = Site.objects.select_for_update().filter(pk=site_id).first() if is_id(site_id) else None
    if site is None:
        raise SiteNotFoundError()
    if site.owner_id == reviewer.organization_id:
        raise SiteSelfReviewError()
    if site.status != Site.Status.UNDER_REVIEW:
        raise SiteNotPendingError(f"The site is {site.status}: only a site under review can be decided.")
    return site


def _decide(site: Site, *, status: str, reviewer: User, note: str) -> Site:
    site.status, site.reviewed_by, site.review_note, site.reviewed_at = status, reviewer, note, timezone.now()
    if status == Site.Status.ACTIVE:
        site.review_reasons = []
    site.save(update_fields=["status", "reviewed_by", "review_note", "reviewed_at", "review_reasons"])
    return site


@atomic_with_retry
def site_approve(*, site_id: int, reviewer: User, note: str = "") -> Site:
    """A verifier clears a site under review: it is a distinct site, its meters its own. Claims waiting
    for review stay with the verifiers; new claims on it may be approved automatically again."""
    return _decide(_review_lock(site_id=site_id, reviewer=reviewer), status=Site.Status.ACTIVE, reviewer=reviewer,
                   note=note)  # fmt: skip


@atomic_with_retry
def site_reject(*, site_id: int, reviewer: User, note: str = "") -> Site:
    """A verifier rejects a site (a duplicate registration, a roof that is not the claimant's): claims
    on it are rejected at screening from now on."""
    return _decide(_review_lock(site_id=site_id, reviewer=reviewer), status=Site.Status.REJECTED, reviewer=reviewer,
                   note=note)  # fmt: skip


# --- Readings -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadingsImport:
    accepted: int
    duplicates: int
    rejected: list[RowReject]


def _window_digests_refresh(*, meter_id: int, first: Any, last: Any) -> None:
    """Recompute the copy-detection digests of the meter's readings whose window holds a reading that
    starts between ``first`` and ``last``: the window before, the new readings, and the window after."""
    before = list(Reading.objects.filter(meter_id=meter_id, start__lt=first).order_by("-start")[: READING_WINDOW - 1])[
        ::-1
    ]
    middle = list(Reading.objects.filter(meter_id=meter_id, start__gte=first, start__lte=last).order_by("start"))
    after = list(Reading.objects.filter(meter_id=meter_id, start__gt=last).order_by("start")[: READING_WINDOW - 1])
    series = before + middle + after
    digests = window_digests([reading.kwh for reading in series])
    changed = []
    for reading, digest in zip(series[len(before) :], digests[len(before) :], strict=True):
        if reading.window_digest != digest:
            reading.window_digest = digest
            changed.append(reading)
    Reading.objects.bulk_update(changed, ["window_digest"], batch_size=1000)


@atomic_with_retry
def readings_import(*, owner: Organization, site_id: Any, rows: list[dict[str, Any]]) -> ReadingsImport:
    """Store a site's metered readings: good rows are stored, bad rows reported (``sites.readings``),
    rows already stored counted as duplicates. Idempotent on (meter, start). Raises
    ``ReadingsRejectedError`` (400, nothing stored) when no row is good, ``TooManyReadingsError`` (413)
    above ``MAX_ROWS``. Imports of one site run one at a time (the site row is locked)."""
    organization_check_not_suspended(owner)
    if len(rows) > MAX_ROWS:
        raise TooManyReadingsError(f"At most {MAX_ROWS:,} readings per request; send the rest in another.")
    site = None
    if is_id(site_id):
        site = Site.objects.select_for_update(no_key=True).filter(pk=site_id, owner=owner).first()
    if site is None:
        raise SiteNotFoundError()
    country = str(site.country)
    meters = {m.key: m for m in Meter.objects.filter(site=site, active=True)}
    keys = {key: key for key in meters}
    now = timezone.now()
    parsed: list[ParsedRow] = []
    rejected: list[RowReject] = []
    for index, raw in enumerate(rows, start=1):
        if "columns" in raw:
            rejected.append(RowReject(index, "columns_invalid", f"{raw['columns']} columns: a row has meter_id, "
                                      "unit, start, end, value."))  # fmt: skip
            continue
        meter_id = raw.get("meter_id")
        raw = {**raw, "meter_key": meter_key(country=country, meter_id=str(meter_id)) if meter_id else ""}
        outcome = parse_row(index, raw, meters=keys, now=now)
        (rejected if isinstance(outcome, RowReject) else parsed).append(outcome)  # type: ignore[arg-type]
    accepted: list[ParsedRow] = []
    duplicates = 0
    for key in sorted({row.meter_key for row in parsed}):
        mine = sorted((row for row in parsed if row.meter_key == key), key=lambda r: (r.start, r.row))
        low, high = mine[0].start - MAX_INTERVAL, max(row.end for row in mine)
        stored = {
            reading.start: reading
            for reading in Reading.objects.filter(meter=meters[key], start__gte=low, start__lt=high).order_by("start")
        }
        taken: dict[Any, ParsedRow] = {}
        for row in mine:
            same = stored.get(row.start)
            if same is not None:
                if same.end == row.end and same.kwh == row.kwh:
                    duplicates += 1
                else:
                    rejected.append(RowReject(row.row, "conflicts_with_stored", "A reading of this meter at this "
                                              "start is stored with another end or value; readings are never "
                                              "overwritten."))  # fmt: skip
                continue
            earlier = taken.get(row.start)
            if earlier is not None:
                if earlier.end == row.end and earlier.kwh == row.kwh:
                    duplicates += 1
                else:
                    rejected.append(RowReject(row.row, "conflicts_with_row", f"Row {earlier.row} has this meter and "
                                              "start with another end or value."))  # fmt: skip
                continue
            others: list[Reading | ParsedRow] = [*stored.values(), *taken.values()]
            clash = next(
                (other for other in others if other.start < row.end and row.start < other.end),
                None,
            )
            if clash is not None:
                rejected.append(
                    RowReject(row.row, "interval_overlap", f"The interval overlaps another reading of the meter "
                              f"({clash.start.isoformat()} to {clash.end.isoformat()}): energy would count twice.")
                )  # fmt: skip
                continue
            taken[row.start] = row
            accepted.append(row)
    if not accepted and not duplicates:
        raise ReadingsRejectedError(rejected=[reject.as_json() for reject in sorted(rejected, key=lambda r: r.row)])
    Reading.objects.bulk_create(
        [
            Reading(
                meter=meters[row.meter_key], start=row.start, end=row.end, value=row.value, unit=row.unit, kwh=row.kwh
            )
            for row in accepted
        ],
        batch_size=1000,
    )
    for key in sorted({row.meter_key for row in accepted}):
        starts = [row.start for row in accepted if row.meter_key == key]
        _window_digests_refresh(meter_id=meters[key].pk, first=min(starts), last=max(starts))
    return ReadingsImport(accepted=len(accepted), duplicates=duplicates, rejected=sorted(rejected, key=lambda r: r.row))
