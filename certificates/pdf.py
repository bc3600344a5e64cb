"""The retirement certificate as an A4 PDF, drawn straight onto a reportlab canvas.

``certificate_pdf_render`` is a pure function of :class:`CertificateFacts`: the same facts give the
same bytes (the creation date is the retirement time and the document ID is derived from the
content), so a certificate can be re-rendered, cached and compared byte for byte.
"""

import io
import itertools

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from certificates.facts import CertificateFacts
from core.pdf import draw_string, wrap

# Bump when the layout changes: cached renders are keyed by it. 2: names in any script, shaped.
# 3: numbers grouped as on the public page (tonnes with thousands separators, day unpadded).
# 4: methodology and screening version printed only from a verified issue entry.
LAYOUT_VERSION = 4

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 50
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
LABEL_WIDTH = 130
QR_SIZE = 96
QR_BORDER = 2  # quiet zone, in modules
# The "how to verify" block and QR code sit at the foot of the page; everything above must end higher.
FOOT_TOP = MARGIN + 10 + QR_SIZE + 12

INK = colors.HexColor("#1c2b24")
MUTED = colors.HexColor("#5b6b63")
GREEN = colors.HexColor("#17603a")
PALE_GREEN = colors.HexColor("#e9f4ee")
RULE = colors.HexColor("#c9d6cf")

# The standard PDF fonts print Windows-1252 text; core.pdf prints everything else (Łódź, हरित,
# شركة, 東京) in embedded TrueType fonts, shaped, so a Latin-only certificate embeds no font at all.
SANS, SANS_BOLD, SANS_OBLIQUE, MONO = "Helvetica", "Helvetica-Bold", "Helvetica-Oblique", "Courier"


def public_qr_widget(url: str, *, size: float = QR_SIZE) -> QrCodeWidget:
    """The QR code printed on the certificate; level M survives a crease or a smudge on paper."""
    return QrCodeWidget(url, barWidth=size, barHeight=size, barLevel="M", barBorder=QR_BORDER)


def _draw_qr(canvas: Canvas, url: str, x: float, y: float) -> None:
    """Draw the widget's modules, with the widget's geometry, as one filled path.

    ``QrCodeWidget.draw`` builds one validated ``Rect`` shape per run of dark modules and renderPDF
    wraps each in its own graphics state: two thirds of the render time and most of the file. The
    encoding is still the widget's; only the drawing is done in one go.
    """
    widget = public_qr_widget(url)
    widget.qr.make()
    box = QR_SIZE / (widget.qr.getModuleCount() + 2 * QR_BORDER)
    path = canvas.beginPath()
    for row, modules in enumerate(widget.qr.modules):
        column = 0
        for dark, run in itertools.groupby(bool(module) for module in modules):
            length = len(list(run))
            if dark:
                top = y + QR_SIZE - (row + QR_BORDER + 1) * box
                path.rect(x + (column + QR_BORDER) * box, top, length * box, box)
            column += length
    canvas.setFillColor(colors.black)
    canvas.drawPath(path, stroke=0, fill=1)


class _Page:
    """A top-down cursor over the canvas, so the layout reads in the order the page does."""

    def __init__(self, canvas: Canvas) -> None:
        self.c = canvas
        self.y = PAGE_HEIGHT

    def text(self, text: str, *, font: str = SANS, size: float = 10, color=INK, x: float = MARGIN) -> None:
        draw_string(self.c, x, self.y, text, size, font=font, color=color)

    def paragraph(
        self,
        text: str,
        *,
        font: str = SANS,
        size: float = 10,
        color=INK,
        x: float = MARGIN,
        width: float = CONTENT_WIDTH,
        leading: float | None = None,
        max_lines: int = 3,
    ) -> None:
        leading = leading or size * 1.3
        for line in wrap(text, width, size, font=font, max_lines=max_lines):
            self.text(line, font=font, size=size, color=color, x=x)
            self.y -= leading

    def rule(self) -> None:
        self.c.setStrokeColor(RULE)
        self.c.setLineWidth(0.6)
        self.c.line(MARGIN, self.y, PAGE_WIDTH - MARGIN, self.y)


