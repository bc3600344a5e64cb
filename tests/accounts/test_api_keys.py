"""API keys: created with scopes and shown once, stored hashed, revoked for good; a request sent with one
acts for its organisation within its scopes, endpoint by endpoint, and is throttled per key."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.api_keys import api_key_create
from accounts.models import ApiKey
from certificates.models import RetirementCertificate
from marketplace.models import Listing
from tests.accounts.factories import UserFactory
from tests.ledger.factories import issue
from tests.marketplace.factories import listing
from tests.sites.factories import SiteFactory

pytestmark = pytest.mark.django_db


def key_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def make_key(user, *scopes: str) -> str:
    return api_key_create(organization=user.organization, created_by=user, name="erp", scopes=list(scopes)).key


def test_create_shows_the_key_once_and_stores_only_its_hash(auth_client, user):
    response = auth_client.post("/api/api-keys/", {"name": "ERP sync", "scopes": ["read", "trade"]}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert {"id", "prefix", "key"} <= body.keys()
    assert body["created_by"] == user.email and body["created_at"] and body["revoked"] is False
    assert body["key"].startswith(body["prefix"] + ".")
    assert body["scopes"] == ["read", "trade"]
    stored = ApiKey.objects.get(pk=body["id"])
    assert stored.organization == user.organization and stored.created_by == user
    assert body["key"] not in stored.hashed_key and stored.hashed_key.startswith("sha512$$")
    listed = auth_client.get("/api/api-keys/").json()["results"]
    assert [item["id"] for item in listed] == [body["id"]]
    assert "key" not in listed[0]
    assert "key" not in auth_client.get(f"/api/api-keys/{body['id']}/").json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "scopes": ["admin"]}, "scopes.0"),
        ({"name": "x", "scopes": []}, "scopes"),
        ({"name": "x", "scopes": "read"}, "scopes"),
        ({"scopes": ["read"]}, "name"),
        ({"name": "x" * 51, "scopes": ["read"]}, "name"),
    ],
)
def test_create_rejects_bad_input_naming_the_field(auth_client, body, field):
    response = auth_client.post("/api/api-keys/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not ApiKey.objects.exists()


def test_a_key_reads_as_its_organisation(user):
    issue(owner=user.organization, quantity_kg=700)
    client = key_client(make_key(user, "read"))

    response = client.get("/api/holdings/")

    assert response.status_code == 200
    assert [block["quantity_kg"] for block in response.json()["results"]] == [630]


def test_last_use_is_recorded(user):
    key = make_key(user, "read")
    key_client(key).get("/api/holdings/")

    assert ApiKey.objects.get().last_used_at is not None


@pytest.mark.parametrize("key", ["nonsense", "abc.def", "", "a b"])
def test_an_unknown_or_malformed_key_is_401(user, key):
    make_key(user, "read")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")

    assert client.get("/api/holdings/").status_code == 401


def test_a_wrong_secret_with_a_real_prefix_is_401(user):
    key = make_key(user, "read")
    prefix = key.partition(".")[0]

    response = key_client(f"{prefix}.{'x' * 32}").get("/api/holdings/")

    assert response.status_code == 401
    assert response.json()["code"] == "api_key_invalid"


def test_a_revoked_key_is_401(auth_client, user):
    key = make_key(user, "read")
    api_key = ApiKey.objects.get()
    assert key_client(key).get("/api/holdings/").status_code == 200

    assert auth_client.delete(f"/api/api-keys/{api_key.pk}/").status_code == 204

    response = key_client(key).get("/api/holdings/")
    assert response.status_code == 401
    assert response.json()["code"] == "api_key_revoked"
    api_key.refresh_from_db()
    assert api_key.revoked and api_key.revoked_at is not None and api_key.revoked_by == user


def test_an_expired_key_is_401(user):
    key = make_key(user, "read")
    ApiKey.objects.update(expiry_date=timezone.now() - timedelta(minutes=1))

    assert key_client(key).get("/api/holdings/").json()["code"] == "api_key_expired"


def test_a_key_whose_creator_was_deactivated_is_401(user):
    key = make_key(user, "read")
    user.is_active = False
    user.save(update_fields=["is_active"])

    assert key_client(key).get("/api/holdings/").status_code == 401


def test_another_organisations_key_is_404_to_revoke(auth_client):
    other = UserFactory.create()
    make_key(other, "read")

    assert auth_client.delete(f"/api/api-keys/{ApiKey.objects.get().pk}/").status_code == 404
    assert not ApiKey.objects.get().revoked


def test_a_key_cannot_manage_keys(user):
    client = key_client(make_key(user, "read", "trade", "retire", "readings"))

    created = client.post("/api/api-keys/", {"name": "child", "scopes": ["read"]}, format="json")
    listed = client.get("/api/api-keys/")

    assert created.status_code == 403 and created.json()["code"] == "api_key_not_allowed"
    assert listed.status_code == 403
    assert ApiKey.objects.count() == 1


def test_reading_needs_the_read_scope(user):
    response = key_client(make_key(user, "trade")).get("/api/holdings/")

    assert response.status_code == 403
    assert response.json()["code"] == "api_key_scope_missing"
    assert response.json()["required_scope"] == "read"


def test_listing_and_withdrawing_need_the_trade_scope(user):
    block = issue(owner=user.organization, quantity_kg=1000).owner_block
    body = {"block": block.pk, "quantity_kg": 100, "price_per_tonne": "12.00"}

    refused = key_client(make_key(user, "read", "retire")).post("/api/listings/", body, format="json")
    created = key_client(make_key(user, "trade")).post("/api/listings/", body, format="json")

    assert refused.status_code == 403 and refused.json()["required_scope"] == "trade"
    assert created.status_code == 201, created.content
    listing_id = created.json()["id"]
    assert key_client(make_key(user, "read")).delete(f"/api/listings/{listing_id}/").status_code == 403
    assert key_client(make_key(user, "trade")).delete(f"/api/listings/{listing_id}/").status_code == 204
    assert Listing.objects.get().status == Listing.Status.WITHDRAWN


def test_buying_needs_the_trade_scope(user):
    offer = listing(quantity_kg=100)
    body = {"listing": offer.pk, "quantity_kg": 10}

    refused = key_client(make_key(user, "read", "retire", "readings")).post("/api/buy/", body, format="json")
    bought = key_client(make_key(user, "trade")).post("/api/buy/", body, format="json")

    assert refused.status_code == 403
    assert bought.status_code == 201, bought.content


def test_transferring_needs_the_trade_scope(user):
    block = issue(owner=user.organization, quantity_kg=1000).owner_block
    to = UserFactory.create().organization
    body = {"block": block.pk, "quantity_kg": 10, "to_organization": to.pk}

    assert key_client(make_key(user, "read")).post("/api/transfers/", body, format="json").status_code == 403
    assert key_client(make_key(user, "trade")).post("/api/transfers/", body, format="json").status_code == 201


def test_retiring_needs_the_retire_scope(user):
    block = issue(owner=user.organization, quantity_kg=1000).owner_block
    body = {"block": block.pk, "quantity_kg": 10, "beneficiary": "Us", "reason": "2025 footprint"}

    refused = key_client(make_key(user, "read", "trade")).post("/api/retire/", body, format="json")
    retired = key_client(make_key(user, "retire")).post("/api/retire/", body, format="json")

    assert refused.status_code == 403 and refused.json()["required_scope"] == "retire"
    assert retired.status_code == 201, retired.content
    assert RetirementCertificate.objects.count() == 1


def test_sending_readings_needs_the_readings_scope(user):
    site = SiteFactory.create(owner=user.organization, country="GB", meter_ids=["M1"])
    body = {
        "meter_id": "M1",
        "unit": "kWh",
        "readings": [{"start": "2024-06-01T00:00:00Z", "end": "2024-06-01T01:00:00Z", "value": "1.5"}],
    }
    url = f"/api/sites/{site.pk}/readings/"

    refused = key_client(make_key(user, "read", "trade", "retire")).post(url, body, format="json")
    accepted = key_client(make_key(user, "readings")).post(url, body, format="json")

    assert refused.status_code == 403 and refused.json()["required_scope"] == "readings"
    assert accepted.status_code == 201, accepted.content
    assert key_client(make_key(user, "read")).get(url).status_code == 200


def test_writes_outside_every_scope_need_a_signed_in_user(user):
    client = key_client(make_key(user, "read", "trade", "retire", "readings"))

    site = client.post("/api/sites/", {"name": "Roof", "country": "GB", "latitude": "51.5", "longitude": "-0.1"},
                       format="json")  # fmt: skip
    project = client.post("/api/projects/", {"title": "Solar"}, format="json")

    assert site.status_code == 403 and site.json()["code"] == "api_key_not_allowed"
    assert project.status_code == 403 and project.json()["code"] == "api_key_not_allowed"


def test_verifier_endpoints_refuse_a_verifiers_key():
    verifier = UserFactory.create(verifier=True)
    client = key_client(make_key(verifier, "read"))

    response = client.get("/api/verifications/")

    assert response.status_code == 403
    assert response.json()["code"] == "api_key_not_allowed"


def test_each_key_has_its_own_rate(user, settings):
    from rest_framework.throttling import SimpleRateThrottle

    rates = {**settings.THROTTLE_RATES, "api_key": "2/min"}
    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = rates
    try:
        first, second = key_client(make_key(user, "read")), key_client(make_key(user, "read"))
        statuses = [first.get("/api/holdings/").status_code for _ in range(3)]
        other = second.get("/api/holdings/").status_code
    finally:
        SimpleRateThrottle.THROTTLE_RATES = original
    assert statuses == [200, 200, 429]
    assert other == 200


def test_the_key_list_takes_a_fixed_number_of_queries(auth_client, user, django_assert_max_num_queries):
    for _ in range(3):
        make_key(user, "read")

    with django_assert_max_num_queries(4):
        response = auth_client.get("/api/api-keys/")

    assert response.json()["count"] == 3
    assert {item["created_by"] for item in response.json()["results"]} == {user.email}


def test_a_removed_members_keys_are_revoked_and_stay_so_when_invited_back(auth_client, user):
    """Deactivation alone would let an old key work again once its creator is invited back."""
    colleague = UserFactory.create(organization=user.organization, role="admin")
    key = make_key(colleague, "read")
    assert key_client(key).get("/api/holdings/").status_code == 200

    assert auth_client.delete(f"/api/organization/members/{colleague.pk}/").status_code == 204
    assert ApiKey.objects.get(created_by=colleague).revoked

    colleague.is_active = True  # what accepting a new invitation does to the account
    colleague.save(update_fields=["is_active"])
    assert key_client(key).get("/api/holdings/").status_code == 401


def test_only_admins_and_owners_create_keys(auth_client, user):
    member = UserFactory.create(organization=user.organization, role="member")
    member_client = APIClient()
    member_client.force_authenticate(member)
    response = member_client.post("/api/api-keys/", {"name": "x", "scopes": ["read"]}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "role_forbidden"
    assert not ApiKey.objects.exists()
