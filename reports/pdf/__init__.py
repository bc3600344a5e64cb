"""The GHG statement as an A4 PDF: key figures, charts, tables, data-quality notes, methodology and
how to verify the document.

``ghg_pdf_render`` is a pure function of the :class:`~reports.ghg.statement.Statement` and the
verification address: the same statement gives the same bytes (reportlab's invariant mode fixes
the document ID to the content, and the creation date printed in the PDF's metadata is the time of
the newest record behind the figures, never the clock), so the SHA-256 the registry records on the
first download is the SHA-256 of every later download of the same data.

Every string is drawn with core.pdf, so an organisation name or a beneficiary in any script prints
shaped (Devanagari, Arabic, Thai, CJK), and reads back as typed.
"""

import io
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Spacer,
    Table,
    TableStyle,
)

from core.pdf import TextBlock, draw_string, wrap
from reports.ghg.statement import REVENUE_BASIS, Statement
from reports.pdf import methodology
from reports.pdf.charts import EnergyMix, MonthlyTrend, ScopeSplit
from reports.pdf.style import (
    CONTENT_WIDTH,
    GREEN,
    GRID,
    INK,
    MARGIN,
    MONO,
    MUTED,
    NO_SHARE,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    PALE_GREEN,
    RULE,
    WARNING,
    ZEBRA,
    decimal_text,
    kg,
    mwh,
    plain_decimal,
    share,
    tonnes,
    unit_name,
)

# Bump when the layout changes: cached renders are keyed by it, and issued documents record it.
LAYOUT_VERSION = 1

HEADER_HEIGHT = 34
FOOTER_HEIGHT = 22


def _date(moment: datetime | None) -> str:
    return f"{moment.astimezone(UTC):%-d %B %Y, %H:%M} UTC" if moment else "no data"


def _text(text: str, size: float = 9, bold: bool = False, *, color=INK, **kwargs) -> TextBlock:
    return TextBlock(text, size, bold, color=color, **kwargs)


def _heading(text: str) -> list[Flowable]:
    # Keep a heading with at least a few lines of what follows it.
    return [CondPageBreak(90), Spacer(1, 10), _text(text.upper(), 9, True, color=GREEN), _Rule(), Spacer(1, 5)]


class _Rule(Flowable):
    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        return availWidth, 4

    def draw(self) -> None:
        self.canv.setStrokeColor(RULE)
        self.canv.setLineWidth(0.6)
        self.canv.line(0, 2, self.width, 2)


