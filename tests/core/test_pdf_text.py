"""core.pdf: text in any script drawn on a PDF page, read back as text, as glyphs and as pixels."""

import io
import logging
import re
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from typing import cast

import pypdfium2 as pdfium
import pytest
from bidi import get_display
from pypdf.generic import ContentStream, DictionaryObject
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import SimpleDocTemplate, Table

from core.pdf import FontSet, TextBlock, draw_string, layout, string_width, wrap
from core.pdf.fonts import FONT_DIR, ShapedFont
from core.pdf.text import _embedding_levels, _visual_order
from tests.core.pdfcheck import (
    NAMES,
    different_pixels,
    drawn_glyphs,
    fonts_lacking,
    ink,
    pdfium_text,
    pypdf_text,
    reader,
    render,
    save_sample,
    strings_shown,
)

SIZE = 24
BASELINE = 22


def one_line(text: str, *, size: float = SIZE, bold: bool = False, fonts: FontSet | None = None) -> bytes:
    """A page 520 by 60 pt with ``text`` on it, starting at x = 10."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(520, 60), invariant=1)
    draw_string(canvas, 10, BASELINE, text, size, bold, fonts=fonts)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def unshaped(text: str, font_file: str) -> bytes:
    """``text`` drawn by plain reportlab with the same font and no shaping: each character's own
    glyph, left to right in the order typed."""
    name = f"Unshaped-{font_file}"
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / font_file)))
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(520, 60), invariant=1)
    canvas.setFont(name, SIZE)
    canvas.drawString(10, BASELINE, text)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def glyph_ids(text: str) -> list[int]:
    """The glyphs (ids in their font) the first shaped run of ``text`` draws, left to right."""
    run = next(run for run in layout(text).runs if isinstance(pdfmetrics.getFont(run.font), ShapedFont))
    face = pdfmetrics.getFont(run.font).face
    return [face.charToGlyph[ord(code)] for code in run.text]


def nominal_glyph(font_file: str, char: str) -> int:
    font = next(f for f in (pdfmetrics.getFont(r.font) for r in layout(char).runs) if isinstance(f, ShapedFont))
    assert font.face.filename.endswith(font_file)
    return font.hb_font.get_nominal_glyph(ord(char))


def to_unicode_texts(data: bytes) -> list[str]:
    """What each glyph drawn with an embedded font extracts as, in the order drawn (left to right),
    read from the fonts' /ToUnicode maps rather than through any extractor's heuristics."""
    pdf = reader(data)
    page = pdf.pages[0]
    maps = {}
    for name, ref in cast(DictionaryObject, cast(DictionaryObject, page["/Resources"])["/Font"]).items():
        font = ref.get_object()
        if "/ToUnicode" in font and "/FontFile2" in font["/FontDescriptor"].get_object():
            cmap = font["/ToUnicode"].get_object().get_data().decode()
            maps[name] = {
                int(code, 16): bytes.fromhex(text).decode("utf-16-be")
                for code, text in re.findall(r"<([0-9A-F]{2})> <([0-9A-F]*)>", cmap.split("endcodespacerange")[1])
            }
    texts = []
    current = None
    for operands, operator in ContentStream(page.get_contents(), pdf).operations:
        if operator == b"Tf":
            current = maps.get(operands[0])
        elif operator in (b"Tj", b"TJ") and current is not None:
            texts += [current[code] for string in strings_shown(operands, operator) for code in string]
    return texts


# Extraction -------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", NAMES)
def test_names_extract_as_typed(key):
    name = NAMES[key]

    data = one_line(name)

    assert pypdf_text(data).strip() == name, "pypdf (no bidi of its own beyond reversing RTL letters)"
    assert pdfium_text(data) == name, "PDFium, Chrome's engine, which reorders right-to-left text itself"


@pytest.mark.parametrize("key", ["hindi", "thai", "japanese"])
def test_tounicode_maps_each_glyph_to_its_characters_in_order(key):
    # Independent of any extractor: the /ToUnicode texts of the glyphs, in the order they are drawn,
    # spell the name even where glyphs are reordered (ि drawn before its consonant) or split (ำ).
    name = NAMES[key]

    assert "".join(to_unicode_texts(one_line(name))) == name


def test_tounicode_maps_arabic_to_letters_read_right_to_left():
    name = NAMES["arabic"]

    texts = to_unicode_texts(one_line(name))

    # Drawn left to right, so the letters come last one first; each maps to a base letter of the
    # Arabic block (U+0600 to U+06FF), not to a presentation form or a private-use code.
    assert "".join(reversed(texts)) == name
    assert all(text == " " or "\u0600" <= text <= "\u06ff" for text in texts)


def test_ligatures_extract_as_their_letters():
    # The lam-alef ligature is one glyph for two letters: it maps to the font's own presentation
    # form (U+FEFB/U+FEFC), which NFKC turns back into lam + alef; PDFium does that itself.
    name = "سلام لا"

    data = one_line(name)

    assert unicodedata.normalize("NFKC", pypdf_text(data).strip()) == name
    assert pdfium_text(data) == name


def test_arabic_vowel_marks_extract_after_their_letters():
    # A letter and its marks are one cluster of several glyphs, drawn right to left like the rest.
    # (PDFium's own layout analysis scrambles marks drawn with an offset, so pypdf only here.)
    name = "مُحَمَّد"

    assert pypdf_text(one_line(name)).strip() == name


def test_latin_1_text_embeds_no_font():
    data = one_line("Acme Widgets Pvt Ltd — €1,250")

    assert drawn_glyphs(data) == [], "no TrueType font: Helvetica, which every viewer has"
    assert b"/FontFile2" not in data
    assert pypdf_text(data).strip() == "Acme Widgets Pvt Ltd — €1,250"


# Glyphs -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", NAMES)
def test_every_glyph_is_in_the_embedded_font(key, tmp_path, caplog):
    name = NAMES[key]

    drawn = drawn_glyphs(one_line(name))
    with caplog.at_level(logging.WARNING, logger="core.pdf"):
        boxes = drawn_glyphs(one_line(name, fonts=fonts_lacking(tmp_path, key)))

    assert drawn, "drawn with an embedded font"
    assert [glyph for _, glyph in drawn if glyph == 0] == [], "no .notdef glyph (a box) in the name"
    # The check can fail: the same name with a font that lacks the script draws .notdef boxes,
    # and says so in the log.
    assert any(glyph == 0 for _, glyph in boxes)
    assert "No PDF font has" in caplog.text


def test_devanagari_vowel_sign_is_drawn_before_its_consonant_and_conjuncts_join():
    font = "NotoSansDevanagari-Regular.ttf"

    ki = glyph_ids("कि")
    pra = glyph_ids("प्र")

    assert len(ki) == 2 and ki[-1] == nominal_glyph(font, "क"), "ि is typed after क and drawn before it"
    assert ki[0] != nominal_glyph(font, "क")
    assert len(pra) < 3, "प + ् + र is a conjunct, not three glyphs with a visible virama"


def test_arabic_letters_join_and_run_right_to_left():
    font = "NotoSansArabic-Regular.ttf"
    word = "شركة"

    glyphs = glyph_ids(word)
    run = layout(word).runs[0]

    nominal = [nominal_glyph(font, letter) for letter in word]
    assert len(glyphs) == len(word)
    # Drawn left to right, the last letter comes first; and the joined forms are not the letters'
    # isolated glyphs (sheen initial, reh final, kaf initial, teh marbuta final).
    assert [data.cluster for data in run.text.__shapeData__] == [3, 2, 1, 0]  # type: ignore[attr-defined]
    assert sum(g != n for g, n in zip(glyphs, reversed(nominal), strict=True)) >= 3


@pytest.mark.parametrize(
    "text",
    [
        "شركة الطاقة الخضراء",
        "Acme شركة الطاقة Ltd",
        "شركة الطاقة Green Energy ltd",
        "عام 2025 شركة",
        "Reason: تعويض انبعاثات 2025 للمصنع",
        "שלום world עולם",
    ],
)
def test_bidi_levels_give_python_bidi_visual_order(text):
    # The levels come from python-bidi's pure-Python steps; its documented get_display (the Rust
    # unicode-bidi crate) must put every character in the same place.
    levels = _embedding_levels(text)

    visual = "".join(text[index] for index in _visual_order(levels))

    assert visual == get_display(text)


def test_a_line_mixing_scripts_keeps_each_in_its_font_and_order():
    line = layout("Acme شركة Ltd")

    fonts = [run.font for run in line.runs]
    assert fonts[0] == "Helvetica" and fonts[-1] == "Helvetica", "Windows-1252 stretches stay in Helvetica"
    assert "NotoSansArabic" in fonts[1]
    assert pypdf_text(one_line("Acme شركة Ltd")).strip() == "Acme شركة Ltd"


# Pixels -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", NAMES)
def test_the_page_shows_the_name_not_boxes(key, tmp_path):
    name = NAMES[key]

    page = render(one_line(name))
    boxes = render(one_line(name, fonts=fonts_lacking(tmp_path, key)))
    save_sample(page, f"line-{key}")

    assert ink(page) > 1500, "the name is drawn"
    assert different_pixels(page, boxes) > ink(page) // 2, "and it is not the boxes of a font lacking it"


@pytest.mark.parametrize(
    ("key", "font_file"), [("hindi", "NotoSansDevanagari-Regular.ttf"), ("arabic", "NotoSansArabic-Regular.ttf")]
)
def test_complex_scripts_are_shaped_not_set_letter_by_letter(key, font_file):
    name = NAMES[key]

    page = render(one_line(name))
    letter_by_letter = render(unshaped(name, font_file))

    # Same font, same size: unshaped, Devanagari shows its viramas and vowel signs after their
    # consonants, and Arabic isolated letters left to right.
    assert different_pixels(page, letter_by_letter) > ink(page) * 0.3


def test_right_aligned_text_ends_at_x():
    name = NAMES["arabic"]
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(520, 60), invariant=1)

    width = draw_string(canvas, 400, BASELINE, name, SIZE, align="right")
    canvas.showPage()
    canvas.save()

    text_page = pdfium.PdfDocument(buffer.getvalue())[0].get_textpage()
    boxes = [text_page.get_charbox(index) for index in range(text_page.count_chars())]
    assert width == pytest.approx(string_width(name, SIZE))
    assert max(right for _, _, right, _ in boxes) == pytest.approx(400, abs=1.5)
    assert min(left for left, _, _, _ in boxes) == pytest.approx(400 - width, abs=1.5)


# Wrapping ---------------------------------------------------------------------------------------


def test_latin_wraps_at_spaces():
    text = "Maharashtra Renewable Energy Manufacturing and Solar Pvt Ltd"

    lines = wrap(text, 200, 12)

    assert lines == ["Maharashtra Renewable Energy", "Manufacturing and Solar Pvt Ltd"]


@pytest.mark.parametrize(
    "text",
    [
        "グリーン電力株式会社と東京都の再生可能エネルギー発電所。",
        "绿色能源有限公司北京市朝阳区太阳能发电项目",
        "녹색 에너지 주식회사 서울특별시 태양광 발전소",
        "हरितऊर्जाप्राइवेटलिमिटेडमहाराष्ट्रनवीकरणीयऊर्जा",
        "บริษัทพลังงานสีเขียวจำกัดกรุงเทพมหานคร",
        "شركة الطاقة الخضراء للمشاريع المتجددة في المملكة",
    ],
)
def test_any_script_wraps_inside_the_width_without_splitting_a_cluster(text):
    lines = wrap(text, 120, 12)

    assert len(lines) > 1
    assert all(string_width(line, 12) <= 120 for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for line in lines[1:]:
        assert unicodedata.category(line[0]) not in ("Mn", "Mc"), f"{line!r} starts with a mark"
        assert line[0] not in "ー。ะาำ", f"{line!r} starts with what must not begin a line"
    for line in lines[:-1]:
        assert line[-1] not in "\u094d\u0e40\u0e41\u0e42\u0e43\u0e44", f"{line!r} ends inside a cluster"


def test_text_beyond_max_lines_ends_in_an_ellipsis():
    text = "हरित ऊर्जा प्राइवेट लिमिटेड " * 6

    lines = wrap(text, 150, 12, max_lines=2)

    assert len(lines) == 2
    assert lines[-1].endswith("…")
    assert all(string_width(line, 12) <= 150 for line in lines)


# Bytes, threads, missing fonts ------------------------------------------------------------------


def test_same_text_gives_the_same_bytes_whatever_was_drawn_before():
    # reportlab's own shaping numbers unmapped glyphs in the order a process first meets them and
    # writes those numbers into the PDF; here a fresh font set that drew other text first must give
    # the very same bytes.
    names = list(NAMES.values())

    def page(fonts: FontSet | None) -> bytes:
        buffer = io.BytesIO()
        canvas = Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1)
        for index, name in enumerate(names):
            draw_string(canvas, 50, 800 - 30 * index, name, 14, bold=index % 2 == 1, fonts=fonts)
        canvas.showPage()
        canvas.save()
        return buffer.getvalue()

    first = page(None)
    fresh = FontSet(prefix="Fresh")
    one_line("क्ष त्र श्र द्ध · لا إله · 東京都 한국어 · ภาษาไทย", fonts=fresh)

    assert page(fresh) == first
    assert page(None) == first


def test_pages_drawn_in_threads_are_the_same_as_drawn_alone():
    names = list(NAMES.values()) * 4
    alone = [one_line(name) for name in names]

    with ThreadPoolExecutor(max_workers=4) as pool:
        threaded = list(pool.map(one_line, names))

    assert threaded == alone


def test_fonts_are_not_confused_with_other_registrations_of_the_same_face():
    # reportlab's registerFont maps a second font of an already registered face onto the first:
    # a plain TTFont of DejaVu Sans registered elsewhere must not swallow the shaped one.
    pdfmetrics.registerFont(TTFont("PlainDejaVuSans", str(FONT_DIR / "DejaVuSans.ttf")))
    name = "Łódź Москва Ελλάδα"

    data = one_line(name, fonts=FontSet(prefix="AfterPlain"))

    assert pypdf_text(data).strip() == name
    assert [glyph for _, glyph in drawn_glyphs(data) if glyph == 0] == []


def test_a_missing_font_falls_back_with_a_warning_not_an_error(tmp_path, caplog):
    no_fonts = FontSet(tmp_path / "empty", prefix="Empty")

    with caplog.at_level(logging.WARNING, logger="core.pdf"):
        data = one_line(NAMES["hindi"], fonts=no_fonts)

    assert "cannot be read" in caplog.text and "NotoSansDevanagari-Regular.ttf" in caplog.text
    assert "No PDF font has" in caplog.text and "U+0939" in caplog.text
    text = pypdf_text(data)
    assert set(text.strip()) <= {"?", " "}, "question marks in Helvetica: visibly not the name"


# Platypus ---------------------------------------------------------------------------------------


def test_text_blocks_wrap_and_print_in_a_platypus_table():
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, invariant=1)
    rows = [[TextBlock(key), TextBlock(name, 11, bold=True)] for key, name in NAMES.items()]
    rows.append([TextBlock("long"), TextBlock(NAMES["japanese"] * 4, 11)])

    document.build([Table(rows, colWidths=[80, 250])])

    text = pypdf_text(buffer.getvalue())
    for name in NAMES.values():
        assert name in text
    block = rows[-1][1]
    assert len(block.lines) > 1, "the long name wrapped inside its 250 pt column"
    assert "".join(block.lines) == NAMES["japanese"] * 4
