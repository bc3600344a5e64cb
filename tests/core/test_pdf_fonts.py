"""The vendored fonts are the ones the README lists, TrueType, licensed, and cover their scripts."""

import hashlib
import re

import pytest
import uharfbuzz as hb

from core.pdf import FONTS, Script
from core.pdf.fonts import FAMILIES, FONT_DIR

README = (FONT_DIR / "README.md").read_text()
ROWS = re.findall(r"^\| (\S+\.ttf) \|.*`(LICENSE-[^`]+)` \| `([0-9a-f]{64})` \|$", README, flags=re.MULTILINE)
FILES = sorted({file for family in FAMILIES.values() for file in (family.regular, family.bold) if file})


def test_the_readme_lists_every_font_with_its_checksum_and_licence():
    assert sorted(file for file, _, _ in ROWS) == FILES
    for file, licence, checksum in ROWS:
        data = (FONT_DIR / file).read_bytes()
        assert hashlib.sha256(data).hexdigest() == checksum, f"{file} is not the file the README describes"
        assert len((FONT_DIR / licence).read_text()) > 1000, f"{licence} is missing or empty"


@pytest.mark.parametrize("file", FILES)
def test_fonts_have_truetype_outlines(file):
    # reportlab embeds glyf outlines only; a CFF (.otf) font, or a Git LFS pointer, cannot be embedded.
    face = hb.Face((FONT_DIR / file).read_bytes())

    assert "glyf" in face.table_tags and "CFF " not in face.table_tags


@pytest.mark.parametrize(
    ("script", "sample"),
    [
        (Script.LATIN, "Łódź Ελλάδα Москва"),
        (Script.DEVANAGARI, "हरित ऊर्जा प्राइवेट लिमिटेड"),
        (Script.ARABIC, "شركة الطاقة الخضراء"),
        (Script.THAI, "บริษัท พลังงานสีเขียว จำกัด"),
        (Script.CJK, "グリーン電力株式会社 绿色能源有限公司 녹색 에너지 주식회사"),
    ],
)
@pytest.mark.parametrize("bold", [False, True])
def test_each_script_has_a_font_that_covers_it(script, sample, bold):
    font = FONTS.font(script, bold=bold)

    assert font is not None
    assert [char for char in sample if not font.covers(char)] == []
