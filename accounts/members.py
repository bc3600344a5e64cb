"""Writes of an organisation's membership: roles, removal, invitations.

Who may do what is the table in ``accounts.roles``: admins manage members and invitations; only
owners grant, take away or invite to the owner role; nobody changes their own role; an organisation
always keeps at least one active owner.

Every change of membership locks the organisation's row first (``FOR NO KEY UPDATE``): two owners
demoting each other, or the last two owners leaving at once, are serialised there, and the second
sees what the first committed (the acting person's role is read again under the lock, so a person
demoted a moment ago acts with the new role).
"""

import hashlib
import logging
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.emails import email_normalize
from accounts.errors import (
    EmailRegisteredError,
    InvitationInvalidError,
    InvitationNotFoundError,
    LastOwnerError,
    MemberNotFoundError,
    OrganizationNotFoundError,
    OwnRoleChangeError,
)
from accounts.models import ApiKey, Invitation, Organization, RefreshTokenFamily, User
from accounts.roles import Ability, Role, role_require
from accounts.services import organization_check_not_suspended
from accounts.tokens import refresh_tokens_revoke_for
from core.ids import is_id

logger = logging.getLogger(__name__)


def _organization_locked(organization_id: int) -> Organization:
    organization = Organization.objects.select_for_update(no_key=True).filter(pk=organization_id).first()
    if organization is None:
        raise OrganizationNotFoundError()
    return organization


def _acting(actor: User, organization: Organization) -> User:
    """The actor as committed now (role, active), checked for the organisation's standing."""
    fresh = User.objects.filter(pk=actor.pk, organization=organization, is_active=True).first()
    if fresh is None:
        raise MemberNotFoundError("You are no longer a member of this organisation.")
    fresh.organization = organization
    organization_check_not_suspended(organization)
    return fresh


def _member(organization: Organization, member_id: Any) -> User:
    member = None
    if is_id(member_id):
        member = User.objects.filter(pk=member_id, organization=organization, is_active=True).first()
    if member is None:
        raise MemberNotFoundError()
    return member


def _other_owners(organization: Organization, member: User) -> int:
    return User.objects.filter(organization=organization, role=Role.OWNER, is_active=True).exclude(pk=member.pk).count()


@transaction.atomic
def member_role_change(*, actor: User, member_id: int, role: str) -> User:
    """Give a member of the actor's organisation another role. Admins change admins, members and
    viewers; a change to or from ``owner`` needs an owner. 403 ``own_role_change`` for oneself,
    409 ``last_owner`` when the organisation would keep no owner."""
    organization = _organization_locked(actor.organization_id)
    acting = _acting(actor, organization)
    role_require(role=acting.role, ability=Ability.MEMBERS)
    member = _member(organization, member_id)
    if member.pk == acting.pk:
        raise OwnRoleChangeError()
    if Role.OWNER in (member.role, role):
        role_require(role=acting.role, ability=Ability.OWNERS)
    if member.role == Role.OWNER and role != Role.OWNER and _other_owners(organization, member) == 0:
        raise LastOwnerError()
    if member.role != role:
        member.role = role
        member.save(update_fields=["role"])
    return member


@transaction.atomic
def member_remove(*, actor: User, member_id: int) -> None:
    """Remove a person from the actor's organisation: the account is deactivated (its history stays,
    signed by it), every sign-in of it ends and the API keys it made are revoked. Removing an owner
    needs an owner; an admin or owner may remove themselves (leave) unless they are the last owner
    (409 ``last_owner``). A removed person can be invited back (:func:`invitation_create`)."""
    organization = _organization_locked(actor.organization_id)
    acting = _acting(actor, organization)
    role_require(role=acting.role, ability=Ability.MEMBERS)
    member = _member(organization, member_id)
    if member.role == Role.OWNER:
        role_require(role=acting.role, ability=Ability.OWNERS)
        if _other_owners(organization, member) == 0:
            raise LastOwnerError(
                "The organisation must keep at least one owner: make another member an owner before this one leaves."
            )
    member.is_active = False
    member.save(update_fields=["is_active"])
    refresh_tokens_revoke_for(user=member, reason=RefreshTokenFamily.RevokedReason.REMOVED)
    # Their API keys end too, for good: a person invited back does not bring old keys back to life.
    ApiKey.objects.filter(created_by=member, revoked=False).update(
        revoked=True, revoked_at=timezone.now(), revoked_by=acting
    )


