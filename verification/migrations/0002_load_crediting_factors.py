"""Load the crediting factors shipped in verification/data/crediting_factors.csv (versioned rows)."""

from django.db import migrations

from verification.migrations._loader import load


def unload(apps, schema_editor):
    apps.get_model("verification", "CreditingFactor").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("verification", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
