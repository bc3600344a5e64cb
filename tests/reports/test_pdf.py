"""The statement PDF as a pure function of the statement: names in any script read back as text and
show as letters on the rendered page, charts that read in greyscale, the same bytes every time."""

import io
import unicodedata

import pypdfium2 as pdfium
import pytest
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from reports.pdf import ghg_pdf_render
from reports.pdf.style import NON_RENEWABLE_FILL, RENEWABLE_FILL, SCOPE_FILLS, luminance
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
from tests.reports.factories import retirement, statement

VERIFY_URL = "https://carboncred.example/reports/verify/"


def render_pdf(result) -> bytes:
    return ghg_pdf_render(result, verify_url=VERIFY_URL)


def name_area(data: bytes, image: Image.Image) -> Image.Image:
    """The page image where the organisation's name is: the line above "United Kingdom (GB)"."""
    page = pdfium.PdfDocument(data)[0]
    text_page = page.get_textpage()
    index, _ = text_page.search("United Kingdom (GB)").get_next()
    _, _, _, line_top = text_page.get_charbox(index)
    bottom, top = line_top + 2, line_top + 30  # one line of the 18 pt name
    height = page.get_height()
    left, upper, right, lower = (value * RENDER_SCALE for value in (50, height - top, 545, height - bottom))
    return image.crop((left, upper, right, lower))


@pytest.mark.parametrize("key", ["hindi", "japanese", "arabic", "thai", "chinese", "korean", "mixed"])
def test_organisation_names_extract_as_typed(key):
    name = NAMES[key]

    data = render_pdf(statement(name=name, retirements=[retirement(beneficiary=name)]))

    # NFKC on both sides: pypdf returns the lam-alef ligature as its presentation form.
    text = unicodedata.normalize("NFKC", pypdf_text(data))
    pages = len(reader(data).pages)
    assert text.count(unicodedata.normalize("NFKC", name)) >= pages + 2, "the title, every page's header, beneficiary"
    metadata = reader(data).metadata
    assert metadata is not None and str(metadata.title).endswith(name)


@pytest.mark.parametrize("key", ["hindi", "japanese", "arabic", "thai"])
def test_names_show_as_letters_on_the_rendered_page_not_boxes(key, tmp_path, monkeypatch):
    result = statement(name=NAMES[key])

    data = render_pdf(result)
    image = render(data)
    assert [glyph for _, glyph in drawn_glyphs(data) if glyph == 0] == [], "no .notdef glyph on the first page"
    monkeypatch.setattr("core.pdf.text.FONTS", fonts_lacking(tmp_path, key))
    boxed = render_pdf(result)
    save_sample(image, f"ghg-statement-{key}")

    name, boxes = name_area(data, image), name_area(boxed, render(boxed))
    assert ink(name) > 1500, "the name is printed"
    assert different_pixels(name, boxes) > ink(name) // 2, "in its letters, not in the boxes of a font lacking them"


def test_every_page_renders():
    data = render_pdf(statement(retirements=[retirement()]))

    document = pdfium.PdfDocument(data)
    assert len(document) >= 3
    for index in range(len(document)):
        assert ink(render(data, index)) > 5000, f"page {index + 1} has content"


def test_the_same_statement_gives_the_same_bytes():
    assert render_pdf(statement()) == render_pdf(statement())
    assert render_pdf(statement()) != render_pdf(statement(name="Another Bakery Ltd"))


def test_the_figures_and_the_chart_numbers_are_printed():
    result = statement(retirements=[retirement(1_500)])

    text = " ".join(pypdf_text(render_pdf(result)).split())

    for expected in [
        f"{result.scope1_kg:,} kg",
        f"{result.scope2_kg:,} kg",
        f"{result.scope3_kg:,} kg",
        f"{result.total_kg:,} kg CO2e",
        f"{result.energy.total_kwh:,} kWh",
        "1,500 kg CO2e",
        f"{result.monthly[0].total_kg:,}",  # a monthly bar's label
        "Scope 2 (electricity, location-based)",
        "Grid electricity (purchased)",
        "Open Government Licence v3.0",
        "9.906 kWh per litre",
        result.fingerprint,
        VERIFY_URL,
    ]:
        assert expected in text, expected


def test_an_empty_statement_says_so_on_the_first_page():
    data = render_pdf(statement(reports=[]))

    first_page = reader(data).pages[0].extract_text()
    assert "No emissions report covers 2025" in " ".join(first_page.split())


def test_chart_fills_stay_apart_in_greyscale():
    fills = [SCOPE_FILLS[1], SCOPE_FILLS[2], SCOPE_FILLS[3]]
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(200, 60))
    for index, fill in enumerate(fills):
        fill.draw(canvas, 10 + 60 * index, 10, 40, 40)
    canvas.save()

    image = pdfium.PdfDocument(buffer.getvalue())[0].render(scale=2, grayscale=True).to_pil().convert("L")
    greys = []
    for index in range(len(fills)):
        box = image.crop((2 * (14 + 60 * index), 2 * 14, 2 * (46 + 60 * index), 2 * 46))
        histogram = box.histogram()
        greys.append(sum(level * count for level, count in enumerate(histogram)) / sum(histogram))

    assert greys[0] < greys[1] < greys[2]
    assert min(greys[1] - greys[0], greys[2] - greys[1]) > 40, greys
    assert luminance(RENEWABLE_FILL.colour) - luminance(NON_RENEWABLE_FILL.colour) > 80
    assert RENEWABLE_FILL.hatch and not NON_RENEWABLE_FILL.hatch