def _header(page: _Page, facts: CertificateFacts) -> None:
    c = page.c
    c.setFillColor(GREEN)
    c.rect(0, PAGE_HEIGHT - 78, PAGE_WIDTH, 78, stroke=0, fill=1)
    page.y = PAGE_HEIGHT - 42
    page.text("CarbonCred", font=SANS_BOLD, size=22, color=colors.white)
    c.setFont(SANS, 9)
    c.drawRightString(PAGE_WIDTH - MARGIN, page.y + 6, "Registry of micro carbon credits")
    c.setFont(MONO, 8)
    c.drawRightString(PAGE_WIDTH - MARGIN, page.y - 8, f"Certificate {facts.public_id}")
    page.y -= 18
    page.text("Retirement certificate", size=10, color=colors.white)


def _statement(page: _Page, facts: CertificateFacts) -> None:
    page.y = PAGE_HEIGHT - 118
    page.text("Certificate of Retirement", font=SANS_BOLD, size=26, color=INK)
    page.y -= 20
    page.paragraph(
        "Retired permanently on the CarbonCred ledger: these credits can never be sold, transferred or used again.",
        size=10,
        color=MUTED,
        max_lines=2,
    )

    # The hero box grows with the beneficiary and the reason; its height is measured before drawing.
    # A long beneficiary name steps down in size rather than being cut short.
    inner_width = CONTENT_WIDTH - 36
    for beneficiary_size, max_lines in ((18.0, 1), (14.0, 3), (12.0, 4)):
        beneficiary = wrap(facts.beneficiary, inner_width, beneficiary_size, font=SANS_BOLD, max_lines=max_lines)
        if not beneficiary[-1].endswith("…"):
            break
    reason = wrap(f"Reason: {facts.reason}", inner_width, 9.5, font=SANS_OBLIQUE, max_lines=5) if facts.reason else []
    height = 92 + len(beneficiary) * beneficiary_size * 1.2 + len(reason) * 12.5

    page.y += 5
    top = page.y
    page.c.setFillColor(PALE_GREEN)
    page.c.setStrokeColor(RULE)
    page.c.roundRect(MARGIN, top - height, CONTENT_WIDTH, height, 8, stroke=1, fill=1)

    x = MARGIN + 18
    page.y = top - 34
    page.text(f"{facts.quantity_t_display} tCO2e", font=SANS_BOLD, size=30, color=GREEN, x=x)
    page.y -= 19
    page.text(
        f"{facts.quantity_kg_display} kg CO2e  ·  {facts.quantity_kg_display} serial units of 1 kg",
        size=10,
        color=MUTED,
        x=x,
    )
    page.y -= 20
    page.text("retired on behalf of", size=10, color=MUTED, x=x)
    page.y -= beneficiary_size + 4
    for line in beneficiary:
        page.text(line, font=SANS_BOLD, size=beneficiary_size, color=INK, x=x)
        page.y -= beneficiary_size * 1.2
    if reason:
        page.y -= 4
        for line in reason:
            page.text(line, font=SANS_OBLIQUE, size=9.5, color=INK, x=x)
            page.y -= 12.5
    page.y = top - height - 24


def _section(page: _Page, title: str, rows: list[tuple[str, str, str]]) -> None:
    page.text(title.upper(), font=SANS_BOLD, size=8.5, color=GREEN)
    page.y -= 4
    page.rule()
    page.y -= 12
    for label, value, font in rows:
        page.text(label, size=9, color=MUTED)
        page.paragraph(
            value,
            font=font,
            size=8 if font == MONO else 9.5,
            x=MARGIN + LABEL_WIDTH,
            width=CONTENT_WIDTH - LABEL_WIDTH,
            leading=12,
            max_lines=3,
        )
    page.y -= 7


