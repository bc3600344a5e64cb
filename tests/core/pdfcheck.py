"""Reading a generated PDF back: its text (pypdf and PDFium), the glyphs it draws, its pages as images."""

import io
import os
import shutil
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pypdfium2 as pdfium
from PIL import Image, ImageChops
from pypdf import PdfReader
from pypdf.generic import ContentStream, DictionaryObject

from core.pdf import FontSet
from core.pdf.fonts import FONT_DIR

# One name per script the PDFs must print. Korean has spaces between words; Thai has a vowel
# (ำ) that HarfBuzz draws as two glyphs, Hindi conjuncts, a reph and a vowel sign drawn first.
NAMES = {
    "hindi": "हरित ऊर्जा प्राइवेट लिमिटेड",
    "japanese": "グリーン電力株式会社",
    "chinese": "绿色能源有限公司",
    "korean": "녹색 에너지 주식회사",
    "arabic": "شركة الطاقة الخضراء",
    "thai": "บริษัท พลังงานสีเขียว จำกัด",
    "mixed": "Tata Power हरित ऊर्जा 東京 Ltd",
}
RENDER_SCALE = 2  # pixels per point


def reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def pypdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in reader(data).pages)


def pdfium_text(data: bytes) -> str:
    """The page text as PDFium (Chrome's PDF engine) extracts it: it reorders right-to-left text."""
    page = pdfium.PdfDocument(data)[0]
    return page.get_textpage().get_text_range()


def _subset_cmap(font_file: bytes) -> list[int]:
    """Glyph ids by code of a TrueType subset reportlab embedded (its cmap is one format 6 table)."""
    (tables,) = struct.unpack(">H", font_file[4:6])
    for index in range(tables):
        tag, _, offset, _ = struct.unpack(">4sLLL", font_file[12 + 16 * index : 28 + 16 * index])
        if tag == b"cmap":
            (subtable,) = struct.unpack(">L", font_file[offset + 8 : offset + 12])
            start = offset + subtable
            fmt, _, _, first, count = struct.unpack(">5H", font_file[start : start + 10])
            assert fmt == 6 and first == 0, "reportlab writes one format 6 cmap from code 0"
            return list(struct.unpack(f">{count}H", font_file[start + 10 : start + 10 + 2 * count]))
    raise AssertionError("no cmap in the embedded font")


def strings_shown(operands: list[Any], operator: bytes) -> Iterator[bytes]:
    items = operands[0] if operator == b"TJ" else operands[-1:]
    for item in items:
        if isinstance(item, bytes):
            yield bytes(item)
        elif isinstance(item, str):
            yield item.get_original_bytes() if hasattr(item, "get_original_bytes") else item.encode("latin-1")


def drawn_glyphs(data: bytes) -> list[tuple[str, int]]:
    """(font name, glyph id in the original font's subset) of every glyph drawn on the first page
    with an embedded TrueType font; glyph 0 is .notdef, the box a font draws for what it lacks."""
    pdf = reader(data)
    page = pdf.pages[0]
    fonts = {}
    resources = cast(DictionaryObject, page["/Resources"])
    for name, ref in cast(DictionaryObject, resources["/Font"]).items():
        font = ref.get_object()
        descriptor = font.get("/FontDescriptor")
        if descriptor is not None and "/FontFile2" in descriptor.get_object():
            file = descriptor.get_object()["/FontFile2"].get_object().get_data()
            fonts[name] = (str(font["/BaseFont"]), _subset_cmap(file))
    glyphs = []
    current = None
    for operands, operator in ContentStream(page.get_contents(), pdf).operations:
        if operator == b"Tf":
            current = fonts.get(operands[0])
        elif operator in (b"Tj", b"TJ", b"'", b'"') and current is not None:
            name, cmap = current
            glyphs += [(name, cmap[code]) for string in strings_shown(operands, operator) for code in string]
    return glyphs


def render(data: bytes, page: int = 0) -> Image.Image:
    """The page as a greyscale image, RENDER_SCALE pixels per point."""
    bitmap = pdfium.PdfDocument(data)[page].render(scale=RENDER_SCALE, grayscale=True)
    return bitmap.to_pil().convert("L")


def _dark(image: Image.Image) -> Image.Image:
    return image.point(lambda value: 255 if value < 128 else 0)


def ink(image: Image.Image) -> int:
    """Dark pixels."""
    return _dark(image).histogram()[255]


def different_pixels(first: Image.Image, second: Image.Image) -> int:
    """Pixels dark in one image and not in the other."""
    return ImageChops.difference(_dark(first), _dark(second)).histogram()[255]


def fonts_lacking(directory: Path, key: str) -> FontSet:
    """A font set whose one font (in the place of DejaVu Sans) lacks the script of NAMES[key]: what
    a name looks like when no font has its glyphs, boxes (``.notdef``) where the letters should be."""
    # Noto Sans Thai has nothing but Thai; DejaVu Sans has Latin, Greek, Cyrillic and Arabic, but
    # no Thai, Devanagari or CJK. So Thai is checked against DejaVu Sans, the rest against the Thai font.
    font = "DejaVuSans.ttf" if key == "thai" else "NotoSansThai-Regular.ttf"
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copy(FONT_DIR / font, directory / "DejaVuSans.ttf")
    return FontSet(directory, prefix=f"Lacking{key.title()}")


def save_sample(image: Image.Image, name: str) -> None:
    """Keep a rendered page for people to look at, when PDF_SAMPLES names a directory (var/ is ignored by git)."""
    if directory := os.environ.get("PDF_SAMPLES"):
        Path(directory).mkdir(parents=True, exist_ok=True)
        image.save(Path(directory) / f"{name}.png")
