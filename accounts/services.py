from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.emails import email_normalize
from accounts.models import Organization, User


@transaction.atomic
def user_register(
    *, email: str, password: str, organization_name: str, country: str, sector: str = "", website: str = ""
) -> User:
    """Create an organisation and its first user. Nothing is written when any field is refused."""
    email = email_normalize(email)
    if User.objects.filter(email=email).exists():
        raise ValidationError({"email": ["An account with this e-mail address already exists."]})
    organization = Organization(name=organization_name.strip(), country=country, sector=sector, website=website)
    user = User(email=email, organization=organization)
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error

    organization.save()
    user.organization = organization
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:  # a concurrent registration took the address first
        raise ValidationError({"email": ["An account with this e-mail address already exists."]}) from error
    return user
