"""The certificate PDF as a pure function of its facts: content, determinism, QR code and layout."""

import io
from typing import cast

from pypdf import PdfReader
from pypdf.generic import ArrayObject, ContentStream
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from certificates import pdf
from certificates.facts import BENEFICIARY_MAX_LENGTH, REASON_MAX_LENGTH, format_tonnes
from core.pdf import string_width, wrap
from tests.certificates.factories import CertificateFactsFactory


def read(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def printed_qr_modules(reader: PdfReader) -> set[tuple[int, int]]:
    """The dark modules (row, column) of the QR code printed under the page's link annotation."""
    annotations = cast(ArrayObject, reader.pages[0]["/Annots"])
    (link,) = [a.get_object() for a in annotations if a.get_object()["/Subtype"] == "/Link"]
    x1, y1, x2, y2 = (float(v) for v in link["/Rect"])
    operations = ContentStream(reader.pages[0].get_contents(), reader).operations
    drawn = [[float(v) for v in operands] for operands, op in operations if op == b"re"]
    rects = [(x, y, w, h) for x, y, w, h in drawn if x1 <= x < x2 and y1 <= y < y2]
    box = min(h for *_, h in rects)
    dark: set[tuple[int, int]] = set()
    for x, y, w, h in rects:
        row, column = round((y2 - y - h) / box), round((x - x1) / box)
        dark.update((row, column + offset) for offset in range(round(w / box)))
    return dark


def encoded_modules(url: str) -> set[tuple[int, int]]:
    """The dark modules of a QR code for ``url`` as reportlab's encoder makes it (level M), placed
    inside a quiet zone of ``pdf.QR_BORDER`` modules."""
    widget = QrCodeWidget(url, barLevel="M")
    widget.qr.make()
    border = pdf.QR_BORDER
    return {
        (row + border, column + border)
        for row, modules in enumerate(widget.qr.modules)
        for column, module in enumerate(modules)
        if module
    }


def test_tonnes_are_exact_with_three_places():
    assert format_tonnes(1250) == "1.250"
    assert format_tonnes(1) == "0.001"
    assert format_tonnes(123_456_789) == "123456.789"


def test_pdf_states_the_certificate_facts():
    facts = CertificateFactsFactory.build(methodology=None)

    data = pdf.certificate_pdf_render(facts)

    assert data.startswith(b"%PDF-")
    reader = read(data)
    assert len(reader.pages) == 1
    assert [round(float(v)) for v in reader.pages[0].mediabox[2:]] == [595, 842], "A4"
    text = reader.pages[0].extract_text()
    assert facts.checkpoint is not None
    for expected in [
        facts.serial,
        facts.beneficiary,
        facts.entry_hash,
        facts.checkpoint.root,
        "1.250 tCO2e",
        "1,250 kg CO2e",
        "1,001 to 2,250",
        facts.project_title,
        "Rooftop / grid solar",
        "India (IN)",
        "2025",
        "screening-2026.1",
        "14 March 2026, 09:26 UTC",
        "#1,234",
        facts.public_url,
        "How to verify",
    ]:
        assert expected in text, expected
    assert "Methodology\nnot recorded" in text, "an unknown methodology is said to be unknown, not invented"


def test_pdf_metadata_names_the_certificate():
    facts = CertificateFactsFactory.build()

    metadata = read(pdf.certificate_pdf_render(facts)).metadata

    assert metadata is not None
    assert metadata.title == f"Retirement certificate {facts.serial}"
    assert metadata["/CreationDate"] == "D:20260314092653+00'00'", "created at the retirement time"
    assert metadata["/ModDate"] == metadata["/CreationDate"]


def test_two_renders_of_one_certificate_are_byte_identical():
    facts = CertificateFactsFactory.build()

    assert pdf.certificate_pdf_render(facts) == pdf.certificate_pdf_render(facts)


def test_renders_of_different_certificates_differ():
    first = CertificateFactsFactory.build(public_id="a" * 22)
    second = CertificateFactsFactory.build(public_id="b" * 22)

    assert pdf.certificate_pdf_render(first) != pdf.certificate_pdf_render(second)


def test_qr_code_links_to_the_public_page():
    facts = CertificateFactsFactory.build()

    reader = read(pdf.certificate_pdf_render(facts))

    annotations = [annotation.get_object() for annotation in cast(ArrayObject, reader.pages[0]["/Annots"])]
    links = [a for a in annotations if a["/Subtype"] == "/Link" and a["/A"]["/S"] == "/URI"]
    assert [link["/A"]["/URI"] for link in links] == [facts.public_url]
    x1, y1, x2, y2 = (float(v) for v in links[0]["/Rect"])
    assert round(x2 - x1) == round(y2 - y1) == pdf.QR_SIZE, "the link covers the printed code"


def test_qr_code_encodes_the_public_url():
    # No QR decoder is installed here, so read the printed modules back off the page and compare
    # them with what the encoder makes of the expected URL (and, as a control, of another URL).
    facts = CertificateFactsFactory.build()
    printed = printed_qr_modules(read(pdf.certificate_pdf_render(facts)))

    assert pdf.public_qr_widget(facts.public_url).value == facts.public_url
    assert printed == encoded_modules(facts.public_url)
    assert printed != encoded_modules(f"{facts.public_url}x")


def test_names_outside_latin_1_are_printed_not_boxed():
    facts = CertificateFactsFactory.build(beneficiary="Łódź Recykling Sp. z o.o.", reason="Компенсация выбросов 2025")

    text = read(pdf.certificate_pdf_render(facts)).pages[0].extract_text()

    assert "Łódź Recykling Sp. z o.o." in text
    assert "Компенсация выбросов 2025" in text
    assert "■" not in text


def test_longest_accepted_values_fit_above_the_verification_block():
    words = "Maharashtra Renewable WORKS Energy Manufacturing and Solar Pvt Ltd of " * 10
    facts = CertificateFactsFactory.build(
        beneficiary=words[:BENEFICIARY_MAX_LENGTH].strip(),
        reason=words[:REASON_MAX_LENGTH].strip(),
        project_title=words[:200].strip(),
        retired_by=words[:200].strip(),
    )
    page = pdf._Page(Canvas(io.BytesIO(), pagesize=A4))

    pdf._header(page, facts)
    pdf._statement(page, facts)
    pdf._details(page, facts)

    assert page.y > pdf.FOOT_TOP, f"the details end at {page.y}, into the QR block at {pdf.FOOT_TOP}"


def test_long_unbroken_names_wrap_inside_the_page():
    facts = CertificateFactsFactory.build(beneficiary="W" * BENEFICIARY_MAX_LENGTH)

    lines = wrap(facts.beneficiary, 400, 14, font=pdf.SANS_BOLD, max_lines=10)

    assert "".join(lines) == facts.beneficiary
    assert all(string_width(line, 14, font=pdf.SANS_BOLD) <= 400 for line in lines)
    assert pdf.certificate_pdf_render(facts).startswith(b"%PDF-")