class _KeyFigures(Flowable):
    """Boxes of headline figures, four to a row: label, value in large type, a line under it."""

    columns, box_height, gap = 4, 58.0, 8.0

    def __init__(self, figures: list[tuple[str, str, str]], *, width: float) -> None:
        super().__init__()
        self.figures = figures
        self.width = width
        rows = -(-len(figures) // self.columns)
        self.height = rows * self.box_height + (rows - 1) * self.gap

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        box_width = (self.width - (self.columns - 1) * self.gap) / self.columns
        for index, (label, value, detail) in enumerate(self.figures):
            row, column = divmod(index, self.columns)
            x = column * (box_width + self.gap)
            y = self.height - (row + 1) * self.box_height - row * self.gap
            canvas.setFillColor(PALE_GREEN)
            canvas.setStrokeColor(RULE)
            canvas.roundRect(x, y, box_width, self.box_height, 5, stroke=1, fill=1)
            draw_string(canvas, x + 8, y + self.box_height - 13, label, 7.5, color=MUTED)
            draw_string(canvas, x + 8, y + self.box_height - 34, value, 15, True, color=INK)
            for line_index, line in enumerate(wrap(detail, box_width - 16, 7, max_lines=2)):
                draw_string(canvas, x + 8, y + 15 - line_index * 8.5, line, 7, color=MUTED)


def _table(
    header: list[str], rows: list[list[str]], widths: Sequence[float], *, align: str = "", size: float = 7.5
) -> Table:
    """A table whose every cell is core.pdf text; ``align`` is one letter per column (l, r)."""
    align = align or "l" * len(widths)

    def cell(text: str, column: int, bold: bool = False) -> TextBlock:
        return TextBlock(text, size, bold, color=INK, align="right" if align[column] == "r" else "left")

    data = [[cell(text, column, bold=True) for column, text in enumerate(header)]]
    data += [[cell(text, column) for column, text in enumerate(row)] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    style = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, GRID),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    style += [("BACKGROUND", (0, row), (-1, row), ZEBRA) for row in range(2, len(data), 2)]
    table.setStyle(TableStyle(style))
    return table


def _summary(statement: Statement) -> list[Flowable]:
    organization = statement.organization
    energy = statement.energy
    intensity = statement.intensity
    figures = [
        ("Total emissions", f"{tonnes(statement.total_kg)} t", f"{kg(statement.total_kg)} kg CO2e, scopes 1 + 2 + 3"),
        ("Scope 1 (direct)", f"{tonnes(statement.scope1_kg)} t", f"{kg(statement.scope1_kg)} kg CO2e"),
        ("Scope 2 (location-based)", f"{tonnes(statement.scope2_kg)} t", f"{kg(statement.scope2_kg)} kg CO2e"),
        ("Scope 3 (reported categories)", f"{tonnes(statement.scope3_kg)} t", f"{kg(statement.scope3_kg)} kg CO2e"),
        ("Energy use", f"{mwh(energy.total_kwh)} MWh", f"{kg(energy.total_kwh)} kWh"),
        (
            "Renewable energy",
            share(energy.renewable_kwh, energy.total_kwh),
            f"{kg(energy.renewable_kwh)} kWh renewable, {kg(energy.non_renewable_kwh)} kWh not",
        ),
        ("Credits retired in the year", f"{tonnes(statement.retired_kg)} t", f"{kg(statement.retired_kg)} kg CO2e"),
        ("Net (total minus retired)", f"{tonnes(statement.net_kg)} t", f"{kg(statement.net_kg)} kg CO2e"),
    ]
    story: list[Flowable] = [
        _text(f"Greenhouse gas statement {statement.year}", 24, True, color=GREEN),
        Spacer(1, 6),
        _text(organization.name, 18, True, max_lines=3),
        Spacer(1, 3),
        _text(
            f"{organization.country_name} ({organization.country})  ·  calendar year {statement.year}, "
            f"1 January to 31 December  ·  data as of {_date(statement.data_as_of)}"
            + ("  ·  the year is not over" if statement.in_progress else ""),
            8.5,
            color=MUTED,
        ),
        Spacer(1, 12),
    ]
    if statement.empty:
        story += [
            _text(
                f"No emissions report covers {statement.year}. Every figure below is zero because nothing was "
                "reported, not because nothing was emitted.",
                10,
                True,
                color=WARNING,
            ),
            Spacer(1, 8),
        ]
    story += [_KeyFigures(figures, width=CONTENT_WIDTH), Spacer(1, 4)]
    per_employee = (
        f"{decimal_text(intensity.per_employee_kg, 1)} kg CO2e per employee ({intensity.employees:,} employees)"
        if intensity.per_employee_kg is not None
        else "per employee: headcount not recorded"
    )
    per_revenue = (
        f"{decimal_text(intensity.per_revenue_kg, 1)} {intensity.revenue_unit} of revenue "
        f"({decimal_text(intensity.annual_revenue or Decimal(0), 2)} {intensity.currency} a year)"
        if intensity.per_revenue_kg is not None
        else "per revenue: annual revenue not recorded"
    )
    story += [Spacer(1, 6), _text(f"Intensity: {per_employee}; {per_revenue}.", 8.5)]
    story += _heading("Emissions by scope")
    story.append(
        ScopeSplit({1: statement.scope1_kg, 2: statement.scope2_kg, 3: statement.scope3_kg}, width=CONTENT_WIDTH)
    )
    warnings = [note for note in statement.notes if note.severity == "warning"]
    if warnings:
        story += _heading("Read before relying on these figures")
        story += [_text(f"•  {note.detail}", 8.5, color=WARNING) for note in warnings[:4]]
        if len(warnings) > 4:
            story.append(_text(f"… and {len(warnings) - 4} more under Data quality.", 8.5, color=WARNING))
    return story


def _monthly(statement: Statement) -> list[Flowable]:
    story = _heading("Emissions by month")
    story += [
        MonthlyTrend(statement.monthly, width=CONTENT_WIDTH),
        Spacer(1, 4),
        _text(
            "A report covering several months is spread over them by days (an estimate); bars are stacked "
            "scope 1 (bottom), scope 2, scope 3 (top), with the month's total above.",
            7.5,
            color=MUTED,
        ),
        Spacer(1, 6),
    ]
    rows = [
        [
            f"{month.month:%B}",
            kg(month.scope1_kg),
            kg(month.scope2_kg),
            kg(month.scope3_kg),
            kg(month.total_kg),
            kg(month.energy_kwh),
            f"{month.days_covered} of {month.days}",
        ]
        for month in statement.monthly
    ]
    rows.append(
        [
            "Year",
            kg(statement.scope1_kg),
            kg(statement.scope2_kg),
            kg(statement.scope3_kg),
            kg(statement.total_kg),
            kg(statement.energy.total_kwh),
            f"{sum(m.days_covered for m in statement.monthly)} of {sum(m.days for m in statement.monthly)}",
        ]
    )
    widths = [80, 70, 70, 70, 70, 70, 65]
    story.append(
        _table(
            ["Month", "Scope 1 kg", "Scope 2 kg", "Scope 3 kg", "Total kg", "Energy kWh", "Days covered"],
            rows,
            widths,
            align="lrrrrrr",
        )
    )
    return story


def _energy_and_activities(statement: Statement) -> list[Flowable]:
    energy = statement.energy
    story = _heading("Energy use")
    story += [
        EnergyMix(energy, width=CONTENT_WIDTH),
        Spacer(1, 4),
        _text(
            f"Total {kg(energy.total_kwh)} kWh ({mwh(energy.total_kwh)} MWh): renewable {kg(energy.renewable_kwh)} kWh "
            f"({share(energy.renewable_kwh, energy.total_kwh)}), non-renewable {kg(energy.non_renewable_kwh)} kWh "
            f"({share(energy.non_renewable_kwh, energy.total_kwh)}). Electricity as billed; fuels at net "
            "calorific value. Renewable energy counts only what the data records as renewable.",
            7.5,
            color=MUTED,
        ),
    ]
    for generation in statement.self_generation:
        story.append(
            _text(
                f"Self-generated: {kg(generation.kwh)} kWh, {generation.start} to {generation.end}, "
                f"{generation.source}",
                7.5,
                color=MUTED,
            )
        )
    story += _heading("Emissions by activity")
    if statement.by_activity:
        rows = [
            [
                activity.label,
                str(activity.scope),
                f"{decimal_text(activity.quantity, 2)} {unit_name(activity.unit)}",
                kg(activity.energy_kwh) if activity.energy_kwh is not None else NO_SHARE,
                kg(activity.emissions_kg),
                share(activity.emissions_kg, statement.total_kg),
            ]
            for activity in statement.by_activity
        ]
        story.append(
            _table(
                ["Activity", "Scope", "Quantity in the year", "Energy kWh", "kg CO2e", "Share"],
                rows,
                [175, 34, 100, 65, 65, 56],
                align="lrrrrr",
            )
        )
    else:
        story.append(_text("No activity was reported for the year.", 8.5, color=MUTED))
    if statement.reports:
        story.append(Spacer(1, 6))
        story.append(
            _text(
                "Emissions reports used: "
                + "; ".join(
                    f"#{report.id} ({report.period_start} to {report.period_end}, {kg(report.in_year_kg)} of "
                    f"{kg(report.total_kg)} kg in {statement.year})"
                    for report in statement.reports
                ),
                7.5,
                color=MUTED,
            )
        )
    return story


def _factors(statement: Statement) -> list[Flowable]:
    story = _heading("Factors used")
    if not statement.factors:
        return [*story, _text("No factor was used: there was no activity to convert.", 8.5, color=MUTED)]
    rows = [
        [
            f"{row.activity}{' (fallback)' if row.fallback else ''}",
            row.region,
            f"{plain_decimal(row.value)} {row.value_unit}",
            f"{row.source}. {row.note}".strip(),
            str(row.year),
            row.licence,
        ]
        for row in statement.factors
    ]
    story.append(
        _table(["Activity", "Region", "Value", "Source and notes", "Year", "Licence"], rows, [62, 38, 88, 207, 28, 72])
    )
    return story


def _retirements(statement: Statement) -> list[Flowable]:
    story = _heading(f"Credits retired in {statement.year}")
    if not statement.retirements:
        return [*story, _text(f"No credits were retired in {statement.year}.", 8.5, color=MUTED)]
    rows = [
        [_date(r.retired_at), r.serial, r.beneficiary, kg(r.quantity_kg), r.public_url] for r in statement.retirements
    ]
    rows.append(["Total", "", "", kg(statement.retired_kg), ""])
    story.append(
        _table(
            ["Retired on", "Serial range", "Beneficiary", "kg CO2e", "Certificate"],
            rows,
            [78, 120, 110, 52, 135],
            align="lllrl",
        )
    )
    return story


def _notes(statement: Statement) -> list[Flowable]:
    story = _heading("Data quality")
    for note in statement.notes:
        marker = "Warning" if note.severity == "warning" else "Note"
        story += [
            _text(f"{marker} ({note.code}): {note.detail}", 8, color=WARNING if note.severity == "warning" else INK),
            Spacer(1, 3),
        ]
    return story


def _methodology(statement: Statement) -> list[Flowable]:
    story: list[Flowable] = [PageBreak(), *_heading("Methodology")]
    for title, paragraph in methodology.sections(statement, revenue_basis=REVENUE_BASIS):
        story += [_text(title, 8.5, True), Spacer(1, 1), _text(paragraph, 8, leading=10.5), Spacer(1, 5)]
    return story


def _verification(statement: Statement, verify_url: str) -> list[Flowable]:
    story = _heading("Verify this document")
    for paragraph in methodology.verification(statement, verify_url=verify_url):
        story += [_text(paragraph, 8.5, leading=11), Spacer(1, 4)]
    story += [
        _text("Statement data fingerprint (SHA-256 of the figures, the same in the JSON and CSV):", 7.5, color=MUTED),
        TextBlock(statement.fingerprint, 7.5, font=MONO, color=INK),
    ]
    return [KeepTogether(story)]  # the block is read as one: never split over two pages


def _decorate(statement: Statement) -> Callable[[Canvas, BaseDocTemplate], None]:
    def on_page(canvas: Canvas, doc: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setFillColor(GREEN)
        canvas.rect(0, PAGE_HEIGHT - HEADER_HEIGHT, PAGE_WIDTH, HEADER_HEIGHT, stroke=0, fill=1)
        baseline = PAGE_HEIGHT - HEADER_HEIGHT + 13
        width = draw_string(canvas, MARGIN, baseline, "CarbonCred", 12, True, color=PALE_GREEN)
        draw_string(
            canvas, MARGIN + width + 8, baseline, f"Greenhouse gas statement {statement.year}", 9, color=PALE_GREEN
        )
        name = wrap(statement.organization.name, CONTENT_WIDTH / 2, 9, max_lines=1)[0]
        draw_string(canvas, PAGE_WIDTH - MARGIN, baseline, name, 9, True, align="right", color=PALE_GREEN)
        canvas.restoreState()

    return on_page


def _canvas_class(statement: Statement) -> type[Canvas]:
    """A canvas that stamps the data's time as the PDF's creation date and numbers pages "n of N"
    (pages are kept until the end, when the total is known)."""
    moment = statement.data_as_of or datetime(statement.year, 1, 1, tzinfo=UTC)
    stamp = moment.astimezone(UTC).strftime("D:%Y%m%d%H%M%S+00'00'")
    footer = f"Data as of {_date(statement.data_as_of)}  ·  fingerprint {statement.fingerprint[:16]}"

    class StatementCanvas(Canvas):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.setDateFormatter(lambda *_: stamp)
            self._pages: list[dict] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self.setStrokeColor(RULE)
                self.setLineWidth(0.6)
                self.line(MARGIN, MARGIN - 6, PAGE_WIDTH - MARGIN, MARGIN - 6)
                draw_string(self, MARGIN, MARGIN - 17, footer, 7, color=MUTED)
                page = f"Page {number} of {total}"
                draw_string(self, PAGE_WIDTH - MARGIN, MARGIN - 17, page, 7, align="right", color=MUTED)
                super().showPage()
            super().save()

    return StatementCanvas


def ghg_pdf_render(statement: Statement, *, verify_url: str) -> bytes:
    """The statement as PDF bytes; identical bytes for an identical statement and address."""
    buffer = io.BytesIO()
    organization = statement.organization
    document = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=HEADER_HEIGHT + 18,
        bottomMargin=MARGIN + 4,
        title=f"Greenhouse gas statement {statement.year}: {organization.name}",
        author="CarbonCred",
        subject=f"GHG statement {statement.year} of {organization.name}",
        creator="CarbonCred registry",
        keywords=f"GHG statement; {statement.year}; fingerprint {statement.fingerprint}",
        invariant=1,
        pageCompression=1,
    )
    frame = Frame(
        MARGIN,
        MARGIN + 4,
        CONTENT_WIDTH,
        PAGE_HEIGHT - HEADER_HEIGHT - 18 - MARGIN - 4,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    document.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=_decorate(statement))])
    story: list[Flowable] = []
    story += _summary(statement)
    story += _monthly(statement)
    story += _energy_and_activities(statement)
    story += _factors(statement)
    story += _retirements(statement)
    story += _notes(statement)
    story += _methodology(statement)
    story += _verification(statement, verify_url)
    document.build(story, canvasmaker=_canvas_class(statement))
    return buffer.getvalue()
