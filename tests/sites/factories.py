"""Sites for tests. ``SiteFactory`` writes the row directly (active, no proximity check), at a point
inside the country, moved ~110 m north per site so that factory sites are never within 50 m of each
other; tests of the registration rules go through ``sites.services.site_create`` or the API."""

from decimal import Decimal
from typing import cast

import factory

from sites.models import Meter, Site
from sites.services import meter_digits, meter_key
from tests.accounts.factories import OrganizationFactory

# A point well inside each country the tests use (a city centre).
POINTS: dict[str, tuple[str, str]] = {
    "GB": ("51.507400", "-0.127800"),
    "IN": ("18.520400", "73.856700"),
    "DE": ("50.110900", "8.682100"),
    "US": ("30.267200", "-97.743100"),
    "KE": ("-1.292100", "36.821900"),
    "ES": ("40.416800", "-3.703800"),
    "NO": ("59.913900", "10.752200"),
    "FR": ("48.856600", "2.352200"),
    "PE": ("-12.046400", "-77.042800"),
}
STEP = Decimal("0.001")  # ~111 m of latitude


def point_in(country: str, n: int) -> tuple[Decimal, Decimal]:
    latitude, longitude = POINTS[country]
    return Decimal(latitude) + STEP * (n % 2000), Decimal(longitude) + STEP * (n // 2000)


class SiteFactory(factory.django.DjangoModelFactory[Site]):
    class Meta:
        model = Site
        skip_postgeneration_save = True

    owner = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Site {n}")
    country = factory.SelfAttribute("owner.country")
    latitude = factory.LazyAttributeSequence(lambda o, n: point_in(str(o.country), n)[0])
    longitude = factory.LazyAttributeSequence(lambda o, n: point_in(str(o.country), n)[1])
    status = Site.Status.ACTIVE

    @factory.post_generation
    def meter_ids(self, create, extracted, **kwargs):
        site = cast(Site, self)  # post-generation hooks receive the built instance
        if create and extracted:
            Meter.objects.bulk_create(
                Meter(
                    site=site,
                    meter_id=m,
                    key=meter_key(country=str(site.country), meter_id=m),
                    digits=meter_digits(country=str(site.country), meter_id=m),
                )
                for m in extracted
            )


def site_for(*, owner, country: str, latitude=None, longitude=None) -> Site | None:
    """A site of ``owner`` in ``country`` (at the given coordinates when there are some), or None for a
    country the table has no point for."""
    if latitude is not None and longitude is not None:
        return SiteFactory.create(owner=owner, country=country, latitude=latitude, longitude=longitude)
    if str(country) not in POINTS:
        return None
    return SiteFactory.create(owner=owner, country=country)
