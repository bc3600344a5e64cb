"""The statement's charts, drawn by hand as platypus flowables: every label goes through core.pdf,
every bar carries its number, and the series differ in greyscale as well as in colour.

- :class:`ScopeSplit`: one row per scope, its bar's length its share of the total.
- :class:`MonthlyTrend`: twelve stacked bars by scope, the total above each; months no report
  covers are marked "n/d" rather than drawn as a zero that looks measured.
- :class:`EnergyMix`: one row per energy carrier, renewable ones hatched, with kWh and share.
"""

from collections.abc import Sequence
from decimal import Decimal

from reportlab.platypus import Flowable

from core.pdf import draw_string
from reports.ghg.statement import Energy, Month
from reports.pdf.style import (
    GRID,
    INK,
    MUTED,
    NON_RENEWABLE_FILL,
    RENEWABLE_FILL,
    RULE,
    SCOPE_FILLS,
    SCOPE_NAMES,
    Fill,
    kg,
    share,
)

LABEL_SIZE = 8
VALUE_SIZE = 7.5


class _Bars(Flowable):
    """Horizontal bars: (label, value, fill, value text) rows; bar length = value / scale."""

    row_height = 20.0
    label_width = 170.0
    value_width = 130.0

    def __init__(self, rows: Sequence[tuple[str, int, Fill, str]], *, empty: str, width: float) -> None:
        super().__init__()
        self.rows = list(rows)
        self.empty = empty
        self.width = width
        self.height = max(1, len(self.rows)) * self.row_height + 6

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        scale = sum(value for _, value, _, _ in self.rows)
        if not self.rows or scale <= 0:
            draw_string(canvas, 0, self.height / 2 - 3, self.empty, LABEL_SIZE + 1, color=MUTED)
            return
        bar_area = self.width - self.label_width - self.value_width
        for index, (label, value, fill, text) in enumerate(self.rows):
            y = self.height - (index + 1) * self.row_height
            draw_string(canvas, 0, y + 6, label, LABEL_SIZE, color=INK)
            length = bar_area * value / scale
            fill.draw(canvas, self.label_width, y + 2, length, self.row_height - 6)
            draw_string(canvas, self.label_width + length + 5, y + 6, text, VALUE_SIZE, color=INK)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        canvas.line(self.label_width, 0, self.label_width, self.height)


class ScopeSplit(_Bars):
    def __init__(self, scopes: dict[int, int], *, width: float) -> None:
        total = sum(scopes.values())
        rows = [
            (SCOPE_NAMES[scope], value, SCOPE_FILLS[scope], f"{kg(value)} kg  ·  {share(value, total)}")
            for scope, value in scopes.items()
        ]
        super().__init__(rows, empty="No emissions in the year's reports.", width=width)
        if total <= 0:
            self.rows = []


class EnergyMix(_Bars):
    def __init__(self, energy: Energy, *, width: float) -> None:
        rows = [
            (
                f"{carrier.label}{' (renewable)' if carrier.renewable else ''}",
                carrier.kwh,
                RENEWABLE_FILL if carrier.renewable else NON_RENEWABLE_FILL,
                f"{kg(carrier.kwh)} kWh  ·  {share(carrier.kwh, energy.total_kwh)}",
            )
            for carrier in energy.carriers
        ]
        super().__init__(rows, empty="No energy use in the year's reports.", width=width)


def nice_step(maximum: int, ticks: int = 4) -> int:
    """The smallest 1, 2, 2.5 or 5 x 10^n (a whole number) that covers ``maximum`` in ``ticks`` steps."""
    magnitude = 1
    while True:
        for multiple in (1, 2, 5, 10):
            step = multiple * magnitude
            if step * ticks >= maximum:
                return step
        magnitude *= 10


MONTH_ABBREVIATIONS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class MonthlyTrend(Flowable):
    """Stacked monthly bars by scope; the y axis in kg, or in tonnes when a month passes 10 t."""

    left, bottom, top, legend_height = 46.0, 18.0, 14.0, 26.0

    def __init__(self, months: Sequence[Month], *, width: float, height: float = 230) -> None:
        super().__init__()
        self.months = list(months)
        self.width = width
        self.height = height

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.width, self.height

    def _value_text(self, value_kg: int, in_tonnes: bool) -> str:
        if in_tonnes:
            return f"{(Decimal(value_kg) / 1000).quantize(Decimal('0.1')):,}"
        return kg(value_kg)

    def draw(self) -> None:
        canvas = self.canv
        plot_x, plot_y = self.left, self.bottom
        plot_width = self.width - self.left - 4
        plot_height = self.height - self.bottom - self.top - self.legend_height
        maximum = max((month.total_kg for month in self.months), default=0)
        in_tonnes = maximum >= 10_000
        step = nice_step(max(maximum, 1))
        if in_tonnes:
            step = max(step, 100)  # ticks on a tenth of a tonne at least
        top_value = step * 4

        # Grid and the y axis, labelled in the unit the bars are read in.
        canvas.setLineWidth(0.5)
        for tick in range(5):
            y = plot_y + plot_height * tick / 4
            canvas.setStrokeColor(GRID if tick else INK)
            canvas.line(plot_x, y, plot_x + plot_width, y)
            draw_string(
                canvas, plot_x - 4, y - 2.5, self._value_text(step * tick, in_tonnes), 7, align="right", color=MUTED
            )
        unit = "t CO2e" if in_tonnes else "kg CO2e"
        draw_string(canvas, 0, plot_y + plot_height + 6, unit, 7, color=MUTED)

        slot = plot_width / len(self.months)
        bar_width = slot * 0.62
        for index, month in enumerate(self.months):
            x = plot_x + index * slot + (slot - bar_width) / 2
            centre = x + bar_width / 2
            draw_string(
                canvas, centre, plot_y - 10, MONTH_ABBREVIATIONS[month.month.month - 1], 7, align="centre", color=INK
            )
            if not month.begun:
                continue  # not begun: nothing to draw and nothing missing
            if month.days_covered == 0:
                draw_string(canvas, centre, plot_y + 3, "n/d", 7, align="centre", color=MUTED)
                continue
            y = plot_y
            for scope, value in ((1, month.scope1_kg), (2, month.scope2_kg), (3, month.scope3_kg)):
                height = plot_height * value / top_value
                SCOPE_FILLS[scope].draw(canvas, x, y, bar_width, height)
                y += height
            draw_string(
                canvas, centre, y + 3, self._value_text(month.total_kg, in_tonnes), 6.5, align="centre", color=INK
            )

        # The legend above the plot.
        legend_y = self.height - 12
        x = plot_x
        for scope in (1, 2, 3):
            SCOPE_FILLS[scope].draw(canvas, x, legend_y - 1, 10, 8)
            x += 14
            x += draw_string(canvas, x, legend_y, SCOPE_NAMES[scope], 7.5, color=INK) + 14
        draw_string(canvas, self.width, legend_y, "n/d: no report covers the month", 7, align="right", color=MUTED)
