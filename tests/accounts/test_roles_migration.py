"""The migration that brings roles: everyone who existed before becomes an owner; users made after it
default to member."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import User

BEFORE = [("accounts", "0006_refresh_token_family")]
AFTER = [("accounts", "0007_roles_and_invitations")]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_existing_users_become_owners_and_new_ones_members():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    Organization = old_apps.get_model("accounts", "Organization")
    OldUser = old_apps.get_model("accounts", "User")
    org = Organization.objects.create(name="Before Roles Ltd", country="GB")
    OldUser.objects.create(email="founder@before.example", organization=org, password="!")
    OldUser.objects.create(email="colleague@before.example", organization=org, password="!")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    roles = set(User.objects.filter(organization_id=org.pk).values_list("role", flat=True))

    # Back to the latest state of every app (going back unapplied what depends on accounts too).
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert roles == {"owner"}
    newcomer = User.objects.create_user("new@before.example", organization_id=org.pk)
    assert newcomer.role == "member"
