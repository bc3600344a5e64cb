"""Solar claims whose generation comes from the site's stored readings (``parameters.source: "readings"``):
honest readings from a verified organisation's registered site issue at once; generation at night,
above the capacity, copied from another meter or declared above the readings issues nothing."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from tests.verification.readings import hourly_pv, readings_body
from tests.verification.test_trust import create_project, new_client, register_site
from verification.models import Assessment
from verification.services import assessment_replay

CLAIMS = "/api/reduction-data/"
PUNE = (18.5204, 73.8567)
MONTH = ("2024-03-01", "2024-03-31")
METER = "MSEDCL-170010012345"

pytestmark = pytest.mark.django_db


def site_with_readings(client, rows, *, at=("18.520400", "73.856700"), meter=METER):
    site = register_site(client, at=at, meters=(meter,))
    response = client.post(f"/api/sites/{site['id']}/readings/", readings_body(meter, rows), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["rejected"] == []
    return site


def readings_claim(client, site, **parameters):
    project = create_project(client, site=site["id"])
    body = {
        "project": project["id"],
        "period_start": MONTH[0],
        "period_end": MONTH[1],
        "parameters": {"capacity_kwp": 50, "source": "readings", **parameters},
        "evidence": [],
    }
    response = client.post(CLAIMS, body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def honest_rows(seed=1):
    return hourly_pv(*PUNE, 50, date(2024, 3, 1), date(2024, 3, 31), seed=seed)


def codes(claim) -> set[str]:
    return {reason["code"] for reason in claim["verification"]["reasons"]}


def test_honest_hourly_readings_of_a_verified_organisation_issue_at_once():
    _, client = new_client()
    rows = honest_rows()
    site = site_with_readings(client, rows)

    claim = readings_claim(client, site)

    assert claim["status"] == "approved", claim["verification"]["reasons"]
    assert claim["issuance"] is not None
    total = sum(Decimal(f"{v:.3f}") for _, _, v in rows)
    assert Decimal(claim["parameters"]["generation_kwh"]) == total
    assessment = Assessment.objects.get(claim_id=claim["id"])
    assert assessment.context["readings"]["count"] == len(rows)
    replayed = assessment_replay(assessment=assessment)
    assert replayed.decision == "approved"
    assert [r.as_json() for r in replayed.reasons] == assessment.reasons


def test_generation_at_night_is_not_approved():
    _, client = new_client()
    rows = honest_rows()
    # 5 kWh at 02:00 local (20:30 UTC) every night: a meter fed from somewhere else.
    rows = [(a, b, v + 5.0 if (a + timedelta(hours=5.5)).hour == 2 else v) for a, b, v in rows]
    site = site_with_readings(client, rows)

    claim = readings_claim(client, site)

    assert claim["status"] == "rejected"
    assert "readings_night_generation" in codes(claim)


def test_intervals_above_what_the_capacity_can_deliver_are_rejected():
    _, client = new_client()
    rows = [(a, b, v * 3 if (a + timedelta(hours=5.5)).hour == 12 else v) for a, b, v in honest_rows()]
    site = site_with_readings(client, rows)

    claim = readings_claim(client, site)

    assert claim["status"] == "rejected"
    assert "readings_above_clear_sky_max" in codes(claim)


def test_readings_copied_from_another_sites_meter_are_rejected():
    _, honest = new_client()
    rows = honest_rows()
    site_with_readings(honest, rows)
    _, copier = new_client()
    copied_site = site_with_readings(copier, rows, at=("18.530400", "73.856700"), meter="MSEDCL-170010099999")

    claim = readings_claim(copier, copied_site)

    assert claim["status"] == "rejected"
    assert "readings_copied" in codes(claim)


def test_a_declared_generation_above_the_readings_is_rejected_and_below_is_what_is_credited():
    _, client = new_client()
    rows = honest_rows()
    total = sum(Decimal(f"{v:.3f}") for _, _, v in rows)
    site = site_with_readings(client, rows)

    above = readings_claim(client, site, generation_kwh=str((total * Decimal("1.2")).quantize(Decimal("0.001"))))

    assert above["status"] == "rejected"
    assert "readings_total_mismatch" in codes(above)


def test_a_readings_claim_without_stored_readings_is_400():
    _, client = new_client()
    site = register_site(client, meters=(METER,))
    project = create_project(client, site=site["id"])

    response = client.post(
        CLAIMS,
        {
            "project": project["id"],
            "period_start": MONTH[0],
            "period_end": MONTH[1],
            "parameters": {"capacity_kwp": 50, "source": "readings"},
            "evidence": [],
        },
        format="json",
    )

    assert response.status_code == 400
    assert "parameters.source" in response.json()["errors"]


def test_readings_stamped_an_hour_late_are_not_taken_for_night_generation():
    _, client = new_client()
    rows = [(a + timedelta(hours=1), b + timedelta(hours=1), v) for a, b, v in honest_rows()]
    site = site_with_readings(client, rows)

    claim = readings_claim(client, site)

    assert "readings_night_generation" not in codes(claim)


def test_sun_position_separates_noon_from_midnight():
    from verification.engine.series import sun_elevation_sin

    noon_utc = datetime(2024, 6, 21, 12, 0, tzinfo=UTC).timestamp() - 73.8567 / 15 * 3600
    midnight = noon_utc + 12 * 3600
    import numpy as np

    values = sun_elevation_sin(18.52, 73.8567, np.array([noon_utc, midnight]))

    assert values[0] > 0.99  # the sun is nearly overhead at the tropic in June
    assert values[1] < -0.5
