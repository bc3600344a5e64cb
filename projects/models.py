from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django_countries.fields import CountryField

from accounts.models import Organization
from sites.models import Site


class Project(models.Model):
    """A sustainability project of one organisation; credits are issued per project and vintage.
    ``site`` is one of the owner's sites in the project's country (``projects.services``)."""

    class Category(models.TextChoices):
        SOLAR = "solar", "Rooftop / grid solar"
        ENERGY_EFFICIENCY = "energy_efficiency", "Energy efficiency"
        RECYCLING = "recycling", "Recycling"
        FUEL_SWITCH = "fuel_switch", "Fuel switch"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        CLOSED = "closed", "Closed"

    owner = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="projects")
    site = models.ForeignKey(
        Site,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
        help_text="The owner's site the project runs at. Claims of a project without one go to review.",
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    category = models.CharField(max_length=20, choices=Category)
    country = CountryField()
    latitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-90)), MaxValueValidator(Decimal(90))],
    )
    longitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-180)), MaxValueValidator(Decimal(180))],
    )
    start_date = models.DateField()
    status = models.CharField(max_length=20, choices=Status, default=Status.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="project_owner_recent")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True) | models.Q(latitude__gte=-90, latitude__lte=90),
                name="project_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True) | models.Q(longitude__gte=-180, longitude__lte=180),
                name="project_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_category_display()}, {self.country})"
