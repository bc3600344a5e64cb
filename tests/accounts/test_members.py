"""Members and invitations: invite by e-mail, accept with the e-mailed token, change roles, remove,
and the organisation's last owner."""

import re
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.members import invitation_create, member_remove
from accounts.models import Invitation, User
from accounts.roles import Role
from core.errors import DomainError
from tests.accounts.factories import OrganizationFactory, UserFactory
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

MEMBERS = "/api/organization/members/"
INVITATIONS = "/api/organization/invitations/"
ACCEPT = "/api/auth/invitations/accept/"
NEW_PASSWORD = "a-long-unusual-passphrase-42"


@pytest.fixture
def owner(db):
    return UserFactory.create(email="owner@bakery.example", full_name="Olive Owner")


@pytest.fixture
def owner_client(owner):
    return client_for(owner)


def invite(client, email="new.hire@bakery.example", role="member", capture=None):
    response = client.post(MEMBERS, {"email": email, "role": role}, format="json")
    assert response.status_code == 201, response.content
    return response


def token_in(message) -> str:
    found = re.search(r'"token": "([^"]+)"', message.body)
    assert found, message.body
    return found.group(1)


def test_an_invitation_is_emailed_and_accepting_it_signs_the_new_member_in(
    owner, owner_client, api_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(MEMBERS, {"email": "New.Hire@Bakery.example", "role": "viewer"}, format="json")

    assert response.status_code == 201, response.content
    invitation = response.json()
    assert invitation["email"] == "new.hire@bakery.example" and invitation["role"] == "viewer"
    assert invitation["invited_by"] == "owner@bakery.example" and invitation["expired"] is False
    assert "token" not in invitation  # only the invitee sees it, in the e-mail
    [message] = mail.outbox
    assert message.to == ["new.hire@bakery.example"]
    assert owner.organization.name in message.subject and "Olive Owner" in message.subject
    token = token_in(message)
    assert f"/accounts/invitation/{token}/" in message.body
    assert Invitation.objects.get().token_hash != token  # only its hash is stored

    accepted = api_client.post(ACCEPT, {"token": token, "password": NEW_PASSWORD, "full_name": "Nia"}, format="json")

    assert accepted.status_code == 201, accepted.content
    body = accepted.json()
    assert body["email"] == "new.hire@bakery.example" and body["role"] == "viewer" and body["full_name"] == "Nia"
    assert body["organization"]["id"] == owner.organization_id
    assert body["tokens"]["access"] == body["access"] and body["tokens"]["refresh"] == body["refresh"]
    me = api_client.get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {body['access']}")
    assert me.status_code == 200 and me.json()["role"] == "viewer"
    refreshed = api_client.post("/api/token/refresh/", {"refresh": body["refresh"]}, format="json")
    assert refreshed.status_code == 200
    signed_in = api_client.post("/api/token/", {"email": "new.hire@bakery.example", "password": NEW_PASSWORD})
    assert signed_in.status_code == 200
    assert [m["email"] for m in owner_client.get(MEMBERS).json()["results"]] == [
        "owner@bakery.example",
        "new.hire@bakery.example",
    ]
    assert owner_client.get(INVITATIONS).json()["count"] == 0


def test_an_invitation_works_once(owner_client, api_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(owner_client)
    token = token_in(mail.outbox[0])
    assert api_client.post(ACCEPT, {"token": token, "password": NEW_PASSWORD}, format="json").status_code == 201

    again = api_client.post(ACCEPT, {"token": token, "password": NEW_PASSWORD}, format="json")

    assert again.status_code == 400 and again.json()["code"] == "invitation_invalid"
    assert User.objects.filter(email="new.hire@bakery.example").count() == 1


def test_an_expired_a_wrong_or_a_withdrawn_token_is_refused(
    owner_client, api_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = invite(owner_client, email="late@bakery.example")
        second = invite(owner_client, email="withdrawn@bakery.example")
    late, withdrawn = (token_in(message) for message in mail.outbox)
    Invitation.objects.filter(pk=first.json()["id"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert owner_client.get(INVITATIONS).json()["results"][1]["expired"] is True
    assert owner_client.delete(f"{INVITATIONS}{second.json()['id']}/").status_code == 204

    for token in (late, withdrawn, "not-a-token"):
        response = api_client.post(ACCEPT, {"token": token, "password": NEW_PASSWORD}, format="json")
        assert response.status_code == 400 and response.json()["code"] == "invitation_invalid"
    assert not User.objects.filter(email__in=["late@bakery.example", "withdrawn@bakery.example"]).exists()


def test_inviting_again_replaces_the_pending_invitation(owner_client, api_client, django_capture_on_commit_callbacks):
    for role in ("viewer", "admin"):  # two requests, each committed and mailed
        with django_capture_on_commit_callbacks(execute=True):
            invite(owner_client, role=role)
    old, new = (token_in(message) for message in mail.outbox)

    assert api_client.post(ACCEPT, {"token": old, "password": NEW_PASSWORD}, format="json").status_code == 400
    accepted = api_client.post(ACCEPT, {"token": new, "password": NEW_PASSWORD}, format="json")
    assert accepted.status_code == 201 and accepted.json()["role"] == "admin"


def test_an_address_with_an_account_cannot_be_invited_or_accept(
    owner_client, api_client, django_capture_on_commit_callbacks
):
    UserFactory.create(email="taken@elsewhere.example")
    refused = owner_client.post(MEMBERS, {"email": "TAKEN@elsewhere.example", "role": "member"}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "email_registered"

    with django_capture_on_commit_callbacks(execute=True):
        invite(owner_client, email="racer@bakery.example")
    UserFactory.create(email="racer@bakery.example")  # registered elsewhere before accepting
    late = api_client.post(ACCEPT, {"token": token_in(mail.outbox[0]), "password": NEW_PASSWORD}, format="json")
    assert late.status_code == 409 and late.json()["code"] == "email_registered"


def test_accepting_with_a_weak_password_is_400_and_creates_nothing(
    owner_client, api_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(owner_client)

    response = api_client.post(ACCEPT, {"token": token_in(mail.outbox[0]), "password": "password1"}, format="json")

    assert response.status_code == 400 and "password" in response.json()["errors"]
    assert not User.objects.filter(email="new.hire@bakery.example").exists()
    assert Invitation.objects.get().accepted_at is None


@pytest.mark.parametrize(
    ("body", "field"),
    [({"email": "not-an-email"}, "email"), ({"email": "a@b.example", "role": "emperor"}, "role"), ({}, "email")],
)
def test_an_invitation_with_bad_input_is_400_naming_the_field(owner_client, body, field):
    response = owner_client.post(MEMBERS, body, format="json")

    assert response.status_code == 400 and field in response.json()["errors"]
    assert not Invitation.objects.exists()


def test_nobody_changes_their_own_role(owner, owner_client):
    response = owner_client.patch(f"{MEMBERS}{owner.pk}/", {"role": "admin"}, format="json")

    assert response.status_code == 403 and response.json()["code"] == "own_role_change"
    assert User.objects.get(pk=owner.pk).role == "owner"


def test_the_last_owner_cannot_leave_but_one_of_two_can(owner, owner_client):
    alone = owner_client.delete(f"{MEMBERS}{owner.pk}/")
    assert alone.status_code == 409 and alone.json()["code"] == "last_owner"
    assert User.objects.get(pk=owner.pk).is_active

    UserFactory.create(organization=owner.organization, role=Role.OWNER)
    assert owner_client.delete(f"{MEMBERS}{owner.pk}/").status_code == 204
    assert not User.objects.get(pk=owner.pk).is_active


def test_a_removed_member_is_signed_out_everywhere_and_can_be_invited_back(
    owner, owner_client, api_client, django_capture_on_commit_callbacks
):
    member = UserFactory.create(organization=owner.organization, role=Role.MEMBER, email="m@bakery.example")
    pair = api_client.post("/api/token/", {"email": "m@bakery.example", "password": "correct-horse-battery-staple"})
    assert pair.status_code == 200

    assert owner_client.delete(f"{MEMBERS}{member.pk}/").status_code == 204

    bearer = {"HTTP_AUTHORIZATION": f"Bearer {pair.json()['access']}"}
    assert api_client.get("/api/me/", **bearer).status_code == 401  # the access token too, at once
    assert api_client.post("/api/token/refresh/", {"refresh": pair.json()["refresh"]}).status_code == 401
    assert (
        api_client.post(
            "/api/token/", {"email": "m@bakery.example", "password": "correct-horse-battery-staple"}
        ).status_code
        == 401
    )
    assert owner_client.get(f"{MEMBERS}{member.pk}/").status_code == 404
    assert [m["id"] for m in owner_client.get(MEMBERS).json()["results"]] == [owner.pk]

    with django_capture_on_commit_callbacks(execute=True):
        invite(owner_client, email="m@bakery.example", role="viewer")
    back = api_client.post(ACCEPT, {"token": token_in(mail.outbox[0]), "password": NEW_PASSWORD}, format="json")
    assert back.status_code == 201 and back.json()["id"] == member.pk and back.json()["role"] == "viewer"


def test_another_organisations_members_and_invitations_are_404(owner_client):
    stranger = UserFactory.create(role=Role.MEMBER)
    foreign = Invitation.objects.create(
        organization=stranger.organization,
        email="x@y.example",
        role="member",
        token_hash="0" * 64,
        invited_by=stranger,
        expires_at=timezone.now() + timedelta(days=1),
    )

    assert owner_client.get(f"{MEMBERS}{stranger.pk}/").status_code == 404
    assert owner_client.patch(f"{MEMBERS}{stranger.pk}/", {"role": "viewer"}, format="json").status_code == 404
    assert owner_client.delete(f"{MEMBERS}{stranger.pk}/").status_code == 404
    assert owner_client.delete(f"{INVITATIONS}{foreign.pk}/").status_code == 404
    assert User.objects.get(pk=stranger.pk).role == "member" and Invitation.objects.filter(pk=foreign.pk).exists()


def test_a_role_patch_refuses_other_fields_and_unknown_roles(owner, owner_client):
    member = UserFactory.create(organization=owner.organization, role=Role.MEMBER)

    unknown = owner_client.patch(f"{MEMBERS}{member.pk}/", {"role": "root"}, format="json")
    other = owner_client.patch(f"{MEMBERS}{member.pk}/", {"role": "viewer", "email": "x@y.example"}, format="json")

    assert unknown.status_code == 400 and list(unknown.json()["errors"]) == ["role"]
    assert other.status_code == 400 and list(other.json()["errors"]) == ["email"]
    assert User.objects.get(pk=member.pk).role == "member"


def test_the_members_list_costs_the_same_for_many_members(owner, owner_client, django_assert_max_num_queries):
    UserFactory.create_batch(3, organization=owner.organization, role=Role.MEMBER)
    with django_assert_max_num_queries(4):
        few = owner_client.get(MEMBERS)
    UserFactory.create_batch(20, organization=owner.organization, role=Role.VIEWER)
    with django_assert_max_num_queries(4):
        many = owner_client.get(MEMBERS)
    assert few.json()["count"] == 4 and many.json()["count"] == 24


def test_the_invitations_list_costs_the_same_for_many(owner, owner_client, django_assert_max_num_queries):
    for n in range(15):
        Invitation.objects.create(
            organization=owner.organization,
            email=f"p{n}@bakery.example",
            role="member",
            token_hash=f"{n:064d}",
            invited_by=owner,
            expires_at=timezone.now() + timedelta(days=1),
        )
    with django_assert_max_num_queries(4):
        response = owner_client.get(INVITATIONS)
    assert response.json()["count"] == 15


def test_of_two_owners_leaving_one_after_the_other_the_second_is_refused():
    organization = OrganizationFactory.create()
    first, second = UserFactory.create_batch(2, organization=organization, role=Role.OWNER)

    member_remove(actor=first, member_id=first.pk)
    with pytest.raises(DomainError) as refused:
        member_remove(actor=second, member_id=second.pk)

    assert refused.value.code == "last_owner"
    assert User.objects.filter(organization=organization, role="owner", is_active=True).count() == 1


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_owners_demoting_each_other_at_once_leave_an_owner():
    """Each owner demotes the other at the same moment: the organisation row's lock orders them, and
    the second finds itself no longer an owner (403), so one owner remains."""
    organization = OrganizationFactory.create()
    first, second = UserFactory.create_batch(2, organization=organization, role=Role.OWNER)
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def demote(actor, target):
        try:
            client = client_for(actor)
            barrier.wait()
            statuses.append(client.patch(f"{MEMBERS}{target.pk}/", {"role": "admin"}, format="json").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=demote, args=pair) for pair in ((first, second), (second, first))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200, 403]
    assert User.objects.filter(organization=organization, role="owner", is_active=True).count() == 1


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_owners_leaving_at_once_leave_an_owner():
    organization = OrganizationFactory.create()
    owners = UserFactory.create_batch(2, organization=organization, role=Role.OWNER)
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def leave(actor):
        try:
            client = client_for(actor)
            barrier.wait()
            statuses.append(client.delete(f"{MEMBERS}{actor.pk}/").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=leave, args=(actor,)) for actor in owners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [204, 409]
    assert User.objects.filter(organization=organization, role="owner", is_active=True).count() == 1


def test_a_mail_server_that_fails_leaves_the_invitation_standing(
    owner_client, django_capture_on_commit_callbacks, settings, caplog
):
    settings.MAILERS = {"default": {"BACKEND": "tests.accounts.test_members.BrokenMailBackend"}}

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(MEMBERS, {"email": "new.hire@bakery.example"}, format="json")

    assert response.status_code == 201
    assert Invitation.objects.get().role == "member"
    assert "Failed to send the invitation e-mail" in caplog.text


class BrokenMailBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_one_invitation_accepted_twice_at_once_makes_one_account(django_capture_on_commit_callbacks):
    owner = UserFactory.create()
    _invitation, token = invitation_create(actor=owner, email="twice@bakery.example", role="member")
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def accept():
        try:
            client = APIClient()
            barrier.wait()
            body = {"token": token, "password": NEW_PASSWORD}
            statuses.append(client.post(ACCEPT, body, format="json").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [201, 400]
    assert User.objects.filter(email="twice@bakery.example").count() == 1
