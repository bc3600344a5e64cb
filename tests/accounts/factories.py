import factory
from django.contrib.auth.models import Group

from accounts.models import VERIFIERS_GROUP, Organization, User, VerificationStatus
from accounts.roles import Role

PASSWORD = "correct-horse-battery-staple"


class OrganizationFactory(factory.django.DjangoModelFactory[Organization]):
    class Meta:
        model = Organization

    """A verified organisation by default (the state in which every rule of the registry applies fully);
    ``verification_status=VerificationStatus.UNVERIFIED`` for a newly registered one."""

    name = factory.Sequence(lambda n: f"SME {n} Ltd")
    country = "GB"
    sector = "manufacturing"
    legal_name = factory.SelfAttribute("name")
    registration_number = factory.Sequence(lambda n: f"REG{n:07d}")
    registration_key = factory.SelfAttribute("registration_number")
    verification_status = VerificationStatus.VERIFIED


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    organization = factory.SubFactory(OrganizationFactory)
    # The organisation's owner, as its registering user is: every rule but the roles' applies fully.
    # Tests of the roles make the others (``role=Role.VIEWER``).
    role = Role.OWNER
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verifier(user: User, create: bool, extracted: bool | None, **kwargs) -> None:  # called with the new user
        if create and extracted:
            user.groups.add(Group.objects.get_or_create(name=VERIFIERS_GROUP)[0])
