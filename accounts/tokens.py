"""Refresh tokens in families: rotation that cannot fork, and reuse detection.

Every sign-in starts a family (:class:`~accounts.models.RefreshTokenFamily`) and its refresh token
carries the family's id in the ``fam`` claim. Exchanging a refresh token (``/api/token/refresh/``)
locks the family row, so of N concurrent uses of one token exactly one rotates it; the others find
it rotated. Presenting a token that is not the family's current one — it was rotated already, so
this is a replay by whoever copied it, or by the client itself — revokes the family: its current
token is blacklisted and every later use of any member is refused. That is the refresh token
rotation of the OAuth 2.0 Security Best Current Practice (RFC 9700, section 4.14.2). Logging out
revokes the family too. Access tokens are not tracked; they expire on their own (15 minutes).

Tokens signed before families existed carry no ``fam``: their first exchange starts a family named
after their ``jti`` (a UUID derived from it, so concurrent first uses meet on one row).
"""

import uuid
from dataclasses import dataclass
from typing import Any, cast

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import datetime_from_epoch

from accounts.models import RefreshTokenFamily

FAMILY_CLAIM = "fam"
# Names the families of tokens signed before the ``fam`` claim existed.
LEGACY_FAMILY_NAMESPACE = uuid.UUID("6f1d8a52-4c1e-4a55-9a43-0c7d2b0f6e3a")

REUSED = "This refresh token was already used; every token of this sign-in is now revoked. Sign in again."
REVOKED = "This refresh token's sign-in has ended (logged out, or a rotated token was reused). Sign in again."


class FamilyRefreshToken(RefreshToken):
    """A refresh token that names its family; access tokens made from it do not carry the claim."""

    # The stubs type the base's tuple by its exact length.
    no_copy_claims = (*RefreshToken.no_copy_claims, FAMILY_CLAIM)  # type: ignore[assignment]

    @classmethod
    def for_user(cls, user: Any) -> "FamilyRefreshToken":
        token = cast("FamilyRefreshToken", super().for_user(user))  # also records the outstanding token
        family = RefreshTokenFamily.objects.create(
            user=user,
            current_jti=token[api_settings.JTI_CLAIM],
            expires_at=datetime_from_epoch(token["exp"]),
        )
        token[FAMILY_CLAIM] = str(family.pk)
        return token


class _PresentedRefreshToken(FamilyRefreshToken):
    """Signature, expiry and type are checked on parsing; the blacklist is checked by
    :func:`refresh_token_rotate` under the family's row lock, where reuse can be told apart."""

    def check_blacklist(self) -> None:
        return None


@dataclass(frozen=True)
class Rotated:
    access: str
    refresh: str


class InactiveUserError(Exception):
    """The token's user no longer exists or may not sign in."""


def refresh_token_rotate(*, raw: str) -> Rotated:
    """Exchange refresh token ``raw`` for a new access token and a new refresh token of its family.

    Raises ``TokenError`` (401 ``token_not_valid``) for a token that is malformed, expired, revoked
    or reused (reuse revokes the family first, and that revocation commits), and
    :class:`InactiveUserError` for a disabled user.
    """
    token = _PresentedRefreshToken(raw)  # type: ignore[arg-type]  # the stubs say Token; it takes the text
    outcome = _rotate(token)
    if isinstance(outcome, Rotated):
        return outcome
    if outcome is InactiveUserError:
        raise InactiveUserError()
    raise TokenError(outcome)


