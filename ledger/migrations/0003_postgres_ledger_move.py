"""PostgreSQL only: ``ledger_move``, a whole credit movement in one round trip.

Lock the actor's block, check status and quantity, split or hand over, build the entry body and
append it through ``ledger_append`` — the same steps, in the same order, as ``ledger.services`` does
in Python (which SQLite uses). The body it builds must be byte-identical to
``ledger.hashing.entry_body(kind, services.movement_payload(...))``; tests compare them for every
movement they make on PostgreSQL. Everything it concatenates is ASCII digits or status names, and
the memo arrives already canonical (RFC 8785) from Python, so no JSON escaping happens here.
"""

from django.db import migrations

from ledger.migration_ops import PostgresOnly

SNAPSHOT_FUNCTION = """
-- PL/pgSQL rather than SQL: its expression is prepared once per session, not planned per call.
CREATE FUNCTION ledger_block_snapshot(b ledger_creditblock) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RETURN '{"id":"' || b.id
        || '","owner":"' || b.owner_id
        || '","parent":' || coalesce('"' || b.parent_id || '"', 'null')
        || ',"project":"' || b.project_id
        || '","quantity_kg":' || (b.serial_end - b.serial_start + 1)
        || ',"serial_end":"' || b.serial_end
        || '","serial_start":"' || b.serial_start
        || '","status":"' || b.status
        || '","vintage":' || b.vintage
        || '}';
END
$$;
"""

MOVE_FUNCTION = """
CREATE FUNCTION ledger_move(
    p_kind text,
    p_actor bigint,
    p_block bigint,
    p_quantity bigint,  -- NULL: the whole block
    p_required_status text,
    p_new_status text,
    p_receiver bigint,
    p_memo text  -- canonical JSON object
) RETURNS TABLE (
    o_outcome text,  -- ok | not_found | wrong_status | insufficient
    o_source_status text,
    o_available bigint,
    o_quantity bigint,
    o_project bigint,
    o_vintage integer,
    o_source_id bigint,
    o_source_start bigint,
    o_source_end bigint,
    o_source_owner bigint,
    o_source_parent bigint,
    o_source_created_at timestamptz,
    o_moved_id bigint,
    o_moved_start bigint,
    o_moved_end bigint,
    o_moved_status text,
    o_moved_created_at timestamptz,
    o_seq bigint,
    o_prev_hash bytea,
    o_hash bytea,
    o_created_at timestamptz,
    o_canonical text
)
LANGUAGE plpgsql AS $$
DECLARE
    v_source ledger_creditblock;
    v_moved ledger_creditblock;
    v_held bigint;
    v_quantity bigint;
    v_blocks text;
    v_body text;
    v_entry record;
BEGIN
    -- Lock order: this block, then (in ledger_append) the ledger head.
    SELECT * INTO v_source FROM ledger_creditblock WHERE id = p_block AND owner_id = p_actor FOR UPDATE;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'not_found'::text, NULL::text, NULL::bigint, NULL::bigint,
            NULL::bigint, NULL::integer, NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint, NULL::timestamptz,
            NULL::bigint, NULL::bigint, NULL::bigint, NULL::text, NULL::timestamptz,
            NULL::bigint, NULL::bytea, NULL::bytea, NULL::timestamptz, NULL::text;
        RETURN;
    END IF;
    v_held := v_source.serial_end - v_source.serial_start + 1;
    v_quantity := coalesce(p_quantity, v_held);
    IF v_source.status <> p_required_status OR v_quantity > v_held THEN
        RETURN QUERY SELECT
            CASE WHEN v_source.status <> p_required_status THEN 'wrong_status' ELSE 'insufficient' END,
            v_source.status::text, v_held, v_quantity,
            NULL::bigint, NULL::integer, NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint, NULL::timestamptz,
            NULL::bigint, NULL::bigint, NULL::bigint, NULL::text, NULL::timestamptz,
            NULL::bigint, NULL::bytea, NULL::bytea, NULL::timestamptz, NULL::text;
        RETURN;
    END IF;

    IF v_quantity = v_held THEN
        UPDATE ledger_creditblock SET owner_id = p_receiver, status = p_new_status
            WHERE id = v_source.id RETURNING * INTO v_source;
        v_moved := v_source;
        v_blocks := ledger_block_snapshot(v_source);
    ELSE
        -- Shrink first: the exclusion constraint forbids the two ranges overlapping even briefly.
        UPDATE ledger_creditblock SET serial_end = v_source.serial_end - v_quantity
            WHERE id = v_source.id RETURNING * INTO v_source;
        INSERT INTO ledger_creditblock
            (project_id, vintage, serial_start, serial_end, owner_id, status, parent_id, created_at)
            VALUES (v_source.project_id, v_source.vintage, v_source.serial_end + 1,
                    v_source.serial_end + v_quantity, p_receiver, p_new_status, v_source.id, now())
            RETURNING * INTO v_moved;
        v_blocks := ledger_block_snapshot(v_source) || ',' || ledger_block_snapshot(v_moved);
    END IF;

    v_body := '{"kind":"' || p_kind || '","payload":{"block":"' || v_moved.id
        || '","blocks":[' || v_blocks
        || '],"from":"' || p_actor
        || '","memo":' || p_memo
        || ',"quantity_kg":' || v_quantity
        || ',"source":"' || v_source.id
        || '","to":"' || p_receiver
        || '"}}';
    SELECT * INTO v_entry FROM ledger_append(
        p_kind, v_body,
        ARRAY(SELECT DISTINCT party FROM unnest(ARRAY[p_actor, p_receiver]) AS party ORDER BY party),
        ARRAY[v_moved.id], ARRAY[v_moved.project_id], ARRAY[v_moved.vintage::integer],
        ARRAY[v_moved.serial_start], ARRAY[v_moved.serial_end]);
    RETURN QUERY SELECT 'ok'::text, v_source.status::text, v_held, v_quantity,
        v_source.project_id, v_source.vintage::integer,
        v_source.id, v_source.serial_start, v_source.serial_end, v_source.owner_id, v_source.parent_id,
        v_source.created_at,
        v_moved.id, v_moved.serial_start, v_moved.serial_end, v_moved.status::text, v_moved.created_at,
        v_entry.o_seq, v_entry.o_prev_hash, v_entry.o_hash, v_entry.o_created_at, v_entry.o_canonical;
END
$$;
"""

DROP = """
DROP FUNCTION ledger_move(text, bigint, bigint, bigint, text, text, bigint, text);
DROP FUNCTION ledger_block_snapshot(ledger_creditblock);
"""


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_postgres_guards")]

    operations = [PostgresOnly(migrations.RunSQL(SNAPSHOT_FUNCTION + MOVE_FUNCTION, reverse_sql=DROP))]
