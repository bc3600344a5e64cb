"""Metered readings through the API: JSON or CSV, good rows stored and bad rows reported, idempotent on
(meter, start), nothing half-written when no row is good, other organisations' sites invisible."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from sites.models import Reading
from sites.readings import READING_WINDOW, window_digests
from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.sites.factories import SiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(user):
    return SiteFactory.create(owner=user.organization, country="GB", meter_ids=["MPAN 1200023305967"])


def url(site) -> str:
    return f"/api/sites/{site.pk}/readings/"


def hours(first: datetime, values, *, meter="MPAN 1200023305967"):
    return {
        "meter_id": meter,
        "unit": "kWh",
        "readings": [
            {
                "start": (first + timedelta(hours=n)).isoformat(),
                "end": (first + timedelta(hours=n + 1)).isoformat(),
                "value": str(v),
            }
            for n, v in enumerate(values)
        ],
    }


START = datetime(2024, 6, 1, tzinfo=UTC)


def test_json_import_stores_rows_and_a_second_send_is_counted_as_duplicates(auth_client, site):
    body = hours(START, [0, 0, 1.5, 3.25, 4])

    first = auth_client.post(url(site), body, format="json")
    again = auth_client.post(url(site), body, format="json")

    assert first.status_code == 201, first.content
    assert first.json() == {"accepted": 5, "duplicates": 0, "rejected": []}
    assert again.status_code == 201
    assert again.json() == {"accepted": 0, "duplicates": 5, "rejected": []}
    assert Reading.objects.filter(meter__site=site).count() == 5
    stored = Reading.objects.get(meter__site=site, start=START + timedelta(hours=3))
    assert stored.kwh == Decimal("3.25") and stored.unit == "kWh"


def test_csv_import_reports_bad_rows_by_number_and_stores_the_good_ones(auth_client, site):
    csv = "\n".join(
        [
            "meter_id,unit,start,end,value",
            "MPAN 1200023305967,kWh,2024-06-01T10:00:00Z,2024-06-01T11:00:00Z,5.5",  # 1 good
            "MPAN 1200023305967,kWh,2024-06-01T11:00:00,2024-06-01T12:00:00,5.0",  # 2 no offset
            "UNKNOWN-9,kWh,2024-06-01T12:00:00Z,2024-06-01T13:00:00Z,5.0",  # 3 not this site's meter
            "MPAN 1200023305967,kWh,2024-06-01T13:00:00Z,2024-06-01T12:00:00Z,5.0",  # 4 end before start
            "MPAN 1200023305967,kWh,2024-06-01T14:00:00Z,2024-06-01T15:00:00Z,-1",  # 5 negative
            "MPAN 1200023305967,furlongs,2024-06-01T15:00:00Z,2024-06-01T16:00:00Z,1",  # 6 unit
            "MPAN 1200023305967,Wh,2024-06-01T10:30:00Z,2024-06-01T11:30:00Z,1000",  # 7 overlaps row 1
            "MPAN 1200023305967,kWh,2024-06-01T10:00:00Z,2024-06-01T11:00:00Z,9",  # 8 same start, other value
            "mpan-1200023305967,MWh,2024-06-01T16:00:00+01:00,2024-06-01T17:00:00+01:00,0.004",  # 9 good
            "MPAN 1200023305967,kWh,2024-06-01T18:00:00Z",  # 10 short line
        ]
    )

    response = auth_client.post(url(site), csv, content_type="text/csv")

    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["accepted"], data["duplicates"]) == (2, 0)
    assert [(r["row"], r["code"]) for r in data["rejected"]] == [
        (2, "timezone_required"),
        (3, "meter_unknown"),
        (4, "interval_invalid"),
        (5, "value_invalid"),
        (6, "unit_invalid"),
        (7, "interval_overlap"),
        (8, "conflicts_with_row"),
        (10, "columns_invalid"),
    ]
    stored = Reading.objects.filter(meter__site=site).order_by("start")
    assert [r.kwh for r in stored] == [Decimal("5.5"), Decimal("4")]  # 0.004 MWh, any spelling of the meter id


def test_a_body_with_no_good_row_is_400_and_stores_nothing(auth_client, site):
    body = hours(START, [1, 2])
    body["readings"][0]["start"] = "yesterday"
    body["readings"][1]["value"] = "-3"

    response = auth_client.post(url(site), body, format="json")

    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "readings_rejected"
    assert [(r["row"], r["code"]) for r in data["rejected"]] == [(1, "timestamp_invalid"), (2, "value_invalid")]
    assert not Reading.objects.exists()


def test_a_json_row_missing_a_field_is_a_bad_row_not_a_bad_body(auth_client, site):
    body = hours(START, [1, 2, 3])
    del body["readings"][1]["value"]
    del body["readings"][2]["end"]

    response = auth_client.post(url(site), body, format="json")

    assert response.status_code == 201
    assert response.json()["accepted"] == 1
    assert [(r["row"], r["code"]) for r in response.json()["rejected"]] == [
        (2, "value_invalid"),
        (3, "timestamp_invalid"),
    ]


def test_a_stored_reading_is_never_overwritten(auth_client, site):
    auth_client.post(url(site), hours(START, [2]), format="json")

    response = auth_client.post(url(site), hours(START, [20, 3]), format="json")

    assert response.json()["accepted"] == 1
    assert response.json()["rejected"][0]["code"] == "conflicts_with_stored"
    assert Reading.objects.get(start=START).kwh == 2


def test_header_and_limits(auth_client, site, monkeypatch):
    assert auth_client.post(url(site), "meter,unit\nx,kWh", content_type="text/csv").status_code == 400
    monkeypatch.setattr("sites.services.MAX_ROWS", 3)
    response = auth_client.post(url(site), hours(START, [1, 2, 3, 4]), format="json")
    assert response.status_code == 413
    assert response.json()["code"] == "too_many_rows"
    assert not Reading.objects.exists()


def test_readings_list_is_paginated_and_filtered(auth_client, site, django_assert_max_num_queries):
    auth_client.post(url(site), hours(START, range(30)), format="json")

    with django_assert_max_num_queries(6):
        response = auth_client.get(
            url(site),
            {"meter_id": "mpan1200023305967", "start": "2024-06-01T05:00:00Z", "end": "2024-06-01T10:00:00Z"},
        )

    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 5
    assert [r["value"] for r in data["results"]] == ["5.0000", "6.0000", "7.0000", "8.0000", "9.0000"]
    assert data["results"][0]["meter_id"] == "MPAN 1200023305967"


def test_another_organisations_site_is_404(site):
    other = client_for(UserFactory.create())

    assert other.post(url(site), hours(START, [1]), format="json").status_code == 404
    assert other.get(url(site)).status_code == 404
    assert not Reading.objects.exists()


def test_window_digests_skip_uniform_stretches_and_find_the_same_values():
    day = [Decimal(v) for v in [0] * 6 + [1, 3, 5, 7, 9, 10, 11, 10, 9, 7, 5, 3] + [0] * 6]
    nights = [Decimal(0)] * READING_WINDOW

    digests = window_digests(day + day)

    assert digests[: READING_WINDOW - 1] == [""] * (READING_WINDOW - 1)
    assert digests[READING_WINDOW - 1] == digests[2 * READING_WINDOW - 1] != ""
    assert window_digests(nights)[-1] == ""
