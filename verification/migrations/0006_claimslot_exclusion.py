"""PostgreSQL only: two active claim slots of one key (a site's energy or materials, a meter) can never
have overlapping periods.

This backs "one site, one claim per period" in the database, across organisations and categories, so
two racing claims on one site or meter cannot both hold it (as 0003 does per project). SQLite has no
exclusion constraints; there the organisation and site locks and SQLite's single writer serialise
submissions.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE verification_claimslot
    ADD CONSTRAINT claimslot_live_periods_do_not_overlap
    EXCLUDE USING gist (key WITH =, daterange(period_start, period_end, '[]') WITH &&)
    WHERE (active);
"""
DROP = "ALTER TABLE verification_claimslot DROP CONSTRAINT IF EXISTS claimslot_live_periods_do_not_overlap;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("verification", "0005_trust_at_issuance")]

    operations = [migrations.RunPython(forwards, backwards)]
