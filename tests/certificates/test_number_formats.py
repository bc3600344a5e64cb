"""The certificate PDF and its public page print every number the same way."""

import datetime

from django.template.loader import render_to_string

from certificates import pdf
from certificates.checks import Check, Verification
from certificates.facts import CheckpointFacts, display_datetime, display_tonnes
from tests.certificates.factories import CertificateFactsFactory
from tests.core.pdfcheck import pypdf_text

PASSED = Verification((Check("entry_hash", True, "The hash recomputes."),))


def big_facts():
    # Five-digit-and-more numbers everywhere, and a day of the month below 10.
    return CertificateFactsFactory.build(
        quantity_kg=1_234_567,
        serial_start=9_876_543,
        entry_seq=123_456,
        retired_at=datetime.datetime(2026, 3, 4, 9, 5, 1, tzinfo=datetime.UTC),
        checkpoint=CheckpointFacts(size=234_567, root="9c" * 32),
    )


def page_html(facts) -> str:
    return render_to_string(
        "certificates/public.html",
        {"facts": facts, "verification": PASSED, "not_recorded": "not recorded", "pdf_url": "/x/pdf/"},
    )


def test_display_formats():
    assert display_tonnes(1_234_567) == "1,234.567"
    assert display_tonnes(5) == "0.005"
    assert display_datetime(datetime.datetime(2026, 3, 4, 9, 5, tzinfo=datetime.UTC)) == "4 March 2026, 09:05 UTC"


def test_pdf_and_page_print_the_same_numbers():
    facts = big_facts()
    printed = [
        "1,234.567 tCO2e",
        "1,234,567 kg CO2e",
        "9,876,543 to 11,111,109",
        "#123,456",
        "ledger entries 1 to 234,567",
        "4 March 2026, 09:05 UTC",
    ]

    text = " ".join(pypdf_text(pdf.certificate_pdf_render(facts)).split())
    html = " ".join(page_html(facts).split())

    for expected in printed:
        assert expected in text, f"PDF lacks {expected!r}"
        assert expected in html, f"page lacks {expected!r}"
    # What the two used to print differently.
    for old in ["1234.567 tCO2e", "1234567 kg", "9876543 to", "#123456", "1 to 234567", "04 March"]:
        assert old not in text
        assert old not in html
