import datetime

import factory

from projects.models import Project
from tests.accounts.factories import OrganizationFactory
from tests.sites.factories import site_for


class ProjectFactory(factory.django.DjangoModelFactory[Project]):
    """A project on a site of its own (at its coordinates when given), so claims face every rule;
    ``with_site=False`` for a project without one."""

    class Meta:
        model = Project

    class Params:
        with_site = True

    owner = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Rooftop array {n}")
    category = Project.Category.SOLAR
    country = factory.SelfAttribute("owner.country")
    start_date = datetime.date(2025, 1, 1)
    site = factory.LazyAttribute(
        lambda o: (
            site_for(owner=o.owner, country=o.country, latitude=o.latitude, longitude=o.longitude)
            if o.with_site
            else None
        )
    )
    latitude = None
    longitude = None
