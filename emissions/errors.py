"""Errors of the emissions app; each carries its HTTP status (core.errors renders them)."""

from core.errors import ConflictError, NotFoundError


class EmissionFactorImmutableError(ConflictError):
    """Factors are never edited in place: a revision is a new row, so old report lines stay true."""

    code = "emission_factor_immutable"
    default_detail = "An emission factor cannot be changed in place; revise it to create a new version."


class EmissionReportNotFoundError(NotFoundError):
    """No such report, or it belongs to another organisation (the two look the same from outside)."""

    code = "emission_report_not_found"
    default_detail = "Emission report not found."
