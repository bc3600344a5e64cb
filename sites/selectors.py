"""Reads of sites: the owner's, the verifiers' review queue, and the facts claim screening needs."""

from typing import Any

from django.db.models import Count, Max, Min, Prefetch, QuerySet, Sum

from accounts.models import Organization
from core.ids import is_id
from sites.errors import SiteNotFoundError
from sites.models import Meter, Reading, Site

ACTIVE_METERS = Prefetch("meters", queryset=Meter.objects.filter(active=True).order_by("id"), to_attr="active_meters")


def site_list_for(*, organization: Organization) -> QuerySet[Site]:
    return Site.objects.filter(owner=organization).prefetch_related(ACTIVE_METERS).order_by("-created_at", "-id")


def site_get_for(*, organization: Organization, site_id: Any) -> Site:
    site = site_list_for(organization=organization).filter(pk=site_id).first() if is_id(site_id) else None
    if site is None:
        raise SiteNotFoundError()
    return site


def site_owned_by(*, organization_id: int, site_id: Any) -> Site:
    """One of the organisation's own sites (404 otherwise), for a project to reference."""
    site = Site.objects.filter(pk=site_id, owner=organization_id).first() if is_id(site_id) else None
    if site is None:
        raise SiteNotFoundError()
    return site


def site_review_list(*, status: str | None = None) -> QuerySet[Site]:
    sites = Site.objects.select_related("owner").prefetch_related(ACTIVE_METERS).order_by("-created_at", "-id")
    if status:
        sites = sites.filter(status=status)
    return sites


def site_review_get(*, site_id: Any) -> Site:
    site = site_review_list().filter(pk=site_id).first() if is_id(site_id) else None
    if site is None:
        raise SiteNotFoundError()
    return site


def site_meter_keys(*, site_id: int) -> list[str]:
    """The keys of the site's active meters, sorted (what claim slots are taken on)."""
    return sorted(Meter.objects.filter(site_id=site_id, active=True).values_list("key", flat=True))


def reading_list_for(
    *, organization: Organization, site_id: Any, meter_id: str | None = None, start=None, end=None
) -> QuerySet[Reading]:
    """The site's readings in time order, optionally of one meter (as given or any spelling of it) and
    starting within [start, end)."""
    site = site_get_for(organization=organization, site_id=site_id)
    readings = Reading.objects.filter(meter__site=site).select_related("meter").order_by("start", "meter_id")
    if meter_id:
        from sites.services import meter_key

        readings = readings.filter(meter__key=meter_key(country=str(site.country), meter_id=meter_id))
    if start is not None:
        readings = readings.filter(start__gte=start)
    if end is not None:
        readings = readings.filter(start__lt=end)
    return readings


def reading_totals_for(*, organization: Organization, site_id: Any) -> list[dict[str, Any]]:
    """Per meter of the site (active or not, in id order): ``meter_id``, ``active``, how many readings
    ``reading_count``, the first start, the last end and the kWh they add up to (one query besides the
    site's)."""
    site = site_get_for(organization=organization, site_id=site_id)
    rows = (
        Meter.objects.filter(site=site)
        .values("id", "meter_id", "active")
        .annotate(
            reading_count=Count("readings"),
            first=Min("readings__start"),
            last=Max("readings__end"),
            kwh=Sum("readings__kwh"),
        )
        .order_by("id")
    )
    return [dict(row) for row in rows]


def site_readings_between(*, site_id: int, first, last, up_to_id: int | None = None) -> list[Reading]:
    """The readings of the site's active meters starting between ``first`` and ``last`` (inclusive),
    optionally only those stored up to reading ``up_to_id`` (a replay sees what screening saw)."""
    readings = Reading.objects.filter(
        meter__site_id=site_id, meter__active=True, start__gte=first, start__lte=last
    ).select_related("meter")
    if up_to_id is not None:
        readings = readings.filter(pk__lte=up_to_id)
    return list(readings.order_by("meter__key", "start"))


def readings_sharing_windows(*, digests: list[str], meter_ids: list[int], first, last) -> list[Reading]:
    """Other readings, on any site, whose window of values has one of these digests (copied stretches):
    any meter's but the given meters' readings starting between ``first`` and ``last``."""
    if not digests:
        return []
    return list(
        Reading.objects.filter(window_digest__in=digests)
        .exclude(meter_id__in=meter_ids, start__gte=first, start__lte=last)
        .select_related("meter")
        .order_by("pk")[:200]
    )
