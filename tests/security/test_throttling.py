"""DRF throttles per user and per anonymous client: 429 with Retry-After, keyed so that neither a
second user nor a forged X-Forwarded-For header gets around them.

DRF's throttle classes read their rates once, at import, into one dict shared by every scope;
the tests lower a scope's rate in that dict (monkeypatch restores it)."""

import subprocess
import sys

import pytest
from django.conf import settings
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from tests.accounts.factories import PASSWORD, UserFactory
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

PUBLIC = "/api/ledger/head/"
PRIVATE = "/api/me/"


@pytest.fixture
def three_per_minute(monkeypatch):
    def lower(throttle_class, scope: str) -> None:
        monkeypatch.setitem(throttle_class.THROTTLE_RATES, scope, "3/min")

    return lower


def assert_throttled(response) -> None:
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "throttled"
    assert 0 < int(response.headers["Retry-After"]) <= 60
    assert body["retry_after_seconds"] == int(response.headers["Retry-After"])


def test_a_user_is_throttled_and_told_when_to_retry(three_per_minute):
    three_per_minute(UserRateThrottle, "user")
    user = UserFactory.create()
    client = client_for(user)

    statuses = [client.get(PRIVATE).status_code for _ in range(3)]
    throttled = client.get(PRIVATE)

    assert statuses == [200] * 3
    assert_throttled(throttled)
    # Per user: another user is not slowed down, and the same user from another address still is.
    assert client_for(UserFactory.create()).get(PRIVATE).status_code == 200
    assert_throttled(client.get(PRIVATE, REMOTE_ADDR="198.51.100.7"))


def test_an_anonymous_client_is_throttled_per_address(three_per_minute):
    three_per_minute(AnonRateThrottle, "anon")
    client = APIClient()

    statuses = [client.get(PUBLIC).status_code for _ in range(3)]
    throttled = client.get(PUBLIC)

    assert statuses == [200] * 3
    assert_throttled(throttled)
    assert APIClient(REMOTE_ADDR="198.51.100.7").get(PUBLIC).status_code == 200


def test_a_forged_forwarded_for_header_does_not_reset_the_anonymous_throttle(three_per_minute):
    """With no proxy configured (PROXY_COUNT=0) the address is the socket's: a client that sends a
    new X-Forwarded-For each time is still one client."""
    three_per_minute(AnonRateThrottle, "anon")
    client = APIClient()
    for n in range(3):
        client.get(PUBLIC, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")

    assert_throttled(client.get(PUBLIC, HTTP_X_FORWARDED_FOR="203.0.113.99"))


def test_behind_one_proxy_the_client_is_the_address_the_proxy_saw(three_per_minute, monkeypatch):
    """PROXY_COUNT=1: the right-most X-Forwarded-For entry (added by our proxy) is the client;
    whatever the client wrote to the left of it is ignored."""
    from rest_framework.settings import api_settings

    monkeypatch.setattr(api_settings, "NUM_PROXIES", 1)
    three_per_minute(AnonRateThrottle, "anon")
    client = APIClient(REMOTE_ADDR="10.0.0.2")  # the proxy
    for n in range(3):
        client.get(PUBLIC, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.1")

    assert_throttled(client.get(PUBLIC, HTTP_X_FORWARDED_FOR="203.0.113.99, 198.51.100.1"))
    assert client.get(PUBLIC, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 200


def test_an_authenticated_user_is_not_counted_as_anonymous(three_per_minute):
    three_per_minute(AnonRateThrottle, "anon")
    client = client_for(UserFactory.create())

    assert [client.get(PUBLIC).status_code for _ in range(5)] == [200] * 5


def test_cache_url_puts_the_throttle_counters_in_the_shared_cache():
    """Each gunicorn worker has its own local-memory cache; CACHE_URL=redis://... makes the counters
    (DRF's throttles use the default cache) one per deployment. Settings are read at start-up, so a
    fresh interpreter checks them."""
    code = (
        "import django; django.setup();"
        "from django.conf import settings; from django.core.cache import cache;"
        "from rest_framework.throttling import SimpleRateThrottle;"
        "print(settings.CACHES['default']['BACKEND'], SimpleRateThrottle.cache is cache)"
    )
    env = {"DJANGO_SETTINGS_MODULE": "carboncred.settings", "CACHE_URL": "redis://127.0.0.1:6379/1"}
    result = subprocess.run(  # noqa: S603 - our own interpreter and a fixed snippet
        [sys.executable, "-c", code],
        env={**_base_env(), **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stdout.split() == ["django.core.cache.backends.redis.RedisCache", "True"]


def _base_env() -> dict[str, str]:
    import os

    return {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "SECRET_KEY", "DATABASE_URL"}}


def _sign_in(client, email: str, password: str, forwarded_for: str):
    return client.post(
        "/api/token/", {"email": email, "password": password}, format="json", HTTP_X_FORWARDED_FOR=forwarded_for
    )


def test_sign_in_lockout_is_per_real_client_behind_a_proxy(settings):
    """Behind a load balancer every request comes from its address; the lockout must key on the
    client the balancer saw, or five wrong guesses by anyone lock the account for everyone."""
    settings.PROXY_COUNT = 1
    UserFactory.create(email="target@example.com")
    balancer = APIClient(REMOTE_ADDR="10.0.0.2")
    for n in range(5):
        _sign_in(balancer, "target@example.com", f"guess-{n}", forwarded_for="203.0.113.66")

    attacker = _sign_in(balancer, "target@example.com", PASSWORD, forwarded_for="203.0.113.66")
    owner = _sign_in(balancer, "target@example.com", PASSWORD, forwarded_for="198.51.100.20")

    assert attacker.status_code == 429
    assert owner.status_code == 200


def test_a_forged_forwarded_for_header_does_not_dodge_the_sign_in_lockout():
    UserFactory.create(email="target@example.com")
    client = APIClient()
    for n in range(5):
        _sign_in(client, "target@example.com", f"guess-{n}", forwarded_for=f"203.0.113.{n}")

    assert _sign_in(client, "target@example.com", PASSWORD, forwarded_for="203.0.113.99").status_code == 429
