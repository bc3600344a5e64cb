"""The fonts PDFs print text with: which script each covers, and how shaped glyphs are embedded.

Text in Windows-1252 prints in the standard PDF fonts (Helvetica, Courier), which a PDF viewer
always has, so a Latin-only document embeds no font. Everything else prints in a vendored TrueType
font (``fonts/README.md``): DejaVu Sans for other Latin, Greek and Cyrillic text, Noto Sans for
Devanagari, Arabic and Thai, Droid Sans Fallback for Chinese, Japanese and Korean.

A font file that is missing or unreadable is logged as a warning once, and its script falls back to
the regular face, then to DejaVu Sans (which prints a visible box for each glyph it lacks); with no
TrueType font at all, the text prints in the standard font with ``?`` for what it cannot encode.
Nothing raises.
"""

import enum
import logging
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uharfbuzz as hb
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import SUBSETN, TTFont

logger = logging.getLogger(__name__)

FONT_DIR = Path(__file__).resolve().parent / "fonts"


class Script(enum.Enum):
    """The groups of scripts that each print with one font family."""

    LATIN = "latin"  # and Greek, Cyrillic, and whatever else DejaVu Sans covers
    DEVANAGARI = "devanagari"
    ARABIC = "arabic"
    THAI = "thai"
    CJK = "cjk"


@dataclass(frozen=True)
class Family:
    """The files of one font family: a regular face and, where one exists, a bold one."""

    regular: str
    bold: str | None


