from django.db import migrations

VERIFIERS_GROUP = "verifiers"


def create_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=VERIFIERS_GROUP)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=VERIFIERS_GROUP).delete()


class Migration(migrations.Migration):
    """Verifiers review claims that screening routes to a human; membership is this group."""

    dependencies = [("accounts", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_group, remove_group)]
