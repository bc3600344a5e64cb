import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from ledger.models import CreditBlock, LedgerEntry
from ledger.services import credits_transfer
from tests.accounts.factories import OrganizationFactory
from tests.ledger.factories import issue

ROLE = "carboncred_app_test"


def _as_app_role(sql: str) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_app_role_moves_credits_but_cannot_rewrite_or_unguard_the_ledger():
    issuance = issue(quantity_kg=1_000)
    buyer = OrganizationFactory.create()
    with connection.cursor() as cursor:  # role creation is rolled back with the test transaction
        cursor.execute(f"CREATE ROLE {ROLE} NOLOGIN")
    call_command("postgres_app_role", role=ROLE, apply=True)

    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {ROLE}")
    try:
        moved = credits_transfer(
            sender=issuance.owner_block.owner, block=issuance.owner_block.id, quantity_kg=10, to=buyer
        )
        assert moved.block.owner_id == buyer.id
        for forbidden in [
            "ALTER TABLE ledger_ledgerentry DISABLE TRIGGER ALL",
            "UPDATE ledger_ledgerentry SET kind = 'issue'",
            "DELETE FROM ledger_ledgerentry",
            "TRUNCATE ledger_ledgerentry",
            "DELETE FROM ledger_creditblock",
            "ALTER TABLE ledger_creditblock DISABLE TRIGGER ALL",
            "SET session_replication_role = replica",
        ]:
            with pytest.raises(DatabaseError, match=r"permission denied|must be owner"):
                _as_app_role(forbidden)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")

    assert LedgerEntry.objects.filter(kind="transfer").count() == 1
    assert CreditBlock.objects.filter(owner=buyer, serial_end__gte=1).count() == 1
