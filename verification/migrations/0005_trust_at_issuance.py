import django.db.models.deletion
from django.db import migrations, models

from core.references import compact_key, reference_key


def rekey_evidence(apps, schema_editor):
    """Evidence references get the round-2 keys: ``reference_key`` ignores zero padding (INV-01 = INV-001)
    and the uniqueness among live items no longer depends on the kind a document is labelled. Live items
    made before that might now collide; they are grandfathered (the later one's key gets ``#<id>``), since
    rejecting a claim retroactively is a verifier's decision, not a migration's."""
    EvidenceItem = apps.get_model("verification", "EvidenceItem")
    taken = set()
    for item in EvidenceItem.objects.order_by("id").iterator():
        item.reference_key = reference_key(item.reference)
        item.reference_compact = compact_key(item.reference)
        if item.active:
            if (item.organization_id, item.reference_key) in taken:
                item.reference_key = f"{item.reference_key}#{item.pk}"
            taken.add((item.organization_id, item.reference_key))
        item.save(update_fields=["reference_key", "reference_compact"])


class Migration(migrations.Migration):
    """Trust at issuance: claims name their site and hold slots on it, evidence may cite uploaded
    documents, references are compared ignoring kind and zero padding."""

    dependencies = [
        ("accounts", "0003_organization_standing"),
        ("documents", "0001_initial"),
        ("sites", "0001_initial"),
        ("verification", "0004_claim_issuance"),
    ]

    operations = [
        migrations.CreateModel(
            name="ClaimSlot",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=120)),
                ("period_start", models.DateField()),
                ("period_end", models.DateField()),
                ("active", models.BooleanField(default=True)),
            ],
            options={
                "ordering": ["claim", "key"],
            },
        ),
        migrations.RemoveConstraint(
            model_name="evidenceitem",
            name="evidence_reference_once_per_live_claim",
        ),
        migrations.AddField(
            model_name="evidenceitem",
            name="document",
            field=models.ForeignKey(
                blank=True,
                help_text="The uploaded file behind the item; its SHA-256 goes into the issuance's ledger entry.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="evidence_items",
                to="documents.document",
            ),
        ),
        migrations.AddField(
            model_name="evidenceitem",
            name="reference_compact",
            field=models.CharField(
                default="", help_text="core.references.compact_key: letters and digits, zeros kept.", max_length=200
            ),
        ),
        migrations.AddField(
            model_name="reductionclaim",
            name="site",
            field=models.ForeignKey(
                blank=True,
                help_text="The project's site when the claim was submitted (null: the project had none).",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="reduction_claims",
                to="sites.site",
            ),
        ),
        migrations.AlterField(
            model_name="evidenceitem",
            name="reference_key",
            field=models.CharField(
                help_text="core.references.reference_key: case, separators and zero padding ignored.", max_length=200
            ),
        ),
        migrations.RunPython(rekey_evidence, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="evidenceitem",
            index=models.Index(fields=["reference_compact"], name="evidence_reference_compact"),
        ),
        migrations.AddConstraint(
            model_name="evidenceitem",
            constraint=models.UniqueConstraint(
                condition=models.Q(("active", True)),
                fields=("organization", "reference_key"),
                name="evidence_reference_once_per_live_claim",
            ),
        ),
        migrations.AddConstraint(
            model_name="evidenceitem",
            constraint=models.UniqueConstraint(
                condition=models.Q(("active", True), ("document__isnull", False)),
                fields=("document",),
                name="evidence_document_once_per_live_claim",
            ),
        ),
        migrations.AddField(
            model_name="claimslot",
            name="claim",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="slots", to="verification.reductionclaim"
            ),
        ),
        migrations.AddIndex(
            model_name="claimslot",
            index=models.Index(fields=["key", "period_start"], name="claimslot_key_period"),
        ),
        migrations.AddConstraint(
            model_name="claimslot",
            constraint=models.UniqueConstraint(fields=("claim", "key"), name="claimslot_once_per_claim"),
        ),
        migrations.AddConstraint(
            model_name="claimslot",
            constraint=models.CheckConstraint(
                condition=models.Q(("period_end__gte", models.F("period_start"))), name="claimslot_order"
            ),
        ),
    ]
