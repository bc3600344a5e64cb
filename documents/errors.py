"""Errors of the documents app; each carries its HTTP status (core.errors renders them)."""

from core.errors import ConflictError, DomainError, NotFoundError


class DocumentNotFoundError(NotFoundError):
    """No such document, or one the caller may not read (the two look the same from outside)."""

    code, default_detail = "document_not_found", "Document not found."


class DocumentReusedError(ConflictError):
    """The same bytes are already in the registry: evidence is stored, and counted, once."""

    code = "document_reused"
    default_detail = "A file with the same SHA-256 already exists in the registry: nothing was stored."


class DocumentTooLargeError(DomainError):
    status_code, code = 413, "document_too_large"


class DocumentTypeNotAcceptedError(DomainError):
    status_code, code = 415, "document_type_not_accepted"
    default_detail = "Only PDF, PNG, JPEG and CSV files are accepted (recognised from their content)."


class DocumentEmptyError(DomainError):
    status_code, code = 400, "document_empty"
    default_detail = "The file is empty."


class DocumentUnusableError(DomainError):
    """A document named in a request body that is not the caller's, or is already in use."""

    status_code, code = 400, "document_unusable"
