import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from accounts.names import name_key


def standing_of_existing_organisations(apps, schema_editor):
    """Organisations registered before identity checks existed are ``unverified`` (the field's default):
    nobody has checked who they are. The registry's own organisations (operator, buffer pool) are
    verified by construction. Names get their comparable key, and existing namesakes are flagged."""
    Organization = apps.get_model("accounts", "Organization")
    first_by_key = {}
    for organization in Organization.objects.order_by("created_at", "id"):
        organization.name_key = name_key(organization.name)
        fields = ["name_key"]
        if organization.kind != "member":
            number = f"CARBONCRED-{organization.kind.upper().replace('_', '-')}"
            organization.verification_status = "verified"
            organization.registration_number = organization.registration_key = number
            organization.verified_at = organization.created_at
            fields += ["verification_status", "registration_number", "registration_key", "verified_at"]
        else:
            earlier = first_by_key.setdefault((str(organization.country), organization.name_key), organization.pk)
            if earlier != organization.pk:
                organization.namesake_of_id = earlier
                fields.append("namesake_of")
        organization.save(update_fields=fields)


class Migration(migrations.Migration):
    """Organisation identity and standing: registration number, legal name, verification status with its
    history, verification requests, namesake flags; one verified organisation per registration number
    and country."""

    dependencies = [
        ("accounts", "0002_verifiers_group"),
    ]

    operations = [
        migrations.CreateModel(
            name="OrganizationStatusChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "from_status",
                    models.CharField(
                        choices=[
                            ("unverified", "Unverified"),
                            ("pending", "Verification requested"),
                            ("verified", "Verified"),
                            ("suspended", "Suspended"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "to_status",
                    models.CharField(
                        choices=[
                            ("unverified", "Unverified"),
                            ("pending", "Verification requested"),
                            ("verified", "Verified"),
                            ("suspended", "Suspended"),
                        ],
                        max_length=20,
                    ),
                ),
                ("note", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
            ],
            options={
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="OrganizationVerificationRequest",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("legal_name", models.CharField(max_length=200)),
                ("registration_number", models.CharField(max_length=64)),
                ("website", models.URLField(blank=True)),
                (
                    "document_ids",
                    models.JSONField(default=list, help_text="Ids of the organisation's documents, in order."),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("approved", "Approved"),
                            ("rejected", "Rejected"),
                            ("superseded", "Superseded by a newer request"),
                        ],
                        default="pending",
                        max_length=20,
                    ),
                ),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
                ("note", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
            ],
            options={
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.AddField(
            model_name="organization",
            name="legal_name",
            field=models.CharField(blank=True, help_text="As on the company register.", max_length=200),
        ),
        migrations.AddField(
            model_name="organization",
            name="name_key",
            field=models.CharField(
                blank=True,
                editable=False,
                help_text="The name compared (case, punctuation, legal form).",
                max_length=200,
            ),
        ),
        migrations.AddField(
            model_name="organization",
            name="namesake_of",
            field=models.ForeignKey(
                blank=True,
                help_text="An earlier organisation of the same country whose name compares equal: flagged to verifiers.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="accounts.organization",
            ),
        ),
        migrations.AddField(
            model_name="organization",
            name="registration_key",
            field=models.CharField(
                blank=True, editable=False, help_text="registration_number compared: letters and digits.", max_length=64
            ),
        ),
        migrations.AddField(
            model_name="organization",
            name="registration_number",
            field=models.CharField(
                blank=True, help_text="Company or tax registry number, as given; public once verified.", max_length=64
            ),
        ),
        migrations.AddField(
            model_name="organization",
            name="verification_status",
            field=models.CharField(
                choices=[
                    ("unverified", "Unverified"),
                    ("pending", "Verification requested"),
                    ("verified", "Verified"),
                    ("suspended", "Suspended"),
                ],
                db_index=True,
                default="unverified",
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="organization",
            name="verified_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="organization",
            index=models.Index(fields=["country", "name_key"], name="organization_country_name_key"),
        ),
        migrations.RunPython(standing_of_existing_organisations, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="organization",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    ("verification_status", "verified"), models.Q(("registration_key", ""), _negated=True)
                ),
                fields=("country", "registration_key"),
                name="organization_registration_unique_among_verified",
            ),
        ),
        migrations.AddField(
            model_name="organizationstatuschange",
            name="changed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="organizationstatuschange",
            name="organization",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="status_changes", to="accounts.organization"
            ),
        ),
        migrations.AddField(
            model_name="organizationverificationrequest",
            name="decided_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="organizationverificationrequest",
            name="organization",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="verification_requests",
                to="accounts.organization",
            ),
        ),
        migrations.AddField(
            model_name="organizationverificationrequest",
            name="submitted_by",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddIndex(
            model_name="organizationstatuschange",
            index=models.Index(fields=["organization", "-created_at"], name="org_status_change_recent"),
        ),
        migrations.AddConstraint(
            model_name="organizationverificationrequest",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "pending")),
                fields=("organization",),
                name="verification_request_one_pending",
            ),
        ),
    ]
