"""``IdempotencyRecord`` now belongs to ``core`` (core 0001 took over the model state; the table stays)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("carboncred", "0001_initial"), ("core", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="IdempotencyRecord")], database_operations=[]
        )
    ]
