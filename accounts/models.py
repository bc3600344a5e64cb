import uuid
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django_countries.fields import CountryField

from accounts.emails import email_normalize

VERIFIERS_GROUP = "verifiers"


class Organization(models.Model):
    """A business that holds credits. Every user acts for exactly one organisation."""

    class Kind(models.TextChoices):
        MEMBER = "member", "Member"
        REGISTRY = "registry", "Registry operator"
        BUFFER_POOL = "buffer_pool", "Buffer pool"

    name = models.CharField(max_length=200)
    country = CountryField()
    sector = models.CharField(max_length=100, blank=True)
    website = models.URLField(blank=True)
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.MEMBER)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            # The registry operator and the buffer pool are singletons.
            models.UniqueConstraint(
                fields=["kind"], condition=~models.Q(kind="member"), name="organization_one_per_system_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.country})"


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
        if not extra_fields.get("organization") and not extra_fields.get("organization_id"):
            extra_fields["organization"] = registry_operator()
        return self._create_user(email, password, **extra_fields)


def registry_operator() -> Organization:
    """The registry's own organisation (created on first use)."""
    organization, _ = Organization.objects.get_or_create(
        kind=Organization.Kind.REGISTRY,
        defaults={"name": settings.REGISTRY_OPERATOR_NAME, "country": settings.REGISTRY_OPERATOR_COUNTRY},
    )
    return organization


def buffer_pool() -> Organization:
    """The registry's buffer-pool organisation (created on first use); it receives a share of every issuance."""
    organization, _ = Organization.objects.get_or_create(
        kind=Organization.Kind.BUFFER_POOL,
        defaults={"name": settings.BUFFER_POOL_NAME, "country": settings.REGISTRY_OPERATOR_COUNTRY},
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
    is_staff = models.BooleanField(default=False, help_text="Can sign in to the admin.")
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["email"]

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
