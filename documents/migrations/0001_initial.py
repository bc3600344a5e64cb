import django.db.models.deletion
import django.utils.timezone
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
            name="Document",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("registration_extract", "Company register extract"),
                            ("meter_reading", "Meter reading"),
                            ("utility_bill", "Utility bill"),
                            ("invoice", "Invoice"),
                            ("weighbridge_ticket", "Weighbridge ticket"),
                            ("photo", "Photo"),
                            ("other", "Other"),
                        ],
                        max_length=32,
                    ),
                ),
                (
                    "sha256",
                    models.CharField(help_text="SHA-256 of the content, lowercase hex.", max_length=64, unique=True),
                ),
                ("size_bytes", models.PositiveBigIntegerField()),
                (
                    "content_type",
                    models.CharField(
                        choices=[
                            ("application/pdf", "application/pdf"),
                            ("image/png", "image/png"),
                            ("image/jpeg", "image/jpeg"),
                            ("text/csv", "text/csv"),
                        ],
                        help_text="Sniffed from the content.",
                        max_length=40,
                    ),
                ),
                (
                    "original_name",
                    models.CharField(blank=True, help_text="As uploaded; shown, never trusted.", max_length=255),
                ),
                (
                    "storage_name",
                    models.CharField(help_text="The file's name in the documents storage.", max_length=200),
                ),
                (
                    "submitted_at",
                    models.DateTimeField(
                        blank=True, help_text="When it first backed a claim or a verification request.", null=True
                    ),
                ),
                ("uploaded_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                (
                    "owner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="documents",
                        to="accounts.organization",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "ordering": ["-uploaded_at", "-id"],
                "indexes": [models.Index(fields=["owner", "-uploaded_at"], name="document_owner_recent")],
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("size_bytes__gte", 1)), name="document_not_empty"),
                    models.CheckConstraint(
                        condition=models.Q(("sha256__regex", "^[0-9a-f]{64}$")), name="document_sha256_hex"
                    ),
                ],
            },
        ),
    ]
