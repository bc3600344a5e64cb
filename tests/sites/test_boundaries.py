"""sites.boundaries: the offline country lookup behind ``coordinates_outside_country``. No database needed.

Distances quoted in comments were measured on the shipped data (1:10m, so a few km off the real border).
"""

import math
import subprocess
import sys
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from django_countries.data import ALT_CODES

from sites import boundaries
from sites.boundaries import DEFAULT_TOLERANCE_KM, country_at, known_countries, within_country

# (place, latitude, longitude, ISO 3166-1 alpha-2 of the area it is in)
INLAND = [
    ("Mumbai", 19.0760, 72.8777, "IN"),
    ("Pune", 18.5204, 73.8567, "IN"),
    ("Nairobi", -1.2921, 36.8219, "KE"),
    ("Berlin", 52.5200, 13.4050, "DE"),
    ("Łódź", 51.7592, 19.4560, "PL"),
    ("Manchester", 53.4808, -2.2426, "GB"),
    ("Seattle", 47.6062, -122.3321, "US"),
    ("São Paulo", -23.5505, -46.6333, "BR"),
    ("Lagos", 6.5244, 3.3792, "NG"),
    ("Singapore", 1.3521, 103.8198, "SG"),
    ("Monaco", 43.7384, 7.4246, "MC"),
    ("Maseru", -29.3151, 27.4869, "LS"),
    ("Baarle-Nassau", 51.4407, 4.9275, "NL"),
    ("Geneva", 46.2044, 6.1432, "CH"),
    ("Suva", -18.1248, 178.4501, "FJ"),
    ("Anchorage", 61.2181, -149.9003, "US"),
    ("Honolulu", 21.3069, -157.8583, "US"),
    ("Reykjavík", 64.1466, -21.9426, "IS"),
    ("Auckland", -36.8485, 174.7633, "NZ"),
    ("Santiago", -33.4489, -70.6693, "CL"),
    ("Cape Town", -33.9249, 18.4241, "ZA"),
    ("Valletta", 35.8989, 14.5146, "MT"),
    ("Manama", 26.2285, 50.5860, "BH"),
    ("Vaduz", 47.1410, 9.5209, "LI"),
    ("San Marino", 43.9356, 12.4473, "SM"),  # a hole in Italy
    ("Andorra la Vella", 42.5063, 1.5218, "AD"),
    ("Luxembourg", 49.6116, 6.1319, "LU"),
    ("Windhoek", -22.5609, 17.0658, "NA"),
    ("Bloemfontein", -29.0852, 26.1596, "ZA"),
    ("Thaba-Tseka", -29.5220, 28.6080, "LS"),  # the middle of Lesotho, the hole in South Africa
    ("San Juan", 18.4655, -66.1057, "PR"),
    ("Hong Kong", 22.3000, 114.1700, "HK"),
    ("Taipei", 25.0330, 121.5654, "TW"),
    ("Mariehamn", 60.0969, 19.9348, "AX"),
    ("Cayenne", 4.9300, -52.3000, "GF"),
    ("Saint-Denis, Réunion", -20.8800, 55.4500, "RE"),
    ("Kralendijk", 12.1500, -68.2700, "BQ"),
    ("Pristina", 42.6629, 21.1655, "XK"),
    ("Laayoune", 27.1500, -13.2000, "EH"),
    ("Simferopol", 44.9500, 34.1000, "UA"),
    ("Anadyr district", 64.8000, 177.0000, "RU"),  # Chukotka west of the antimeridian
    ("Lorino, Chukotka", 65.5000, -171.7000, "RU"),  # east of it
    ("Taveuni, west of 180°", -16.9000, 179.9700, "FJ"),
    ("Taveuni, east of 180°", -16.9000, -179.9700, "FJ"),
    ("Amundsen-Scott station", -90.0, 0.0, "AQ"),
    ("the polar plateau", -85.5, 40.0, "AQ"),  # south of the southernmost vertex of the data
]

# Real places that the generalised coastline leaves just offshore: only the tolerance finds them.
# (place, latitude, longitude, declared code, what country_at says)
COASTAL = [
    ("Brighton seafront rooftop", 50.8185, -0.1372, "GB", None),  # 0.1 km off the 1:10m coast
    ("Tromsø", 69.6492, 18.9553, "NO", None),  # on Tromsøya, 1.7 km off
    ("Longyearbyen", 78.2232, 15.6267, "SJ", None),
    ("Anadyr", 64.7337, 177.5089, "RU", None),
    ("Flying Fish Cove, Christmas Island", -10.4217, 105.6791, "CX", None),
    ("Fakaofo, Tokelau", -9.3800, -171.2200, "TK", None),
    ("St Peter's, Vatican City", 41.9022, 12.4539, "VA", "IT"),  # quantised to a line: no area at all
]

