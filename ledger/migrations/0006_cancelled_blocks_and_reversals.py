"""Reversals: a ``cancelled`` block status, the ``cancel`` and ``buffer_cancel`` entry kinds, and the
``Reversal`` record (docs/LEDGER.md, "Reversals").

On PostgreSQL the block guard now refuses any change to a cancelled block as it does to a retired
one, and ``ledger_reversal`` is append-only like the entries (the triggers of migration 0002).
"""

import django.db.models.deletion
import django.db.models.expressions
from django.db import migrations, models

from ledger.migration_ops import PostgresOnly

GUARD = """
CREATE OR REPLACE FUNCTION ledger_creditblock_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'credit block % cannot be deleted: the ledger refers to it', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF OLD.status IN ('retired', 'cancelled') THEN
        RAISE EXCEPTION 'credit block % is % and can never change again', OLD.id, OLD.status
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END
$$;
DROP TRIGGER ledger_creditblock_guard ON ledger_creditblock;
-- WHEN: the function runs only for a block in a final status, not on every split.
CREATE TRIGGER ledger_creditblock_guard BEFORE UPDATE ON ledger_creditblock
    FOR EACH ROW WHEN (OLD.status IN ('retired', 'cancelled')) EXECUTE FUNCTION ledger_creditblock_guard();
ALTER TABLE ledger_creditblock ENABLE ALWAYS TRIGGER ledger_creditblock_guard;
"""

GUARD_BEFORE = """
CREATE OR REPLACE FUNCTION ledger_creditblock_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'credit block % cannot be deleted: the ledger refers to it', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF OLD.status = 'retired' THEN
        RAISE EXCEPTION 'credit block % is retired and can never change again', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END
$$;
DROP TRIGGER ledger_creditblock_guard ON ledger_creditblock;
CREATE TRIGGER ledger_creditblock_guard BEFORE UPDATE ON ledger_creditblock
    FOR EACH ROW WHEN (OLD.status = 'retired') EXECUTE FUNCTION ledger_creditblock_guard();
ALTER TABLE ledger_creditblock ENABLE ALWAYS TRIGGER ledger_creditblock_guard;
"""

REVERSAL_APPEND_ONLY = """
CREATE TRIGGER ledger_reversal_no_change BEFORE UPDATE OR DELETE ON ledger_reversal
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_reversal_no_truncate BEFORE TRUNCATE ON ledger_reversal
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
ALTER TABLE ledger_reversal ENABLE ALWAYS TRIGGER ledger_reversal_no_change;
ALTER TABLE ledger_reversal ENABLE ALWAYS TRIGGER ledger_reversal_no_truncate;
"""

