"""Text in any script for platypus documents (receipts, reports): a flowable over ``core.pdf.text``.

reportlab's ``Paragraph`` picks one font per style and shapes only with ReportLab's ``rlbidi``; a
``TextBlock`` wraps and draws with the same runs, fonts and shaping as the canvas helpers, so a name
prints the same in a report table as on a certificate.
"""

from reportlab.lib import colors
from reportlab.platypus import Flowable

from core.pdf.fonts import FontSet
from core.pdf.text import Align, draw_string, wrap


class TextBlock(Flowable):
    """``text`` wrapped to the width the frame or table cell gives it, ``leading`` apart."""

    def __init__(
        self,
        text: str,
        size: float = 10,
        bold: bool = False,
        *,
        font: str | None = None,
        color: colors.Color = colors.black,
        leading: float | None = None,
        max_lines: int | None = None,
        align: Align = "left",
        fonts: FontSet | None = None,
    ) -> None:
        super().__init__()
        self.text = text
        self.size = size
        self.bold = bold
        self.font = font
        self.color = color
        self.leading = leading or size * 1.25
        self.max_lines = max_lines
        self.align: Align = align
        self.fonts = fonts
        self.lines: list[str] = []
        self._wrapped_width: float | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        # A table asks every cell its size while it lays out, splits and draws: wrap once per width.
        if availWidth != self._wrapped_width:
            self.lines = wrap(
                self.text, availWidth, self.size, self.bold, font=self.font, max_lines=self.max_lines, fonts=self.fonts
            )
            self._wrapped_width = availWidth
        self.width = availWidth
        self.height = len(self.lines) * self.leading
        return self.width, self.height

    def draw(self) -> None:
        x = {"left": 0.0, "right": self.width, "centre": self.width / 2}[self.align]
        self.canv.setFillColor(self.color)
        for index, line in enumerate(self.lines):
            # The baseline sits a quarter of the leading above the line's foot: room for descenders.
            baseline = self.height - (index + 0.75) * self.leading
            draw_string(
                self.canv, x, baseline, line, self.size, self.bold, font=self.font, align=self.align, fonts=self.fonts
            )
