"""Reads of sites: the owner's, the verifiers' review queue, and the facts claim screening needs."""

from typing import Any

from django.db.models import Prefetch, QuerySet

from accounts.models import Organization
from core.ids import is_id
from sites.errors import SiteNotFoundError
from sites.models import Meter, Site

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
