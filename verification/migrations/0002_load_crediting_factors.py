"""Load the crediting factors shipped in verification/data/crediting_factors.csv (versioned rows)."""

from django.db import migrations

from verification.crediting_factors import crediting_factors_load


def load(apps, schema_editor):
    crediting_factors_load(model=apps.get_model("verification", "CreditingFactor"))


def unload(apps, schema_editor):
    apps.get_model("verification", "CreditingFactor").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("verification", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
