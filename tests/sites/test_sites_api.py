"""Sites through the API: inside their country, one roof registered once (by anyone), meters counted once,
changes of capacity or meters reviewed, verifiers clear or reject."""

import functools
from decimal import Decimal

import pytest

from sites.models import Meter, Site
from sites.services import haversine_m, sites_near
from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.verification.concurrency import outcomes, race

URL = "/api/sites/"
REVIEW = "/api/site-reviews/"
# The roof of a warehouse in Southwark, London.
ROOF = ("51.503300", "-0.087600")
# About 20 m north of it: the same roof.
SAME_ROOF = ("51.503480", "-0.087600")

pytestmark = pytest.mark.django_db


def site_body(*, at=ROOF, country="GB", meters=(), capacity="50", name="Warehouse roof"):
    return {
        "name": name,
        "country": country,
        "latitude": at[0],
        "longitude": at[1],
        "address": "1 Example Street, London SE1",
        "meter_ids": list(meters),
        "capacity_kw": capacity,
    }


def register(client, **kwargs):
    return client.post(URL, site_body(**kwargs), format="json")


def codes(site: dict) -> set[str]:
    return {reason["code"] for reason in site["review_reasons"]}


def test_a_site_inside_its_country_is_active(auth_client):
    response = register(auth_client, meters=["1200023305967"])

    assert response.status_code == 201, response.content
    body = response.json()
    assert body == {
        "id": body["id"],
        "name": "Warehouse roof",
        "country": "GB",
        "latitude": 51.5033,
        "longitude": -0.0876,
        "address": "1 Example Street, London SE1",
        "meter_ids": ["1200023305967"],
        "capacity_kw": "50.000",
        "status": "active",
        "review_reasons": [],
        "review_note": "",
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }
    assert auth_client.get(f"{URL}{body['id']}/").json() == body


@pytest.mark.parametrize(
    ("at", "country"),
    [
        (("48.856600", "2.352200"), "GB"),  # Paris, declared in Great Britain
        (("-0.087600", "51.503300"), "GB"),  # latitude and longitude swapped: the Indian Ocean
        (("51.503300", "0.087600"), "IN"),  # London declared in India
        (("-51.503300", "-0.087600"), "GB"),  # a dropped sign: the South Atlantic
    ],
    ids=["paris-as-gb", "swapped", "london-as-india", "southern-hemisphere"],
)
def test_coordinates_outside_the_declared_country_are_400_and_nothing_is_stored(auth_client, at, country):
    response = register(auth_client, at=at, country=country, meters=["MTR-1"])

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "coordinates_outside_country"
    assert {"latitude", "longitude"} <= set(response.json()["errors"])
    assert not Site.objects.exists() and not Meter.objects.exists()


def test_same_roof_by_two_organisations_puts_the_second_under_review(auth_client):
    first = register(auth_client).json()
    other = client_for(UserFactory.create())

    second = register(other, at=SAME_ROOF).json()

    assert first["status"] == "active"
    assert second["status"] == "under_review"
    assert codes(second) == {"site_near_existing"}
    assert f"site {first['id']} at 20 m" in second["review_reasons"][0]["detail"]


def test_same_roof_registered_three_times_by_one_organisation(auth_client):
    statuses = [register(auth_client, at=SAME_ROOF if n else ROOF, name=f"Roof {n}").json()["status"] for n in range(3)]

    assert statuses == ["active", "under_review", "under_review"]


def test_a_site_60_m_away_is_another_site(auth_client):
    register(auth_client)

    response = register(client_for(UserFactory.create()), at=("51.503840", "-0.087600"))  # ~60 m north

    assert response.json()["status"] == "active"


@pytest.mark.parametrize("spelling", ["1200023305967", "MPAN 1200023305967", "12-0002-3305-967", "01200023305967"])
def test_a_meter_already_on_another_site_puts_the_new_site_under_review(auth_client, spelling):
    register(auth_client, meters=["1200023305967"])
    far_away = ("53.480800", "-2.242600")  # Manchester

    response = register(client_for(UserFactory.create()), at=far_away, meters=[spelling])

    assert response.json()["status"] == "under_review", response.json()
    assert codes(response.json()) == {"meter_shared"}


