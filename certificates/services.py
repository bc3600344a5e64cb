"""Retiring credits for a certificate, and what follows a retirement: its checkpoint, its PDF, its proof."""

import functools
import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction

from accounts.models import Organization
from accounts.services import organization_check_not_suspended
from certificates.checks import (
    Verification,
    check_entry_hash,
    check_entry_matches_certificate,
    check_inclusion,
    retire_entry_claims,
    serial_key,
)
from certificates.facts import CertificateFacts
from certificates.models import RetirementCertificate
from certificates.pdf import LAYOUT_VERSION, certificate_pdf_render
from certificates.selectors import certificate_facts, checkpoint_covering
from core.db import atomic_with_retry
from ledger.chain import EntryRow
from ledger.checkpoints import ChainBrokenError
from ledger.hashing import entry_hash
from ledger.models import BlockStatus, Checkpoint, CreditBlock, LedgerEntry
from ledger.selectors import InclusionProof, inclusion_proof_for, parse_serial, verify_inclusion
from ledger.services import checkpoint_create, credits_retire

logger = logging.getLogger(__name__)

PDF_CACHE_SECONDS = 24 * 60 * 60


@atomic_with_retry
def retirement_create(
    *, organization: Organization, block_id: int, quantity_kg: int, beneficiary: str, reason: str
) -> RetirementCertificate:
    """Retire ``quantity_kg`` of the organisation's block for good and certify it, in one transaction.

    Locks (in ``credits_retire``): the block, then the ledger head, held until commit; the certificate
    row is inserted with the entry (it records the entry's seq, hash and time). The checkpoint that
    proves the entry is stored after commit; the PDF is rendered on demand. Raises
    BlockNotFoundError (404) for a block the organisation does not hold, InsufficientCreditsError /
    BlockStatusError (409) otherwise; a suspended organisation cannot retire (403).
    """
    organization_check_not_suspended(organization)

    def certificate_for(retired: CreditBlock) -> EntryRow:
        certificate = RetirementCertificate(
            organization=organization,
            block=retired,
            serial=retired.serial,
            serial_start=retired.serial_start,
            serial_end=retired.serial_end,
            quantity_kg=retired.quantity_kg,
            beneficiary=beneficiary,
            reason=reason,
        )
        return EntryRow(
            certificate, from_entry={"ledger_entry_id": "seq", "entry_hash": "hash_hex", "retired_at": "created_at"}
        )

    movement = credits_retire(
        owner=organization,
        block=block_id,
        quantity_kg=quantity_kg,
        memo={"beneficiary": beneficiary, "reason": reason},
        then=certificate_for,
    )
    certificate = movement.row
    # robust: the retirement has committed by then; a failed checkpoint is logged and made on demand.
    transaction.on_commit(functools.partial(certificate_checkpoint_ensure, seq=movement.entry.seq), robust=True)
    return certificate


def certificate_checkpoint_ensure(*, seq: int) -> Checkpoint | None:
    """The first checkpoint covering entry ``seq``, storing one over every committed entry if none
    does yet (incremental and cheap: see ledger.checkpoints). Must run after the entry commits.

    ``None`` when the ledger refuses to checkpoint because the chain no longer hashes (tampering).
    """
    checkpoint = checkpoint_covering(seq=seq)
    if checkpoint is not None:
        return checkpoint
    try:
        checkpoint_create()
    except ChainBrokenError:
        logger.exception("ledger chain broken: no checkpoint for entry %s", seq)
        return None
    return checkpoint_covering(seq=seq)


