"""Audits of automatic issuances, reversals of claims and buffer shortfalls (docs/VERIFICATION.md); claims gain the status `reversed`."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_merge_standing_and_size"),
        ("verification", "0006_claimslot_exclusion"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="assessment",
            name="decision",
            field=models.CharField(
                choices=[
                    ("approved", "Approved (credits issued)"),
                    ("needs_review", "Needs review by a verifier"),
                    ("rejected", "Rejected"),
                    ("reversed", "Reversed (credits cancelled after issuance)"),
                ],
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="reductionclaim",
            name="status",
            field=models.CharField(
                choices=[
                    ("approved", "Approved (credits issued)"),
                    ("needs_review", "Needs review by a verifier"),
                    ("rejected", "Rejected"),
                    ("reversed", "Reversed (credits cancelled after issuance)"),
                ],
                max_length=20,
            ),
        ),
        migrations.CreateModel(
            name="Audit",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "risk_score",
                    models.DecimalField(decimal_places=4, help_text="The assessment's risk when issued.", max_digits=5),
                ),
                (
                    "rate",
                    models.DecimalField(decimal_places=6, help_text="The sampling probability it gave.", max_digits=7),
                ),
                ("period", models.CharField(help_text="YYYY-MM (UTC): whose salt drew it.", max_length=7)),
                (
                    "draw",
                    models.CharField(
                        help_text="The 64-bit draw, hex; sampled because draw / 2^64 < rate.", max_length=16
                    ),
                ),
                ("sampled_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                (
                    "status",
                    models.CharField(
                        choices=[("open", "Open"), ("confirmed", "Confirmed"), ("reversed", "Reversed")],
                        default="open",
                        max_length=10,
                    ),
                ),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
                ("note", models.TextField(blank=True, help_text="The verifier's finding (a reversal's reason).")),
                (
                    "claim",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="audit",
                        to="verification.reductionclaim",
                    ),
                ),
                (
                    "decided_by",
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
                "ordering": ["sampled_at", "id"],
            },
        ),
        migrations.CreateModel(
            name="ClaimReversal",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("reason", models.TextField(help_text="Recorded in the ledger entries' memo too: public.")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                (
                    "audit",
                    models.OneToOneField(
                        blank=True,
                        help_text="When sampled.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reversal",
                        to="verification.audit",
                    ),
                ),
                (
                    "claim",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reversal",
                        to="verification.reductionclaim",
                    ),
                ),
                (
                    "reversed_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="BufferShortfall",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("quantity_kg", models.BigIntegerField(help_text="Kilograms in circulation without backing.")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="accounts.organization"
                    ),
                ),
                (
                    "reversal",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="shortfall",
                        to="verification.claimreversal",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.AddIndex(
            model_name="audit",
            index=models.Index(fields=["status", "sampled_at"], name="audit_status_sampled"),
        ),
        migrations.AddConstraint(
            model_name="audit",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["open", "confirmed", "reversed"])), name="audit_status_valid"
            ),
        ),
        migrations.AddConstraint(
            model_name="audit",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("decided_at__isnull", True), ("status", "open")),
                    models.Q(models.Q(("status", "open"), _negated=True), ("decided_at__isnull", False)),
                    _connector="OR",
                ),
                name="audit_decided_iff_closed",
            ),
        ),
        migrations.AddConstraint(
            model_name="audit",
            constraint=models.CheckConstraint(
                condition=models.Q(("rate__gte", 0), ("rate__lte", 1)), name="audit_rate_is_a_probability"
            ),
        ),
        migrations.AddConstraint(
            model_name="buffershortfall",
            constraint=models.CheckConstraint(
                condition=models.Q(("quantity_kg__gte", 1)), name="buffershortfall_quantity_positive"
            ),
        ),
    ]
