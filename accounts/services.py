"""Writes of accounts: registration, the profile, and an organisation's standing (verification requests, verify,
reject, suspend).

Standing changes lock the organisation's row ``FOR NO KEY UPDATE`` (they change no key, so rows that
reference the organisation can still be inserted meanwhile), write the status and one
:class:`OrganizationStatusChange`. Services that need a standing to hold until they commit (listing,
transferring) read it ``FOR SHARE`` through :func:`organization_standing_lock`, so a suspension waits
for them and then sees what they wrote.
"""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Value, When
from django.utils import timezone

from accounts.emails import email_normalize
from accounts.errors import (
    OrganizationNotFoundError,
    OrganizationStatusError,
    OrganizationSuspendedError,
    OrganizationUnverifiedError,
    RegistrationNumberTakenError,
    SelfReviewError,
)
from accounts.models import (
    Organization,
    OrganizationStatusChange,
    OrganizationVerificationRequest,
    User,
    VerificationStatus,
)
from accounts.names import name_key, registration_key
from accounts.roles import Ability, Role, role_require
from accounts.signals import organization_suspended
from core.db import atomic_with_retry
from core.ids import is_id


def namesake_find(*, organization: Organization, names: list[str]) -> Organization | None:
    """Another organisation of the same country whose name compares equal to one of ``names``
    (``accounts.names.name_key``): a verified one first, else the earliest registered."""
    keys = {key for key in (name_key(name) for name in names) if key}
    if not keys:
        return None
    others = Organization.objects.filter(country=organization.country, name_key__in=keys)
    if organization.pk is not None:
        others = others.exclude(pk=organization.pk)
    verified_first = Case(When(verification_status=VerificationStatus.VERIFIED, then=Value(0)), default=Value(1))
    return others.order_by(verified_first, "created_at", "id").first()


@transaction.atomic
def user_register(
    *, email: str, password: str, organization_name: str, country: str, sector: str = "", website: str = ""
) -> User:
    """Create an organisation (``unverified``) and its first user, its owner. Nothing is written when any field is
    refused. A name that compares equal to an existing organisation's in the same country is recorded
    as ``namesake_of`` for verifiers to see; it is not refused."""
    email = email_normalize(email)
    if User.objects.filter(email=email).exists():
        raise ValidationError({"email": ["An account with this e-mail address already exists."]})
    organization = Organization(name=organization_name.strip(), country=country, sector=sector, website=website)
    user = User(email=email, organization=organization, role=Role.OWNER)
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error

    organization.namesake_of = namesake_find(organization=organization, names=[organization.name])
    organization.save()
    user.organization = organization
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:  # a concurrent registration took the address first
        raise ValidationError({"email": ["An account with this e-mail address already exists."]}) from error
    return user


# --- the profile ------------------------------------------------------------------------------

#: What ``profile_update`` may change of the organisation. Its legal name and registration number are
#: given in a verification request (and fixed by the verifier once verified), its country never changes.
ORGANIZATION_EDITABLE = ("name", "sector", "website", "employees", "annual_revenue", "revenue_currency")


@transaction.atomic
def profile_update(*, user: User, full_name: str | None = None, organization: dict | None = None) -> User:
    """Change the person's own profile (any role) and, with ``organization``, the organisation's
    details (admins and owners: 403 ``role_forbidden`` otherwise). A new trading name is checked for
    namesakes as at registration. A revenue needs its currency and the other way round (400). A
    suspended organisation's people change nothing here (403), as everywhere but their password."""
    organization_check_not_suspended(user.organization)
    if full_name is not None and full_name != user.full_name:
        user.full_name = full_name
        user.save(update_fields=["full_name"])
    if organization:
        role_require(role=user.role, ability=Ability.ORGANIZATION)
        unknown = set(organization) - set(ORGANIZATION_EDITABLE)
        if unknown:
            raise ValidationError({f"organization.{name}": ["This field cannot be changed here."] for name in unknown})
        org = Organization.objects.select_for_update(no_key=True).get(pk=user.organization_id)
        organization_check_not_suspended(org)
        for name, value in organization.items():
            setattr(org, name, value.strip() if name == "name" else value)
        if org.revenue_currency:
            org.revenue_currency = org.revenue_currency.upper()
        if (org.annual_revenue is None) != (org.revenue_currency == ""):
            raise ValidationError(
                {"organization.revenue_currency": ["Give annual_revenue and revenue_currency together (or neither)."]}
            )
        fields = set(organization)
        if "name" in fields and org.namesake_of_id is None:
            org.namesake_of = namesake_find(organization=org, names=[org.name])
            fields.add("namesake_of")
        org.save(update_fields=sorted(fields))
        user.organization = org
    return user


