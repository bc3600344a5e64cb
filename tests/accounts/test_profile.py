"""PATCH /api/me/: the person's profile and the organisation's details; registration signs in."""

from decimal import Decimal

import pytest

from accounts.models import Organization, User
from accounts.roles import Role
from tests.accounts.factories import OrganizationFactory, UserFactory
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

ME = "/api/me/"


def test_a_person_changes_their_name(auth_client, user):
    response = auth_client.patch(ME, {"full_name": "Olive Owner"}, format="json")

    assert response.status_code == 200
    assert response.json()["full_name"] == "Olive Owner"
    assert User.objects.get(pk=user.pk).full_name == "Olive Owner"


def test_an_owner_changes_the_organisations_details(auth_client, user):
    body = {
        "organization": {
            "name": "  Sunrise Bakery Ltd ",
            "sector": "food",
            "website": "https://bakery.example",
            "employees": 12,
            "annual_revenue": "250000.00",
            "revenue_currency": "gbp",
        }
    }

    response = auth_client.patch(ME, body, format="json")

    assert response.status_code == 200, response.content
    shown = response.json()["organization"]
    assert shown["name"] == "Sunrise Bakery Ltd" and shown["employees"] == 12
    assert shown["annual_revenue"] == "250000.00" and shown["revenue_currency"] == "GBP"
    org = Organization.objects.get(pk=user.organization_id)
    assert (org.sector, org.website, org.annual_revenue) == ("food", "https://bakery.example", Decimal("250000.00"))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "new@example.com"}, "email"),
        ({"role": "owner"}, "role"),
        ({"is_verifier": True}, "is_verifier"),
        ({"organization": {"legal_name": "Other Ltd"}}, "organization.legal_name"),
        ({"organization": {"registration_number": "999"}}, "organization.registration_number"),
        ({"organization": {"country": "DE"}}, "organization.country"),
        ({"organization": {"verification_status": "verified"}}, "organization.verification_status"),
        ({"organization": {"name": ""}}, "organization.name"),
        ({"organization": {"website": "not a url"}}, "organization.website"),
        ({"organization": {"employees": -1}}, "organization.employees"),
        ({"organization": {"annual_revenue": "-5"}}, "organization.annual_revenue"),
        ({"organization": {"annual_revenue": "100.00"}}, "organization.revenue_currency"),
        ({"organization": {"revenue_currency": "EURO"}}, "organization.revenue_currency"),
        ({"organization": "Renamed"}, "organization"),
        ({"full_name": "x" * 201}, "full_name"),
    ],
)
def test_fields_that_cannot_change_or_are_bad_are_refused_by_name(auth_client, user, body, field):
    before = Organization.objects.filter(pk=user.organization_id).values().get()

    response = auth_client.patch(ME, body, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert Organization.objects.filter(pk=user.organization_id).values().get() == before
    assert User.objects.get(pk=user.pk).email == user.email and User.objects.get(pk=user.pk).role == "owner"


def test_a_refused_organisation_field_leaves_the_name_change_undone_too(auth_client, user):
    response = auth_client.patch(ME, {"full_name": "New", "organization": {"annual_revenue": "1"}}, format="json")

    assert response.status_code == 400
    assert User.objects.get(pk=user.pk).full_name == ""


def test_a_verified_organisations_legal_identity_stays_as_the_verifier_confirmed_it(auth_client, user):
    org = user.organization
    assert org.verification_status == "verified"

    response = auth_client.patch(
        ME, {"organization": {"legal_name": "Someone Else Ltd", "registration_number": "X1"}}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"organization.legal_name", "organization.registration_number"}
    fresh = Organization.objects.get(pk=org.pk)
    assert (fresh.legal_name, fresh.registration_number) == (org.legal_name, org.registration_number)


def test_a_new_trading_name_is_checked_for_namesakes(auth_client, user):
    famous = OrganizationFactory.create(name="Famous Solar Ltd", country="GB")
    unverified = UserFactory.create(organization__verification_status="unverified", organization__country="GB")

    response = client_for(unverified).patch(ME, {"organization": {"name": "FAMOUS SOLAR limited"}}, format="json")

    assert response.status_code == 200
    assert Organization.objects.get(pk=unverified.organization_id).namesake_of_id == famous.pk


@pytest.mark.parametrize("role", [Role.MEMBER, Role.VIEWER])
def test_only_owners_and_admins_change_the_organisation(role):
    person = UserFactory.create(role=role)
    client = client_for(person)

    refused = client.patch(ME, {"full_name": "Me", "organization": {"name": "Mine Now Ltd"}}, format="json")

    assert refused.status_code == 403 and refused.json()["code"] == "role_forbidden"
    assert Organization.objects.get(pk=person.organization_id).name == person.organization.name
    assert User.objects.get(pk=person.pk).full_name == ""
    assert client.patch(ME, {"full_name": "Me"}, format="json").status_code == 200


def test_a_suspended_organisation_cannot_change_its_details(auth_client, user):
    user.organization.verification_status = "suspended"
    user.organization.save()

    response = auth_client.patch(ME, {"organization": {"name": "Fresh Start Ltd"}}, format="json")

    assert response.status_code == 403 and response.json()["code"] == "organization_suspended"


def test_me_shows_the_role_and_what_it_allows():
    viewer = UserFactory.create(role=Role.VIEWER)

    data = client_for(viewer).get(ME).json()

    assert data["role"] == "viewer" and data["abilities"] == ["profile"]


# --- registration signs in ---------------------------------------------------------------------


def test_registration_makes_an_owner_and_returns_tokens_that_work(api_client):
    body = {
        "email": "founder@solar-sme.example",
        "password": "a-long-unusual-passphrase-42",
        "organization_name": "Solar SME Pvt Ltd",
        "country": "IN",
    }

    response = api_client.post("/api/auth/register/", body, format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    assert {"id", "email", "organization"} <= set(data)
    assert data["role"] == "owner"
    assert data["tokens"] == {"access": data["access"], "refresh": data["refresh"]}
    me = api_client.get(ME, HTTP_AUTHORIZATION=f"Bearer {data['access']}")
    assert me.status_code == 200 and me.json()["id"] == data["id"] and me.json()["role"] == "owner"
    assert api_client.post("/api/token/refresh/", {"refresh": data["refresh"]}, format="json").status_code == 200
