import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ledger.models import Checkpoint, CreditBlock, LedgerHead
from tests.accounts.factories import OrganizationFactory
from tests.ledger.tamper import triggers_off
from tests.ledger.test_chain import make_entries

pytestmark = pytest.mark.django_db


def run(*args) -> dict:
    out = StringIO()
    call_command(*args, stdout=out)
    return json.loads(out.getvalue())


def test_checkpoint_command_stores_a_checkpoint_over_every_entry():
    assert run("ledger_checkpoint") == {"size": 0, "root": None}
    make_entries(9)

    result = run("ledger_checkpoint")

    assert result == {"size": 9, "root": Checkpoint.objects.get().root_hex}


def test_verify_command_reports_and_fails_on_a_broken_chain():
    make_entries(5)
    head = LedgerHead.objects.get()

    report = run("ledger_verify", "--expect-head", f"5:{bytes(head.hash).hex()}", "--chunk-size", "2")
    assert report["ok"] is True and report["entries_checked"] == 5

    with pytest.raises(CommandError, match="seq 1"):
        call_command("ledger_verify", "--expect-head", f"5:{'ab' * 32}", stdout=StringIO())
    with triggers_off() as cursor:
        cursor.execute("UPDATE ledger_ledgerentry SET canonical = canonical || ' ' WHERE seq = 3")
    with pytest.raises(CommandError, match="seq 3"):
        call_command("ledger_verify", stdout=StringIO())
    with pytest.raises(CommandError, match="NUMBER:HEX"):
        call_command("ledger_verify", "--expect-head", "five", stdout=StringIO())


def test_replay_command_reports_and_fails_on_a_difference():
    block = make_entries(3)
    assert run("ledger_replay")["ok"] is True

    CreditBlock.objects.filter(pk=block.pk).update(owner=OrganizationFactory.create())

    with pytest.raises(CommandError, match="1 difference"):
        call_command("ledger_replay", stdout=StringIO())