DROP_REVERSAL_APPEND_ONLY = """
DROP TRIGGER ledger_reversal_no_change ON ledger_reversal;
DROP TRIGGER ledger_reversal_no_truncate ON ledger_reversal;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_merge_standing_and_size"),
        ("ledger", "0005_checkpoint_note"),
        ("projects", "0002_project_site"),
    ]

    operations = [
        migrations.CreateModel(
            name="Reversal",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("vintage", models.PositiveSmallIntegerField()),
                ("serial_start", models.BigIntegerField(help_text="First serial the issuance issued.")),
                (
                    "serial_end",
                    models.BigIntegerField(help_text="Last serial the issuance issued (its buffer share's last)."),
                ),
                (
                    "cancelled_kg",
                    models.BigIntegerField(help_text="Still held by the owner (available or listed): cancelled."),
                ),
                (
                    "buffer_share_cancelled_kg",
                    models.BigIntegerField(
                        help_text="The issuance's own buffer share still in the pool: cancelled with it."
                    ),
                ),
                (
                    "compensation_kg",
                    models.BigIntegerField(help_text="The rest of the issuance: to be made up from the pool."),
                ),
                (
                    "buffer_cancelled_kg",
                    models.BigIntegerField(help_text="Other buffer-pool credits cancelled to make up for it."),
                ),
                ("shortfall_kg", models.BigIntegerField(help_text="What the buffer pool could not make up.")),
                ("reason", models.TextField(help_text="As recorded in the entries' memo (public).")),
                ("created_at", models.DateTimeField(help_text="The last entry's timestamp.")),
            ],
            options={
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.RemoveConstraint(
            model_name="creditblock",
            name="creditblock_status_valid",
        ),
        migrations.RemoveConstraint(
            model_name="ledgerentry",
            name="ledgerentry_kind_valid",
        ),
        migrations.AlterField(
            model_name="creditblock",
            name="status",
            field=models.CharField(
                choices=[
                    ("available", "Available"),
                    ("listed", "Listed for sale"),
                    ("retired", "Retired"),
                    ("cancelled", "Cancelled"),
                ],
                default="available",
                max_length=10,
            ),
        ),
        migrations.AlterField(
            model_name="ledgerentry",
            name="kind",
            field=models.CharField(
                choices=[
                    ("issue", "Issue"),
                    ("list", "List for sale"),
                    ("delist", "Withdraw from sale"),
                    ("transfer", "Transfer"),
                    ("trade", "Trade"),
                    ("retire", "Retire"),
                    ("cancel", "Cancel (issuance reversed)"),
                    ("buffer_cancel", "Cancel from the buffer pool (reversal compensated)"),
                ],
                max_length=16,
            ),
        ),
        migrations.AddConstraint(
            model_name="creditblock",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["available", "listed", "retired", "cancelled"])),
                name="creditblock_status_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="ledgerentry",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("kind__in", ["issue", "list", "delist", "transfer", "trade", "retire", "cancel", "buffer_cancel"])
                ),
                name="ledgerentry_kind_valid",
            ),
        ),
        migrations.AddField(
            model_name="reversal",
            name="buffer_cancel_entry",
            field=models.OneToOneField(
                blank=True,
                help_text="Kind `buffer_cancel`.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="ledger.ledgerentry",
            ),
        ),
        migrations.AddField(
            model_name="reversal",
            name="cancel_entry",
            field=models.OneToOneField(
                blank=True,
                help_text="Kind `cancel`.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="ledger.ledgerentry",
            ),
        ),
        migrations.AddField(
            model_name="reversal",
            name="issue_entry",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT, related_name="reversal", to="ledger.ledgerentry"
            ),
        ),
        migrations.AddField(
            model_name="reversal",
            name="owner",
            field=models.ForeignKey(
                help_text="The issuance's owner.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.organization",
            ),
        ),
        migrations.AddField(
            model_name="reversal",
            name="project",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="projects.project"
            ),
        ),
        migrations.AddIndex(
            model_name="reversal",
            index=models.Index(fields=["project", "vintage", "serial_start"], name="reversal_serials"),
        ),
        migrations.AddConstraint(
            model_name="reversal",
            constraint=models.CheckConstraint(
                condition=models.Q(("serial_end__gte", models.F("serial_start"))), name="reversal_range_well_formed"
            ),
        ),
        migrations.AddConstraint(
            model_name="reversal",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("buffer_cancelled_kg__gte", 0),
                    ("buffer_share_cancelled_kg__gte", 0),
                    ("cancelled_kg__gte", 0),
                    ("shortfall_kg__gte", 0),
                ),
                name="reversal_quantities_not_negative",
            ),
        ),
        migrations.AddConstraint(
            model_name="reversal",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "compensation_kg",
                        django.db.models.expressions.CombinedExpression(
                            django.db.models.expressions.CombinedExpression(
                                django.db.models.expressions.CombinedExpression(
                                    django.db.models.expressions.CombinedExpression(
                                        models.F("serial_end"), "-", models.F("serial_start")
                                    ),
                                    "+",
                                    models.Value(1),
                                ),
                                "-",
                                models.F("cancelled_kg"),
                            ),
                            "-",
                            models.F("buffer_share_cancelled_kg"),
                        ),
                    )
                ),
                name="reversal_compensation_is_the_rest",
            ),
        ),
        migrations.AddConstraint(
            model_name="reversal",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "shortfall_kg",
                        django.db.models.expressions.CombinedExpression(
                            models.F("compensation_kg"), "-", models.F("buffer_cancelled_kg")
                        ),
                    )
                ),
                name="reversal_shortfall_is_what_the_pool_lacked",
            ),
        ),
        PostgresOnly(migrations.RunSQL(GUARD, reverse_sql=GUARD_BEFORE)),
        PostgresOnly(migrations.RunSQL(REVERSAL_APPEND_ONLY, reverse_sql=DROP_REVERSAL_APPEND_ONLY)),
    ]
