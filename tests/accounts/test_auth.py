import pytest
from django.core.management import call_command
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import Organization, User
from tests.accounts.factories import PASSWORD, UserFactory
from tests.conftest import client_for


def obtain(client, email, password=PASSWORD):
    return client.post("/api/token/", {"email": email, "password": password}, format="json")


@pytest.mark.django_db
def test_token_pair_for_valid_credentials_ignoring_email_case(api_client):
    user = UserFactory.create(email="buyer@example.com")

    response = obtain(api_client, "Buyer@Example.com")

    assert response.status_code == 200
    tokens = response.json()
    me = api_client.get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert me.status_code == 200
    assert me.json()["id"] == user.id


@pytest.mark.django_db
def test_wrong_password_is_401(api_client):
    UserFactory.create(email="buyer@example.com")

    response = obtain(api_client, "buyer@example.com", "wrong-password")

    assert response.status_code == 401
    assert response.json()["detail"]


@pytest.mark.django_db
def test_refresh_rotates_and_old_refresh_stops_working(api_client):
    UserFactory.create(email="buyer@example.com")
    refresh = obtain(api_client, "buyer@example.com").json()["refresh"]

    rotated = api_client.post("/api/token/refresh/", {"refresh": refresh}, format="json")

    assert rotated.status_code == 200
    assert rotated.json()["access"]
    assert rotated.json()["refresh"] != refresh
    reused = api_client.post("/api/token/refresh/", {"refresh": refresh}, format="json")
    assert reused.status_code == 401


@pytest.mark.django_db
def test_blacklist_logs_out(api_client):
    user = UserFactory.create(email="buyer@example.com")
    refresh = obtain(api_client, "buyer@example.com").json()["refresh"]
    client = client_for(user)

    response = client.post("/api/token/blacklist/", {"refresh": refresh}, format="json")

    assert response.status_code == 200
    assert api_client.post("/api/token/refresh/", {"refresh": refresh}, format="json").status_code == 401


@pytest.mark.django_db
def test_blacklist_needs_a_token_and_refuses_another_users_refresh(api_client):
    owner, other = UserFactory.create(), UserFactory.create()
    refresh = str(RefreshToken.for_user(owner))

    assert api_client.post("/api/token/blacklist/", {"refresh": refresh}, format="json").status_code == 401
    response = client_for(other).post("/api/token/blacklist/", {"refresh": refresh}, format="json")
    assert response.status_code == 400
    assert "refresh" in response.json()["errors"]
    assert api_client.post("/api/token/refresh/", {"refresh": refresh}, format="json").status_code == 200


@pytest.mark.django_db
def test_repeated_failures_lock_out_with_429_even_for_the_right_password(api_client, settings):
    UserFactory.create(email="target@example.com")
    statuses = [obtain(api_client, "target@example.com", f"guess-{n}").status_code for n in range(6)]

    locked = obtain(api_client, "target@example.com", PASSWORD)

    assert statuses[:4] == [401] * 4
    assert statuses[-1] == 429
    assert locked.status_code == 429
    assert locked.json()["code"] == "locked_out"
    assert int(locked.headers["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    # Another account from the same address is not locked.
    UserFactory.create(email="other@example.com")
    assert obtain(api_client, "other@example.com").status_code == 200


@pytest.mark.django_db
def test_me_shows_organization_and_verifier_flag(auth_client, user, verifier_client):
    data = auth_client.get("/api/me/").json()

    assert data == {
        "id": user.id,
        "email": user.email,
        "full_name": "",
        "organization": {
            "id": user.organization.id,
            "name": user.organization.name,
            "country": "GB",
            "sector": "manufacturing",
            "website": "",
            "legal_name": user.organization.legal_name,
            "registration_number": user.organization.registration_number,
            "verification_status": "verified",
            "verified_at": None,
            "employees": None,
            "annual_revenue": None,
            "revenue_currency": "",
        },
        "is_verifier": False,
        "role": "owner",
        "abilities": ["profile", "operate", "organization", "members", "integrations", "payouts", "owners"],
    }
    assert verifier_client.get("/api/me/").json()["is_verifier"] is True


@pytest.mark.django_db
def test_me_without_or_with_a_bad_token_is_401(api_client):
    assert api_client.get("/api/me/").status_code == 401
    response = api_client.get("/api/me/", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert response.status_code == 401
    assert response.json()["code"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_inactive_user_cannot_sign_in(api_client):
    UserFactory.create(email="gone@example.com", is_active=False)
    assert obtain(api_client, "gone@example.com").status_code == 401


@pytest.mark.django_db
def test_createsuperuser_noinput_joins_the_registry_operator(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "Admin@CarbonCred.example")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "admin-pass-not-common-1")

    call_command("createsuperuser", "--noinput")

    admin = User.objects.get(email="admin@carboncred.example")
    assert admin.is_superuser and admin.is_staff and admin.is_verifier
    assert admin.organization.kind == Organization.Kind.REGISTRY
    assert admin.check_password("admin-pass-not-common-1")
