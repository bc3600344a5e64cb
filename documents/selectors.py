"""Reads of documents: the owner's own, and for verifiers those submitted behind a claim or request."""

from typing import Any

from django.db.models import QuerySet

from accounts.models import Organization, User
from core.ids import is_id
from documents.errors import DocumentNotFoundError
from documents.models import Document


def document_list_for(*, organization: Organization) -> QuerySet[Document]:
    return Document.objects.filter(owner=organization).order_by("-uploaded_at", "-id")


def document_get_for(*, user: User, document_id: Any) -> Document:
    """One of the user's organisation's documents; a verifier may also read any document that backs a
    claim or a verification request (``submitted_at`` set). Anything else is 404."""
    document = Document.objects.filter(pk=document_id).first() if is_id(document_id) else None
    if document is None:
        raise DocumentNotFoundError()
    if document.owner_id == user.organization_id:
        return document
    if user.is_verifier and document.submitted_at is not None:
        return document
    raise DocumentNotFoundError()


def document_sha256_for(*, document_ids: list[int]) -> dict[int, str]:
    return dict(Document.objects.filter(pk__in=document_ids).values_list("pk", "sha256"))


def documents_by_id(*, ids: list[int]) -> dict[int, Document]:
    """Documents by id in one query (none for no ids): a page lists the files behind a request."""
    return Document.objects.in_bulk([pk for pk in ids if is_id(pk)]) if ids else {}
