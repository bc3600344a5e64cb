from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Organization
from emissions.activities import ACTIVITIES, FACTOR_UNITS
from emissions.arithmetic import exact_emissions
from emissions.errors import EmissionFactorImmutableError

# From the registry, so the database, the API and the admin share one vocabulary.
ACTIVITY_CHOICES = [(key, activity.label) for key, activity in ACTIVITIES.items()]


class Scope(models.IntegerChoices):
    SCOPE_1 = 1, "Scope 1 (direct)"
    SCOPE_2 = 2, "Scope 2 (purchased electricity, location-based)"
    SCOPE_3 = 3, "Scope 3 (travel, waste, grid losses)"


class EmissionFactor(models.Model):
    """One published inventory factor (kg CO2e per unit). Rows are immutable; a revision adds a row
    with version + 1 and retires the old one, so at most one version per identity is current."""

    activity = models.CharField(max_length=40, choices=ACTIVITY_CHOICES)
    region = models.CharField(
        max_length=16,
        help_text="ISO 3166-1 alpha-2 code, a grid sub-region (US-CAMX, AU-VIC), or the fallbacks EU and WORLD.",
    )
    unit = models.CharField(max_length=20, choices=[(unit, unit) for unit in FACTOR_UNITS])
    value = models.DecimalField(max_digits=14, decimal_places=6, help_text="kg CO2e per unit.")
    year = models.PositiveSmallIntegerField()
    source = models.TextField(help_text="The publication, as cited; keeps SECONDARY/WEAK/UNCONFIRMED marks.")
    source_url = models.URLField(max_length=500)
    licence = models.CharField(max_length=200)
    region_name = models.CharField(max_length=100, blank=True)
    source_activity = models.CharField(max_length=255, blank=True, help_text="The row's activity as published.")
    source_unit = models.CharField(max_length=40, blank=True, help_text="The unit as published, e.g. kWh (Gross CV).")
    caveat = models.TextField(blank=True, help_text="What a user must know before relying on this number.")
    is_fallback = models.BooleanField(
        default=False, help_text="A stand-in (lifecycle intensity, regional average), not the region's own factor."
    )
    version = models.PositiveIntegerField(default=1)
    is_current = models.BooleanField(default=True)
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_version", editable=False
    )
    note = models.CharField(max_length=300, blank=True, help_text="Why this version was made.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["activity", "region", "unit", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "region", "unit", "version"], name="emission_factor_version"),
            models.UniqueConstraint(
                fields=["activity", "region", "unit"], condition=Q(is_current=True), name="emission_factor_one_current"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="emission_factor_value_not_negative"),
            models.CheckConstraint(condition=Q(version__gte=1), name="emission_factor_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.activity} {self.region} {self.value} kg/{self.unit} ({self.year}, v{self.version})"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise EmissionFactorImmutableError()
        super().save(*args, **kwargs)


class EmissionReport(models.Model):
    """An organisation's footprint for one period. Totals are integer kg, fixed at creation, and
    always add up: total = scope 1 + scope 2 + scope 3 = the sum of the lines."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="emission_reports")
    period_start = models.DateField()
    period_end = models.DateField()
    total_kg = models.BigIntegerField()
    scope1_kg = models.BigIntegerField()
    scope2_kg = models.BigIntegerField()
    scope3_kg = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-period_start", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="emission_report_period_ordered"
            ),
            models.CheckConstraint(
                condition=Q(scope1_kg__gte=0, scope2_kg__gte=0, scope3_kg__gte=0),
                name="emission_report_scopes_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(total_kg=F("scope1_kg") + F("scope2_kg") + F("scope3_kg")),
                name="emission_report_total_is_scope_sum",
            ),
        ]
        indexes = [models.Index(fields=["organization", "period_start"], name="emission_report_org_period")]

    def __str__(self) -> str:
        return f"Report {self.pk}: {self.organization_id} {self.period_start}..{self.period_end}"

    @property
    def days(self) -> int:
        return (self.period_end - self.period_start).days + 1


class EmissionLine(models.Model):
    """One activity of a report with the exact factor row it used and a snapshot of that factor,
    so the line reads the same whatever later happens to the factor table."""

    class FactorMatch(models.TextChoices):
        REGION = "region", "Published for the line's region"
        COUNTRY = "country", "Country factor used for a sub-region"
        DEFAULT = "default", "Documented default factor set (no factor for the region)"
        GRID_AVERAGE = "grid_average", "Regional or world grid average (the region's grid is unknown)"

    report = models.ForeignKey(EmissionReport, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    activity = models.CharField(max_length=40, choices=ACTIVITY_CHOICES)
    quantity = models.DecimalField(max_digits=15, decimal_places=4)
    unit = models.CharField(max_length=20)
    conversion = models.CharField(max_length=32, help_text="Exact multiplier from `unit` to the factor's unit.")
    region = models.CharField(max_length=16, help_text="The region asked for, or the organisation's country.")
    scope = models.PositiveSmallIntegerField(choices=Scope)
    emissions_kg = models.BigIntegerField()
    factor = models.ForeignKey(EmissionFactor, on_delete=models.PROTECT, related_name="lines")
    factor_match = models.CharField(max_length=20, choices=FactorMatch)
    factor_value = models.DecimalField(max_digits=14, decimal_places=6)
    factor_unit = models.CharField(max_length=20)
    factor_source = models.TextField()
    factor_year = models.PositiveSmallIntegerField()
    factor_region = models.CharField(max_length=16)
    factor_label = models.TextField()
    factor_fallback = models.BooleanField()

    class Meta:
        ordering = ["report", "position"]
        constraints = [
            models.UniqueConstraint(fields=["report", "position"], name="emission_line_position"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="emission_line_quantity_not_negative"),
            models.CheckConstraint(condition=Q(emissions_kg__gte=0), name="emission_line_emissions_not_negative"),
            models.CheckConstraint(condition=Q(scope__in=[1, 2, 3]), name="emission_line_scope_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.activity} {self.quantity} {self.unit}: {self.emissions_kg} kg"

    @property
    def emissions_exact(self) -> Decimal:
        """kg CO2e before rounding: quantity x conversion x factor, all exact decimals."""
        return exact_emissions(self.quantity, Decimal(self.conversion), self.factor_value)


class EmissionCheck(models.Model):
    """The stored outcome of one run of the report checks: what was found, with which engine."""

    class Status(models.TextChoices):
        CONSISTENT = "consistent", "Consistent"
        ANOMALIES_FOUND = "anomalies_found", "Anomalies found"

    report = models.ForeignKey(EmissionReport, on_delete=models.CASCADE, related_name="checks")
    status = models.CharField(max_length=20, choices=Status)
    risk_score = models.DecimalField(max_digits=4, decimal_places=3)
    findings = models.JSONField(default=list, help_text="[{code, detail}], in the order the checks ran.")
    engine_version = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(risk_score__gte=0, risk_score__lte=1), name="emission_check_risk_score_0_1"
            ),
        ]

    def __str__(self) -> str:
        return f"Check {self.pk} of report {self.report_id}: {self.status}"
