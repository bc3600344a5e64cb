from datetime import date

import pytest

from verification.engine import solar


def test_clear_sky_year_is_larger_near_the_equator():
    equator = solar.clear_sky_irradiation(0, date(2024, 1, 1), date(2024, 12, 31))
    london = solar.clear_sky_irradiation(51.5, date(2024, 1, 1), date(2024, 12, 31))

    assert 2500 < equator < 2800  # Haurwitz is a generous clear sky: ~7.3 kWh/m²/day at the equator
    assert 1650 < london < 1800


def test_june_is_sunnier_than_december_in_the_north_and_the_reverse_in_the_south():
    june, december = (date(2024, 6, 1), date(2024, 6, 30)), (date(2024, 12, 1), date(2024, 12, 31))

    assert solar.clear_sky_irradiation(50, *june) > 4 * solar.clear_sky_irradiation(50, *december)
    assert solar.clear_sky_irradiation(-33, *december) > solar.clear_sky_irradiation(-33, *june)


@pytest.mark.parametrize(("latitude", "longitude"), [(51.5, -0.1), (19.1, 72.9), (-33.9, 151.2), (0.3, 32.6)])
def test_matches_pvlib_haurwitz_daily_totals(latitude, longitude):
    pvlib = pytest.importorskip("pvlib", reason="pvlib not installed: the cross-check runs where it is")
    import pandas as pd

    times = pd.date_range("2024-01-01", "2025-01-01", freq="1min", tz="UTC", inclusive="left")
    position = pvlib.solarposition.get_solarposition(times, latitude, longitude)
    ghi = pvlib.clearsky.haurwitz(position["apparent_zenith"])["ghi"]
    theirs = float(ghi.sum()) / 60 / 1000
    ours = solar.clear_sky_irradiation(latitude, date(2024, 1, 1), date(2024, 12, 31))

    assert ours == pytest.approx(theirs, rel=0.01)
