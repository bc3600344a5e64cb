import datetime

import factory

from projects.models import Project
from tests.accounts.factories import OrganizationFactory


class ProjectFactory(factory.django.DjangoModelFactory[Project]):
    class Meta:
        model = Project

    owner = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Rooftop array {n}")
    category = Project.Category.SOLAR
    country = factory.SelfAttribute("owner.country")
    start_date = datetime.date(2025, 1, 1)
