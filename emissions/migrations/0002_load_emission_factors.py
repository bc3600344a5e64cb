"""Load the inventory factors from emissions/data/emission_factors.csv as version 1.

The loader inserts only identities that have no row yet, so re-running it (or the
`emission_factors_load` command) never overwrites a factor revised in the admin.
"""

from django.db import migrations

from emissions.factors import emission_factors_load


def load(apps, schema_editor):
    emission_factors_load(model=apps.get_model("emissions", "EmissionFactor"))


def unload(apps, schema_editor):
    # Only a database without reports can go back: report lines protect the factors they used.
    apps.get_model("emissions", "EmissionFactor").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("emissions", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
