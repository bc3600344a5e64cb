"""Errors of the certificates app; each carries its HTTP status (core.errors renders them)."""

from core.errors import NotFoundError


class CertificateNotFoundError(NotFoundError):
    code, default_detail = "certificate_not_found", "No such retirement certificate."
