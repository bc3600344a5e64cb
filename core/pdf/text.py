"""Text in any script on a reportlab canvas: measured, wrapped and drawn the same way in every PDF.

A string becomes a :class:`Line` of runs, each in one font and one direction, in the order they
appear on the page:

1. **Fast path.** Text that Windows-1252 encodes prints in the standard PDF font the caller names
   (Helvetica, Courier, …) exactly as ``canvas.drawString`` would: no font is embedded.
2. **Scripts.** Otherwise each character is given the script group of its Unicode block
   (:class:`~core.pdf.fonts.Script`); combining marks and joiners stay with the character before
   them, and spaces, digits and punctuation with a neighbour whose font has them. A Latin stretch
   that Windows-1252 encodes keeps the standard font, so "Tata Power हरित" prints "Tata Power" in
   Helvetica like the rest of the page. A character the chosen font lacks goes to any font that has
   it; one that no font has prints as a box, and a warning names it.
3. **Direction.** Text with right-to-left characters gets Unicode bidi embedding levels (UAX #9, as
   python-bidi implements it), so Arabic reads right to left and numbers or Latin words inside it
   left to right.
4. **Shaping.** Each run of one font and one level is shaped by HarfBuzz (uharfbuzz): Devanagari
   conjuncts and vowel signs, Arabic joining forms and ligatures, Thai marks, kerning. Runs are then
   put in visual order (rule L2).

Drawing hands the shaped glyphs to reportlab's own shaped-text output (``ShapedStr``), which writes
each glyph with HarfBuzz's offsets; :class:`~core.pdf.fonts.ShapedFont` makes the text extractable.
reportlab's ``drawString(..., shaping=True)`` is not used: without ReportLab's ``rlbidi`` package
(not on PyPI) it does not shape at all. Its ``shapeStr`` does, but with one font per string and no
bidi, and the private-use codes it gives unmapped glyphs (conjuncts, joined forms) are what the
text then extracts as, numbered in the order a process first met them: the same certificate would
not give the same bytes.

Everything here is a pure function of its arguments: the same text gives the same drawing.
"""

import bisect
import functools
import itertools
import logging
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import uharfbuzz as hb
from bidi import algorithm as uba
from reportlab.lib.colors import Color
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import ShapeData, ShapedStr
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject

from core.pdf.fonts import FONTS, FontSet, Script, ShapedFont

logger = logging.getLogger(__name__)

SANS, SANS_BOLD = "Helvetica", "Helvetica-Bold"
ELLIPSIS = "…"

Align = Literal["left", "right", "centre"]

