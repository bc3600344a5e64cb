"""Writes of documents: upload (content-addressed, refused when the bytes are already in the registry)
and marking documents as submitted when a claim or a verification request cites them.

Upload order, so that a refused file leaves nothing behind: hash and sniff the upload (outside any
transaction), refuse a known SHA-256, then in one transaction insert the row (the unique SHA-256 makes
a racing duplicate wait for the first and then fail: 409) and write the bytes to the storage under a
name made of the hash alone. A transaction that fails after the write leaves at most an unreferenced
file whose name is its hash; the next upload of those bytes reuses it.
"""

import hashlib
from collections.abc import Iterator, Mapping
from typing import Any

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import Storage, storages
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Organization, User
from accounts.services import organization_check_not_suspended, organization_verification_request
from core.db import atomic_with_retry
from core.ids import is_id
from documents import sniffing
from documents.errors import (
    DocumentEmptyError,
    DocumentReusedError,
    DocumentTooLargeError,
    DocumentTypeNotAcceptedError,
    DocumentUnusableError,
)
from documents.models import Document

CHUNK_BYTES = 64 * 1024
STORAGE_ALIAS = "documents"


def documents_storage() -> Storage:
    """The storage the files live in (``STORAGES["documents"]``: a directory under var/ by default,
    S3-compatible object storage in production, docs/DEPLOY.md)."""
    return storages[STORAGE_ALIAS]


def storage_name_for(sha256: str) -> str:
    """Where the bytes with this hash live: nothing of the uploader's (name, organisation) in it."""
    return f"sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def _chunks(upload: UploadedFile) -> Iterator[bytes]:
    upload.seek(0)
    yield from upload.chunks(CHUNK_BYTES)


def _inspect(upload: UploadedFile) -> tuple[str, int, str]:
    """(sha256, size in bytes, content type) of an upload, read in chunks; refuses an empty, too
    large or unrecognised file before anything is written."""
    limit = settings.DOCUMENT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise DocumentTooLargeError(f"The file is larger than {limit} bytes.", max_bytes=limit)
    digest, size, head = hashlib.sha256(), 0, b""
    for chunk in _chunks(upload):
        digest.update(chunk)
        size += len(chunk)
        if len(head) < 16:
            head += chunk[:16]
        if size > limit:
            raise DocumentTooLargeError(f"The file is larger than {limit} bytes.", max_bytes=limit)
    if size == 0:
        raise DocumentEmptyError()
    content_type = sniffing.sniff(head)
    if content_type is None and sniffing.is_csv(_chunks(upload)):
        content_type = sniffing.CSV
    if content_type is None:
        raise DocumentTypeNotAcceptedError()
    return digest.hexdigest(), size, content_type


def document_upload(*, owner: Organization, uploaded_by: User, kind: str, upload: UploadedFile) -> Document:
    """Store an evidence file for ``owner``. 400 empty, 413 too large, 415 not a PDF/PNG/JPEG/CSV by
    its content, 409 ``document_reused`` when a file with the same SHA-256 exists anywhere in the
    registry (any organisation's): nothing is stored then."""
    organization_check_not_suspended(owner)
    if kind not in Document.Kind.values:
        raise DocumentUnusableError(f"Unknown document kind {kind!r}.", errors={"kind": ["Not a document kind."]})
    sha256, size, content_type = _inspect(upload)
    if Document.objects.filter(sha256=sha256).exists():
        raise DocumentReusedError(sha256=sha256)
    return _document_store(
        owner=owner,
        uploaded_by=uploaded_by,
        kind=kind,
        upload=upload,
        sha256=sha256,
        size=size,
        content_type=content_type,
    )


@atomic_with_retry
def _document_store(*, owner, uploaded_by, kind, upload, sha256, size, content_type) -> Document:
    name = storage_name_for(sha256)
    document = Document(
        owner=owner,
        uploaded_by=uploaded_by,
        kind=kind,
        sha256=sha256,
        size_bytes=size,
        content_type=content_type,
        original_name=(upload.name or "")[:255],
        storage_name=name,
    )
    try:
        with transaction.atomic():
            document.save(force_insert=True)
    except IntegrityError as error:  # the same bytes committed by a concurrent upload
        raise DocumentReusedError(sha256=sha256) from error
    storage = documents_storage()
    if not storage.exists(name):
        upload.seek(0)
        saved = storage.save(name, File(upload, name=name))
        if saved != name:
            raise RuntimeError(f"documents storage saved {name} as {saved}")
    return document


def documents_submit(*, owner: Organization, documents: Mapping[str, Any]) -> dict[str, Document]:
    """The owner's documents named by ``documents`` (``{field: id}``, the field naming where the id was
    given, e.g. ``evidence.3.document``), locked in id order and marked submitted (verifiers may now read
    them). Another organisation's document, or an id of none, is a 400 naming the field. Must run in the
    caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("documents_submit must run inside the caller's transaction")
    if not documents:
        return {}
    wanted = [value for value in documents.values() if is_id(value)]
    found = {
        doc.pk: doc for doc in Document.objects.select_for_update().filter(pk__in=wanted, owner=owner).order_by("pk")
    }
    errors = {
        field: ["No such document of your organisation."] for field, value in documents.items() if value not in found
    }
    if errors:
        raise DocumentUnusableError(
            " ".join(f"{field}: {messages[0]}" for field, messages in errors.items()), errors=errors
        )
    now = timezone.now()
    unsubmitted = [pk for pk, doc in found.items() if doc.submitted_at is None]
    if unsubmitted:
        Document.objects.filter(pk__in=unsubmitted).update(submitted_at=now)
        for pk in unsubmitted:
            found[pk].submitted_at = now
    return {field: found[value] for field, value in documents.items()}


@atomic_with_retry
def organization_verification_submit(
    *, user: User, legal_name: str, registration_number: str, website: str = "", documents: list[int]
):
    """Ask for the user's organisation to be verified, citing its own documents (a register extract,
    typically). The organisation becomes ``pending`` (``accounts.services``). Locks the organisation row,
    then the documents."""
    request = organization_verification_request(
        organization_id=user.organization_id,
        submitted_by=user,
        legal_name=legal_name,
        registration_number=registration_number,
        website=website,
        document_ids=documents,
    )
    documents_submit(owner=user.organization, documents={f"documents.{i}": pk for i, pk in enumerate(documents)})
    return request
