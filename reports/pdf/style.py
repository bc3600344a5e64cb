"""Colours, fills and number formats of the statement PDF.

Fills are chosen to stay apart in greyscale (a photocopy, a black-and-white printer): each series
has a clearly different luminance, and the lightest is also hatched, so the charts read without
colour (tests/reports/test_pdf.py renders them in greyscale and compares the swatches).
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from core.units import kg_to_tonnes

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 50
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN

INK = colors.HexColor("#1c2b24")
MUTED = colors.HexColor("#5b6b63")
GREEN = colors.HexColor("#17603a")
PALE_GREEN = colors.HexColor("#e9f4ee")
RULE = colors.HexColor("#c9d6cf")
GRID = colors.HexColor("#e3e8e5")
ZEBRA = colors.HexColor("#f4f7f5")
WARNING = colors.HexColor("#8a4b00")

SANS, SANS_BOLD, MONO = "Helvetica", "Helvetica-Bold", "Courier"


@dataclass(frozen=True)
class Fill:
    colour: colors.Color
    hatch: bool = False

    def draw(self, canvas: Canvas, x: float, y: float, width: float, height: float) -> None:
        """A filled rectangle, hatched with diagonal lines when ``hatch``, outlined in ink."""
        if width <= 0 or height <= 0:
            return
        canvas.saveState()
        canvas.setFillColor(self.colour)
        canvas.setStrokeColor(INK)
        canvas.setLineWidth(0.4)
        canvas.rect(x, y, width, height, stroke=1, fill=1)
        if self.hatch:
            path = canvas.beginPath()
            path.rect(x, y, width, height)
            canvas.clipPath(path, stroke=0, fill=0)
            canvas.setLineWidth(0.4)
            step = 5.0
            offset = -height
            while offset < width:
                canvas.line(x + offset, y, x + offset + height, y + height)
                offset += step
        canvas.restoreState()


# Luminance (ITU-R BT.601) about 70, 160 and 245, the last hatched (about 220 on average).
SCOPE_FILLS = {
    1: Fill(colors.HexColor("#17603a")),
    2: Fill(colors.HexColor("#7fb596")),
    3: Fill(colors.HexColor("#f3faf5"), hatch=True),
}
SCOPE_NAMES = {1: "Scope 1 (direct)", 2: "Scope 2 (electricity, location-based)", 3: "Scope 3 (reported categories)"}
NON_RENEWABLE_FILL = Fill(colors.HexColor("#5b6b63"))
RENEWABLE_FILL = Fill(colors.HexColor("#f3faf5"), hatch=True)


def luminance(colour: colors.Color) -> float:
    return 255 * (0.299 * colour.red + 0.587 * colour.green + 0.114 * colour.blue)


# --- numbers: exact, from integers and decimals, never through floats -----------------------------


NO_SHARE = "\N{EN DASH}"  # a share of nothing


def kg(value: int) -> str:
    return f"{value:,}"


def tonnes(value_kg: int) -> str:
    return f"{kg_to_tonnes(value_kg):,}"


def mwh(value_kwh: int) -> str:
    return f"{(Decimal(value_kwh) / 1000).quantize(Decimal('0.001')):,}"


def share(part: int, whole: int) -> str:
    """``part`` as a percentage of ``whole``, one place ("45.6 %"); a dash when there is no whole."""
    if whole <= 0:
        return NO_SHARE
    return f"{(Decimal(100 * part) / whole).quantize(Decimal('0.1'), ROUND_HALF_UP)} %"


def decimal_text(value: Decimal, places: int = 2) -> str:
    return f"{value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP):,}"


def plain_decimal(value: Decimal) -> str:
    """Without trailing zeros or exponent: 0.177, 9.906, 1,250."""
    return format(value.normalize(), ",f")


UNIT_NAMES = {
    "kWh": "kWh",
    "m3": "m³",
    "litre": "litres",
    "kg": "kg",
    "passenger_km": "passenger-km",
    "vehicle_km": "vehicle-km",
}


def unit_name(unit: str) -> str:
    return UNIT_NAMES.get(unit, unit)