FAMILIES: dict[Script, Family] = {
    Script.LATIN: Family("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    Script.DEVANAGARI: Family("NotoSansDevanagari-Regular.ttf", "NotoSansDevanagari-Bold.ttf"),
    Script.ARABIC: Family("NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf"),
    Script.THAI: Family("NotoSansThai-Regular.ttf", "NotoSansThai-Bold.ttf"),
    Script.CJK: Family("DroidSansFallback.ttf", None),
}

# Codes that stand for (glyph, text) pairs: the Supplementary Private Use Areas, which names typed
# by people do not use, and which never reach the PDF (only subset codes and the text they map to).
FIRST_GLYPH_CODE, LAST_GLYPH_CODE = 0xF0000, 0x10FFFD


class ShapedFont(TTFont):
    """A TrueType font drawn as shaped glyphs, with the text each glyph stands for.

    reportlab embeds subsets of a TrueType font addressed by Unicode characters, and maps each code
    back to its character in the PDF's ``/ToUnicode`` map. Shaped text is glyphs, not characters:
    a Devanagari conjunct is one glyph for three characters, the vowel sign of "कि" is drawn before
    the consonant it follows, an Arabic letter has a different glyph at the start, middle and end of
    a word. So every (glyph, text) pair the shaper produces gets a code of its own, from the private
    use planes, and ``/ToUnicode`` maps it to that text: a cluster's characters are spread over its
    glyphs in the order they are drawn (``core.pdf.text._cluster_texts``). Text copied or extracted
    from the PDF is then the text that was typed, not private-use characters.

    The private codes never reach the PDF, only the subset codes reportlab assigns in order of use
    in each document; so a document's bytes do not depend on what else the process rendered before.
    """

    def __init__(self, name: str, path: Path) -> None:
        super().__init__(name, str(path), asciiReadable=False)
        data = path.read_bytes()
        self.hb_font = hb.Font(hb.Face(data))
        self.upem: int = self.hb_font.face.upem
        # What the font's own cmap covers, before any glyph code is added to it.
        self.covered: frozenset[int] = frozenset(self.face.charToGlyph)
        self._codes: dict[tuple[int, str], str] = {}
        self._texts: dict[int, str] = {}
        self._next_code = FIRST_GLYPH_CODE
        self._lock = threading.Lock()

    def covers(self, char: str) -> bool:
        return ord(char) in self.covered

    def advance(self, glyph: int) -> float:
        """The glyph's advance width in thousandths of the font size."""
        return self.hb_font.get_glyph_h_advance(glyph) * 1000 / self.upem

    def presentation_form(self, glyph: int, text: str) -> str | None:
        """The one character the font's own cmap gives ``glyph`` when it is a compatibility form of
        ``text`` (U+FEFB ARABIC LIGATURE LAM WITH ALEF for the lam-alef glyph), else ``None``."""
        for value in self.face.glyphToChar.get(glyph, ()):
            if value in self.covered and unicodedata.normalize("NFKC", chr(value)) == text:
                return chr(value)
        return None

    def glyph_code(self, glyph: int, text: str) -> str:
        """The character that draws ``glyph`` and extracts as ``text``."""
        key = (glyph, text)
        code = self._codes.get(key)
        if code is not None:
            return code
        with self._lock:
            code = self._codes.get(key)
            if code is None:
                if self._next_code > LAST_GLYPH_CODE:
                    raise RuntimeError(f"font {self.fontName} has run out of glyph codes")
                value = self._next_code
                self._next_code += 1
                self.face.charToGlyph[value] = glyph
                self.face.charWidths[value] = self.advance(glyph)
                self._texts[value] = text
                code = self._codes[key] = chr(value)
        return code

    def _to_unicode(self, name: str, subset: list[int]) -> str:
        """A ``/ToUnicode`` CMap that maps glyph codes to their text (empty for a glyph beyond its
        cluster's characters) and leaves the ``.notdef`` code 0 unmapped."""
        entries = []
        for code, value in enumerate(subset):
            if value:
                text = self._texts.get(value, chr(value))
                entries.append(f"<{code:02X}> <{text.encode('utf-16-be').hex().upper()}>")
        blocks = []
        for start in range(0, len(entries), 100):  # at most 100 entries per block (PDF 1.7, 9.10.3)
            chunk = entries[start : start + 100]
            blocks += [f"{len(chunk)} beginbfchar", *chunk, "endbfchar"]
        return "\n".join(
            [
                "/CIDInit /ProcSet findresource begin",
                "12 dict begin",
                "begincmap",
                f"/CIDSystemInfo << /Registry ({name}) /Ordering ({name}) /Supplement 0 >> def",
                f"/CMapName /{name} def",
                "/CMapType 2 def",
                "1 begincodespacerange",
                f"<00> <{len(subset) - 1:02X}>",
                "endcodespacerange",
                *blocks,
                "endcmap",
                "CMapName currentdict /CMap defineresource pop",
                "end",
                "end",
            ]
        )

    def addObjects(self, doc: Any) -> None:
        """reportlab's ``TTFont.addObjects`` with this font's ``/ToUnicode`` map.

        Subsetting reads the font through one shared file position, so two documents are never
        subset from the same font at once (reportlab documents a TTFont as single-document)."""
        with self._lock:
            state = self._assignState(doc)
            state.frozen = 1
            for index, subset in enumerate(state.subsets):
                internal_name = self.getSubsetInternalName(index, doc)[1:]
                base_name = b"".join((SUBSETN(index), b"+", self.face.name, self.face.subfontNameX)).decode("pdfdoc")
                pdf_font = pdfdoc.PDFTrueTypeFont()
                pdf_font.__Comment__ = f"Font {self.fontName} subset {index}"
                pdf_font.Name = internal_name
                pdf_font.BaseFont = base_name
                pdf_font.FirstChar = 0
                pdf_font.LastChar = len(subset) - 1
                pdf_font.Widths = pdfdoc.PDFArray([self.face.getCharWidth(code) for code in subset])
                cmap = pdfdoc.PDFStream()
                cmap.content = self._to_unicode(base_name, subset)
                if doc.compression:
                    cmap.filters = [pdfdoc.PDFZCompress]
                pdf_font.ToUnicode = doc.Reference(cmap, f"toUnicodeCMap:{base_name}")
                pdf_font.FontDescriptor = self.face.addSubsetObjects(doc, base_name, subset)
                doc.Reference(pdf_font, internal_name)
                doc.idToObject["BasicFonts"].dict[internal_name] = pdf_font
            del self.state[doc]


class FontSet:
    """The TrueType fonts of one directory, loaded and registered with reportlab on first use.

    ``FONTS`` is the one every PDF uses; tests make others (a directory missing a font)."""

    def __init__(self, directory: Path = FONT_DIR, *, prefix: str = "CarbonCred") -> None:
        self.directory = directory
        self.prefix = prefix
        self._loaded: dict[str, ShapedFont | None] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"FontSet({str(self.directory)!r}, prefix={self.prefix!r})"

    def font(self, script: Script, *, bold: bool = False) -> ShapedFont | None:
        """The font for ``script``: its bold face if asked and present, else its regular face, else
        DejaVu Sans; ``None`` when not even DejaVu Sans can be read."""
        family = FAMILIES[script]
        files = [family.bold] if bold and family.bold else []
        files.append(family.regular)
        if script is not Script.LATIN:
            latin = FAMILIES[Script.LATIN]
            files += [latin.bold] if bold and latin.bold else []
            files.append(latin.regular)
        for file in files:
            if file is not None and (font := self._load(file)) is not None:
                return font
        return None

    def _load(self, file: str) -> ShapedFont | None:
        if file not in self._loaded:
            with self._lock:
                if file not in self._loaded:
                    self._loaded[file] = self._read(file)
        font = self._loaded[file]
        if font is not None and pdfmetrics._fonts.get(font.fontName) is not font:
            _register(font)  # reportlab's registry was reset (its test helpers do) or overwritten
        return font

    def _read(self, file: str) -> ShapedFont | None:
        path = self.directory / file
        try:
            font = ShapedFont(f"{self.prefix}-{path.stem}", path)
        except Exception as error:  # a missing or broken font file must not stop a PDF from rendering
            logger.warning("PDF font %s cannot be read (%r); its script prints in a fallback font", path, error)
            return None
        _register(font)
        return font


def _register(font: ShapedFont) -> None:
    # By name: pdfmetrics.registerFont would map this font onto any TrueType font registered before
    # with the same face name (a plain TTFont of DejaVuSans.ttf, or another FontSet's), whose codes
    # are not this font's, and every shaped glyph would print as a box.
    pdfmetrics._fonts[font.fontName] = font


FONTS = FontSet()
