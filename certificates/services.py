"""Retiring credits for a certificate, and what follows a retirement: its checkpoint, its PDF, its proof."""

import functools
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from accounts.models import Organization
from accounts.services import organization_check_not_suspended
from certificates.checks import (
    HistoryEntry,
    Verification,
    check_entry_hash,
    check_entry_matches_certificate,
    check_inclusion,
    check_issuance,
    check_movements,
    retire_entry_claims,
    serial_key,
)
from certificates.facts import CertificateFacts
from certificates.models import RetirementCertificate
from certificates.pdf import LAYOUT_VERSION, certificate_pdf_render
from certificates.selectors import certificate_facts, certificate_history, checkpoint_covering
from core.db import atomic_with_retry
from ledger.chain import EntryRow
from ledger.checkpoints import ChainBrokenError
from ledger.hashing import entry_hash
from ledger.models import BlockStatus, Checkpoint, CreditBlock, LedgerEntry
from ledger.selectors import InclusionProof, inclusion_proofs_for, parse_serial, verify_inclusion
from ledger.services import checkpoint_create, credits_retire
from webhooks.events import EventType
from webhooks.services import event_emit

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
    # After the ledger step, so the event can name the certificate's id and entry: one indexed query
    # while the head is held when no endpoint wants it.
    event_emit(
        organization_id=organization.pk,
        type=EventType.CERTIFICATE_ISSUED,
        data={
            "certificate": certificate.pk,
            "public_id": certificate.public_id,
            "serial": certificate.serial,
            "quantity_kg": certificate.quantity_kg,
            "beneficiary": beneficiary,
            "reason": reason,
            "ledger_entry": {"seq": movement.entry.seq, "hash": movement.entry.hash_hex},
            "verify_url": settings.PUBLIC_BASE_URL + reverse("certificate-verify", args=[certificate.public_id]),
        },
    )
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

    It states what verification proved (``certificate_verify``): a methodology or evidence from an
    issue entry that no longer checks out is not printed. The render is deterministic, so a cache
    miss (another worker, an eviction) gives the same bytes. ``store_checkpoint=False`` (public
    downloads, which never write) prints the checkpoint that already covers the entry, if any,
    instead of storing one; once one exists, both give the same file.
    """
    if store_checkpoint:
        checkpoint = certificate_checkpoint_ensure(seq=certificate.ledger_entry_id)
    else:
        checkpoint = checkpoint_covering(seq=certificate.ledger_entry_id)
    key = f"certificate-pdf:{certificate.public_id}:{LAYOUT_VERSION}:{checkpoint.size if checkpoint else 0}"
    data = cache.get(key)
    if data is None:
        data = certificate_pdf_render(certificate_verify(certificate=certificate).facts)
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
    history: tuple[HistoryEntry, ...]
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


def _payload(entry: LedgerEntry) -> dict | None:
    try:
        payload = entry.payload
    except (ValueError, KeyError, TypeError):  # the canonical text is no longer a JSON entry at all
        return None
    return payload if isinstance(payload, dict) else None


def certificate_verify(*, certificate: RetirementCertificate) -> CertificateVerification:
    """Check the certificate against the ledger, trusting no entry it has not checked.

    Every entry its facts come from — the issuance of its serials, each movement of them, and the
    retirement (``certificate_history``) — is re-hashed and proven by an RFC 9162 inclusion proof
    in the first checkpoint covering the retirement (the one printed on the PDF; it covers every
    earlier entry too). The retirement is compared with the certificate, and the movements must
    hand the serials on from holder to holder up to the retiring organisation. Methodology and
    screening version are stated only when the issue entry passed. Reads only: the public check
    never writes, so a retirement not yet checkpointed (one is stored as it commits) says so.
    Queries: the history, the checkpoint, and two for all the proofs together.
    """
    entry = certificate.ledger_entry
    stated = parse_serial(certificate.serial)
    rows = certificate_history(certificate=certificate)
    recomputed = {
        row.seq: entry_hash(seq=row.seq, prev_hash=bytes(row.prev_hash), canonical=row.canonical.encode()).hex()
        for row in rows
    }
    checkpoint = checkpoint_covering(seq=entry.seq)
    proofs: dict[int, InclusionProof] = {}
    included: dict[int, bool] = {}
    if checkpoint is not None:
        proofs = inclusion_proofs_for(digests={row.seq: bytes(row.hash) for row in rows}, checkpoint=checkpoint)
        included = {
            seq: verify_inclusion(
                leaf_hash=proof.leaf_hash,
                leaf_index=proof.leaf_index,
                tree_size=proof.tree_size,
                audit_path=proof.audit_path,
                root=bytes(checkpoint.root),
            )
            for seq, proof in proofs.items()
        }
    history = tuple(
        HistoryEntry(
            seq=row.seq,
            kind=row.kind,
            payload=_payload(row),
            hash_ok=recomputed[row.seq] == row.hash_hex,
            included=included.get(row.seq) if checkpoint is not None else None,
            hash=row.hash_hex,
            recomputed_hash=recomputed[row.seq],
        )
        for row in rows
    )
    proof, proof_ok = proofs.get(entry.seq), included.get(entry.seq)
    # An unparsable serial names no project (-1): the issuance check then fails, as it should.
    project = stated.project if stated and stated.project is not None else -1
    vintage = stated.vintage if stated and stated.vintage is not None else -1
    first, last = certificate.serial_start, certificate.serial_end
    checkpoint_size = checkpoint.size if checkpoint else None
    issuance = check_issuance(
        history=history, project=project, vintage=vintage, first=first, last=last, checkpoint_size=checkpoint_size
    )
    verification = Verification(
        (
            check_entry_hash(stored_hash=entry.hash_hex, recomputed_hash=recomputed[entry.seq]),
            check_entry_matches_certificate(
                kind=entry.kind,
                stored_hash=entry.hash_hex,
                certified_hash=certificate.entry_hash,
                expected=_certified_claims(certificate),
                payload=retire_entry_claims(_payload(entry)),
            ),
            check_inclusion(
                proof_ok=proof_ok,
                checkpoint_size=checkpoint.size if checkpoint else None,
                reason="No checkpoint covers this entry yet: checkpoints are stored as each retirement commits, "
                "and the registry refuses to checkpoint a ledger whose entries no longer hash to their chain.",
            ),
            issuance,
            check_movements(
                history=history,
                retire_seq=entry.seq,
                retired_by=str(certificate.organization_id),
                project=project,
                vintage=vintage,
                first=first,
                last=last,
                checkpoint_size=checkpoint_size,
            ),
        )
    )
    issue = next((item for item in history if item.kind == "issue"), None)
    return CertificateVerification(
        certificate=certificate,
        facts=certificate_facts(
            certificate=certificate,
            checkpoint=checkpoint,
            issuance_payload=issue.payload if issue is not None and issuance.ok else None,
            issuance_proven=issuance.ok,
        ),
        entry=entry,
        recomputed_hash=recomputed[entry.seq],
        checkpoint=checkpoint,
        proof=proof,
        proof_ok=proof_ok,
        history=history,
        verification=verification,
    )
