"""Certificates print names in any script: read back as text, as glyphs and as pixels."""

import io
import unicodedata

import pypdfium2 as pdfium
import pytest
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from certificates import pdf
from certificates.facts import BENEFICIARY_MAX_LENGTH, REASON_MAX_LENGTH
from tests.certificates.factories import CertificateFactsFactory
from tests.core.pdfcheck import (
    NAMES,
    RENDER_SCALE,
    different_pixels,
    drawn_glyphs,
    fonts_lacking,
    ink,
    pypdf_text,
    reader,
    render,
    save_sample,
)


def facts_named(name: str):
    return CertificateFactsFactory.build(
        beneficiary=name, reason=f"{name} 2025", retired_by=name, project_title=f"{name} 120 kWp"
    )


def beneficiary_area(data: bytes, image: Image.Image) -> Image.Image:
    """The page image where the beneficiary's name is: the line under "retired on behalf of"."""
    page = pdfium.PdfDocument(data)[0]
    text_page = page.get_textpage()
    searcher = text_page.search("retired on behalf of")
    index, _ = searcher.get_next()
    _, label_bottom, _, _ = text_page.get_charbox(index)
    top = label_bottom - 2
    bottom = top - 28  # one line of the 18 pt name, with its ascenders and descenders
    height = page.get_height()
    box = (pdf.MARGIN, height - top, pdf.PAGE_WIDTH - pdf.MARGIN, height - bottom)
    left, upper, right, lower = (value * RENDER_SCALE for value in box)
    return image.crop((left, upper, right, lower))


@pytest.mark.parametrize("key", NAMES)
def test_certificate_names_extract_as_typed(key):
    name = NAMES[key]

    data = pdf.certificate_pdf_render(facts_named(name))

    # NFKC on both sides: pypdf returns the lam-alef ligature as its presentation form.
    text = unicodedata.normalize("NFKC", pypdf_text(data))
    assert len(reader(data).pages) == 1
    assert text.count(unicodedata.normalize("NFKC", name)) >= 4, "beneficiary, reason, retired by, project"
    metadata = reader(data).metadata
    assert metadata is not None and str(metadata.subject).endswith(f"on behalf of {name}")


@pytest.mark.parametrize("key", NAMES)
def test_certificate_draws_no_box_for_any_name(key):
    glyphs = drawn_glyphs(pdf.certificate_pdf_render(facts_named(NAMES[key])))

    assert glyphs, "the names are drawn with embedded fonts"
    assert [glyph for _, glyph in glyphs if glyph == 0] == [], "no .notdef glyph"


@pytest.mark.parametrize("key", NAMES)
def test_certificate_page_shows_the_beneficiary_not_boxes(key, tmp_path, monkeypatch):
    facts = facts_named(NAMES[key])

    data = pdf.certificate_pdf_render(facts)
    image = render(data)
    monkeypatch.setattr("core.pdf.text.FONTS", fonts_lacking(tmp_path, key))
    boxed = pdf.certificate_pdf_render(facts)
    save_sample(image, f"certificate-{key}")

    name, boxes = beneficiary_area(data, image), beneficiary_area(boxed, render(boxed))
    assert boxed != data
    assert ink(name) > 1500, "the beneficiary's name is printed"
    assert different_pixels(name, boxes) > ink(name) // 2, "in its letters, not in the boxes of a font lacking them"


def test_a_certificate_in_several_scripts_renders_to_the_same_bytes_each_time():
    facts = CertificateFactsFactory.build(
        beneficiary=NAMES["mixed"], reason=NAMES["arabic"], retired_by=NAMES["thai"], project_title=NAMES["korean"]
    )

    assert pdf.certificate_pdf_render(facts) == pdf.certificate_pdf_render(facts)


def test_a_latin_only_certificate_embeds_no_font():
    data = pdf.certificate_pdf_render(CertificateFactsFactory.build())

    assert drawn_glyphs(data) == []
    assert b"/FontFile2" not in data


@pytest.mark.parametrize("key", NAMES)
def test_longest_accepted_names_in_any_script_fit_above_the_verification_block(key):
    words = f"{NAMES[key]} " * 40
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
