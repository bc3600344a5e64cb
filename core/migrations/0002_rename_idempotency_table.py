from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial"), ("carboncred", "0002_idempotencyrecord_moved_to_core")]

    operations = [migrations.AlterModelTable(name="idempotencyrecord", table=None)]