def certificate_pdf(*, certificate: RetirementCertificate, store_checkpoint: bool = True) -> bytes:
    """The certificate's PDF, rendered once per layout version and then served from the cache.

    The render is deterministic, so a cache miss (another worker, an eviction) gives the same bytes.
    ``store_checkpoint=False`` (public downloads, which never write) prints the checkpoint that
    already covers the entry, if any, instead of storing one; once one exists, both give the same file.
    """
    if store_checkpoint:
        checkpoint = certificate_checkpoint_ensure(seq=certificate.ledger_entry_id)
    else:
        checkpoint = checkpoint_covering(seq=certificate.ledger_entry_id)
    key = f"certificate-pdf:{certificate.public_id}:{LAYOUT_VERSION}:{checkpoint.size if checkpoint else 0}"
    data = cache.get(key)
    if data is None:
        data = certificate_pdf_render(certificate_facts(certificate=certificate, checkpoint=checkpoint))
        cache.set(key, data, PDF_CACHE_SECONDS)
    return data


@dataclass(frozen=True)
class CertificateVerification:
    """A certificate checked against the ledger: what it states, the entry, the proof and the verdict."""

    certificate: RetirementCertificate
    facts: CertificateFacts
    entry: LedgerEntry
    recomputed_hash: str
    checkpoint: Checkpoint | None
    proof: InclusionProof | None
    proof_ok: bool | None
    verification: Verification

    @property
    def valid(self) -> bool:
        return self.verification.valid


def _certified_claims(certificate: RetirementCertificate) -> dict[str, object]:
    """The same keys as ``retire_entry_claims``, with the values the certificate states."""
    stated = parse_serial(certificate.serial)
    organization = str(certificate.organization_id)
    return {
        "organization": organization,
        "quantity_kg": certificate.quantity_kg,
        "block": str(certificate.block_id),
        "serial": serial_key(stated.project, stated.vintage, stated.first, stated.last) if stated else None,
        "serial_start": str(certificate.serial_start),
        "serial_end": str(certificate.serial_end),
        "owner": organization,
        "status": BlockStatus.RETIRED,
        "beneficiary": certificate.beneficiary,
        "reason": certificate.reason,
    }


def certificate_verify(*, certificate: RetirementCertificate) -> CertificateVerification:
    """Re-hash the certificate's ledger entry, compare it with the certificate and check its
    inclusion proof against the first checkpoint covering it. Reads only: the public check never
    writes, so a retirement not yet checkpointed (one is stored as the retirement commits) says so."""
    entry = certificate.ledger_entry
    recomputed = entry_hash(seq=entry.seq, prev_hash=bytes(entry.prev_hash), canonical=entry.canonical.encode())
    try:
        payload = entry.payload
    except (ValueError, KeyError, TypeError):  # the canonical text is no longer a JSON entry at all
        payload = None

    checkpoint = checkpoint_covering(seq=entry.seq)
    proof = proof_ok = None
    if checkpoint is not None:
        proof = inclusion_proof_for(seq=entry.seq, checkpoint=checkpoint)
        proof_ok = verify_inclusion(
            leaf_hash=proof.leaf_hash,
            leaf_index=proof.leaf_index,
            tree_size=proof.tree_size,
            audit_path=proof.audit_path,
            root=bytes(checkpoint.root),
        )
    verification = Verification(
        (
            check_entry_hash(stored_hash=entry.hash_hex, recomputed_hash=recomputed.hex()),
            check_entry_matches_certificate(
                kind=entry.kind,
                stored_hash=entry.hash_hex,
                certified_hash=certificate.entry_hash,
                expected=_certified_claims(certificate),
                payload=retire_entry_claims(payload),
            ),
            check_inclusion(
                proof_ok=proof_ok,
                checkpoint_size=checkpoint.size if checkpoint else None,
                reason="No checkpoint covers this entry yet: checkpoints are stored as each retirement commits, "
                "and the registry refuses to checkpoint a ledger whose entries no longer hash to their chain.",
            ),
        )
    )
    return CertificateVerification(
        certificate=certificate,
        facts=certificate_facts(certificate=certificate, checkpoint=checkpoint),
        entry=entry,
        recomputed_hash=recomputed.hex(),
        checkpoint=checkpoint,
        proof=proof,
        proof_ok=proof_ok,
        verification=verification,
    )
