"""Migration operations that exist only on PostgreSQL.

The model state never changes, so ``makemigrations --check`` is clean on SQLite and PostgreSQL
alike; the database side runs only where the vendor is PostgreSQL.
"""

from django.db.migrations.operations.base import Operation


class PostgresOnly(Operation):
    """Run the database side of ``operation`` on PostgreSQL only; never touch the model state."""

    reduces_to_sql = False

    def __init__(self, operation: Operation) -> None:
        self.operation = operation
        # Per instance, unlike Operation's class attribute: as reversible as the wrapped operation.
        self.reversible = operation.reversible  # type: ignore[misc]

    def deconstruct(self):
        return (self.__class__.__qualname__, [self.operation], {})

    def state_forwards(self, app_label, state) -> None:
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if schema_editor.connection.vendor == "postgresql":
            self.operation.database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if schema_editor.connection.vendor == "postgresql":
            self.operation.database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self) -> str:
        return f"{self.operation.describe()} (PostgreSQL only)"
