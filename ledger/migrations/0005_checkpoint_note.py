"""Checkpoints carry their C2SP signed note, written with the row (the table stays append-only).

Existing checkpoints keep a null note: the key is a file the migration does not read, and signing
them later would be an UPDATE, which the append-only triggers refuse. Every checkpoint stored from
now on is signed; docs/AUDITOR.md explains the unsigned ones to auditors.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0004_drop_ledger_move"),
    ]

    operations = [
        migrations.AddField(
            model_name="checkpoint",
            name="note",
            field=models.TextField(
                blank=True,
                help_text="The checkpoint as a C2SP signed note (origin, size, base64 root, Ed25519 signature lines).",
                null=True,
            ),
        ),
    ]
