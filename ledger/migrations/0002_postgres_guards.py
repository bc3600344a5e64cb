"""PostgreSQL only: the serial-range exclusion constraint, the append-only triggers and ``ledger_append``.

Nothing here changes the model state, so ``makemigrations --check`` stays clean on SQLite, where
the models and admin refuse changes instead and ``ledger.chain`` appends in Python.
"""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import BigIntegerRangeField, RangeBoundary, RangeOperators
from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations
from django.db.models import F, Func

from ledger.migration_ops import PostgresOnly

APPEND_ONLY_TABLES = (
    "ledger_ledgerentry",
    "ledger_ledgerentryparty",
    "ledger_ledgerentryrange",
    "ledger_checkpoint",
    "ledger_merklenode",
)

REFUSE_FUNCTION = """
CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on % refused: ledger rows are append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END
$$;
"""

APPEND_ONLY_TRIGGERS = "\n".join(
    f"""
CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
-- ALWAYS: also fire when session_replication_role = replica (which skips ordinary triggers).
ALTER TABLE {table} ENABLE ALWAYS TRIGGER {table}_no_change;
ALTER TABLE {table} ENABLE ALWAYS TRIGGER {table}_no_truncate;
"""
    for table in APPEND_ONLY_TABLES
)

BLOCK_GUARD = """
CREATE FUNCTION ledger_creditblock_guard() RETURNS trigger LANGUAGE plpgsql AS $$
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
-- WHEN: the function runs only for a retired block, not on every split.
CREATE TRIGGER ledger_creditblock_guard BEFORE UPDATE ON ledger_creditblock
    FOR EACH ROW WHEN (OLD.status = 'retired') EXECUTE FUNCTION ledger_creditblock_guard();
CREATE TRIGGER ledger_creditblock_no_delete BEFORE DELETE ON ledger_creditblock
    FOR EACH ROW EXECUTE FUNCTION ledger_creditblock_guard();
CREATE TRIGGER ledger_creditblock_no_truncate BEFORE TRUNCATE ON ledger_creditblock
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
ALTER TABLE ledger_creditblock ENABLE ALWAYS TRIGGER ledger_creditblock_guard;
ALTER TABLE ledger_creditblock ENABLE ALWAYS TRIGGER ledger_creditblock_no_delete;
ALTER TABLE ledger_creditblock ENABLE ALWAYS TRIGGER ledger_creditblock_no_truncate;
"""

DROP_GUARDS = (
    "\n".join(
        f"DROP TRIGGER {table}_no_change ON {table}; DROP TRIGGER {table}_no_truncate ON {table};"
        for table in APPEND_ONLY_TABLES
    )
    + """
DROP TRIGGER ledger_creditblock_guard ON ledger_creditblock;
DROP TRIGGER ledger_creditblock_no_delete ON ledger_creditblock;
DROP TRIGGER ledger_creditblock_no_truncate ON ledger_creditblock;
DROP FUNCTION ledger_creditblock_guard();
DROP FUNCTION ledger_refuse_change();
"""
)

# The whole append in one round trip, holding the head lock for as short as possible. It must
# produce byte-for-byte what ledger.hashing / ledger.chain produce in Python (tests compare them):
#   canonical = '{"created_at":"<ts>",' || body without its leading '{'
#   hash      = sha256(TAG || int8send(seq) || prev_hash || convert_to(canonical, 'UTF8'))
# TAG is b"CarbonCred/ledger/v1\x00".
APPEND_FUNCTION = r"""
CREATE FUNCTION ledger_append(
    p_kind text,
    p_body text,
    p_parties bigint[],
    p_blocks bigint[],
    p_projects bigint[],
    p_vintages integer[],
    p_starts bigint[],
    p_ends bigint[]
) RETURNS TABLE (o_seq bigint, o_prev_hash bytea, o_hash bytea, o_created_at timestamptz, o_canonical text)
LANGUAGE plpgsql AS $$
DECLARE
    v_head ledger_ledgerhead%ROWTYPE;
    v_seq bigint;
    v_ts timestamptz;
    v_canonical text;
    v_hash bytea;
BEGIN
    IF left(p_body, 9) <> '{"kind":"' OR substr(p_body, 10, length(p_kind) + 1) <> p_kind || '"' THEN
        RAISE EXCEPTION 'ledger_append: body does not start with kind %', p_kind;
    END IF;
    SELECT * INTO v_head FROM ledger_ledgerhead WHERE id = 1 FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO ledger_ledgerhead (id, seq, hash, created_at)
            VALUES (1, 0, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea, NULL)
            ON CONFLICT (id) DO NOTHING;
        SELECT * INTO v_head FROM ledger_ledgerhead WHERE id = 1 FOR UPDATE;
    END IF;
    v_seq := v_head.seq + 1;
    -- Taken under the lock and never before the previous entry's: created_at follows seq.
    v_ts := greatest(clock_timestamp(), v_head.created_at);
    v_canonical := '{"created_at":"' || to_char(v_ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
        || '",' || substr(p_body, 2);
    v_hash := sha256('\x436172626f6e437265642f6c65646765722f763100'::bytea || int8send(v_seq) || v_head.hash
        || convert_to(v_canonical, 'UTF8'));
    INSERT INTO ledger_ledgerentry (seq, kind, canonical, prev_hash, hash, created_at)
        VALUES (v_seq, p_kind, v_canonical, v_head.hash, v_hash, v_ts);
    INSERT INTO ledger_ledgerentryparty (entry_id, organization_id)
        SELECT v_seq, party FROM unnest(p_parties) AS party;
    INSERT INTO ledger_ledgerentryrange (entry_id, block_id, project_id, vintage, serial_start, serial_end)
        SELECT v_seq, r.block, r.project, r.vintage, r.first, r.last
        FROM unnest(p_blocks, p_projects, p_vintages, p_starts, p_ends) AS r(block, project, vintage, first, last);
    UPDATE ledger_ledgerhead SET seq = v_seq, hash = v_hash, created_at = v_ts WHERE id = 1;
    RETURN QUERY SELECT v_seq, v_head.hash, v_hash, v_ts, v_canonical;
END
$$;
"""

DROP_APPEND_FUNCTION = (
    "DROP FUNCTION ledger_append(text, text, bigint[], bigint[], bigint[], integer[], bigint[], bigint[]);"
)


class Int8Range(Func):
    function = "int8range"
    output_field = BigIntegerRangeField()


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [
        BtreeGistExtension(),  # CreateExtension is a no-op on other vendors
        PostgresOnly(
            migrations.AddConstraint(
                model_name="creditblock",
                constraint=ExclusionConstraint(
                    name="creditblock_serials_disjoint",
                    expressions=[
                        ("project", RangeOperators.EQUAL),
                        ("vintage", RangeOperators.EQUAL),
                        (
                            Int8Range(F("serial_start"), F("serial_end"), RangeBoundary(True, True)),
                            RangeOperators.OVERLAPS,
                        ),
                    ],
                ),
            )
        ),
        PostgresOnly(migrations.RunSQL(REFUSE_FUNCTION + APPEND_ONLY_TRIGGERS + BLOCK_GUARD, reverse_sql=DROP_GUARDS)),
        PostgresOnly(migrations.RunSQL(APPEND_FUNCTION, reverse_sql=DROP_APPEND_FUNCTION)),
    ]
