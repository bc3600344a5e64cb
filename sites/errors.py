"""Errors of the sites app; each carries its HTTP status (core.errors renders them)."""

from core.errors import ConflictError, DomainError, NotFoundError


class SiteNotFoundError(NotFoundError):
    """No such site, or another organisation's (the two look the same from outside)."""

    code, default_detail = "site_not_found", "Site not found."


class CoordinatesOutsideCountryError(DomainError):
    """The coordinates are not in the declared country (Natural Earth 1:10m, 10 km tolerance)."""

    status_code, code = 400, "coordinates_outside_country"


class SiteNotPendingError(ConflictError):
    code = "site_not_under_review"
    default_detail = "Only a site under review can be approved or rejected."


class SiteSelfReviewError(DomainError):
    status_code, code = 403, "conflict_of_interest"
    default_detail = "A verifier cannot review a site of their own organisation."
