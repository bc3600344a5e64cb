"""Webhook endpoints through the API: created with a whsec_ secret, listed, changed, deleted, only your
organisation's; URLs that would reach inside the network refused (SSRF)."""

import pytest

from accounts.api_keys import api_key_create
from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.webhooks.conftest import PUBLIC_ADDRESS
from webhooks.models import WebhookEndpoint
from webhooks.transport import address_is_public

pytestmark = pytest.mark.django_db

URL = "https://hooks.example.com/carboncred"


@pytest.fixture(autouse=True)
def _public_name(fake_dns):
    fake_dns["hooks.example.com"] = PUBLIC_ADDRESS


def create(client, url=URL, events=("claim.decided", "credits.received")):
    return client.post("/api/webhooks/", {"url": url, "events": list(events)}, format="json")


def test_create_answers_the_id_and_a_standard_webhooks_secret(auth_client, user):
    response = create(auth_client)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["secret"].startswith("whsec_")
    assert body["events"] == ["claim.decided", "credits.received"]
    endpoint = WebhookEndpoint.objects.get(pk=body["id"])
    assert endpoint.organization == user.organization and endpoint.active
    assert auth_client.get(f"/api/webhooks/{body['id']}/").json()["secret"] == body["secret"]
    listed = auth_client.get("/api/webhooks/").json()["results"]
    assert [item["id"] for item in listed] == [body["id"]]
    assert "secret" not in listed[0]


def test_every_event_of_the_contract_can_be_chosen(auth_client):
    events = [
        "claim.decided",
        "credits.received",
        "listing.sold",
        "certificate.issued",
        "issuance.reversed",
        "balance.credited",
    ]

    response = create(auth_client, events=events)

    assert response.status_code == 201
    assert response.json()["events"] == events


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": URL, "events": ["claim.exploded"]}, "events.0"),
        ({"url": URL, "events": []}, "events"),
        ({"url": "not a url", "events": ["claim.decided"]}, "url"),
        ({"events": ["claim.decided"]}, "url"),
    ],
)
def test_bad_input_is_400_naming_the_field(auth_client, body, field):
    response = auth_client.post("/api/webhooks/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost/hook",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://[64:ff9b::a9fe:a9fe]/hook",  # 169.254.169.254 through NAT64
        "http://[2002:7f00:1::]/hook",  # 127.0.0.1 through 6to4
        "http://[fe80::1]/hook",
        "http://0.0.0.0/hook",
        "http://10.0.0.1/hook",
        "http://192.168.1.10/hook",
        "http://100.64.0.1/hook",
        "https://internal.example.com/hook",  # a name that resolves to a private address
    ],
)
def test_urls_reaching_private_loopback_or_link_local_addresses_are_refused(auth_client, fake_dns, url):
    fake_dns["internal.example.com"] = "10.20.30.40"

    response = create(auth_client, url=url)

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "webhook_url_not_allowed"
    assert "url" in response.json()["errors"]
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    "url", ["ftp://hooks.example.com/x", "https://user:pw@hooks.example.com/x", "https://nowhere.invalid/x"]
)
def test_other_unusable_urls_are_refused(auth_client, url):
    response = create(auth_client, url=url)

    assert response.status_code == 400
    assert not WebhookEndpoint.objects.exists()


def test_private_addresses_are_allowed_when_the_setting_says_so(auth_client, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True

    assert create(auth_client, url="http://127.0.0.1:9/hook").status_code == 201


def test_patch_changes_events_and_pauses_and_checks_a_new_url(auth_client):
    endpoint_id = create(auth_client).json()["id"]
    url = f"/api/webhooks/{endpoint_id}/"

    changed = auth_client.patch(url, {"events": ["listing.sold"], "active": False}, format="json")
    refused = auth_client.patch(url, {"url": "http://127.0.0.1/x"}, format="json")

    assert changed.status_code == 200
    assert changed.json()["events"] == ["listing.sold"] and changed.json()["active"] is False
    assert refused.status_code == 400 and refused.json()["code"] == "webhook_url_not_allowed"
    assert WebhookEndpoint.objects.get().url == URL


def test_rotating_the_secret_gives_a_new_one(auth_client):
    created = create(auth_client).json()

    rotated = auth_client.post(f"/api/webhooks/{created['id']}/rotate-secret/")

    assert rotated.status_code == 200
    assert rotated.json()["secret"].startswith("whsec_") and rotated.json()["secret"] != created["secret"]


def test_delete_removes_the_endpoint(auth_client):
    endpoint_id = create(auth_client).json()["id"]

    assert auth_client.delete(f"/api/webhooks/{endpoint_id}/").status_code == 204
    assert not WebhookEndpoint.objects.exists()


def test_another_organisations_endpoint_is_404(auth_client):
    other = client_for(UserFactory.create())
    endpoint_id = create(other).json()["id"]

    assert auth_client.get(f"/api/webhooks/{endpoint_id}/").status_code == 404
    assert auth_client.delete(f"/api/webhooks/{endpoint_id}/").status_code == 404
    assert auth_client.get(f"/api/webhooks/{endpoint_id}/deliveries/").status_code == 404
    assert WebhookEndpoint.objects.count() == 1


def test_an_api_key_cannot_manage_webhooks(user, api_client):
    key = api_key_create(organization=user.organization, created_by=user, name="k", scopes=["read", "trade"]).key
    api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")

    assert create(api_client).status_code == 403
    assert api_client.get("/api/webhooks/").json()["code"] == "api_key_not_allowed"


def test_the_list_takes_a_fixed_number_of_queries(auth_client, django_assert_max_num_queries):
    for n in range(3):
        create(auth_client, url=f"{URL}/{n}")

    with django_assert_max_num_queries(4):
        response = auth_client.get("/api/webhooks/")
    assert response.json()["count"] == 3


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:4700::1111", True),
        ("64:ff9b::5db8:d70e", True),  # 93.184.215.14 through NAT64
        ("127.0.0.1", False),
        ("169.254.169.254", False),
        ("172.16.5.4", False),
        ("fd00::1", False),
        ("fe80::1%eth0", False),
        ("224.0.0.1", False),
        ("::", False),
    ],
)
def test_the_address_policy(address, public):
    assert address_is_public(address) is public


@pytest.mark.parametrize("role", ["viewer", "member"])
def test_below_admin_an_endpoint_cannot_be_made_nor_its_secret_read(auth_client, user, role):
    endpoint_id = create(auth_client).json()["id"]
    colleague = client_for(UserFactory.create(organization=user.organization, role=role))

    made = create(colleague)
    secret = colleague.get(f"/api/webhooks/{endpoint_id}/")

    assert made.status_code == 403 and made.json()["code"] == "role_forbidden"
    assert secret.status_code == 403 and "secret" not in secret.json()
    assert WebhookEndpoint.objects.count() == 1
    assert [item["id"] for item in colleague.get("/api/webhooks/").json()["results"]] == [endpoint_id]
