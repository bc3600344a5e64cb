"""CORS for browser apps, and the deploy checklist with production values."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

APP = "https://app.example.com"


@pytest.fixture
def browser_app(settings):
    settings.CORS_ALLOWED_ORIGINS = [APP]


def preflight(client, path: str, origin: str, headers: str = "authorization, content-type"):
    return client.options(
        path,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS=headers,
    )


def test_a_preflight_from_an_allowed_origin_may_send_the_apis_headers(client, browser_app):
    response = preflight(client, "/api/buy/", APP, headers="authorization, content-type, idempotency-key, x-request-id")

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == APP
    allowed = {name.strip() for name in response.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type", "idempotency-key", "x-request-id"} <= allowed
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    # Bearer tokens, not cookies: browsers must not send credentials cross-origin.
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_a_preflight_from_another_origin_gets_no_cors_headers(client, browser_app):
    response = preflight(client, "/api/buy/", "https://evil.example.net")

    assert "Access-Control-Allow-Origin" not in response.headers


def test_an_allowed_origin_can_read_the_request_id_and_retry_after(client, browser_app):
    response = client.get("/api/ledger/head/", HTTP_ORIGIN=APP)

    assert response.headers["Access-Control-Allow-Origin"] == APP
    exposed = {name.strip().lower() for name in response.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"x-request-id", "retry-after"} <= exposed


def test_cors_stays_off_the_admin_and_health_checks(client, browser_app):
    for path in ("/admin/login/", "/healthz"):
        assert "Access-Control-Allow-Origin" not in client.get(path, HTTP_ORIGIN=APP).headers


def test_no_origin_is_allowed_unless_configured(client):
    assert settings.CORS_ALLOWED_ORIGINS == []
    assert "Access-Control-Allow-Origin" not in preflight(client, "/api/buy/", APP).headers


def deploy_check(**env: str) -> subprocess.CompletedProcess:
    production = {
        "DEBUG": "0",
        "SECRET_KEY": "deploy-check-" + "x7Kp2QvR9sLm4TnW8yZb3HcJ6fDg1AeU5oIr0" * 2,
        "ALLOWED_HOSTS": "carboncred.example",
        "PUBLIC_BASE_URL": "https://carboncred.example",
        "EMAIL_URL": "smtp+tls://mailer:secret@smtp.carboncred.example:587",
    }
    keep = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "DATABASE_URL"}}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env={**keep, **production, **env},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.slow
def test_the_deploy_checklist_is_clean_with_production_values():
    result = deploy_check()

    assert result.returncode == 0, result.stderr


@pytest.mark.slow
def test_the_deploy_checklist_wants_a_mail_server():
    """Without EMAIL_URL, password resets would only reach the log."""
    result = deploy_check(EMAIL_URL="")

    assert result.returncode != 0
    assert "mail.E001" in result.stderr


@pytest.mark.slow
def test_the_deploy_checklist_catches_a_plain_http_deployment():
    """The check above can fail: served over http, HSTS, secure cookies and the redirect are off."""
    result = deploy_check(PUBLIC_BASE_URL="http://carboncred.example")

    assert result.returncode != 0
    assert "security.W004" in result.stderr  # no HSTS
