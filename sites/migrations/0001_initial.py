import django.core.validators
import django.db.models.deletion
import django.utils.timezone
import django_countries.fields
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0003_organization_standing"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Site",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=200)),
                ("country", django_countries.fields.CountryField(max_length=2)),
                (
                    "latitude",
                    models.DecimalField(
                        decimal_places=6,
                        max_digits=9,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("-90")),
                            django.core.validators.MaxValueValidator(Decimal("90")),
                        ],
                    ),
                ),
                (
                    "longitude",
                    models.DecimalField(
                        decimal_places=6,
                        max_digits=9,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("-180")),
                            django.core.validators.MaxValueValidator(Decimal("180")),
                        ],
                    ),
                ),
                ("address", models.TextField(blank=True)),
                (
                    "capacity_kw",
                    models.DecimalField(
                        blank=True,
                        decimal_places=3,
                        help_text="Installed capacity (kWp for PV), kW.",
                        max_digits=12,
                        null=True,
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("active", "Active"),
                            ("under_review", "Under review"),
                            ("rejected", "Rejected by a verifier"),
                        ],
                        default="active",
                        max_length=20,
                    ),
                ),
                (
                    "review_reasons",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="[{code, detail}] why the site is under review; empty when active.",
                    ),
                ),
                ("review_note", models.TextField(blank=True)),
                ("reviewed_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "owner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="sites", to="accounts.organization"
                    ),
                ),
                (
                    "reviewed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="Meter",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "meter_id",
                    models.CharField(help_text="As given (MPAN, consumer number, grid connection id).", max_length=64),
                ),
                (
                    "key",
                    models.CharField(help_text="country:letters and digits of the id, case-folded.", max_length=80),
                ),
                (
                    "digits",
                    models.CharField(
                        blank=True,
                        help_text="country:the id's digits without leading zeros; blank under 6 digits.",
                        max_length=80,
                    ),
                ),
                ("active", models.BooleanField(default=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                (
                    "site",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="meters", to="sites.site"
                    ),
                ),
            ],
            options={
                "ordering": ["site", "id"],
            },
        ),
        migrations.AddIndex(
            model_name="site",
            index=models.Index(fields=["latitude", "longitude"], name="site_position"),
        ),
        migrations.AddIndex(
            model_name="site",
            index=models.Index(fields=["owner", "-created_at"], name="site_owner_recent"),
        ),
        migrations.AddIndex(
            model_name="site",
            index=models.Index(fields=["status", "-created_at"], name="site_status_recent"),
        ),
        migrations.AddConstraint(
            model_name="site",
            constraint=models.CheckConstraint(
                condition=models.Q(("latitude__gte", -90), ("latitude__lte", 90)), name="site_latitude_range"
            ),
        ),
        migrations.AddConstraint(
            model_name="site",
            constraint=models.CheckConstraint(
                condition=models.Q(("longitude__gte", -180), ("longitude__lte", 180)), name="site_longitude_range"
            ),
        ),
        migrations.AddConstraint(
            model_name="site",
            constraint=models.CheckConstraint(
                condition=models.Q(("capacity_kw__isnull", True), ("capacity_kw__gt", 0), _connector="OR"),
                name="site_capacity_positive",
            ),
        ),
        migrations.AddIndex(
            model_name="meter",
            index=models.Index(fields=["key"], name="meter_key"),
        ),
        migrations.AddIndex(
            model_name="meter",
            index=models.Index(fields=["digits"], name="meter_digits"),
        ),
        migrations.AddConstraint(
            model_name="meter",
            constraint=models.UniqueConstraint(
                condition=models.Q(("active", True)), fields=("site", "key"), name="meter_once_per_site"
            ),
        ),
    ]
