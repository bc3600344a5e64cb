"""``IdempotencyRecord`` moved here from the ``carboncred`` app: the model state changes owner, the
table is renamed from ``carboncred_idempotencyrecord`` in 0002. Rows are kept."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("carboncred", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="IdempotencyRecord",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("key", models.CharField(max_length=255)),
                        (
                            "fingerprint",
                            models.CharField(help_text="SHA-256 of method, path and JSON body.", max_length=64),
                        ),
                        ("method", models.CharField(max_length=10)),
                        ("path", models.CharField(max_length=255)),
                        ("status_code", models.PositiveSmallIntegerField()),
                        ("response_body", models.JSONField(null=True)),
                        ("created_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "carboncred_idempotencyrecord",
                        "constraints": [
                            models.UniqueConstraint(fields=("user", "key"), name="idempotency_one_per_user_key")
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