def test_the_same_meter_twice_on_one_site_is_400(auth_client):
    response = register(auth_client, meters=["MTR-0001", "mtr 0001"])

    assert response.status_code == 400
    assert "meter_ids" in response.json()["errors"]
    assert not Site.objects.exists()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"capacity_kw": "80"}, "capacity_changed"),
        ({"meter_ids": ["1200023305967", "1900012345678"]}, "meters_changed"),
        ({"latitude": "51.504300", "longitude": "-0.087600"}, "location_changed"),
    ],
)
def test_a_change_of_capacity_meters_or_location_puts_the_site_under_review(auth_client, change, code):
    site = register(auth_client, meters=["1200023305967"]).json()

    response = auth_client.patch(f"{URL}{site['id']}/", change, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "under_review"
    assert code in codes(response.json())


def test_renaming_a_site_changes_nothing_else(auth_client):
    site = register(auth_client).json()

    response = auth_client.patch(f"{URL}{site['id']}/", {"name": "Main roof", "capacity_kw": "50"}, format="json")

    assert response.json()["status"] == "active" and response.json()["name"] == "Main roof"


def test_moving_a_site_abroad_is_400(auth_client):
    site = register(auth_client).json()

    response = auth_client.patch(f"{URL}{site['id']}/", {"latitude": "48.8566", "longitude": "2.3522"}, format="json")

    assert response.status_code == 400 and response.json()["code"] == "coordinates_outside_country"
    assert Site.objects.get().status == "active"


def test_another_organisations_site_is_404(auth_client):
    theirs = register(client_for(UserFactory.create())).json()

    assert auth_client.get(f"{URL}{theirs['id']}/").status_code == 404
    assert auth_client.patch(f"{URL}{theirs['id']}/", {"capacity_kw": "1"}, format="json").status_code == 404
    assert auth_client.get(URL).json()["count"] == 0


def test_verifiers_clear_or_reject_sites_under_review(auth_client, verifier_client):
    register(auth_client)
    second = register(client_for(UserFactory.create()), at=SAME_ROOF).json()
    third = register(client_for(UserFactory.create()), at=SAME_ROOF, name="Third").json()

    queue = verifier_client.get(f"{REVIEW}?status=under_review").json()
    approved = verifier_client.post(f"{REVIEW}{second['id']}/approve/", {"note": "two units"}, format="json")
    rejected = verifier_client.post(f"{REVIEW}{third['id']}/reject/", {"note": "duplicate"}, format="json")
    again = verifier_client.post(f"{REVIEW}{third['id']}/approve/", {}, format="json")

    assert {site["id"] for site in queue["results"]} == {second["id"], third["id"]}
    assert approved.status_code == 200 and approved.json()["status"] == "active"
    assert approved.json()["review_reasons"] == []
    assert rejected.json()["status"] == "rejected" and rejected.json()["review_note"] == "duplicate"
    assert again.status_code == 409 and again.json()["code"] == "site_not_under_review"
    assert auth_client.get(REVIEW).status_code == 403


def test_site_lists_query_count_is_constant(auth_client, verifier_client, django_assert_max_num_queries):
    for n in range(4):
        register(auth_client, at=(f"51.5{n}", "-0.1"), meters=[f"MTR-{n}", f"MTR-{n}-B"], name=f"Roof {n}")

    with django_assert_max_num_queries(4):
        assert auth_client.get(URL).json()["count"] == 4
    with django_assert_max_num_queries(5):
        assert verifier_client.get(REVIEW).json()["count"] == 4


def test_proximity_search_finds_neighbours_across_the_antimeridian(user):
    from tests.sites.factories import SiteFactory

    east = SiteFactory.create(
        owner=user.organization, country="FJ", latitude=Decimal("-16.5"), longitude=Decimal("179.99990")
    )

    near = sites_near(latitude=Decimal("-16.5"), longitude=Decimal("-179.99990"))

    assert [site.pk for site, _ in near] == [east.pk]
    assert haversine_m(-16.5, 179.9999, -16.5, -179.9999) == pytest.approx(21.3, abs=0.5)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_organisations_racing_to_register_one_roof_do_not_both_get_an_active_site():
    clients = [client_for(UserFactory.create()) for _ in range(2)]

    responses = race([functools.partial(register, client) for client in clients])

    assert outcomes(responses) == ["201", "201"]
    assert sorted(r.json()["status"] for r in responses) == ["active", "under_review"]


def test_a_site_cannot_clear_itself_or_change_hands(auth_client, user):
    """Mass assignment: status, reasons and owner are the registry's, not the body's."""
    register(client_for(UserFactory.create()))
    other = UserFactory.create()
    body = {**site_body(at=SAME_ROOF), "status": "active", "review_reasons": [], "owner": other.organization_id}
    site = auth_client.post(URL, body, format="json").json()

    patched = auth_client.patch(
        f"{URL}{site['id']}/", {"status": "active", "review_reasons": [], "owner": other.organization_id}, format="json"
    )

    assert site["status"] == "under_review"
    assert patched.status_code == 200 and patched.json()["status"] == "under_review"
    assert Site.objects.get(pk=site["id"]).owner_id == user.organization_id
