"""Which ledger tables are append-only on PostgreSQL, and the triggers that make them so.

The triggers (migration 0002) are ``ENABLE ALWAYS``: ``session_replication_role = replica`` does not
skip them. Only a table owner or superuser can ``ALTER TABLE ... DISABLE TRIGGER``; the application's
role (``manage.py postgres_app_role``) is neither.
"""

APPEND_ONLY_TABLES = (
    "ledger_ledgerentry",
    "ledger_ledgerentryparty",
    "ledger_ledgerentryrange",
    "ledger_checkpoint",
    "ledger_merklenode",
    "ledger_reversal",  # migration 0006
)
# Credit blocks change, but are never deleted, and a retired or cancelled block never changes again.
GUARDED_TABLES = ("ledger_creditblock",)

TRIGGERS = {
    **{table: (f"{table}_no_change", f"{table}_no_truncate") for table in APPEND_ONLY_TABLES},
    "ledger_creditblock": (
        "ledger_creditblock_guard",
        "ledger_creditblock_no_delete",
        "ledger_creditblock_no_truncate",
    ),
}
