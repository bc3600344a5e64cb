"""Finding 5: the public certificate check trusts only entries it has re-hashed and proven.

The check re-hashed the retirement entry alone. With the ``issue`` entry behind a certificate
forged (its methodology changed), the page still said "Verified" and showed the forged methodology
as fact. Now every entry the certificate's facts come from — the issuance of those serials, every
movement of them, and the retirement — is re-hashed and proven by an inclusion proof in the
checkpoint printed on the certificate, and the movements must hand the serials from owner to owner
up to the retiring organisation. A fact from an entry that fails is not shown.
"""

from decimal import Decimal

import pytest

from certificates.services import certificate_checkpoint_ensure
from ledger.models import LedgerEntry
from ledger.services import credits_issue
from marketplace.services import transfer_create
from tests.accounts.factories import OrganizationFactory, UserFactory
from tests.certificates.factories import retire
from tests.ledger.tamper import rewrite_from, triggers_off
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db

METHODOLOGY = "Grid solar, combined margin (CEA v19)"
FORGED = "Forged methodology (no such standard)"
# SHA-256 of the evidence behind the issuance, and of a document the forger would rather show.
EVIDENCE = "ab" * 32
FORGED_EVIDENCE = "cd" * 32


@pytest.fixture
def history():
    """Issued to a project owner, part transferred to a buyer, retired by the buyer; checkpointed
    as it is once the retirement commits. More entries around it, so proofs have real paths."""
    owner, buyer = UserFactory.create().organization, UserFactory.create().organization
    project = ProjectFactory.create(owner=owner)
    for _ in range(3):
        credits_issue(project=ProjectFactory.create(), vintage=2025, quantity_kg=100, buffer_share=Decimal(0))
    issued = credits_issue(
        project=project,
        vintage=2025,
        quantity_kg=1000,
        buffer_share=Decimal(0),
        memo={"methodology": METHODOLOGY, "screening_version": "engine 2026.1"},
        documents=[EVIDENCE],
    )
    transfer = transfer_create(
        sender=owner, block_id=issued.owner_block.pk, quantity_kg=400, to_organization_id=buyer.pk
    )
    credits_issue(project=ProjectFactory.create(), vintage=2025, quantity_kg=100, buffer_share=Decimal(0))
    certificate = retire(organization=buyer, block=transfer.block, quantity_kg=150)
    for _ in range(2):
        credits_issue(project=ProjectFactory.create(), vintage=2025, quantity_kg=100, buffer_share=Decimal(0))
    certificate_checkpoint_ensure(seq=certificate.ledger_entry_id)
    return {
        "certificate": certificate,
        "issue": issued.entry.seq,
        "transfer": transfer.ledger_entry_id,
        "retire": certificate.ledger_entry_id,
    }


def verify(client, certificate) -> dict:
    response = client.get(f"/api/certificates/verify/{certificate.public_id}/")
    assert response.status_code == 200
    return response.json()


def page(client, certificate) -> str:
    response = client.get(f"/certificates/{certificate.public_id}/")
    assert response.status_code == 200
    return response.content.decode()


def edit_entry(seq: int, old: str, new: str) -> None:
    """Change an entry's text in place, hash untouched (as a superuser with the triggers off)."""
    canonical = LedgerEntry.objects.get(seq=seq).canonical
    assert old in canonical
    with triggers_off() as cursor:
        cursor.execute(
            "UPDATE ledger_ledgerentry SET canonical = %s WHERE seq = %s", [canonical.replace(old, new), seq]
        )


def test_a_genuine_certificate_is_verified_with_its_whole_history(api_client, client, history):
    data = verify(api_client, history["certificate"])

    assert data["valid"] is True, data["checks"]
    assert data["certificate"]["methodology"] == METHODOLOGY
    assert [(entry["seq"], entry["kind"]) for entry in data["history"]] == [
        (history["issue"], "issue"),
        (history["transfer"], "transfer"),
        (history["retire"], "retire"),
    ]
    assert all(entry["hash_ok"] and entry["included"] for entry in data["history"])
    assert data["certificate"]["evidence_documents"] == [EVIDENCE]
    html = page(client, history["certificate"])
    assert METHODOLOGY in html
    assert EVIDENCE in html


