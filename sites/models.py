"""Physical sites and their meters: what a claim's energy is measured at.

One roof is registered once: a new site within ``sites.services.PROXIMITY_METRES`` of any existing site,
or sharing a meter id with one, starts ``under_review`` (not refused: neighbours and shared connections
exist, and a verifier clears them). Claims on a site under review are never approved automatically.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django_countries.fields import CountryField

from accounts.models import Organization


class Site(models.Model):
    """A physical site of one organisation. Coordinates are WGS 84 and inside ``country`` (checked at
    registration against Natural Earth boundaries, ``sites.boundaries``)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        UNDER_REVIEW = "under_review", "Under review"
        REJECTED = "rejected", "Rejected by a verifier"

    owner = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="sites")
    name = models.CharField(max_length=200)
    country = CountryField()
    latitude = models.DecimalField(
        max_digits=9, decimal_places=6, validators=[MinValueValidator(Decimal(-90)), MaxValueValidator(Decimal(90))]
    )
    longitude = models.DecimalField(
        max_digits=9, decimal_places=6, validators=[MinValueValidator(Decimal(-180)), MaxValueValidator(Decimal(180))]
    )
    address = models.TextField(blank=True)
    capacity_kw = models.DecimalField(
        max_digits=12, decimal_places=3, null=True, blank=True, help_text="Installed capacity (kWp for PV), kW."
    )
    status = models.CharField(max_length=20, choices=Status, default=Status.ACTIVE)
    review_reasons = models.JSONField(
        default=list, blank=True, help_text="[{code, detail}] why the site is under review; empty when active."
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_note = models.TextField(blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The proximity check reads a bounding box: a latitude range, then longitudes within it.
            models.Index(fields=["latitude", "longitude"], name="site_position"),
            models.Index(fields=["owner", "-created_at"], name="site_owner_recent"),
            models.Index(fields=["status", "-created_at"], name="site_status_recent"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(latitude__gte=-90, latitude__lte=90), name="site_latitude_range"),
            models.CheckConstraint(
                condition=models.Q(longitude__gte=-180, longitude__lte=180), name="site_longitude_range"
            ),
            models.CheckConstraint(
                condition=models.Q(capacity_kw__isnull=True) | models.Q(capacity_kw__gt=0),
                name="site_capacity_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.country}, {self.status})"


class Meter(models.Model):
    """A meter or grid-connection id of a site. ``key`` is the id compared (per country, letters and
    digits only: ``MPAN 12-0002`` ≡ ``mpan120002``); ``digits`` its digits alone, so ``MPAN 1200023305967``
    and ``1200023305967`` are recognised as one meter too. The same meter on two sites is allowed but
    puts the newer site under review; claims hold their period on ``key`` (``verification.ClaimSlot``).
    A meter removed from a site is kept, inactive, as the record of what the site claimed with."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="meters")
    meter_id = models.CharField(max_length=64, help_text="As given (MPAN, consumer number, grid connection id).")
    key = models.CharField(max_length=80, help_text="country:letters and digits of the id, case-folded.")
    digits = models.CharField(
        max_length=80, blank=True, help_text="country:the id's digits without leading zeros; blank under 6 digits."
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["site", "id"]
        indexes = [
            models.Index(fields=["key"], name="meter_key"),
            models.Index(fields=["digits"], name="meter_digits"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "key"], condition=models.Q(active=True), name="meter_once_per_site"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meter_id} ({'active' if self.active else 'removed'})"
