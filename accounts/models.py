import uuid
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django_countries.fields import CountryField
from rest_framework_api_key.models import AbstractAPIKey, APIKeyManager

from accounts.emails import email_normalize
from accounts.names import name_key
from accounts.roles import Role

VERIFIERS_GROUP = "verifiers"
ROLE_CHOICES = [(role.value, role.value.capitalize()) for role in Role]


class VerificationStatus(models.TextChoices):
    """An organisation's standing with the registry (docs/VERIFICATION.md "Organisations")."""

    UNVERIFIED = "unverified", "Unverified"
    PENDING = "pending", "Verification requested"
    VERIFIED = "verified", "Verified"
    SUSPENDED = "suspended", "Suspended"


class Organization(models.Model):
    """A business that holds credits. Every user acts for exactly one organisation.

    Its standing (``verification_status``) is set by verifiers only (``accounts.services``): an
    organisation that is not verified cannot list or transfer credits and its automatic issuance is
    capped; a suspended one can only read. ``(country, registration_key)`` is unique among verified
    organisations, so one company number backs at most one verified organisation per country.
    """

    class Kind(models.TextChoices):
        MEMBER = "member", "Member"
        REGISTRY = "registry", "Registry operator"
        BUFFER_POOL = "buffer_pool", "Buffer pool"

    name = models.CharField(max_length=200)
    country = CountryField()
    sector = models.CharField(max_length=100, blank=True)
    website = models.URLField(blank=True)
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.MEMBER)
    # The size of the business, for the GHG statement's intensity figures (reports/). Unknown until
    # the organisation says: null, and the statement says the intensity cannot be computed.
    employees = models.PositiveIntegerField(
        null=True, blank=True, help_text="Headcount as the organisation reports it (persons or full-time equivalents)."
    )
    annual_revenue = models.DecimalField(
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Annual revenue (turnover), in revenue_currency.",
    )
    revenue_currency = models.CharField(max_length=3, blank=True, help_text="ISO 4217 code of annual_revenue.")
    legal_name = models.CharField(max_length=200, blank=True, help_text="As on the company register.")
    registration_number = models.CharField(
        max_length=64, blank=True, help_text="Company or tax registry number, as given; public once verified."
    )
    registration_key = models.CharField(
        max_length=64, blank=True, editable=False, help_text="registration_number compared: letters and digits."
    )
    name_key = models.CharField(
        max_length=200, blank=True, editable=False, help_text="The name compared (case, punctuation, legal form)."
    )
    namesake_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="An earlier organisation of the same country whose name compares equal: flagged to verifiers.",
    )
    verification_status = models.CharField(
        max_length=20, choices=VerificationStatus, default=VerificationStatus.UNVERIFIED, db_index=True
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["country", "name_key"], name="organization_country_name_key")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(annual_revenue__isnull=True) | models.Q(annual_revenue__gte=0),
                name="organization_revenue_not_negative",
            ),
            # A revenue without its currency cannot be read; a currency without a revenue says nothing.
            models.CheckConstraint(
                condition=models.Q(annual_revenue__isnull=True, revenue_currency="")
                | (models.Q(annual_revenue__isnull=False) & ~models.Q(revenue_currency="")),
                name="organization_revenue_has_currency",
            ),
            # The registry operator and the buffer pool are singletons.
            models.UniqueConstraint(
                fields=["kind"], condition=~models.Q(kind="member"), name="organization_one_per_system_kind"
            ),
            models.UniqueConstraint(
                fields=["country", "registration_key"],
                condition=models.Q(verification_status="verified") & ~models.Q(registration_key=""),
                name="organization_registration_unique_among_verified",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.country})"

    def save(self, *args, **kwargs) -> None:
        self.name_key = name_key(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key"}
        super().save(*args, **kwargs)

    @property
    def is_verified(self) -> bool:
        return self.verification_status == VerificationStatus.VERIFIED

    @property
    def is_suspended(self) -> bool:
        return self.verification_status == VerificationStatus.SUSPENDED

    @property
    def public_registration_number(self) -> str | None:
        """The registration number as the public sees it: only once a verifier has checked it."""
        return self.registration_number if self.is_verified else None


class OrganizationStatusChange(models.Model):
    """One change of an organisation's standing, with who made it and why (append-only history)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=VerificationStatus)
    to_status = models.CharField(max_length=20, choices=VerificationStatus)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "-created_at"], name="org_status_change_recent")]

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.from_status} -> {self.to_status}"


class OrganizationVerificationRequest(models.Model):
    """What an organisation submitted to be verified: its legal identity and the documents behind it
    (``document_ids``, checked to be its own by ``documents.services`` before this row is written)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        SUPERSEDED = "superseded", "Superseded by a newer request"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="verification_requests")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    legal_name = models.CharField(max_length=200)
    registration_number = models.CharField(max_length=64)
    website = models.URLField(blank=True)
    document_ids = models.JSONField(default=list, help_text="Ids of the organisation's documents, in order.")
    status = models.CharField(max_length=20, choices=Status, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"], condition=models.Q(status="pending"), name="verification_request_one_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"Verification request {self.pk} of {self.organization_id} ({self.status})"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> "User":
        # Every sign-in (the token endpoint, the admin, any page) reaches ModelBackend, which looks
        # the user up here: by the normalised address, exactly (accounts.emails).
        if not isinstance(username, str):
            raise self.model.DoesNotExist
        return self.get(email=email_normalize(username))

    def _create_user(self, email: str, password: str | None, **extra_fields) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=email_normalize(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields) -> "User":
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields) -> "User":
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("role", Role.OWNER)
        if not extra_fields.get("organization") and not extra_fields.get("organization_id"):
            extra_fields["organization"] = registry_operator()
        return self._create_user(email, password, **extra_fields)


