"""Evidence files: uploading one from a page's form (through ``documents.services``, content-addressed
as ``POST /api/documents/`` is) and downloading one (the owner's, or for verifiers one that backs a
claim or a verification request, as ``GET /api/documents/{id}/file/``)."""

from typing import Any

from django.http import FileResponse, HttpRequest
from django.views.decorators.http import require_safe

from documents.errors import DocumentReusedError
from documents.models import Document
from documents.selectors import document_get_for, document_list_for
from documents.services import document_upload, documents_storage
from documents.sniffing import EXTENSIONS
from web.calls import PageError, call
from web.views.common import app_page, person


def upload(request: HttpRequest, *, field: str, kind: str) -> Document | None:
    """The file posted in ``field`` stored for the person's organisation, or ``None`` when none was
    chosen. A refusal (empty, too large, not a PDF/PNG/JPEG/CSV, already in the registry) is a
    PageError on ``field``, in words a person can act on."""
    file = request.FILES.get(field)
    if file is None:
        return None
    user = person(request)
    try:
        return call(document_upload, owner=user.organization, uploaded_by=user, kind=kind, upload=file)
    except PageError as error:
        cause = error.__cause__
        if isinstance(cause, DocumentReusedError):
            sha256 = str(cause.extra.get("sha256", ""))
            message = (
                f"This exact file is already in the registry (SHA-256 {sha256[:16]}…), so it was not stored again: "
                "a document backs one claim or request only. If it is yours, choose it from the files you uploaded "
                "before; otherwise upload the document itself, not a copy of someone else's."
            )
            raise PageError({field: [message]}, status=409) from cause
        messages = [message for found in error.errors.values() for message in found]
        raise PageError({field: messages}, status=error.status) from cause


def document_choices(request: HttpRequest, *, kinds: tuple[str, ...] | None = None, limit: int = 50) -> list[Any]:
    """The organisation's uploaded files, newest first, as a select's choices."""
    documents = document_list_for(organization=person(request).organization)
    if kinds is not None:
        documents = documents.filter(kind__in=kinds)
    return [(str(doc.pk), document_label(doc)) for doc in documents[:limit]]


def document_label(document: Document) -> str:
    name = document.original_name or document.get_kind_display()
    kind = document.get_kind_display().lower()
    return f"{name} ({kind}, {document.size_bytes:,} bytes, SHA-256 {document.sha256[:12]}…)"


@require_safe
@app_page
def document_file(request: HttpRequest, document_id: int) -> FileResponse:
    document = document_get_for(user=person(request), document_id=document_id)
    handle = documents_storage().open(document.storage_name, "rb")
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{document.sha256}.{EXTENSIONS[document.content_type]}",
        content_type=document.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response
