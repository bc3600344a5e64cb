from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from ledger.immutability import APPEND_ONLY_TABLES, GUARDED_TABLES


def app_role_grants(*, role: str, database: str) -> list[str]:
    """Privileges for the role the web processes use. It owns nothing, so it cannot ALTER a table or
    DISABLE its triggers; on the ledger's append-only tables it may only read and insert."""
    append_only = ", ".join(APPEND_ONLY_TABLES)
    guarded = ", ".join(GUARDED_TABLES)
    return [
        f'GRANT CONNECT ON DATABASE "{database}" TO {role}',
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {role}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {append_only} FROM {role}",
        f"REVOKE DELETE, TRUNCATE ON {guarded} FROM {role}",
    ]


class Command(BaseCommand):
    help = (
        "Print (or --apply) the GRANTs for the PostgreSQL role the application runs as. Run it as the "
        "role that owns the tables, after every `migrate`. See docs/DEPLOY.md."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--role", default="carboncred_app")
        parser.add_argument("--apply", action="store_true", help="execute the statements instead of printing")

    def handle(self, *args, role: str, apply: bool, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("Roles and grants apply to PostgreSQL only.")
        if not role.replace("_", "").isalnum():
            raise CommandError("--role must be a plain identifier (letters, digits, underscores).")
        statements = app_role_grants(role=role, database=connection.settings_dict["NAME"])
        if not apply:
            self.stdout.write(";\n".join(statements) + ";")
            return
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(f"Granted {len(statements)} privilege sets to {role}.")
