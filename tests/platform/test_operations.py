import re

import pytest
from django.db import DatabaseError

from core.conf import DEFAULT_THROTTLE_RATES, parse_throttle_rates


@pytest.mark.django_db
def test_healthz_and_readyz_are_public(api_client):
    assert api_client.get("/healthz").json() == {"status": "ok"}
    assert api_client.get("/readyz").json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_readyz_reports_an_unreachable_database(api_client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr("core.health.connection.cursor", broken_cursor)

    response = api_client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


@pytest.mark.django_db
def test_schema_is_served(api_client):
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    schema = response.json()
    assert "/api/auth/register/" in schema["paths"]
    assert "jwtAuth" in schema["components"]["securitySchemes"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_docs_pages_load_no_external_scripts(api_client, path):
    response = api_client.get(path)

    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert sources, "the page should reference its bundled assets"
    assert not [s for s in sources if s.startswith(("http://", "https://", "//"))]
    assert "cdn" not in html.lower()


def test_throttle_rates_parse_overrides_and_off():
    assert parse_throttle_rates(None) == DEFAULT_THROTTLE_RATES
    assert parse_throttle_rates("token=5/min")["token"] == "5/min"
    assert parse_throttle_rates("token=5/min")["register"] == DEFAULT_THROTTLE_RATES["register"]
    assert set(parse_throttle_rates("off").values()) == {None}
    with pytest.raises(ValueError, match="scope=N/period"):
        parse_throttle_rates("token")


@pytest.mark.django_db
def test_security_headers_are_set(api_client):
    response = api_client.get("/api/docs/")

    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
