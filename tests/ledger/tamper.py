"""Acting as an attacker with database superuser: switch the append-only triggers off, change rows."""

from contextlib import contextmanager

from django.db import connection

from ledger.hashing import entry_hash
from ledger.immutability import TRIGGERS


def suspend_sql(tables=None) -> list[str]:
    """The statements a table owner or superuser runs to switch the append-only triggers off."""
    return [f"ALTER TABLE {table} DISABLE TRIGGER {name}" for table in tables or TRIGGERS for name in TRIGGERS[table]]


def restore_sql(tables=None) -> list[str]:
    return [
        f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {name}" for table in tables or TRIGGERS for name in TRIGGERS[table]
    ]


@contextmanager
def triggers_off():
    """``ALTER TABLE ... DISABLE TRIGGER`` on PostgreSQL (SQLite has no triggers to get around).

    Foreign keys are checked immediately meanwhile (ALTER TABLE refuses a table with deferred
    checks pending), so a tampering statement must keep them valid, as it would have to at commit.
    """
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for sql in suspend_sql():
                cursor.execute(sql)
        try:
            yield cursor
        finally:
            if postgres:
                for sql in restore_sql():
                    cursor.execute(sql)
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def drop_index_rows(cursor, *seqs: int) -> None:
    """The attacker removes an entry's derived index rows too, or the foreign keys give it away."""
    marks = ", ".join(["%s"] * len(seqs))
    cursor.execute(f"DELETE FROM ledger_ledgerentryparty WHERE entry_id IN ({marks})", seqs)  # noqa: S608
    cursor.execute(f"DELETE FROM ledger_ledgerentryrange WHERE entry_id IN ({marks})", seqs)  # noqa: S608


def rewrite_from(seq: int, *, edit) -> None:
    """Rewrite entry ``seq`` with ``edit(canonical) -> canonical`` and recompute every later hash and
    the head, as a careful attacker would: the chain stays self-consistent."""
    with triggers_off() as cursor:
        cursor.execute("SELECT hash FROM ledger_ledgerentry WHERE seq = %s", [seq - 1])
        row = cursor.fetchone()
        prev = bytes(row[0]) if row else bytes(32)
        cursor.execute("SELECT seq, canonical FROM ledger_ledgerentry WHERE seq >= %s ORDER BY seq", [seq])
        rows = cursor.fetchall()
        for current, canonical in rows:
            if current == seq:
                edited = edit(canonical)
                assert edited != canonical, "the edit must change the entry"
                canonical = edited
            digest = entry_hash(seq=current, prev_hash=prev, canonical=canonical.encode())
            cursor.execute(
                "UPDATE ledger_ledgerentry SET canonical = %s, prev_hash = %s, hash = %s WHERE seq = %s",
                [canonical, prev, digest, current],
            )
            prev = digest
        cursor.execute("UPDATE ledger_ledgerhead SET hash = %s WHERE id = 1", [prev])


def recompute_checkpoints(*, ring=None) -> None:
    """Rebuild every stored checkpoint (the same sizes) and every Merkle node — the stored leaves
    included, which would otherwise still attest the entries as they were — from the entries as they
    are now, and sign each tree head again, as an operator holding the database and the signing key
    (``ring``, default the registry's own) would after rewriting history."""
    from ledger import merkle
    from ledger.checkpoints import NODE_MIN_LEVEL
    from ledger.signing import key_ring

    ring = ring or key_ring()
    with triggers_off() as cursor:
        cursor.execute("SELECT hash FROM ledger_ledgerentry ORDER BY seq")
        hashes = [bytes(row[0]) for row in cursor.fetchall()]
        cursor.execute("SELECT size FROM ledger_checkpoint ORDER BY size")
        sizes = [row[0] for row in cursor.fetchall()]
        frontier: list[bytes] = []
        nodes: dict[tuple[int, int], bytes] = {}

        def keep(level: int, index: int, digest: bytes) -> None:
            # What ledger.checkpoints stores: every leaf, and every subtree of NODE_MIN_LEVEL and up.
            if level == 0 or level >= NODE_MIN_LEVEL:
                nodes[(level, index)] = digest

        size = 0
        for target in sizes:
            size = merkle.extend(frontier, size, [merkle.leaf_hash(h) for h in hashes[size:target]], keep)
            root = merkle.root_from_frontier(frontier)
            cursor.execute(
                "UPDATE ledger_checkpoint SET root = %s, frontier = %s, note = %s WHERE size = %s",
                [root, b"".join(frontier), ring.sign_checkpoint(size=target, root=root), target],
            )
        cursor.execute("DELETE FROM ledger_merklenode")
        for (level, index), digest in nodes.items():
            cursor.execute(
                'INSERT INTO ledger_merklenode (level, "index", hash) VALUES (%s, %s, %s)', [level, index, digest]
            )


def truncate_after(seq: int) -> None:
    """Remove every entry after ``seq`` with its index rows, checkpoints and Merkle nodes, and move the
    head back: a log cut short by an operator with superuser access."""
    with triggers_off() as cursor:
        cursor.execute("DELETE FROM ledger_ledgerentryparty WHERE entry_id > %s", [seq])
        cursor.execute("DELETE FROM ledger_ledgerentryrange WHERE entry_id > %s", [seq])
        cursor.execute("DELETE FROM ledger_ledgerentry WHERE seq > %s", [seq])
        cursor.execute("DELETE FROM ledger_checkpoint WHERE size > %s", [seq])
        # A node covers leaves index·2^level .. (index+1)·2^level - 1; keep those inside 1..seq.
        cursor.execute('SELECT level, "index" FROM ledger_merklenode')
        for level, index in cursor.fetchall():
            if (index + 1) << level > seq:
                cursor.execute('DELETE FROM ledger_merklenode WHERE level = %s AND "index" = %s', [level, index])
        cursor.execute("SELECT hash, created_at FROM ledger_ledgerentry WHERE seq = %s", [seq])
        digest, created_at = cursor.fetchone()
        cursor.execute(
            "UPDATE ledger_ledgerhead SET seq = %s, hash = %s, created_at = %s WHERE id = 1", [seq, digest, created_at]
        )
