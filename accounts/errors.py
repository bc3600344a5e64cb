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


# --- members, roles and invitations -----------------------------------------------------------


class RoleForbiddenError(DomainError):
    """The person's role in the organisation does not allow this write (accounts.roles)."""

    status_code, code = 403, "role_forbidden"
    default_detail = "Your role in the organisation does not allow this."


class OwnRoleChangeError(DomainError):
    """Nobody changes their own role: another admin or owner does it."""

    status_code, code = 403, "own_role_change"
    default_detail = "You cannot change your own role; ask another owner or admin."


class LastOwnerError(DomainError):
    """An organisation always keeps at least one owner."""

    status_code, code = 409, "last_owner"
    default_detail = "The organisation must keep at least one owner: make another member an owner first."


class MemberNotFoundError(NotFoundError):
    code, default_detail = "member_not_found", "No such member of your organisation."


class InvitationNotFoundError(NotFoundError):
    code, default_detail = "invitation_not_found", "No such pending invitation of your organisation."


class InvitationInvalidError(DomainError):
    """The token names no pending invitation: wrong, expired, withdrawn or already accepted."""

    status_code, code = 400, "invitation_invalid"
    default_detail = "This invitation is not valid: it may have expired, been withdrawn or been used already."


class EmailRegisteredError(DomainError):
    """An account with the address exists already (in this or another organisation)."""

    status_code, code = 409, "email_registered"
    default_detail = "An account with this e-mail address already exists."


class PasswordResetLinkInvalidError(DomainError):
    """The uid/token pair of a reset e-mail is wrong, used or expired."""

    status_code, code = 400, "reset_link_invalid"
    default_detail = "This password reset link is not valid: it may have expired or been used already."
