import pytest
from django.test import Client

from core.errors import flatten_errors


@pytest.mark.django_db
def test_unknown_api_path_is_json_404(api_client):
    response = api_client.get("/api/no-such-thing/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


@pytest.mark.django_db
def test_unknown_page_outside_api_stays_html():
    response = Client().get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_wrong_method_is_json_405(api_client):
    response = api_client.get("/api/auth/register/")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


@pytest.mark.django_db
def test_malformed_json_is_400(api_client):
    response = api_client.post("/api/auth/register/", data="{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


@pytest.mark.django_db
def test_form_bodies_are_refused_with_415(api_client):
    response = api_client.post("/api/auth/register/", data={"email": "a@b.example"}, format="multipart")

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


@pytest.mark.django_db
@pytest.mark.urls("tests.urls")
def test_unexpected_exception_is_json_500():
    response = Client(raise_request_exception=False).get("/api/test/boom/")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "server_error"
    assert "unexpected" not in response.content.decode()


def test_nested_errors_are_flattened_to_field_paths():
    errors = {"evidence": [{}, {"quantity": ["Must be positive."]}], "non_field_errors": ["Bad period."]}

    assert flatten_errors(errors) == {"evidence.1.quantity": ["Must be positive."], "non_field_errors": ["Bad period."]}


@pytest.mark.django_db
def test_page_size_is_capped(auth_client):
    from core.pagination import PageNumberPagination

    assert PageNumberPagination.max_page_size == 200
    assert PageNumberPagination.page_size_query_param == "page_size"


@pytest.mark.django_db
def test_oversized_body_is_413_and_writes_nothing(api_client, settings):
    from accounts.models import User

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = '{"email": "big@example.com", "password": "' + "x" * 20_000 + '"}'

    response = api_client.post("/api/auth/register/", data=body, content_type="application/json")

    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert not User.objects.exists()
