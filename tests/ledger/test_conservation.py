"""Conservation: the live blocks of every project and vintage tile exactly what the ledger issued."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ledger.audit import conservation
from ledger.models import CreditBlock, LedgerEntry
from tests.ledger.tamper import triggers_off
from tests.ledger.test_replay import mixed_workload

pytestmark = pytest.mark.django_db

ISSUED = 10_000 + 501 + 3_000  # mixed_workload's three issuances


def test_a_mixed_workload_conserves_every_kilogram():
    mixed_workload()

    report = conservation()

    assert report.ok, report.differences
    assert report.pairs_checked == 3
    assert report.issued_kg == ISSUED
    assert sum(report.held_kg.values()) == ISSUED
    assert report.held_kg["retired"] == 100 + 2_700
    assert report.held_kg["listed"] == 0


def test_an_empty_ledger_conserves():
    report = conservation()

    assert report.ok and report.pairs_checked == 0 and report.issued_kg == 0


def test_a_block_shrunk_behind_the_ledgers_back_loses_kilograms():
    mixed_workload()
    block = CreditBlock.objects.filter(status="available").order_by("id").first()
    assert block is not None
    with triggers_off() as cursor:
        cursor.execute("UPDATE ledger_creditblock SET serial_end = serial_end - 10 WHERE id = %s", [block.pk])

    report = conservation()

    assert not report.ok
    assert any("are in no block" in difference for difference in report.differences), report.differences


def test_a_block_grown_over_its_neighbour_is_an_overlap():
    mixed_workload()
    first, second = CreditBlock.objects.filter(vintage=2024).order_by("serial_start")[:2]
    with triggers_off() as cursor:
        # SQLite has no exclusion constraint; on PostgreSQL the attacker drops it first.
        if cursor.db.vendor == "postgresql":
            cursor.execute("ALTER TABLE ledger_creditblock DROP CONSTRAINT creditblock_serials_disjoint")
        cursor.execute("UPDATE ledger_creditblock SET serial_end = serial_end + 5 WHERE id = %s", [first.pk])

    report = conservation()

    assert not report.ok
    assert any(f"block {second.pk}" in difference and "overlaps" in difference for difference in report.differences)


def test_an_issue_entry_claiming_more_than_the_blocks_hold_is_reported():
    mixed_workload()
    seq = LedgerEntry.objects.filter(kind="issue").order_by("seq").values_list("seq", flat=True).first()
    with triggers_off() as cursor:
        cursor.execute(
            "UPDATE ledger_ledgerentry SET canonical = replace(canonical, '\"quantity_kg\":10000', "
            "'\"quantity_kg\":10500') WHERE seq = %s",
            [seq],
        )

    report = conservation()

    assert not report.ok
    assert any("issued 10500 kg" in difference for difference in report.differences), report.differences


def test_the_command_prints_the_report_and_fails_on_a_difference():
    mixed_workload()
    out = StringIO()
    call_command("ledger_conservation", stdout=out)
    assert json.loads(out.getvalue())["ok"] is True

    with triggers_off() as cursor:
        cursor.execute("DELETE FROM ledger_creditblock WHERE id = (SELECT max(id) FROM ledger_creditblock)")
    with pytest.raises(CommandError, match="difference"):
        call_command("ledger_conservation", stdout=StringIO())
