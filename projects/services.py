from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from accounts.models import Organization
from accounts.services import organization_check_not_suspended
from projects.models import Project
from sites.models import Site
from sites.selectors import site_owned_by


def _site_for(*, owner: Organization, site_id: Any, country: str) -> Site:
    """One of the owner's sites (404 otherwise) in the project's country (400 otherwise)."""
    site = site_owned_by(organization_id=owner.pk, site_id=site_id)
    if str(site.country) != str(country):
        raise ValidationError({"site": [f"The site is in {site.country}, the project in {country}."]})
    return site


def project_create(
    *,
    owner: Organization,
    title: str,
    category: str,
    country: str,
    start_date: date,
    description: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    site: int | None = None,
) -> Project:
    """Create a project of ``owner``. ``site`` (an id) must be one of the owner's sites, in the same
    country; without coordinates of its own the project takes the site's."""
    organization_check_not_suspended(owner)
    site_row = _site_for(owner=owner, site_id=site, country=country) if site is not None else None
    if site_row is not None and latitude is None:
        latitude, longitude = site_row.latitude, site_row.longitude
    project = Project(
        owner=owner,
        title=title,
        description=description,
        category=category,
        country=country,
        start_date=start_date,
        latitude=latitude,
        longitude=longitude,
        site=site_row,
    )
    project.full_clean()
    project.save()
    return project
