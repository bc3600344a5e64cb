import pytest

from accounts.models import Organization, User

URL = "/api/auth/register/"


def body(**overrides):
    data = {
        "email": "founder@solar-sme.example",
        "password": "a-long-unusual-passphrase-42",
        "organization_name": "Solar SME Pvt Ltd",
        "country": "IN",
        "sector": "manufacturing",
        "website": "https://solar-sme.example",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_register_creates_user_and_organization(api_client):
    response = api_client.post(URL, body(), format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    assert data["email"] == "founder@solar-sme.example"
    assert data["organization"]["name"] == "Solar SME Pvt Ltd"
    assert data["organization"]["country"] == "IN"
    assert "password" not in data
    user = User.objects.get(pk=data["id"])
    assert user.organization.sector == "manufacturing"
    assert user.check_password("a-long-unusual-passphrase-42")


@pytest.mark.django_db
def test_register_optional_fields_can_be_omitted(api_client):
    data = body()
    del data["sector"], data["website"]
    assert api_client.post(URL, data, format="json").status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"password": "password1"}, "password"),
        ({"password": "12345678901234"}, "password"),
        ({"password": "founder-solar-sme"}, "password"),
        ({"email": "not-an-email"}, "email"),
        ({"country": "XX"}, "country"),
        ({"country": "India!"}, "country"),
        ({"organization_name": ""}, "organization_name"),
        ({"website": "not a url"}, "website"),
    ],
)
def test_register_refuses_bad_input_naming_the_field(api_client, overrides, field):
    response = api_client.post(URL, body(**overrides), format="json")

    assert response.status_code == 400
    data = response.json()
    assert field in data["errors"]
    assert field in data["detail"]
    assert not User.objects.exists()
    assert not Organization.objects.exists()


@pytest.mark.django_db
def test_register_refuses_duplicate_email_ignoring_case(api_client):
    assert api_client.post(URL, body(), format="json").status_code == 201

    response = api_client.post(URL, body(email="FOUNDER@Solar-SME.example", organization_name="Other"), format="json")

    assert response.status_code == 400
    assert "email" in response.json()["errors"]
    assert Organization.objects.count() == 1


@pytest.mark.django_db
def test_register_refuses_missing_fields(api_client):
    response = api_client.post(URL, {}, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"email", "password", "organization_name", "country"}


@pytest.mark.django_db
def test_register_is_throttled(api_client, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "register", "2/hour")
    for n in range(2):
        api_client.post(URL, body(email=f"u{n}@example.com"), format="json")

    response = api_client.post(URL, body(email="u3@example.com"), format="json")

    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert "Retry-After" in response.headers