AT_SEA = [
    ("mid-Atlantic", 30.0, -40.0),
    ("central Pacific", 0.0, -140.0),
    ("Indian Ocean", -30.0, 80.0),
    ("North Sea", 56.0, 3.0),
    ("Mediterranean", 35.0, 18.0),
    ("Tasman Sea", -38.0, 160.0),
    ("North Pole", 90.0, 0.0),
    ("Bering Sea on the antimeridian", 58.0, 180.0),
]


@pytest.mark.parametrize(("place", "latitude", "longitude", "code"), INLAND, ids=[p[0] for p in INLAND])
def test_country_at_known_places(place, latitude, longitude, code):
    assert country_at(latitude, longitude) == code
    assert within_country(latitude, longitude, code, tolerance_km=0)


@pytest.mark.parametrize(("place", "latitude", "longitude", "code", "at"), COASTAL, ids=[p[0] for p in COASTAL])
def test_within_country_accepts_real_sites_the_generalised_coast_leaves_offshore(place, latitude, longitude, code, at):
    assert country_at(latitude, longitude) == at
    assert not within_country(latitude, longitude, code, tolerance_km=0)
    assert within_country(latitude, longitude, code)


@pytest.mark.parametrize(("place", "latitude", "longitude"), AT_SEA, ids=[p[0] for p in AT_SEA])
def test_country_at_sea_is_none(place, latitude, longitude):
    assert country_at(latitude, longitude) is None


@pytest.mark.parametrize(
    ("place", "latitude", "longitude", "declared"),
    [
        ("Paris", 48.8566, 2.3522, "DE"),
        ("Mumbai", 19.0760, 72.8777, "PK"),
        ("Windhoek", -22.5609, 17.0658, "ZA"),
        ("Thaba-Tseka", -29.5220, 28.6080, "ZA"),  # inside South Africa's outline, but in its hole: 55 km
        ("Freiburg", 47.9990, 7.8420, "FR"),  # 17 km from the Rhine border
        ("Berlin with latitude and longitude swapped", 13.4050, 52.5200, "DE"),
        ("Mumbai with the minus sign of the Americas", 19.0760, -72.8777, "IN"),
        ("Valletta", 35.8989, 14.5146, "IT"),
        ("San Juan", 18.4655, -66.1057, "US"),  # a dependency with its own code and polygon: PR only
        ("Pristina", 42.6629, 21.1655, "AL"),
        ("Tarfaya", 27.9400, -12.9200, "EH"),  # Morocco proper, 30 km north of 27°40'N
    ],
)
def test_within_country_refuses_the_wrong_country(place, latitude, longitude, declared):
    assert not within_country(latitude, longitude, declared)


def test_lesotho_is_a_hole_in_south_africa():
    maseru, thaba_tseka = (-29.3151, 27.4869), (-29.5220, 28.6080)
    assert country_at(*maseru) == "LS"
    assert not within_country(*maseru, "ZA", tolerance_km=0)
    # Maseru lies on the Caledon, the border itself (3.6 km on this data): the tolerance lets ZA through.
    assert within_country(*maseru, "ZA")
    assert not within_country(*thaba_tseka, "ZA")


def test_border_towns_pass_for_both_neighbours_within_the_tolerance():
    baarle, geneva, kehl = (51.4407, 4.9275), (46.2044, 6.1432), (48.5706, 7.8155)
    assert within_country(*baarle, "NL") and within_country(*baarle, "BE")  # BE 3.6 km away on this data
    assert not within_country(*baarle, "BE", tolerance_km=0)
    assert not within_country(*baarle, "DE")
    assert country_at(*geneva) == "CH"
    assert within_country(*geneva, "FR")  # 3.7 km
    assert not within_country(*geneva, "FR", tolerance_km=3)
    assert not within_country(*geneva, "FR", tolerance_km=0)
    assert within_country(*kehl, "FR", tolerance_km=2)  # across the Rhine from Strasbourg


def test_tolerance_is_a_distance_in_km():
    freiburg = (47.9990, 7.8420)  # 16.6 km from France on this data
    assert not within_country(*freiburg, "FR", tolerance_km=16)
    assert within_country(*freiburg, "FR", tolerance_km=17)
    assert within_country(*freiburg, "FR", tolerance_km=Decimal("17.0"))
    assert DEFAULT_TOLERANCE_KM == 10.0
    nice = (43.7102, 7.2620)  # the price of the default: 8.6 km from Monaco
    assert within_country(*nice, "MC")
    assert not within_country(*nice, "MC", tolerance_km=5)


def test_tolerance_reaches_across_the_antimeridian():
    # At sea just east of 180°; the nearest US land is an Aleutian island at 179.7°E, 15.5 km away.
    point = (52.0, -179.999)
    assert country_at(*point) is None
    assert within_country(*point, "US", tolerance_km=20)
    assert not within_country(*point, "US", tolerance_km=10)
    mirrored = (52.0, 179.999)
    assert within_country(*mirrored, "US", tolerance_km=20)
    assert not within_country(*mirrored, "US", tolerance_km=10)


