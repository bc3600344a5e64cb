"""Credits are made through the services (never by factory rows), so the ledger always agrees."""

from decimal import Decimal

from ledger.models import Checkpoint, CreditBlock
from ledger.services import Issuance, checkpoint_create, credits_issue
from tests.accounts.factories import OrganizationFactory
from tests.projects.factories import ProjectFactory


def issue(*, owner=None, project=None, quantity_kg=1000, vintage=2025, buffer_share=Decimal("0.10")) -> Issuance:
    """Issue credits to ``owner`` (a new organisation by default) on a new or given project."""
    if project is None:
        project = ProjectFactory.create(owner=owner or OrganizationFactory.create())
    return credits_issue(project=project, vintage=vintage, quantity_kg=quantity_kg, buffer_share=buffer_share)


def buffer_of(issuance: Issuance) -> CreditBlock:
    """The buffer pool's block of an issuance made with a buffer share (every one here has it)."""
    assert issuance.buffer_block is not None, "issued without a buffer share"
    return issuance.buffer_block


def checkpoint_made() -> Checkpoint:
    """``checkpoint_create()`` on a ledger that has entries, where it always returns a checkpoint."""
    made = checkpoint_create()
    assert made is not None, "no checkpoint: the ledger is empty"
    return made


def signed_note(made: Checkpoint) -> str:
    """The checkpoint's signed note; every checkpoint the services store has one."""
    assert made.note is not None, f"checkpoint {made.size} has no note"
    return made.note
