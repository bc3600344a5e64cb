"""Reads of organisations and users."""

from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from accounts.errors import InvitationNotFoundError, MemberNotFoundError, OrganizationNotFoundError
from accounts.models import Invitation, Organization, OrganizationVerificationRequest, User
from core.ids import is_id


def organization_find(*, organization_id: Any) -> Organization | None:
    """The organisation with that id, or ``None`` (also for a value that is no id)."""
    if not is_id(organization_id):
        return None
    return Organization.objects.filter(pk=organization_id).first()


def organizations_by_id(*, ids: set[int]) -> dict[int, Organization]:
    """Organisations by id, in one query (none for an empty set): pages name counterparties with it."""
    return Organization.objects.in_bulk(ids) if ids else {}


def organizations_count(*, kind: str = Organization.Kind.MEMBER, verification_status: str | None = None) -> int:
    """How many organisations of that kind (and standing) the registry holds (the home page's figures)."""
    organizations = Organization.objects.filter(kind=kind)
    if verification_status:
        organizations = organizations.filter(verification_status=verification_status)
    return organizations.count()


def organization_verification_latest(*, organization_id: int) -> OrganizationVerificationRequest | None:
    """The organisation's newest request to be verified (any status), or ``None``."""
    return (
        OrganizationVerificationRequest.objects.filter(organization_id=organization_id)
        .select_related("decided_by")
        .order_by("-created_at", "-id")
        .first()
    )


def organization_review_list(
    *, verification_status: str | None = None, flagged: bool | None = None
) -> QuerySet[Organization]:
    """Member organisations for verifiers, newest first, with their namesake flag and their
    verification requests (newest first) prefetched; ``flagged`` keeps those with a namesake."""
    requests = OrganizationVerificationRequest.objects.order_by("-created_at", "-id")
    organizations = (
        Organization.objects.filter(kind=Organization.Kind.MEMBER)
        .select_related("namesake_of")
        .prefetch_related(Prefetch("verification_requests", queryset=requests))
        .order_by("-created_at", "-id")
    )
    if verification_status:
        organizations = organizations.filter(verification_status=verification_status)
    if flagged is not None:
        organizations = organizations.filter(namesake_of__isnull=not flagged)
    return organizations


def organization_review_get(*, organization_id: Any) -> Organization:
    organization = None
    if is_id(organization_id):
        organization = organization_review_list().filter(pk=organization_id).first()
    if organization is None:
        raise OrganizationNotFoundError()
    return organization


def namesakes_for(organizations: Iterable[Organization]) -> dict[int, list[Organization]]:
    """Every other organisation whose name compares equal in the same country, per organisation of the
    page (one query): the flag seen from both sides, whoever registered first."""
    page = [org for org in organizations if org.name_key]
    if not page:
        return {}
    condition = Q()
    for org in page:
        condition |= Q(country=org.country, name_key=org.name_key)
    matches = list(Organization.objects.filter(condition).order_by("created_at", "id"))
    found: dict[int, list[Organization]] = {}
    for org in page:
        found[org.pk] = [
            other
            for other in matches
            if other.pk != org.pk and str(other.country) == str(org.country) and other.name_key == org.name_key
        ]
    return found


# --- members and invitations ------------------------------------------------------------------


def member_list_for(*, organization: Organization) -> QuerySet[User]:
    """The organisation's people, earliest first (removed people are inactive and not listed)."""
    return User.objects.filter(organization=organization, is_active=True).order_by("date_joined", "id")


def member_get_for(*, organization: Organization, member_id: Any) -> User:
    member = member_list_for(organization=organization).filter(pk=member_id).first() if is_id(member_id) else None
    if member is None:
        raise MemberNotFoundError()
    return member


def invitation_list_for(*, organization: Organization) -> QuerySet[Invitation]:
    """Invitations not accepted yet (expired ones too, marked ``expired``), newest first."""
    return (
        Invitation.objects.filter(organization=organization, accepted_at__isnull=True)
        .select_related("invited_by")
        .order_by("-created_at", "-id")
    )


def invitation_get_for(*, organization: Organization, invitation_id: Any) -> Invitation:
    found = invitation_list_for(organization=organization).filter(pk=invitation_id) if is_id(invitation_id) else None
    invitation = found.first() if found is not None else None
    if invitation is None:
        raise InvitationNotFoundError()
    return invitation