def test_longitude_180_is_the_same_meridian_as_minus_180():
    for latitude in (-16.8, 65.5, 58.0, -89.0):
        assert country_at(latitude, 180) == country_at(latitude, -180)
    assert country_at(-89.0, 180.0) == "AQ"


def test_integral_parts_also_pass_for_their_state():
    reunion, longyearbyen_inland, kralendijk = (-20.88, 55.45), (78.5, 16.5), (12.15, -68.27)
    assert within_country(*reunion, "RE", tolerance_km=0) and within_country(*reunion, "FR", tolerance_km=0)
    assert not within_country(48.8566, 2.3522, "RE")
    assert country_at(*longyearbyen_inland) == "SJ"
    assert within_country(*longyearbyen_inland, "NO", tolerance_km=0)
    assert within_country(*kralendijk, "NL", tolerance_km=0)
    assert within_country(60.0969, 19.9348, "FI", tolerance_km=0)  # Åland


def test_disputed_areas_accept_either_declaration():
    pristina, laayoune, simferopol = (42.6629, 21.1655), (27.15, -13.2), (44.95, 34.10)
    assert within_country(*pristina, "XK", tolerance_km=0) and within_country(*pristina, "RS", tolerance_km=0)
    assert within_country(*laayoune, "EH", tolerance_km=0) and within_country(*laayoune, "MA", tolerance_km=0)
    assert within_country(*simferopol, "UA", tolerance_km=0) and within_country(*simferopol, "RU", tolerance_km=0)
    assert country_at(34.99, 33.75) == "GB"  # Dhekelia, a UK Sovereign Base Area
    assert within_country(34.99, 33.75, "CY", tolerance_km=0)
    assert country_at(35.19, 33.37) == "CY"  # north Nicosia: Natural Earth's "N. Cyprus"
    assert country_at(9.56, 44.06) == "SO"  # Hargeisa, Somaliland
    spratly = (10.73, 115.82)  # an islet no single state holds
    assert country_at(*spratly) is None
    assert within_country(*spratly, "VN", tolerance_km=0) and within_country(*spratly, "PH", tolerance_km=0)


def test_the_cut_at_27_40_north_is_a_border_for_the_tolerance():
    just_north = (27.72, -12.95)  # Morocco proper, 6 km north of the parallel
    assert country_at(*just_north) == "MA"
    assert within_country(*just_north, "EH")
    assert not within_country(*just_north, "EH", tolerance_km=5)


def test_every_iso_code_has_a_boundary():
    assert set(ALT_CODES) <= known_countries()
    assert "XK" in known_countries()


def test_codes_are_case_insensitive():
    assert within_country(52.52, 13.405, "de")


def test_numbers_of_any_kind_are_accepted():
    assert country_at(Decimal("52.520000"), Decimal("13.405000")) == "DE"
    assert country_at(52, 13) == "DE"


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [
        (math.nan, 0.0),
        (0.0, math.nan),
        (math.inf, 0.0),
        (0.0, -math.inf),
        (90.0001, 0.0),
        (-91, 0.0),
        (0.0, 180.0001),
        (0.0, -181),
        (Decimal("NaN"), 0.0),
        ("52.52", 13.405),
        (None, 13.405),
        (True, 13.405),
    ],
)
def test_invalid_coordinates_are_value_errors(latitude, longitude):
    with pytest.raises(ValueError, match=r"latitude|longitude"):
        country_at(latitude, longitude)
    with pytest.raises(ValueError, match=r"latitude|longitude"):
        within_country(latitude, longitude, "DE")


@pytest.mark.parametrize("country", ["ZZ", "DEU", "", None, 276])
def test_unknown_country_codes_are_value_errors(country):
    with pytest.raises(ValueError, match="no boundary data"):
        within_country(52.52, 13.405, country)


@pytest.mark.parametrize("tolerance", [-1, 100.5, math.nan, math.inf, "10", None])
def test_invalid_tolerances_are_value_errors(tolerance):
    with pytest.raises(ValueError, match="tolerance_km"):
        within_country(52.52, 13.405, "DE", tolerance_km=tolerance)


def test_data_source_names_the_data_set_and_its_licence():
    assert "Natural Earth" in boundaries.data_source()
    assert "public domain" in boundaries.data_source()


def test_importing_the_module_loads_nothing():
    probe = "import sites.boundaries as b; assert b._loaded is None; b.country_at(0, 0); assert b._loaded is not None"
    subprocess.run([sys.executable, "-c", probe], check=True, cwd=Path(__file__).resolve().parents[2])  # noqa: S603


def test_concurrent_first_calls_load_once(monkeypatch):
    monkeypatch.setattr(boundaries, "_loaded", None)
    loads = []
    real_load = boundaries._load

    def counting_load():
        loads.append(1)
        return real_load()

    monkeypatch.setattr(boundaries, "_load", counting_load)
    barrier = threading.Barrier(4)
    answers = []

    def look_up():
        barrier.wait()
        answers.append(country_at(52.52, 13.405))

    threads = [threading.Thread(target=look_up) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(loads) == 1
    assert answers == ["DE"] * 4
