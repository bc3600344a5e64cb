import pytest

from projects.models import Project
from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.projects.factories import ProjectFactory

URL = "/api/projects/"


def body(**overrides):
    data = {
        "title": "Factory roof 120 kWp",
        "description": "Rooftop PV on the main hall",
        "category": "solar",
        "country": "IN",
        "start_date": "2025-04-01",
        "latitude": 19.076,
        "longitude": 72.8777,
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_create_project_for_own_organization(auth_client, user):
    response = auth_client.post(URL, {**body(), "owner": 999, "status": "closed"}, format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "active", "status cannot be set through the body"
    assert data["owner"]["id"] == user.organization_id, "the owner comes from the token"
    assert data["country"] == "IN"
    assert data["latitude"] == 19.076
    project = Project.objects.get(pk=data["id"])
    assert project.owner == user.organization


@pytest.mark.django_db
def test_create_project_without_coordinates(auth_client):
    data = body()
    del data["latitude"], data["longitude"]

    response = auth_client.post(URL, data, format="json")

    assert response.status_code == 201
    assert response.json()["latitude"] is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"category": "forestry"}, "category"),
        ({"country": "ZZ"}, "country"),
        ({"start_date": "2025-13-01"}, "start_date"),
        ({"latitude": 91}, "latitude"),
        ({"longitude": -181}, "longitude"),
        ({"latitude": None}, "longitude"),
        ({"title": ""}, "title"),
    ],
)
def test_create_project_refuses_bad_input(auth_client, overrides, field):
    response = auth_client.post(URL, body(**overrides), format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Project.objects.exists()


@pytest.mark.django_db
def test_members_see_only_their_projects_and_others_are_404(auth_client, user):
    mine = ProjectFactory.create(owner=user.organization)
    theirs = ProjectFactory.create()

    listed = auth_client.get(URL).json()

    assert [p["id"] for p in listed["results"]] == [mine.id]
    assert auth_client.get(f"{URL}{mine.id}/").status_code == 200
    assert auth_client.get(f"{URL}{theirs.id}/").status_code == 404


@pytest.mark.django_db
def test_verifiers_see_every_project(verifier_client):
    ProjectFactory.create_batch(3)

    assert verifier_client.get(URL).json()["count"] == 3


@pytest.mark.django_db
def test_project_list_query_count_is_constant(django_assert_max_num_queries):
    user = UserFactory.create()
    ProjectFactory.create_batch(30, owner=user.organization)
    client = client_for(user)

    with django_assert_max_num_queries(4):  # user, count, page with owners joined (+ groups check)
        response = client.get(URL)

    assert response.json()["count"] == 30


@pytest.mark.django_db
def test_projects_need_a_token(api_client):
    assert api_client.get(URL).status_code == 401
    assert api_client.post(URL, body(), format="json").status_code == 401
