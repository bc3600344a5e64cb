"""How document and meter numbers are compared (core.references) and organisation names (accounts.names)."""

import pytest

from accounts.names import name_key, registration_key
from core.references import compact_key, reference_key


@pytest.mark.parametrize("spelling", ["INV-01", "INV-001", "inv 1", "INV001", " Inv_0001 ", "inv-1"])
def test_padding_case_and_separators_do_not_make_a_new_reference(spelling):
    assert reference_key(spelling) == "inv1"


@pytest.mark.parametrize(
    ("one", "other"),
    [("2024-01-11", "2024-11-01"), ("INV-10", "INV-1"), ("A1B2", "A12B"), ("MTR-2024-01", "MTR-2024-10")],
)
def test_distinct_numbers_stay_distinct(one, other):
    assert reference_key(one) != reference_key(other)


def test_the_compact_key_keeps_zeros_and_drops_separators():
    assert compact_key("INV-2024-01") == compact_key("inv 202401") == "inv202401"
    assert compact_key("INV-01") != compact_key("INV-001")
    assert reference_key("___") == compact_key("___") == ""


@pytest.mark.parametrize(
    "name",
    ["Sunrise Textiles Pvt. Ltd.", "SUNRISE-TEXTILES PRIVATE LIMITED", "sunrise textiles", "The Sunrise Textiles Co."],
)
def test_namesakes_compare_equal_without_case_punctuation_or_legal_form(name):
    assert name_key(name) == name_key("Sunrise Textiles Pvt Ltd") == "sunrisetextiles"


def test_a_different_name_or_a_bare_legal_form_is_not_emptied():
    assert name_key("Sunrise Dyeing Pvt Ltd") != name_key("Sunrise Textiles Pvt Ltd")
    assert name_key("Ltd") == "ltd"
    assert name_key("Müller & Söhne GmbH") == "mullerandsohne"


def test_registration_numbers_compare_on_letters_and_digits_with_leading_zeros():
    assert registration_key("hrb 12 345") == registration_key("HRB12345") == "HRB12345"
    assert registration_key("01234567") != registration_key("1234567")