# --- invitations ------------------------------------------------------------------------------


def invitation_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_address_free(email: str, organization: Organization) -> None:
    """409 unless no account has the address, or only a removed member of this organisation (who may come back)."""
    existing = User.objects.filter(email=email).first()
    if existing is not None and (existing.is_active or existing.organization_id != organization.pk):
        raise EmailRegisteredError()


@transaction.atomic
def invitation_create(*, actor: User, email: str, role: str) -> tuple[Invitation, str]:
    """Invite ``email`` to the actor's organisation with ``role``; returns the invitation and its token
    (shown to nobody but the invitee: it is e-mailed after commit). Inviting an address again
    replaces its pending invitation, whose link stops working. 409 ``email_registered`` when the
    address has an account already (a removed member of this organisation excepted)."""
    organization = _organization_locked(actor.organization_id)
    acting = _acting(actor, organization)
    role_require(role=acting.role, ability=Ability.MEMBERS)
    if role == Role.OWNER:
        role_require(role=acting.role, ability=Ability.OWNERS)
    email = email_normalize(email)
    _check_address_free(email, organization)
    Invitation.objects.filter(organization=organization, email=email, accepted_at__isnull=True).delete()
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organization=organization,
        email=email,
        role=role,
        token_hash=invitation_token_hash(token),
        invited_by=acting,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_TTL_DAYS),
    )
    transaction.on_commit(lambda: invitation_email_send(invitation=invitation, token=token))
    return invitation, token


def invitation_email_send(*, invitation: Invitation, token: str) -> None:
    """The invitation e-mail (after commit: no mail for an invitation that was rolled back, or that
    was accepted, withdrawn or replaced before its transaction ended)."""
    if not Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).exists():
        return
    context = {
        "organization": invitation.organization.name,
        "invited_by": invitation.invited_by.full_name or invitation.invited_by.email,
        "role": invitation.role,
        "token": token,
        "expires_at": invitation.expires_at,
        "base_url": settings.PUBLIC_BASE_URL,
    }
    subject = "".join(render_to_string("accounts/email/invitation_subject.txt", context).splitlines())
    body = render_to_string("accounts/email/invitation.txt", context)
    try:
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email]).send()
    except Exception:
        # As Django's password reset does: the invitation stands (inviting again sends a new one), and
        # a mail server that is down is an operator's problem, not a 500 for a request that succeeded.
        logger.exception("Failed to send the invitation e-mail of invitation %s", invitation.pk)


@transaction.atomic
def invitation_withdraw(*, actor: User, invitation_id: int) -> None:
    """Withdraw a pending invitation: its link stops working. An owner invitation needs an owner."""
    organization = _organization_locked(actor.organization_id)
    acting = _acting(actor, organization)
    role_require(role=acting.role, ability=Ability.MEMBERS)
    invitation = None
    if is_id(invitation_id):
        invitation = Invitation.objects.filter(
            pk=invitation_id, organization=organization, accepted_at__isnull=True
        ).first()
    if invitation is None:
        raise InvitationNotFoundError()
    if invitation.role == Role.OWNER:
        role_require(role=acting.role, ability=Ability.OWNERS)
    invitation.delete()


def invitation_pending(*, token: str) -> Invitation | None:
    """The pending, unexpired invitation a token names (with its organisation), or ``None``."""
    return (
        Invitation.objects.select_related("organization", "invited_by")
        .filter(token_hash=invitation_token_hash(token), accepted_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )


@transaction.atomic
def invitation_accept(*, token: str, password: str, full_name: str = "") -> User:
    """Join the inviting organisation with the invited role: the account is created (or a removed
    member's reactivated) with ``password``. 400 ``invitation_invalid`` for a token that names no
    pending, unexpired invitation; 409 ``email_registered`` when the address has an account by now.
    Locks: the invitation row (``FOR UPDATE``), so of concurrent acceptances exactly one succeeds."""
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("organization")
        .filter(token_hash=invitation_token_hash(token), accepted_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if invitation is None:
        raise InvitationInvalidError()
    _check_address_free(invitation.email, invitation.organization)
    user = User.objects.filter(email=invitation.email).first() or User(email=invitation.email)
    user.organization = invitation.organization
    user.role = invitation.role
    user.is_active = True
    if full_name:
        user.full_name = full_name
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:  # an account took the address meanwhile (another invitation, registration)
        raise EmailRegisteredError() from error
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return user
