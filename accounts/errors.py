"""Errors of the accounts app; each carries its HTTP status (core.errors renders them)."""

from core.errors import DomainError


class LockedOutError(DomainError):
    """Too many failed sign-ins for this e-mail from this address."""

    status_code, code = 429, "locked_out"
