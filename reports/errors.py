"""Errors of the reports app; each carries its HTTP status (core.errors renders them)."""

from core.errors import NotFoundError


class IssuedReportNotFoundError(NotFoundError):
    """No such issued report, or it belongs to another organisation (the two look the same from outside)."""

    code, default_detail = "issued_report_not_found", "No such issued report."


class PublishedReportNotFoundError(NotFoundError):
    """No published report has this verification address (it never existed, or is not public)."""

    code, default_detail = "published_report_not_found", "No published report has this address."
