"""PDF text in any script, shared by every PDF CarbonCred draws (certificates, receipts, reports).

``draw_string``, ``string_width`` and ``wrap`` work on a reportlab canvas; ``TextBlock`` is the same
text as a platypus flowable. How runs, bidi and shaping work: ``core/pdf/text.py``; which fonts:
``core/pdf/fonts/README.md``.
"""

from core.pdf.flowables import TextBlock
from core.pdf.fonts import FONTS, FontSet, Script
from core.pdf.text import SANS, SANS_BOLD, Line, draw_string, layout, string_width, wrap

__all__ = [
    "FONTS",
    "SANS",
    "SANS_BOLD",
    "FontSet",
    "Line",
    "Script",
    "TextBlock",
    "draw_string",
    "layout",
    "string_width",
    "wrap",
]
