"""PostgreSQL only: drop ``ledger_move`` and ``ledger_block_snapshot``.

Entry bodies are built in Python alone (``ledger.entries``); the database only appends them
(``ledger_append``, migration 0002). Going back re-creates the functions of 0003.
"""

import importlib

from django.db import migrations

from ledger.migration_ops import PostgresOnly

_0003 = importlib.import_module("ledger.migrations.0003_postgres_ledger_move")

DROP = """
DROP FUNCTION ledger_move(text, bigint, bigint, bigint, text, text, bigint, text);
DROP FUNCTION ledger_block_snapshot(ledger_creditblock);
"""


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_postgres_ledger_move")]

    operations = [PostgresOnly(migrations.RunSQL(DROP, reverse_sql=_0003.SNAPSHOT_FUNCTION + _0003.MOVE_FUNCTION))]