# Unicode blocks whose characters print in the font of a script group; anything else that is a
# letter prints in DejaVu Sans (Latin, Greek, Cyrillic, Hebrew, Armenian, Georgian, …).
_BLOCKS: list[tuple[int, int, Script]] = sorted(
    [
        (0x0600, 0x06FF, Script.ARABIC),
        (0x0750, 0x077F, Script.ARABIC),
        (0x0870, 0x08FF, Script.ARABIC),
        (0xFB50, 0xFDFF, Script.ARABIC),
        (0xFE70, 0xFEFF, Script.ARABIC),
        (0x0900, 0x097F, Script.DEVANAGARI),
        (0x1CD0, 0x1CFF, Script.DEVANAGARI),
        (0xA8E0, 0xA8FF, Script.DEVANAGARI),
        (0x0E00, 0x0E7F, Script.THAI),
        (0x1100, 0x11FF, Script.CJK),  # Hangul Jamo
        (0x2E80, 0x2FDF, Script.CJK),  # radicals
        (0x2FF0, 0x31FF, Script.CJK),  # CJK symbols and punctuation, kana, bopomofo, compatibility jamo
        (0x3200, 0x4DBF, Script.CJK),  # enclosed, compatibility, Extension A
        (0x4E00, 0x9FFF, Script.CJK),  # unified ideographs
        (0xA960, 0xA97F, Script.CJK),
        (0xAC00, 0xD7FF, Script.CJK),  # Hangul syllables
        (0xF900, 0xFAFF, Script.CJK),
        (0xFE30, 0xFE4F, Script.CJK),
        (0xFF00, 0xFFEF, Script.CJK),  # full-width and half-width forms
        (0x20000, 0x3FFFF, Script.CJK),
    ],
    key=lambda block: block[0],
)
_BLOCK_STARTS = [start for start, _, _ in _BLOCKS]
_INHERIT, _NEUTRAL = "inherit", "neutral"
_RTL_CLASSES = frozenset({"R", "AL", "AN", "RLE", "RLO", "RLI"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# Characters a line must not start with, or end with (a short list from the Japanese kinsoku rules
# and UAX #14): between two CJK characters a line may otherwise break anywhere.
_NO_BREAK_BEFORE = frozenset(
    "、。，．,.:;?!)]}」』】〉》〕〗〙〛”’ー々ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ・：；？！）〜"  # noqa: RUF001
)
_NO_BREAK_AFTER = frozenset("([{「『【〈《〔〖〘〚“‘（")  # noqa: RUF001
_VIRAMA_OR_JOINER = frozenset("\u094d\u200d")
_THAI_LEADING_VOWELS = frozenset("\u0e40\u0e41\u0e42\u0e43\u0e44")
_THAI_FOLLOWING_VOWELS = frozenset("\u0e30\u0e32\u0e33\u0e45")


@dataclass(frozen=True)
class Run:
    """Text in one font and one direction: glyph codes (``ShapedStr``) for a TrueType font, plain
    text for a standard one. ``advance`` is in thousandths of the font size."""

    font: str
    text: str
    advance: float
    actual_text: tuple[tuple[int, int, str], ...] = ()  # (first glyph, end, text) of clusters to tag


@dataclass(frozen=True)
class Line:
    """A line laid out for drawing: its runs in visual order, left to right."""

    runs: tuple[Run, ...]
    advance: float
    missing: str = ""  # characters no font has: they print as boxes

    def width(self, size: float) -> float:
        return self.advance * size / 1000


def _block_script(char: str) -> Script | None:
    code = ord(char)
    index = bisect.bisect_right(_BLOCK_STARTS, code) - 1
    if index >= 0 and code <= _BLOCKS[index][1]:
        return _BLOCKS[index][2]
    return None


def _char_class(char: str) -> Script | str:
    script = _block_script(char)
    if script is not None:
        return script
    category = unicodedata.category(char)
    if category in ("Mn", "Mc", "Me", "Cf"):
        return _INHERIT
    if category[0] == "L":
        return Script.LATIN
    return _NEUTRAL


def _is_cp1252(text: str) -> bool:
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _covers(fonts: FontSet, script: Script, bold: bool, char: str) -> bool:
    font = fonts.font(script, bold=bold)
    return font is not None and font.covers(char)


def _scripts(text: str, fonts: FontSet, bold: bool) -> tuple[list[Script], str]:
    """The script group each character prints in, and the characters no font has."""
    classes = [_char_class(char) for char in text]
    before: list[Script | None] = []
    last: Script | None = None
    for cls in classes:
        before.append(last)
        if isinstance(cls, Script):
            last = cls
    after: list[Script | None] = []
    last = None
    for cls in reversed(classes):
        after.append(last)
        if isinstance(cls, Script):
            last = cls
    after.reverse()

    scripts: list[Script] = []
    missing = []
    for index, (char, cls) in enumerate(zip(text, classes, strict=True)):
        if cls == _INHERIT:
            scripts.append(scripts[-1] if scripts else after[index] or Script.LATIN)
            continue
        if isinstance(cls, Script):
            script = cls
        else:
            candidates = [s for s in (before[index], after[index]) if s is not None]
            script = next((s for s in candidates if _covers(fonts, s, bold, char)), Script.LATIN)
        if not _covers(fonts, script, bold, char):
            other = next((s for s in Script if _covers(fonts, s, bold, char)), None)
            if other is not None:
                script = other
            elif not _is_cp1252(char):  # the standard fonts still print Windows-1252
                missing.append(char)
        scripts.append(script)
    return scripts, "".join(missing)


def _embedding_levels(text: str) -> list[int]:
    """Bidi embedding levels, one per character (UAX #9 rules P2 to I2 and L1).

    python-bidi's documented API returns only the reordered string, which cannot say which glyph
    run goes where once runs are shaped; its pure-Python implementation of the same rules exposes
    the levels, so the steps of its ``get_display`` are run here up to the levels."""
    storage = uba.get_empty_storage()
    base = uba.get_base_level(text)
    storage["base_level"] = base
    storage["base_dir"] = ("L", "R")[base]
    uba.get_embedding_levels(text, storage)
    uba.explicit_embed_and_overrides(storage)
    uba.resolve_weak_types(storage)
    uba.resolve_neutral_types(storage, False)
    uba.resolve_implicit_levels(storage, False)
    levels = [char["level"] for char in storage["chars"]]
    for index in range(len(text) - 1, -1, -1):  # L1: trailing white space takes the paragraph level
        if not text[index].isspace():
            break
        levels[index] = base
    return levels


def _visual_order(levels: Sequence[int]) -> list[int]:
    """Rule L2: the indices of runs at ``levels`` in the order they appear, left to right."""
    order = list(range(len(levels)))
    highest = max(levels, default=0)
    lowest_odd = min((level for level in levels if level % 2), default=1)
    for level in range(highest, lowest_odd - 1, -1):
        start = 0
        while start < len(order):
            if levels[order[start]] < level:
                start += 1
                continue
            end = start
            while end < len(order) and levels[order[end]] >= level:
                end += 1
            order[start:end] = reversed(order[start:end])
            start = end
    return order


def _cluster_texts(text: str, glyphs: int, rtl: bool) -> list[str]:
    """What each glyph of a cluster extracts as, in the order the glyphs are drawn: one character
    each, the last glyph the rest, so reading the glyphs left to right gives ``text`` (right to
    left, for right-to-left text). Glyphs beyond the characters extract as nothing."""
    parts = [*text[: glyphs - 1], text[glyphs - 1 :]] if glyphs <= len(text) else [*text, *[""] * (glyphs - len(text))]
    return parts[::-1] if rtl else parts


def _shape(font: ShapedFont, text: str, rtl: bool) -> Run:
    """HarfBuzz's glyphs for ``text`` as reportlab shaped text, in visual order.

    Each glyph extracts as part of its cluster's characters (:func:`_cluster_texts`), so "कि",
    drawn vowel sign first, still extracts as "कि". Where that cannot be exact, the cluster also
    carries its text as an ``/ActualText`` span, which PDF readers that reorder right-to-left text
    (PDFium, Acrobat, poppler) take instead: a cluster with more glyphs than characters (Thai ำ is
    drawn as two), and a right-to-left cluster of several characters (the lam-alef ligature, a
    letter with its vowel marks), whose characters such a reader would otherwise reverse."""
    buffer = hb.Buffer()
    buffer.add_codepoints([ord(char) for char in text])
    buffer.direction = "rtl" if rtl else "ltr"
    buffer.language = "und"  # not the process locale: the same text shapes the same everywhere
    buffer.guess_segment_properties()
    hb.shape(font.hb_font, buffer, {})
    infos, positions = buffer.glyph_infos, buffer.glyph_positions
    starts = sorted({info.cluster for info in infos})
    ends = dict(zip(starts, [*starts[1:], len(text)], strict=True))
    scale = 1000 / font.upem
    codes: list[str] = []
    data: list[ShapeData] = []
    spans: list[tuple[int, int, str]] = []
    first = 0
    for cluster, members in itertools.groupby(range(len(infos)), key=lambda index: infos[index].cluster):
        glyphs = len(list(members))
        characters = text[cluster : ends[cluster]]
        texts = _cluster_texts(characters, glyphs, rtl)
        if glyphs > len(characters) and not rtl:
            spans.append((first, first + glyphs, characters))
        if glyphs == 1 and rtl and len(characters) > 1:
            texts = [font.presentation_form(infos[first].codepoint, characters) or characters]
        for index, extracted in enumerate(texts, start=first):
            info, position = infos[index], positions[index]
            codes.append(font.glyph_code(info.codepoint, extracted))
            data.append(
                ShapeData(
                    info.cluster,
                    position.x_advance * scale,
                    position.y_advance * scale,
                    position.x_offset * scale,
                    position.y_offset * scale,
                    font.advance(info.codepoint),
                )
            )
        first += glyphs
    shaped = ShapedStr("".join(codes), shapeData=data)
    return Run(font.fontName, shaped, sum(d.x_advance for d in data), tuple(spans))


def _base_font(font: str | None, bold: bool) -> str:
    return font or (SANS_BOLD if bold else SANS)


def layout(text: str, *, bold: bool = False, font: str | None = None, fonts: FontSet | None = None) -> Line:
    """``text`` as one line of runs. ``font`` is the standard font for Windows-1252 text (Helvetica,
    or Helvetica-Bold with ``bold``); a bold ``font`` or ``bold`` picks the bold TrueType faces.
    ``fonts`` defaults to :data:`~core.pdf.fonts.FONTS`."""
    font = _base_font(font, bold)
    return _layout(_CONTROL.sub(" ", text), bold or "Bold" in font, font, fonts or FONTS)


@functools.lru_cache(maxsize=4096)
def _layout(text: str, bold: bool, font: str, fonts: FontSet) -> Line:
    if _is_cp1252(text):
        advance = pdfmetrics.stringWidth(text, font, 1000)
        return Line((Run(font, text, advance),), advance)

    scripts, missing = _scripts(text, fonts, bold)
    if missing:
        logger.warning(
            "No PDF font has %s: they print as boxes, or as ? without DejaVu Sans",
            ", ".join(sorted({f"U+{ord(c):04X}" for c in missing})),
        )
    # A Latin stretch that Windows-1252 encodes stays in the standard font, like the rest of the page.
    keys: list[Script | None] = []
    for script, group in itertools.groupby(zip(text, scripts, strict=True), key=lambda pair: pair[1]):
        stretch = "".join(char for char, _ in group)
        key = None if script is Script.LATIN and _is_cp1252(stretch) else script
        keys += [key] * len(stretch)
    levels = _embedding_levels(text) if any(unicodedata.bidirectional(c) in _RTL_CLASSES for c in text) else None

    runs: list[Run] = []
    run_levels: list[int] = []
    position = 0
    for (key, level), same in itertools.groupby(zip(keys, levels or itertools.repeat(0), strict=False)):
        length = len(list(same))
        piece = text[position : position + length]
        position += length
        shaped_font = fonts.font(key, bold=bold) if key is not None else None
        if shaped_font is not None:
            runs.append(_shape(shaped_font, piece, rtl=level % 2 == 1))
        else:
            if key is not None:  # not even DejaVu Sans could be read
                piece = piece.encode("cp1252", "replace").decode("cp1252")
            runs.append(Run(font, piece, pdfmetrics.stringWidth(piece, font, 1000)))
        run_levels.append(level)
    visual = tuple(runs[index] for index in _visual_order(run_levels))
    return Line(visual, sum(run.advance for run in visual), missing)


def string_width(
    text: str, size: float, bold: bool = False, *, font: str | None = None, fonts: FontSet | None = None
) -> float:
    """The width of ``text`` drawn by :func:`draw_string`, in points."""
    base = _base_font(font, bold)
    if _is_cp1252(text):
        return pdfmetrics.stringWidth(text, base, size)
    return layout(text, bold=bold, font=base, fonts=fonts).width(size)


def draw_string(
    canvas: Canvas,
    x: float,
    y: float,
    text: str,
    size: float,
    bold: bool = False,
    *,
    font: str | None = None,
    align: Align = "left",
    color: Color | None = None,
    fonts: FontSet | None = None,
) -> float:
    """Draw ``text`` on one line with its baseline at ``y``, in ``color`` (default: the canvas's
    fill colour); returns its width. ``x`` is its left end, or its right end or centre with ``align``.

    Windows-1252 text is drawn exactly as ``setFont``, ``setFillColor`` and ``drawString`` would."""
    base = _base_font(font, bold)
    if _is_cp1252(text):
        width = pdfmetrics.stringWidth(text, base, size)
        canvas.setFont(base, size)
        if color is not None:
            canvas.setFillColor(color)
        canvas.drawString(_aligned(x, width, align), y, text)
        return width
    line = layout(text, bold=bold, font=base, fonts=fonts)
    width = line.width(size)
    canvas.setFont(base, size)  # the canvas's font afterwards, as after drawString
    if color is not None:
        canvas.setFillColor(color)
    text_object = canvas.beginText(_aligned(x, width, align), y)
    for run in line.runs:
        text_object.setFont(run.font, size)
        _text_out(text_object, run)
    canvas.drawText(text_object)
    return width


def _text_out(text_object: PDFTextObject, run: Run) -> None:
    """Write the run's glyphs, clusters listed in ``actual_text`` inside an ``/ActualText`` span
    (reportlab has no call for marked content, so the operators go into the text object's code)."""
    done = 0
    for start, end, text in run.actual_text:
        if start > done:
            _glyphs_out(text_object, run.text[done:start])
        text_object._code.append(f"/Span <</ActualText <FEFF{text.encode('utf-16-be').hex().upper()}>>> BDC")
        _glyphs_out(text_object, run.text[start:end])
        text_object._code.append("EMC")
        done = end
    if done < len(run.text):
        _glyphs_out(text_object, run.text[done:])


def _glyphs_out(text_object: PDFTextObject, glyphs: str) -> None:
    # reportlab's shaped output fails (IndexError in setRise) when a piece starts with a raised
    # glyph and has nothing written before it; forgetting the current subset makes it write Tf first.
    text_object._curSubset = -1
    text_object.textOut(glyphs)


def _aligned(x: float, width: float, align: Align) -> float:
    if align == "right":
        return x - width
    if align == "centre":
        return x - width / 2
    return x


def _can_break_inside(text: str, index: int) -> bool:
    """Whether a word may be cut before ``text[index]`` without splitting a character cluster
    (a base and its marks, a Devanagari conjunct, a Thai vowel and its consonant)."""
    char, before = text[index], text[index - 1]
    return not (
        unicodedata.category(char) in ("Mn", "Mc", "Me", "Cf")
        or "\ufe00" <= char <= "\ufe0f"
        or before in _VIRAMA_OR_JOINER
        or before in _THAI_LEADING_VOWELS
        or char in _THAI_FOLLOWING_VOWELS
        or "\udc00" <= char <= "\udfff"
    )


def _breaks(text: str) -> list[str]:
    """``text`` cut where a line may end: after spaces, and around CJK characters."""
    pieces: list[str] = []
    start = 0
    for index in range(1, len(text)):
        before, char = text[index - 1], text[index]
        if char == " ":
            continue
        cjk = _block_script(char) is Script.CJK or _block_script(before) is Script.CJK
        if (before == " " or (cjk and char not in _NO_BREAK_BEFORE and before not in _NO_BREAK_AFTER)) and (
            _can_break_inside(text, index)
        ):
            pieces.append(text[start:index])
            start = index
    pieces.append(text[start:])
    return pieces


def _cut(text: str, fits: Callable[[str], bool]) -> tuple[str, str]:
    """The longest head of ``text`` that ``fits``, cut between clusters; at least one cluster, so
    wrapping always advances."""
    bounds = [index for index in range(1, len(text)) if _can_break_inside(text, index)] + [len(text)]
    low, high = 0, len(bounds) - 1  # bounds[low] is kept even when it does not fit
    while low < high:
        middle = (low + high + 1) // 2
        if fits(text[: bounds[middle]]):
            low = middle
        else:
            high = middle - 1
    return text[: bounds[low]], text[bounds[low] :]


def wrap(
    text: str,
    width: float,
    size: float,
    bold: bool = False,
    *,
    font: str | None = None,
    max_lines: int | None = None,
    fonts: FontSet | None = None,
) -> list[str]:
    """``text`` broken into lines no wider than ``width`` at ``size``: at spaces, between CJK
    characters, and inside a word too long for a line (never inside a character cluster). Text
    beyond ``max_lines`` is dropped and the last line ends in an ellipsis."""
    base = _base_font(font, bold)

    def fits(line: str) -> bool:
        return string_width(line, size, bold, font=base, fonts=fonts) <= width

    if fits(text.strip()):  # most names and values: one layout, no break to look for
        return [text.strip()]
    lines: list[str] = []
    current = ""
    for piece in _breaks(text):
        if current and not fits(f"{current}{piece}".rstrip()):
            lines.append(current.rstrip())
            current = ""
        current += piece
        while not fits(current.rstrip()) and len(current.rstrip()) > 1:
            head, current = _cut(current.rstrip(), fits)
            if not current:
                current = head
                break
            lines.append(head)
    lines.append(current.rstrip())
    if max_lines is None or len(lines) <= max_lines:
        return lines
    kept = lines[:max_lines]
    last = kept[-1]
    while last and not fits(f"{last}{ELLIPSIS}"):
        cut = max((i for i in range(1, len(last)) if _can_break_inside(last, i)), default=0)
        last = last[:cut]
    kept[-1] = f"{last.rstrip()}{ELLIPSIS}"
    return kept
