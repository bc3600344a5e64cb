"""Which ledger tables are append-only on PostgreSQL, and the SQL that suspends and restores that.

The triggers (migration 0002) are ``ENABLE ALWAYS``: ``session_replication_role = replica`` does not
skip them. Only a table owner or superuser can ``ALTER TABLE ... DISABLE TRIGGER`` — which is how the
tamper tests act as an attacker, and how the test suite's flush empties the tables between tests.
"""

APPEND_ONLY_TABLES = (
    "ledger_ledgerentry",
    "ledger_ledgerentryparty",
    "ledger_ledgerentryrange",
    "ledger_checkpoint",
    "ledger_merklenode",
)
# Credit blocks change, but are never deleted, and a retired block never changes again.
GUARDED_TABLES = ("ledger_creditblock",)

TRIGGERS = {
    **{table: (f"{table}_no_change", f"{table}_no_truncate") for table in APPEND_ONLY_TABLES},
    "ledger_creditblock": (
        "ledger_creditblock_guard",
        "ledger_creditblock_no_delete",
        "ledger_creditblock_no_truncate",
    ),
}


def suspend_sql(tables=None) -> list[str]:
    return [f"ALTER TABLE {table} DISABLE TRIGGER {name}" for table in tables or TRIGGERS for name in TRIGGERS[table]]


def restore_sql(tables=None) -> list[str]:
    return [
        f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {name}" for table in tables or TRIGGERS for name in TRIGGERS[table]
    ]
