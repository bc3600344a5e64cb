"""The SME's sites: registration through the API's serializer and ``sites.services``, a site's meters
and readings, the readings CSV upload with its accepted / duplicate / rejected rows; another
organisation's site is 404; a project chooses its site."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from projects.models import Project
from sites.models import Reading, Site
from tests.sites.factories import SiteFactory

pytestmark = pytest.mark.django_db

PUNE = {"name": "Pune bakery roof", "country": "IN", "latitude": "18.520400", "longitude": "73.856700"}
HEADER = "meter_id,unit,start,end,value\n"


def csv_file(text: str, name: str = "readings.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), "text/csv")


@pytest.fixture
def site(sme):
    return SiteFactory.create(owner=sme.organization, country="IN", name="Bakery roof", meter_ids=["CN 100200300"])


def test_sites_pages_ask_for_a_session(client, site):
    for url in ("/app/sites/", f"/app/sites/{site.pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_register_a_site_with_its_meters(sme_client, sme):
    response = sme_client.post(
        "/app/sites/",
        {**PUNE, "address": "12 FC Road", "meter_ids": "CN 100200300\nCN-555 666 777", "capacity_kw": "50"},
    )

    site = Site.objects.get(owner=sme.organization)
    assert response.status_code == 302 and response["Location"] == f"/app/sites/{site.pk}/"
    assert site.status == Site.Status.ACTIVE and site.capacity_kw == 50
    assert sorted(site.meters.values_list("meter_id", flat=True)) == ["CN 100200300", "CN-555 666 777"]
    page = sme_client.get(response["Location"]).content.decode()
    assert "Pune bakery roof" in page and "Active" in page and "CN-555 666 777" in page
    listing = sme_client.get("/app/sites/").content.decode()
    assert "Pune bakery roof" in listing and '<span class="badge ok">Active</span>' in listing


def test_a_site_near_another_is_under_review_with_the_reason(sme_client, sme, other):
    SiteFactory.create(owner=other.organization, country="IN", latitude="18.520400", longitude="73.856700")

    response = sme_client.post("/app/sites/", PUNE, follow=True)

    assert response.status_code == 200
    html = response.content.decode()
    assert "a verifier looks at it first" in html
    assert "Under review" in html and "one roof is registered once" in html
    assert Site.objects.get(owner=sme.organization).status == Site.Status.UNDER_REVIEW


def test_coordinates_outside_the_country_are_refused_on_the_fields(sme_client, sme):
    response = sme_client.post("/app/sites/", {**PUNE, "latitude": "51.5074", "longitude": "-0.1278"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "Not inside the declared country." in html
    assert 'aria-invalid="true"' in html
    assert not Site.objects.exists()


def test_missing_fields_are_named(sme_client):
    response = sme_client.post("/app/sites/", {"name": "", "country": "IN"})

    assert response.status_code == 400
    html = response.content.decode()
    assert html.count("This field is required.") >= 3  # name, latitude, longitude
    assert not Site.objects.exists()


def test_a_meter_named_twice_is_refused(sme_client):
    response = sme_client.post("/app/sites/", {**PUNE, "meter_ids": "CN 100200300\ncn100200300"})

    assert response.status_code == 400
    assert "is the same meter as" in response.content.decode()
    assert not Site.objects.exists()


def test_another_organisations_site_is_404(other_client, site):
    assert other_client.get(f"/app/sites/{site.pk}/").status_code == 404
    upload = other_client.post(
        f"/app/sites/{site.pk}/readings/",
        {"file": csv_file(HEADER + "CN 100200300,kWh,2024-06-01T10:00:00+05:30,2024-06-01T11:00:00+05:30,1\n")},
    )
    assert upload.status_code == 404
    assert not Reading.objects.exists()


def test_readings_upload_stores_good_rows_and_lists_the_rejected_with_their_codes(sme_client, site):
    rows = (
        HEADER
        + "CN 100200300,kWh,2024-06-01T10:00:00+05:30,2024-06-01T11:00:00+05:30,12.5\n"
        + "CN 100200300,kWh,2024-06-01T11:00:00+05:30,2024-06-01T12:00:00+05:30,13\n"
        + "NOT-MINE,kWh,2024-06-01T11:00:00+05:30,2024-06-01T12:00:00+05:30,13\n"
        + "CN 100200300,kWh,2024-06-01T12:00:00,2024-06-01T13:00:00,13\n"
    )

    response = sme_client.post(f"/app/sites/{site.pk}/readings/", {"file": csv_file(rows)})

    assert response.status_code == 302 and response["Location"] == f"/app/sites/{site.pk}/"
    assert Reading.objects.filter(meter__site=site).count() == 2
    html = sme_client.get(response["Location"]).content.decode()
    assert "2 reading(s) stored, 0 already stored, 2 row(s) refused." in html
    assert "<code>meter_unknown</code>" in html and "<code>timezone_required</code>" in html
    assert '<td class="num">Row 3</td>' in html and '<td class="num">Row 4</td>' in html  # 1-based data rows
    # The outcome is shown once (post/redirect/get): a reload shows the stored readings only.
    again = sme_client.get(response["Location"]).content.decode()
    assert "meter_unknown" not in again and "12.5" in again

    repeat = sme_client.post(f"/app/sites/{site.pk}/readings/", {"file": csv_file(rows)}, follow=True)
    assert "0 reading(s) stored, 2 already stored, 2 row(s) refused." in repeat.content.decode()
    assert Reading.objects.filter(meter__site=site).count() == 2


def test_a_csv_without_one_good_row_stores_nothing_and_says_why(sme_client, site):
    rows = HEADER + "NOT-MINE,kWh,2024-06-01T10:00:00+05:30,2024-06-01T11:00:00+05:30,1\n"

    response = sme_client.post(f"/app/sites/{site.pk}/readings/", {"file": csv_file(rows)})

    assert response.status_code == 400
    html = response.content.decode()
    assert "No row could be stored, so nothing was saved" in html
    assert "<code>meter_unknown</code>" in html
    assert not Reading.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("start,end,value\n1,2,3\n", "The first line must be the header meter_id,unit,start,end,value."),
        (HEADER, "The CSV has no data rows."),
    ],
)
def test_a_malformed_csv_is_refused_on_the_file_field(sme_client, site, content, message):
    response = sme_client.post(f"/app/sites/{site.pk}/readings/", {"file": csv_file(content)})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Reading.objects.exists()


def test_no_file_is_refused(sme_client, site):
    response = sme_client.post(f"/app/sites/{site.pk}/readings/", {})

    assert response.status_code == 400
    assert "Choose a CSV file." in response.content.decode()


def test_readings_upload_needs_the_csrf_token(sme, site):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(sme)

    assert strict.post(f"/app/sites/{site.pk}/readings/", {"file": csv_file(HEADER)}).status_code == 403
    assert strict.post("/app/sites/", PUNE).status_code == 403
    assert not Site.objects.filter(name=PUNE["name"]).exists()


def test_the_site_page_reads_in_a_fixed_number_of_queries(sme_client, site, django_assert_max_num_queries):
    rows = "".join(
        f"CN 100200300,kWh,2024-06-01T{h:02d}:00:00+00:00,2024-06-01T{h + 1:02d}:00:00+00:00,{h}\n" for h in range(20)
    )
    sme_client.post(f"/app/sites/{site.pk}/readings/", {"file": csv_file(HEADER + rows)})

    # session, user, organisation, groups; the site with its meters (three selectors); the meters'
    # totals; the readings' count and page; the session written (the upload's outcome shown once)
    with django_assert_max_num_queries(16):
        response = sme_client.get(f"/app/sites/{site.pk}/")

    assert response.status_code == 200
    assert response.content.decode().count("<code>CN 100200300</code>") == 21  # the meter row and 20 readings


def test_a_project_is_registered_on_a_site(sme_client, sme, site):
    form = sme_client.get(f"/app/projects/?site={site.pk}").content.decode()
    assert f'<option value="{site.pk}" selected>' in form

    response = sme_client.post(
        "/app/projects/",
        {"title": "Rooftop solar", "category": "solar", "country": "IN", "start_date": "2023-01-01", "site": site.pk},
    )

    assert response.status_code == 302
    project = Project.objects.get(owner=sme.organization)
    assert project.site == site and project.latitude == site.latitude
    assert "Bakery roof" in sme_client.get("/app/projects/").content.decode()


def test_a_project_cannot_use_another_organisations_site(other_client, other, site):
    response = other_client.post(
        "/app/projects/",
        {"title": "Not mine", "category": "solar", "country": "IN", "start_date": "2023-01-01", "site": site.pk},
    )

    assert response.status_code == 404
    assert "Site not found." in response.content.decode()
    assert not Project.objects.filter(owner=other.organization).exists()


def test_a_site_in_another_country_than_the_project_is_named(sme_client, site):
    response = sme_client.post(
        "/app/projects/",
        {"title": "Elsewhere", "category": "solar", "country": "GB", "start_date": "2023-01-01", "site": site.pk},
    )

    assert response.status_code == 400
    assert "The site is in IN, the project in GB." in response.content.decode()


# --- the verifiers' site queue -----------------------------------------------------------------


@pytest.fixture
def under_review(sme, other):
    from sites.services import site_create

    SiteFactory.create(owner=other.organization, country="IN", latitude="18.520400", longitude="73.856700")
    site = site_create(owner=sme.organization, name="Second roof", country="IN", latitude=Decimal("18.520500"),
                       longitude=Decimal("73.856700"), meter_ids=["CN 999888777"])  # fmt: skip
    assert site.status == Site.Status.UNDER_REVIEW
    return site


def test_the_site_queue_is_for_verifiers_only(sme_client, client, under_review):
    assert sme_client.get("/app/review/sites/").status_code == 403
    assert client.get("/app/review/sites/").status_code == 302
    assert sme_client.post(f"/app/review/sites/{under_review.pk}/approve/", {"note": ""}).status_code == 403
    under_review.refresh_from_db()
    assert under_review.status == Site.Status.UNDER_REVIEW


def test_the_queue_shows_why_a_site_waits(verifier_session, under_review, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        response = verifier_session.get("/app/review/sites/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Second roof" in html and "<code>site_near_existing</code>" in html and "CN 999888777" in html
    assert "Clear the site" in html


def test_a_verifier_clears_a_site_then_a_second_decision_is_refused(verifier_session, under_review):
    cleared = verifier_session.post(
        f"/app/review/sites/{under_review.pk}/approve/", {"note": "Two shops on one street."}, follow=True
    )

    assert cleared.status_code == 200
    assert "cleared: its claims may be approved by screening" in cleared.content.decode()
    under_review.refresh_from_db()
    assert (under_review.status, under_review.review_note) == (Site.Status.ACTIVE, "Two shops on one street.")

    again = verifier_session.post(f"/app/review/sites/{under_review.pk}/reject/", {"note": ""}, follow=True)
    assert "only a site under review can be decided" in again.content.decode()
    under_review.refresh_from_db()
    assert under_review.status == Site.Status.ACTIVE
    assert verifier_session.post("/app/review/sites/999999/approve/", {"note": ""}).status_code == 404


def test_a_verifier_rejects_a_duplicate_site(verifier_session, under_review):
    response = verifier_session.post(f"/app/review/sites/{under_review.pk}/reject/", {"note": "Same roof."})

    assert response.status_code == 302
    under_review.refresh_from_db()
    assert under_review.status == Site.Status.REJECTED


def test_a_new_name_keeps_the_site_active_a_new_capacity_puts_it_under_review(sme_client, site):
    renamed = sme_client.post(
        f"/app/sites/{site.pk}/change/", {"name": "Main roof", "meter_ids": "CN 100200300", "capacity_kw": ""}
    )

    assert renamed.status_code == 302
    site.refresh_from_db()
    assert (site.name, site.status) == ("Main roof", Site.Status.ACTIVE)

    grown = sme_client.post(
        f"/app/sites/{site.pk}/change/",
        {"name": "Main roof", "meter_ids": "CN 100200300", "capacity_kw": "80"},
        follow=True,
    )

    site.refresh_from_db()
    assert site.status == Site.Status.UNDER_REVIEW and site.capacity_kw == 80
    html = grown.content.decode()
    assert "a verifier looks at the change" in html and "Capacity changed from None to 80" in html


def test_a_refused_change_is_shown_on_its_form_and_changes_nothing(sme_client, other_client, site):
    refused = sme_client.post(f"/app/sites/{site.pk}/change/", {"name": "", "meter_ids": "CN 100200300"})

    assert refused.status_code == 400
    assert "This field may not be blank." in refused.content.decode()
    assert other_client.post(f"/app/sites/{site.pk}/change/", {"name": "Mine now"}).status_code == 404
    site.refresh_from_db()
    assert site.name == "Bakery roof"
