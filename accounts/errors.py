"""Errors of the accounts app; each carries its HTTP status (core.errors renders them)."""

from core.errors import DomainError, NotFoundError


class LockedOutError(DomainError):
    """Too many failed sign-ins for this e-mail from this address."""

    status_code, code = 429, "locked_out"


class OrganizationNotFoundError(NotFoundError):
    code, default_detail = "organization_not_found", "Organisation not found."


class OrganizationUnverifiedError(DomainError):
    """Listing and transferring credits need an organisation a verifier has checked."""

    status_code, code = 403, "organization_unverified"
    default_detail = (
        "Your organisation is not verified yet: request verification (POST /api/organization/verification/) "
        "before listing or transferring credits."
    )


class OrganizationSuspendedError(DomainError):
    """A suspended organisation can only read."""

    status_code, code = 403, "organization_suspended"
    default_detail = "Your organisation is suspended: it can read its data but change nothing."


class OrganizationStatusError(DomainError):
    """The organisation's current standing does not allow this change."""

    status_code, code = 409, "organization_status_conflict"


class RegistrationNumberTakenError(DomainError):
    """Another verified organisation of the country holds this registration number."""

    status_code, code = 409, "registration_number_taken"
    default_detail = "Another verified organisation of this country has this registration number."


class SelfReviewError(DomainError):
    status_code, code = 403, "conflict_of_interest"
    default_detail = "A verifier cannot decide on their own organisation."


class ApiKeyNotFoundError(NotFoundError):
    code, default_detail = "api_key_not_found", "API key not found."


class ApiKeyScopeError(DomainError):
    """The request's API key lacks the scope this operation needs."""

    status_code, code = 403, "api_key_scope_missing"


class ApiKeyNotAllowedError(DomainError):
    """An operation no API key may perform: it needs a signed-in person."""

    status_code, code = 403, "api_key_not_allowed"
    default_detail = "This operation cannot be performed with an API key: sign in with a user's token."
