from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import VERIFIERS_GROUP, Organization, User


class Command(BaseCommand):
    help = (
        "Create a fuzzing user (a verifier, so every endpoint is reachable) and print an access token. Refuses to run "
        "unless the database name contains 'fuzz', so it can never touch a real registry."
    )

    def handle(self, *args, **options) -> None:
        if "fuzz" not in connection.settings_dict["NAME"]:
            raise CommandError("fuzz_fixture only runs against a database whose name contains 'fuzz'.")
        organization, _ = Organization.objects.get_or_create(name="Fuzz Ltd", defaults={"country": "GB"})
        user = User.objects.filter(email="fuzz@carboncred.example").first() or User.objects.create_user(
            email="fuzz@carboncred.example", password=None, organization=organization
        )
        user.groups.add(Group.objects.get_or_create(name=VERIFIERS_GROUP)[0])
        self.stdout.write(str(AccessToken.for_user(user)))
