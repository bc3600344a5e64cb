"""API keys and webhooks in the workspace: a key created with its scopes is shown once and revoked with a
button; an endpoint is added (a private address refused with the reason), shows its secret and its
delivery log, and a delivery is sent again; other organisations' objects are 404."""

import pytest

from accounts.api_keys import api_key_create
from accounts.models import ApiKey
from tests.webhooks.conftest import PUBLIC_ADDRESS
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.services import endpoint_create, event_emit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _nothing_sent(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def endpoint(sme, fake_dns):
    fake_dns["hooks.example.com"] = PUBLIC_ADDRESS
    return endpoint_create(
        organization=sme.organization, created_by=sme, url="https://hooks.example.com/cc", events=["listing.sold"]
    )


@pytest.mark.parametrize("url", ["/app/api-keys/", "/app/webhooks/"])
def test_the_pages_ask_for_a_session_and_are_in_the_navigation(client, sme_client, url):
    assert client.get(url).status_code == 302
    page = sme_client.get("/app/").content.decode()
    assert f'href="{url}"' in page


def test_a_key_is_created_with_its_scopes_and_shown_once(sme_client, sme):
    response = sme_client.post("/app/api-keys/", {"name": "ERP sync", "scopes": ["read", "retire"]})

    assert response.status_code == 200
    page = response.content.decode()
    key = ApiKey.objects.get()
    assert key.organization == sme.organization and key.scopes == ["read", "retire"]
    shown = page.split('<code id="new-key">')[1].split("</code>")[0]
    assert shown.startswith(key.prefix + ".") and key.is_valid(shown)
    assert "no-store" in response["Cache-Control"]
    again = sme_client.get("/app/api-keys/").content.decode()
    assert shown not in again and "ERP sync" in again and key.prefix in again


def test_a_key_without_scopes_is_refused_on_the_form(sme_client):
    response = sme_client.post("/app/api-keys/", {"name": "nothing"})

    assert response.status_code == 400
    assert "This list may not be empty" in response.content.decode()
    assert not ApiKey.objects.exists()


def test_revoking_a_key(sme_client, sme, other):
    key = api_key_create(organization=sme.organization, created_by=sme, name="old", scopes=["read"]).api_key
    theirs = api_key_create(organization=other.organization, created_by=other, name="x", scopes=["read"]).api_key

    response = sme_client.post(f"/app/api-keys/{key.pk}/revoke/", follow=True)

    assert "revoked" in response.content.decode()
    key.refresh_from_db()
    assert key.revoked
    assert sme_client.post(f"/app/api-keys/{theirs.pk}/revoke/").status_code == 404
    theirs.refresh_from_db()
    assert not theirs.revoked


def test_an_endpoint_is_added_and_shows_its_secret(sme_client, sme, fake_dns):
    fake_dns["hooks.example.com"] = PUBLIC_ADDRESS

    response = sme_client.post(
        "/app/webhooks/", {"url": "https://hooks.example.com/cc", "events": ["listing.sold", "credits.received"]}
    )

    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/app/webhooks/{endpoint.pk}/"
    page = sme_client.get(response["Location"]).content.decode()
    assert endpoint.secret in page and "credits.received, listing.sold" in page


def test_a_private_address_is_refused_with_the_reason(sme_client):
    response = sme_client.post("/app/webhooks/", {"url": "http://169.254.169.254/latest", "events": ["listing.sold"]})

    assert response.status_code == 400
    assert "private, loopback or link-local" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_the_delivery_log_and_a_retry(sme_client, sme, endpoint, django_assert_max_num_queries):
    event_emit(organization_id=sme.organization_id, type="listing.sold", data={"listing": 1})
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="failed", attempts=8, last_error="HTTP 500")

    with django_assert_max_num_queries(12):
        page = sme_client.get(f"/app/webhooks/{endpoint.pk}/")
    assert "listing.sold" in page.content.decode() and "Failed" in page.content.decode()

    response = sme_client.post(f"/app/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/retry/", follow=True)

    assert "queued to be sent again" in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PENDING


def test_pausing_and_deleting_an_endpoint(sme_client, endpoint):
    sme_client.post(f"/app/webhooks/{endpoint.pk}/toggle/")
    endpoint.refresh_from_db()
    assert not endpoint.active

    sme_client.post(f"/app/webhooks/{endpoint.pk}/delete/")
    assert not WebhookEndpoint.objects.exists()


def test_another_organisations_endpoint_is_404(other_client, endpoint):
    assert other_client.get(f"/app/webhooks/{endpoint.pk}/").status_code == 404
    assert other_client.post(f"/app/webhooks/{endpoint.pk}/delete/").status_code == 404
    assert other_client.post(f"/app/webhooks/{endpoint.pk}/toggle/").status_code == 404
    assert WebhookEndpoint.objects.get().active


def test_the_keys_page_takes_a_fixed_number_of_queries(sme_client, sme, django_assert_max_num_queries):
    for n in range(3):
        api_key_create(organization=sme.organization, created_by=sme, name=f"k{n}", scopes=["read"])

    with django_assert_max_num_queries(8):
        response = sme_client.get("/app/api-keys/")

    assert response.content.decode().count("Revoke “k") == 3