def _system_standing(kind: str) -> dict[str, str]:
    """The registry's own organisations are verified by construction; their "registration" is the registry."""
    number = f"CARBONCRED-{kind.upper().replace('_', '-')}"
    return {
        "verification_status": VerificationStatus.VERIFIED,
        "registration_number": number,
        "registration_key": number,
    }


def registry_operator() -> Organization:
    """The registry's own organisation (created on first use)."""
    organization, _ = Organization.objects.get_or_create(
        kind=Organization.Kind.REGISTRY,
        defaults={
            "name": settings.REGISTRY_OPERATOR_NAME,
            "country": settings.REGISTRY_OPERATOR_COUNTRY,
            **_system_standing(Organization.Kind.REGISTRY),
        },
    )
    return organization


def buffer_pool() -> Organization:
    """The registry's buffer-pool organisation (created on first use); it receives a share of every issuance."""
    organization, _ = Organization.objects.get_or_create(
        kind=Organization.Kind.BUFFER_POOL,
        defaults={
            "name": settings.BUFFER_POOL_NAME,
            "country": settings.REGISTRY_OPERATOR_COUNTRY,
            **_system_standing(Organization.Kind.BUFFER_POOL),
        },
    )
    return organization


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an e-mail address and acts for one organisation."""

    email = models.EmailField(
        max_length=254,
        unique=True,
        help_text="Stored normalised (NFKC, case-folded); sign-in normalises what is typed the same way.",
    )
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="users")
    full_name = models.CharField(max_length=200, blank=True)
    role = models.CharField(
        max_length=10,
        choices=ROLE_CHOICES,
        default=Role.MEMBER.value,
        help_text="What the person may do for the organisation (accounts.roles). Registration makes an owner.",
    )
    is_staff = models.BooleanField(default=False, help_text="Can sign in to the admin.")
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["email"]
        constraints = [
            models.CheckConstraint(condition=models.Q(role__in=[role.value for role in Role]), name="user_role_known"),
        ]

    def __str__(self) -> str:
        return self.email

    def save(self, *args, **kwargs) -> None:
        self.email = email_normalize(self.email)
        super().save(*args, **kwargs)

    @property
    def is_verifier(self) -> bool:
        """Superusers and members of the ``verifiers`` group review claims and read the ledger check."""
        if not self.is_active:
            return False
        if self.is_superuser:
            return True
        cached = getattr(self, "_is_verifier", None)
        if cached is None:
            # Iterating .all() uses a prefetch_related("groups") when the caller made one.
            cached = any(group.name == VERIFIERS_GROUP for group in self.groups.all())
            self._is_verifier = cached
        return cached


class RefreshTokenFamily(models.Model):
    """The refresh tokens of one sign-in, each replacing the one before (rotation).

    Only ``current_jti`` may be exchanged; the rotation locks this row, so concurrent uses of one
    token rotate it once. Using any other member of the family (one already rotated: a stolen copy,
    or a replay) revokes the family, and with it ``current_jti`` (accounts.tokens).
    """

    class RevokedReason(models.TextChoices):
        REUSE = "reuse", "A rotated refresh token was used again"
        LOGOUT = "logout", "Logged out"
        PASSWORD = "password", "The password was changed or reset"
        REMOVED = "removed", "Removed from the organisation"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="refresh_token_families")
    current_jti = models.CharField(max_length=255, unique=True, help_text="The one member that may be used.")
    rotations = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    rotated_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(help_text="When the current refresh token expires.")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=10, choices=RevokedReason, blank=True)

    class Meta:
        verbose_name_plural = "refresh token families"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True, revoked_reason="")
                | models.Q(revoked_at__isnull=False) & ~models.Q(revoked_reason=""),
                name="refreshtokenfamily_revoked_with_reason",
            )
        ]

    def __str__(self) -> str:
        state = f"revoked ({self.revoked_reason})" if self.revoked_at else "live"
        return f"sign-in of {self.user_id} from {self.created_at:%Y-%m-%d %H:%M}, {state}"


class ApiKeyScope(models.TextChoices):
    """What an API key may do besides nothing: ``read`` every GET of the API, and each write scope the
    writes named in docs/API.md ("API keys")."""

    READ = "read", "Read"
    TRADE = "trade", "Trade (list, withdraw, buy, transfer)"
    RETIRE = "retire", "Retire credits"
    READINGS = "readings", "Send meter readings"


class ApiKeyManager(APIKeyManager):
    def assign_key(self, obj: "AbstractAPIKey") -> str:
        """The library's key (``<prefix>.<secret>``), prefix and SHA-512 hash, without its habit of making
        ``prefix.hash`` the primary key: our keys have plain integer ids (``DELETE /api/api-keys/{id}/``)."""
        key, prefix, hashed_key = self.key_generator.generate()
        obj.prefix, obj.hashed_key = prefix, hashed_key
        return key


class ApiKey(AbstractAPIKey):
    """An organisation's API key (djangorestframework-api-key's model with an organisation and scopes).

    The key itself is shown once, at creation, and never stored: ``hashed_key`` is its SHA-512 (a key
    has 190 bits of entropy, so a fast hash is right for it), ``prefix`` (unique) finds the row. A
    request sent with it acts as ``created_by`` for ``organization``, within ``scopes``. Revocation
    cannot be undone (the library refuses to save it back).
    """

    id = models.BigAutoField(primary_key=True)  # type: ignore[assignment]  # the library's is "prefix.hash"
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="api_keys")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_keys")
    scopes = models.JSONField(default=list, help_text="Of read, trade, retire, readings.")
    last_used_at = models.DateTimeField(null=True, blank=True, help_text="To the minute.")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[ApiKeyManager] = ApiKeyManager()  # type: ignore[assignment]

    # Lets the permission and throttle classes recognise a key without importing this module.
    is_api_key = True

    class Meta(AbstractAPIKey.Meta):
        ordering = ("-created", "-id")  # type: ignore[assignment]  # the library types it as a 1-tuple
        indexes = [models.Index(fields=["organization", "-created"], name="apikey_organization_recent")]

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


class Invitation(models.Model):
    """An e-mailed invitation to join an organisation with a role.

    Only the SHA-256 of its token is stored (the token travels in the e-mail only). It is accepted
    once, before ``expires_at``; accepting creates the user (accounts.members). One pending
    invitation per address and organisation: inviting again replaces it, and the old link stops working.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(max_length=254, help_text="Stored normalised, as users' addresses are.")
    role = models.CharField(max_length=10, choices=ROLE_CHOICES)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "email"],
                condition=models.Q(accepted_at__isnull=True),
                name="invitation_one_pending_per_address",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.organization_id} as {self.role}"

    def save(self, *args, **kwargs) -> None:
        self.email = email_normalize(self.email)
        super().save(*args, **kwargs)
