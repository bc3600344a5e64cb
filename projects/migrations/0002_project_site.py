import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0001_initial"),
        ("sites", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="project",
            name="site",
            field=models.ForeignKey(
                blank=True,
                help_text="The owner's site the project runs at. Claims of a project without one go to review.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="projects",
                to="sites.site",
            ),
        ),
    ]