def test_a_forged_issue_entry_makes_the_certificate_unverified_and_its_methodology_unshown(api_client, client, history):
    edit_entry(history["issue"], METHODOLOGY, FORGED)

    data = verify(api_client, history["certificate"])
    html = page(client, history["certificate"])

    assert data["valid"] is False
    assert FORGED not in str(data)
    assert data["certificate"]["methodology"] is None
    issuance = next(check for check in data["checks"] if check["name"] == "issuance_entry")
    assert issuance["ok"] is False
    assert "<h1>Not verified</h1>" in html
    assert FORGED not in html


def test_evidence_hashes_from_a_forged_issue_entry_are_not_shown(api_client, client, history):
    """The issue entry's evidence hashes are facts of the certificate like its methodology: a forger
    who swaps a document's hash for another's does not get it shown as the evidence."""
    edit_entry(history["issue"], EVIDENCE, FORGED_EVIDENCE)

    data = verify(api_client, history["certificate"])
    html = page(client, history["certificate"])

    assert data["valid"] is False
    assert data["certificate"]["evidence_documents"] == []
    assert FORGED_EVIDENCE not in str(data["certificate"])
    assert FORGED_EVIDENCE not in html.split("History of these serial numbers")[0]
    assert "cannot be verified, so the evidence it names is not shown" in html


def test_a_forged_and_rehashed_issue_entry_fails_its_inclusion_proof(api_client, client, history):
    """The careful forger recomputes every hash from the issue entry on: the chain is consistent,
    but the leaves no longer add up to the checkpoint's root."""
    rewrite_from(history["issue"], edit=lambda canonical: canonical.replace(METHODOLOGY, FORGED))

    data = verify(api_client, history["certificate"])

    assert data["valid"] is False
    issue = next(entry for entry in data["history"] if entry["kind"] == "issue")
    assert issue["hash_ok"] is True  # re-hashes: the forger recomputed it
    assert issue["included"] is False  # but the checkpoint attests another entry
    assert FORGED not in page(client, history["certificate"])
    assert data["certificate"]["methodology"] is None


def test_a_forged_transfer_between_issuance_and_retirement_is_caught(api_client, history):
    buyer = str(history["certificate"].organization_id)
    stranger = str(OrganizationFactory.create().pk)
    edit_entry(history["transfer"], f'"to":"{buyer}"', f'"to":"{stranger}"')

    data = verify(api_client, history["certificate"])

    assert data["valid"] is False
    movements = next(check for check in data["checks"] if check["name"] == "movement_entries")
    assert movements["ok"] is False
    transfer = next(entry for entry in data["history"] if entry["kind"] == "transfer")
    assert transfer["hash_ok"] is False


def test_a_movement_hidden_from_the_serial_index_breaks_the_chain_of_custody(api_client, history):
    """The serial index (LedgerEntryRange) is derived data: deleting a transfer's row must not make
    the history look like the owner retired credits it never received."""
    with triggers_off() as cursor:
        cursor.execute("DELETE FROM ledger_ledgerentryrange WHERE entry_id = %s", [history["transfer"]])

    data = verify(api_client, history["certificate"])

    assert data["valid"] is False
    movements = next(check for check in data["checks"] if check["name"] == "movement_entries")
    assert movements["ok"] is False


def test_an_issue_entry_missing_from_the_index_leaves_nothing_to_vouch_for_the_credits(api_client, history):
    with triggers_off() as cursor:
        cursor.execute("DELETE FROM ledger_ledgerentryrange WHERE entry_id = %s", [history["issue"]])

    data = verify(api_client, history["certificate"])

    assert data["valid"] is False
    assert next(check for check in data["checks"] if check["name"] == "issuance_entry")["ok"] is False
    assert data["certificate"]["methodology"] is None