@transaction.atomic
def _rotate(token: _PresentedRefreshToken) -> "Rotated | str | type[InactiveUserError]":
    """The rotation, one transaction; a refusal is returned (not raised) so that a revocation
    decided here commits. Locks: the family row (``FOR UPDATE``), then token rows."""
    jti = token[api_settings.JTI_CLAIM]
    user_id = token.payload.get(api_settings.USER_ID_CLAIM)
    family = _family_locked(token)
    if family is None or str(family.user_id) != str(user_id):
        return "Token is invalid"
    if family.revoked_at is not None:
        return REVOKED
    if jti != family.current_jti:
        refresh_token_family_revoke(family=family, reason=RefreshTokenFamily.RevokedReason.REUSE)
        return REUSED
    if BlacklistedToken.objects.filter(token__jti=jti).exists():
        return REVOKED  # blacklisted some other way (admin); the family is no use any more

    user = get_user_model()._default_manager.filter(pk=family.user_id).first()
    if user is None or not api_settings.USER_AUTHENTICATION_RULE(user):
        return InactiveUserError

    token.blacklist()
    token.set_jti()
    token.set_exp()
    token.set_iat()
    token[FAMILY_CLAIM] = str(family.pk)
    token.outstand()
    now = timezone.now()
    family.current_jti = token[api_settings.JTI_CLAIM]
    family.rotations += 1
    family.rotated_at = now
    family.expires_at = datetime_from_epoch(token["exp"])
    family.save(update_fields=["current_jti", "rotations", "rotated_at", "expires_at"])
    return Rotated(access=str(token.access_token), refresh=str(token))


def _family_locked(token: RefreshToken) -> RefreshTokenFamily | None:
    families = RefreshTokenFamily.objects.select_for_update()
    claimed = token.payload.get(FAMILY_CLAIM)
    if claimed is not None:
        try:
            family_id = uuid.UUID(str(claimed))
        except ValueError:
            return None
        return families.filter(pk=family_id).first()
    jti = token[api_settings.JTI_CLAIM]
    user_id = token.payload.get(api_settings.USER_ID_CLAIM)
    user = get_user_model()._default_manager.filter(pk=user_id).first() if user_id is not None else None
    if user is None:
        return None
    family, _ = families.get_or_create(
        pk=uuid.uuid5(LEGACY_FAMILY_NAMESPACE, str(jti)),
        defaults={"user": user, "current_jti": jti, "expires_at": datetime_from_epoch(token["exp"])},
    )
    return family


def refresh_token_family_revoke(*, family: RefreshTokenFamily, reason: str) -> None:
    """Revoke the family: its current refresh token is blacklisted (the ones before it were
    blacklisted as they were rotated), and no member is accepted again."""
    if family.revoked_at is None:
        family.revoked_at = timezone.now()
        family.revoked_reason = reason
        family.save(update_fields=["revoked_at", "revoked_reason"])
    for outstanding in OutstandingToken.objects.filter(jti=family.current_jti):
        BlacklistedToken.objects.get_or_create(token=outstanding)


def refresh_token_logout(*, token: RefreshToken) -> None:
    """Log out: blacklist the token and end its family."""
    with transaction.atomic():
        token.blacklist()
        claimed = token.payload.get(FAMILY_CLAIM)
        legacy = uuid.uuid5(LEGACY_FAMILY_NAMESPACE, str(token[api_settings.JTI_CLAIM]))
        try:
            family_id = uuid.UUID(str(claimed)) if claimed is not None else legacy
        except ValueError:
            return
        family = RefreshTokenFamily.objects.select_for_update().filter(pk=family_id).first()
        if family is not None:
            refresh_token_family_revoke(family=family, reason=RefreshTokenFamily.RevokedReason.LOGOUT)


def token_pair_for(user: Any) -> dict[str, str]:
    """A new sign-in for ``user``: ``{"access", "refresh"}``, the refresh token starting a family, as
    ``/api/token/`` answers it (registration and accepted invitations sign the person in at once)."""
    refresh = FamilyRefreshToken.for_user(user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


@transaction.atomic
def refresh_tokens_revoke_for(*, user: Any, reason: str) -> int:
    """End every sign-in of ``user`` (a new password, removal from the organisation): every live family
    is revoked and every refresh token not yet expired is blacklisted, those signed before families
    existed included. Access tokens already issued expire on their own (``JWT_ACCESS_MINUTES``).
    Returns how many families were revoked. Locks: the user's families (``FOR UPDATE``, by id)."""
    families = list(
        RefreshTokenFamily.objects.select_for_update().filter(user=user, revoked_at__isnull=True).order_by("pk")
    )
    for family in families:
        refresh_token_family_revoke(family=family, reason=reason)
    live = OutstandingToken.objects.filter(user=user, expires_at__gt=timezone.now(), blacklistedtoken__isnull=True)
    BlacklistedToken.objects.bulk_create([BlacklistedToken(token=token) for token in live], ignore_conflicts=True)
    return len(families)