# --- standing -------------------------------------------------------------------------------


def organization_check_not_suspended(organization: Organization) -> None:
    """A suspended organisation can only read (the status as loaded with the caller's user)."""
    if organization.verification_status == VerificationStatus.SUSPENDED:
        raise OrganizationSuspendedError()


def organization_standing_lock(*, organization_id: int) -> str:
    """The organisation's status, read ``FOR SHARE``: it cannot change until the caller's transaction
    ends (a suspension waits, then withdraws what the caller listed). Must run in a transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("organization_standing_lock must run inside a transaction")
    table = Organization._meta.db_table
    lock = " FOR SHARE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT verification_status FROM {table} WHERE id = %s{lock}", [organization_id])  # noqa: S608
        row = cursor.fetchone()
    if row is None:
        raise OrganizationNotFoundError()
    return row[0]


def organization_check_can_trade(*, organization_id: int) -> None:
    """Listing and transferring credits need a verified organisation; the status is held ``FOR SHARE``
    until the caller commits (see :func:`organization_standing_lock`). 403 otherwise."""
    status = organization_standing_lock(organization_id=organization_id)
    if status == VerificationStatus.SUSPENDED:
        raise OrganizationSuspendedError()
    if status != VerificationStatus.VERIFIED:
        raise OrganizationUnverifiedError()


def _lock(organization_id: int) -> Organization:
    if not is_id(organization_id):
        raise OrganizationNotFoundError()
    organization = Organization.objects.select_for_update(no_key=True).filter(pk=organization_id).first()
    if organization is None or organization.kind != Organization.Kind.MEMBER:
        raise OrganizationNotFoundError()
    return organization


def _set_status(organization: Organization, *, to: str, actor: User | None, note: str) -> None:
    OrganizationStatusChange.objects.create(
        organization=organization, from_status=organization.verification_status, to_status=to, changed_by=actor,
        note=note,
    )  # fmt: skip
    organization.verification_status = to


def _check_reviewer(organization: Organization, reviewer: User) -> None:
    if organization.pk == reviewer.organization_id:
        raise SelfReviewError()


@atomic_with_retry
def organization_verification_request(
    *,
    organization_id: int,
    submitted_by: User,
    legal_name: str,
    registration_number: str,
    website: str = "",
    document_ids: list[int],
) -> OrganizationVerificationRequest:
    """Record a request to be verified and set the organisation ``pending``. The caller has checked
    that ``document_ids`` are the organisation's own (``documents.services``). A second request while
    one is pending replaces it; a verified organisation has nothing to request (409), a suspended one
    cannot write (403). The legal name is checked for namesakes as the trading name was."""
    organization = _lock(organization_id)
    organization_check_not_suspended(organization)
    if organization.verification_status == VerificationStatus.VERIFIED:
        raise OrganizationStatusError("Your organisation is already verified.")
    if not registration_key(registration_number):
        raise ValidationError({"registration_number": ["A registration number needs letters or digits."]})
    OrganizationVerificationRequest.objects.filter(
        organization=organization, status=OrganizationVerificationRequest.Status.PENDING
    ).update(status=OrganizationVerificationRequest.Status.SUPERSEDED)
    request = OrganizationVerificationRequest.objects.create(
        organization=organization,
        submitted_by=submitted_by,
        legal_name=legal_name,
        registration_number=registration_number,
        website=website,
        document_ids=list(document_ids),
    )
    if organization.verification_status != VerificationStatus.PENDING:
        _set_status(organization, to=VerificationStatus.PENDING, actor=submitted_by, note="verification requested")
    organization.legal_name = legal_name
    organization.registration_number = registration_number
    organization.registration_key = registration_key(registration_number)
    if website:
        organization.website = website
    if organization.namesake_of_id is None:
        organization.namesake_of = namesake_find(organization=organization, names=[organization.name, legal_name])
    organization.save(
        update_fields=[
            "verification_status", "legal_name", "registration_number", "registration_key", "website", "namesake_of",
        ]
    )  # fmt: skip
    return request


def _decide_pending_request(organization: Organization, *, status: str, reviewer: User, note: str) -> None:
    OrganizationVerificationRequest.objects.filter(
        organization=organization, status=OrganizationVerificationRequest.Status.PENDING
    ).update(status=status, decided_by=reviewer, decided_at=timezone.now(), note=note)


@atomic_with_retry
def organization_verify(
    *, organization_id: int, reviewer: User, note: str = "", registration_number: str = "", legal_name: str = ""
) -> Organization:
    """A verifier confirms the organisation's identity: a pending request, an organisation checked
    without one (the verifier may record its ``registration_number`` and ``legal_name``), or a suspended
    one reinstated. Its registration number must not be another verified organisation's in the same
    country (409 ``registration_number_taken``; a partial unique constraint backs this against races)."""
    organization = _lock(organization_id)
    _check_reviewer(organization, reviewer)
    if organization.verification_status == VerificationStatus.VERIFIED:
        raise OrganizationStatusError("The organisation is already verified.")
    if registration_number:
        if not registration_key(registration_number):
            raise ValidationError({"registration_number": ["A registration number needs letters or digits."]})
        organization.registration_number = registration_number
        organization.registration_key = registration_key(registration_number)
    if legal_name:
        organization.legal_name = legal_name
    taken = Organization.objects.filter(
        country=organization.country,
        registration_key=organization.registration_key,
        verification_status=VerificationStatus.VERIFIED,
    ).exclude(pk=organization.pk)
    if organization.registration_key and taken.exists():
        raise RegistrationNumberTakenError()
    _set_status(organization, to=VerificationStatus.VERIFIED, actor=reviewer, note=note)
    organization.verified_at = timezone.now()
    try:
        with transaction.atomic():
            organization.save(
                update_fields=[
                    "verification_status", "verified_at", "registration_number", "registration_key", "legal_name",
                ]
            )  # fmt: skip
    except IntegrityError as error:  # another organisation was verified with this number meanwhile
        raise RegistrationNumberTakenError() from error
    _decide_pending_request(
        organization, status=OrganizationVerificationRequest.Status.APPROVED, reviewer=reviewer, note=note
    )
    return organization


@atomic_with_retry
def organization_reject_request(*, organization_id: int, reviewer: User, note: str = "") -> Organization:
    """A verifier turns a pending request down: the organisation is ``unverified`` again."""
    organization = _lock(organization_id)
    _check_reviewer(organization, reviewer)
    if organization.verification_status != VerificationStatus.PENDING:
        raise OrganizationStatusError(f"The organisation is {organization.verification_status}, not pending.")
    _set_status(organization, to=VerificationStatus.UNVERIFIED, actor=reviewer, note=note)
    organization.save(update_fields=["verification_status"])
    _decide_pending_request(
        organization, status=OrganizationVerificationRequest.Status.REJECTED, reviewer=reviewer, note=note
    )
    return organization


@atomic_with_retry
def organization_suspend(*, organization_id: int, reviewer: User, reason: str) -> Organization:
    """Suspend an organisation: from now on it can only read. In the same transaction the
    ``organization_suspended`` signal lets the marketplace withdraw its open listings through the
    ledger (``delist`` entries), so nothing it offered stays for sale.

    Locks: the organisation row (``FOR NO KEY UPDATE``), then whatever the receivers lock (each
    listing, its block, the ledger head)."""
    organization = _lock(organization_id)
    _check_reviewer(organization, reviewer)
    if organization.verification_status == VerificationStatus.SUSPENDED:
        raise OrganizationStatusError("The organisation is already suspended.")
    _set_status(organization, to=VerificationStatus.SUSPENDED, actor=reviewer, note=reason)
    organization.save(update_fields=["verification_status"])
    _decide_pending_request(
        organization, status=OrganizationVerificationRequest.Status.REJECTED, reviewer=reviewer, note=reason
    )
    organization_suspended.send(sender=Organization, organization=organization, actor=reviewer)
    return organization
