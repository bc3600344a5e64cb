"""Reads of retirement certificates, and the facts a certificate states."""

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django_countries.fields import Country

from accounts.models import Organization
from certificates.errors import CertificateNotFoundError
from certificates.facts import CertificateFacts, CheckpointFacts, ReversalFacts
from certificates.models import RetirementCertificate
from ledger.models import Checkpoint, LedgerEntry
from ledger.selectors import SerialQuery, entries_list, parse_serial, reversal_covering
from projects.credit_types import credit_type, credit_type_label

# Keys of the issue entry's memo that name how the credits were made (set by the issuer).
METHODOLOGY_MEMO_KEY = "methodology"
SCREENING_VERSION_MEMO_KEY = "screening_version"


def certificate_list_for(*, organization: Organization) -> QuerySet[RetirementCertificate]:
    """The organisation's certificates, newest first, with what their output shows."""
    return RetirementCertificate.objects.filter(organization=organization).select_related(
        "organization", "block__project"
    )


def certificate_list_all() -> QuerySet[RetirementCertificate]:
    """Every organisation's certificates, for verifiers."""
    return RetirementCertificate.objects.select_related("organization", "block__project")


def certificate_get_public(*, public_id: str) -> RetirementCertificate:
    """Any certificate by its public id, with everything the public page and the PDF show."""
    try:
        return RetirementCertificate.objects.select_related("organization", "block__project", "ledger_entry").get(
            public_id=public_id
        )
    except RetirementCertificate.DoesNotExist:
        raise CertificateNotFoundError() from None


def checkpoint_covering(*, seq: int) -> Checkpoint | None:
    """The first checkpoint that includes entry ``seq``.

    Checkpoints are append-only, so this never changes once it exists: the certificate's PDF can
    print its root and every later verification proves the entry against that same root.
    """
    return Checkpoint.objects.filter(size__gte=seq).order_by("size").first()


def certificate_history(*, certificate: RetirementCertificate) -> list[LedgerEntry]:
    """Every ledger entry that issued or moved the certificate's serials, up to and including its
    retirement, in seq order (one query, through the serial index ``LedgerEntryRange``). The serials
    are those the certificate states; the retirement entry is the one it names, indexed or not."""
    stated = parse_serial(certificate.serial)
    entries: dict[int, LedgerEntry] = {certificate.ledger_entry_id: certificate.ledger_entry}
    if stated is not None:
        serials = SerialQuery(
            project=stated.project, vintage=stated.vintage, first=certificate.serial_start, last=certificate.serial_end
        )
        for entry in entries_list(serial=serials).filter(seq__lte=certificate.ledger_entry_id):
            entries.setdefault(entry.seq, entry)
    return [entries[seq] for seq in sorted(entries)]


def issuance_details(payload: object) -> tuple[str | None, str | None, tuple[str, ...]]:
    """(methodology, screening version, evidence SHA-256s) from the payload of the issue entry of a
    certificate's serials; ``None`` (or no hashes) where the issuer recorded nothing."""
    if not isinstance(payload, dict):
        return None, None, ()
    documents = payload.get("documents", [])
    hashes = tuple(d for d in documents if isinstance(d, str)) if isinstance(documents, list) else ()
    memo = payload.get("memo")
    if not isinstance(memo, dict):
        return None, None, hashes
    return _text(memo.get(METHODOLOGY_MEMO_KEY)), _text(memo.get(SCREENING_VERSION_MEMO_KEY)), hashes


def issuance_reversal_for(*, certificate: RetirementCertificate) -> ReversalFacts | None:
    """The reversal of the issuance the certificate's serials came from, if it was reversed (one query)."""
    block = certificate.block
    reversal = reversal_covering(
        project=block.project_id, vintage=block.vintage, first=certificate.serial_start, last=certificate.serial_end
    )
    if reversal is None:
        return None
    return ReversalFacts(
        reversed_at=reversal.created_at,
        reason=reversal.reason,
        in_circulation_kg=reversal.compensation_kg,
        buffer_cancelled_kg=reversal.buffer_cancelled_kg,
        shortfall_kg=reversal.shortfall_kg,
        cancel_entry_seq=reversal.cancel_entry_id,
        buffer_cancel_entry_seq=reversal.buffer_cancel_entry_id,
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def certificate_public_url(public_id: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}{reverse('certificate-public-page', args=[public_id])}"


def certificate_facts(
    *,
    certificate: RetirementCertificate,
    checkpoint: Checkpoint | None,
    issuance_payload: object = None,
    issuance_proven: bool = True,
) -> CertificateFacts:
    """What the certificate states, for the PDF and the public page. ``issuance_payload`` is the
    payload of the issue entry of its serials, given only when that entry was proven
    (services.certificate_verify): methodology, screening version and evidence hashes come from it."""
    project = certificate.block.project
    country = Country(code=str(project.country))
    methodology, screening_version, evidence = (
        issuance_details(issuance_payload) if issuance_proven else (None, None, ())
    )
    organization = certificate.organization
    category = str(project.category)
    return CertificateFacts(
        public_id=certificate.public_id,
        public_url=certificate_public_url(certificate.public_id),
        serial=certificate.serial,
        serial_start=certificate.serial_start,
        serial_end=certificate.serial_end,
        quantity_kg=certificate.quantity_kg,
        beneficiary=certificate.beneficiary,
        reason=certificate.reason,
        retired_by=certificate.organization.name,
        retired_at=certificate.retired_at,
        project_title=project.title,
        project_category=project.get_category_display(),
        project_country=f"{country.name} ({country.code})",
        vintage=certificate.block.vintage,
        methodology=methodology,
        screening_version=screening_version,
        credit_type=credit_type(category),
        credit_type_label=credit_type_label(category),
        entry_seq=certificate.ledger_entry_id,
        entry_hash=certificate.entry_hash,
        checkpoint=CheckpointFacts(size=checkpoint.size, root=checkpoint.root_hex) if checkpoint else None,
        issuance_proven=issuance_proven,
        retired_by_status=organization.verification_status,
        retired_by_registration=organization.public_registration_number,
        evidence_documents=evidence,
        issuance_reversal=issuance_reversal_for(certificate=certificate),
    )


def certificates_by_entry(*, seqs: list[int]) -> dict[int, RetirementCertificate]:
    """The certificates of these retire entries, by entry seq (one query): the public registry links them."""
    return {
        certificate.ledger_entry_id: certificate
        for certificate in RetirementCertificate.objects.filter(ledger_entry_id__in=seqs).select_related("organization")
    }


def certificate_get_for(*, organization: Organization, certificate_id: int) -> RetirementCertificate:
    """One of the organisation's certificates; anyone else's does not exist for it (404)."""
    certificate = certificate_list_for(organization=organization).filter(pk=certificate_id).first()
    if certificate is None:
        raise CertificateNotFoundError()
    return certificate
