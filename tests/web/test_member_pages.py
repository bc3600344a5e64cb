"""/app/members/, /app/account/ and the invitation link's page."""

import re

import pytest
from django.core import mail

from accounts.models import Invitation, Organization, User
from accounts.roles import Role
from tests.accounts.factories import PASSWORD, UserFactory
from tests.web.conftest import session_for

pytestmark = pytest.mark.django_db


def test_the_members_page_lists_people_and_offers_the_owner_every_form(sme, sme_client, django_assert_max_num_queries):
    UserFactory.create_batch(3, organization=sme.organization, role=Role.MEMBER)
    with django_assert_max_num_queries(10):
        response = sme_client.get("/app/members/")
    UserFactory.create_batch(10, organization=sme.organization, role=Role.VIEWER)
    with django_assert_max_num_queries(10):
        sme_client.get("/app/members/")

    page = response.content.decode()
    assert response.status_code == 200
    assert sme.email in page and "(you)" in page
    assert "Invite someone" in page and '<label for="id_email">Email</label>' in page
    assert "Change role" in page and 'href="/app/members/"' in page and 'href="/app/account/"' in page


def test_a_viewer_sees_the_members_but_no_form_and_cannot_invite(sme):
    viewer = UserFactory.create(organization=sme.organization, role=Role.VIEWER)
    client = session_for(viewer)

    page = client.get("/app/members/").content.decode()
    refused = client.post("/app/members/", {"email": "x@bakery.example", "role": "member"})

    assert sme.email in page and "Invite someone" not in page and "Change role" not in page
    assert "You are a viewer" in page
    assert refused.status_code == 403 and "needs admin or higher" in refused.content.decode()
    assert not Invitation.objects.exists()


def test_inviting_from_the_page_and_joining_from_the_emailed_link(
    sme_client, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sent = sme_client.post("/app/members/", {"email": "new@bakery.example", "role": "viewer"})
    assert sent.status_code == 302
    assert "new@bakery.example" in sme_client.get("/app/members/").content.decode()
    found = re.search(r"https?://\S+/accounts/invitation/\S+/", str(mail.outbox[0].body))
    assert found, mail.outbox[0].body
    link = found.group(0)
    path = "/accounts/invitation/" + link.split("/accounts/invitation/")[1]

    form = client.get(path)
    assert form.status_code == 200 and "Join Bakery Ltd" in form.content.decode()
    weak = client.post(path, {"full_name": "Nia", "password": "short"})
    assert weak.status_code == 400 and not User.objects.filter(email="new@bakery.example").exists()
    joined = client.post(path, {"full_name": "Nia", "password": "a-long-unusual-passphrase-42"})

    assert joined.status_code == 302 and joined["Location"] == "/app/"
    assert User.objects.get(email="new@bakery.example").role == "viewer"
    assert "You are a viewer" in client.get("/app/").content.decode()
    assert client.get(path).status_code == 400  # used: the page says it is not valid


def test_a_refused_invitation_comes_back_on_the_form(sme_client):
    UserFactory.create(email="taken@elsewhere.example")

    response = sme_client.post("/app/members/", {"email": "taken@elsewhere.example", "role": "member"})

    assert response.status_code == 409
    assert "An account with this e-mail address already exists." in response.content.decode()


def test_changing_a_role_and_removing_someone_from_the_page(sme, sme_client):
    member = UserFactory.create(organization=sme.organization, role=Role.MEMBER)

    changed = sme_client.post(f"/app/members/{member.pk}/role/", {"role": "admin"}, follow=True)
    assert f"{member.email} is now admin." in changed.content.decode()
    own = sme_client.post(f"/app/members/{sme.pk}/role/", {"role": "viewer"}, follow=True)
    assert "You cannot change your own role" in own.content.decode()
    last = sme_client.post(f"/app/members/{sme.pk}/remove/", follow=True)
    assert "at least one owner" in last.content.decode()
    removed = sme_client.post(f"/app/members/{member.pk}/remove/", follow=True)

    assert removed.status_code == 200
    assert User.objects.get(pk=member.pk).is_active is False
    assert User.objects.get(pk=sme.pk).role == "owner" and User.objects.get(pk=sme.pk).is_active


def test_the_account_page_saves_the_name_the_organisation_and_the_password(sme, sme_client):
    page = sme_client.get("/app/account/")
    assert page.status_code == 200
    assert '<label for="id_old_password">Current password</label>' in page.content.decode()

    sme_client.post("/app/account/", {"full_name": "Olive Owner"})
    saved = sme_client.post(
        "/app/account/organization/",
        {"name": "Bakery Two Ltd", "sector": "food", "website": "", "employees": "8", "annual_revenue": ""},
    )
    wrong = sme_client.post("/app/account/password/", {"old_password": "nope", "new_password": "x-new-phrase-77"})
    changed = sme_client.post(
        "/app/account/password/", {"old_password": PASSWORD, "new_password": "a-new-pass-phrase-7"}
    )

    assert saved.status_code == 302 and wrong.status_code == 400 and changed.status_code == 302
    assert "This is not your current password." in wrong.content.decode()
    assert User.objects.get(pk=sme.pk).full_name == "Olive Owner"
    assert User.objects.get(pk=sme.pk).check_password("a-new-pass-phrase-7")
    org = Organization.objects.get(pk=sme.organization_id)
    assert (org.name, org.employees, org.annual_revenue) == ("Bakery Two Ltd", 8, None)
    assert sme_client.get("/app/account/").status_code == 200  # still signed in after the change


def test_a_member_edits_their_account_but_not_the_organisation(sme):
    member = UserFactory.create(organization=sme.organization, role=Role.MEMBER)
    client = session_for(member)

    page = client.get("/app/account/").content.decode()
    refused = client.post("/app/account/organization/", {"name": "Mine Ltd"})

    assert "The organisation" not in page
    assert refused.status_code == 403
    assert Organization.objects.get(pk=sme.organization_id).name == "Bakery Ltd"
    assert client.post("/app/account/", {"full_name": "Mo"}).status_code == 302
