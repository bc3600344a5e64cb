from datetime import date
from decimal import Decimal

from accounts.models import Organization
from projects.models import Project


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
) -> Project:
    project = Project(
        owner=owner,
        title=title,
        description=description,
        category=category,
        country=country,
        start_date=start_date,
        latitude=latitude,
        longitude=longitude,
    )
    project.full_clean()
    project.save()
    return project
