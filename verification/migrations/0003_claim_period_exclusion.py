"""PostgreSQL only: two live (not rejected) claims of one project can never have overlapping periods.

This backs the overlap rule in the database, so even two racing submissions cannot both hold the
same days. SQLite has no exclusion constraints; there the organisation lock and SQLite's single
writer serialise submissions.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE verification_reductionclaim
    ADD CONSTRAINT claim_live_periods_do_not_overlap
    EXCLUDE USING gist (project_id WITH =, daterange(period_start, period_end, '[]') WITH &&)
    WHERE (status <> 'rejected');
"""
DROP = "ALTER TABLE verification_reductionclaim DROP CONSTRAINT IF EXISTS claim_live_periods_do_not_overlap;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("verification", "0002_load_crediting_factors")]

    operations = [migrations.RunPython(forwards, backwards)]