def _details(page: _Page, facts: CertificateFacts) -> None:
    _section(
        page,
        "Credits",
        [
            ("Serial range", facts.serial, MONO),
            ("Serial numbers", f"{facts.serial_numbers_display} (1 kg CO2e each)", SANS),
            ("Vintage", str(facts.vintage), SANS),
        ],
    )
    _section(
        page,
        "Project",
        [
            ("Project", facts.project_title, SANS),
            ("Category", facts.project_category, SANS),
            ("Country", facts.project_country, SANS),
            ("Methodology", facts.methodology_text, SANS),
            ("Screening version", facts.screening_version_text, SANS),
        ],
    )
    checkpoint = (
        [
            ("Checkpoint", facts.checkpoint_display or "", SANS),
            ("Checkpoint root", facts.checkpoint.root, MONO),
        ]
        if facts.checkpoint
        else [("Checkpoint", "none covers this entry yet: the verification page has the latest", SANS)]
    )
    _section(
        page,
        "Retirement and ledger",
        [
            ("Retired by", facts.retired_by, SANS),
            ("Retired on", facts.retired_at_display, SANS),
            ("Ledger entry", facts.entry_seq_display, SANS),
            ("Entry hash (SHA-256)", facts.entry_hash, MONO),
            *checkpoint,
        ],
    )


def _verification(page: _Page, facts: CertificateFacts) -> None:
    c = page.c
    bottom = MARGIN + 10
    qr_x = PAGE_WIDTH - MARGIN - QR_SIZE
    _draw_qr(c, facts.public_url, qr_x, bottom)
    # The printed code is also a link, for the reader who opens the PDF on the phone it would scan with.
    c.linkURL(facts.public_url, (qr_x, bottom, qr_x + QR_SIZE, bottom + QR_SIZE), relative=0, thickness=0)

    text_width = CONTENT_WIDTH - QR_SIZE - 20
    page.y = bottom + QR_SIZE - 8
    page.text("How to verify", font=SANS_BOLD, size=10, color=GREEN)
    page.y -= 15
    page.paragraph(
        "Scan the code or open the address below. The page recomputes this ledger entry's SHA-256 hash, "
        "checks that the certificate matches it, and checks its Merkle inclusion proof against the "
        "checkpoint root printed above, which the registry publishes at /api/ledger/head/.",
        size=8.5,
        color=INK,
        width=text_width,
        leading=11,
        max_lines=5,
    )
    page.y -= 4
    page.paragraph(facts.public_url, font=MONO, size=8, color=GREEN, width=text_width, leading=10, max_lines=2)

    c.setFont(SANS, 7.5)
    c.setFillColor(MUTED)
    c.drawString(MARGIN, MARGIN - 8, f"CarbonCred retirement certificate {facts.public_id}")
    c.drawRightString(PAGE_WIDTH - MARGIN, MARGIN - 8, "1 credit = 1 tonne CO2e = 1,000 serial units")


def _pdf_date(facts: CertificateFacts) -> str:
    return facts.retired_at.strftime("D:%Y%m%d%H%M%S+00'00'")


def certificate_pdf_render(facts: CertificateFacts) -> bytes:
    """The certificate as PDF bytes; identical bytes for identical facts."""
    buffer = io.BytesIO()
    # invariant=1 fixes the timestamp reportlab would read from the clock and seeds the document
    # ID from the content only; the date formatter then stamps the retirement time instead.
    canvas = Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1)
    canvas.setDateFormatter(lambda *_: _pdf_date(facts))
    canvas.setTitle(f"Retirement certificate {facts.serial}")
    canvas.setAuthor("CarbonCred")
    canvas.setSubject(f"{facts.quantity_t_display} tCO2e retired on behalf of {facts.beneficiary}")
    canvas.setCreator("CarbonCred registry")
    canvas.setKeywords(f"carbon credit retirement; {facts.public_id}; ledger entry {facts.entry_seq}")

    page = _Page(canvas)
    _header(page, facts)
    _statement(page, facts)
    _details(page, facts)
    _verification(page, facts)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
