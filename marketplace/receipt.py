"""The receipt of an order as an A4 PDF: what was bought, from whom, for how much, and how it was paid.

Drawn with ``core.pdf`` (names in any script print, shaped) onto a reportlab canvas, as the
retirement certificate is. A pure function of :class:`ReceiptFacts`: the same order gives the same
bytes (the PDF's date is the order's, its document ID is derived from the content).
"""

import io
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from core.pdf import draw_string, wrap
from core.units import kg_to_tonnes
from marketplace.models import Order
from payments.selectors import order_payment_entry

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 56
INK = colors.HexColor("#1c2b24")
MUTED = colors.HexColor("#5b6b63")
RULE = colors.HexColor("#c9d6cf")


@dataclass(frozen=True)
class ReceiptFacts:
    order_id: str
    created_at: datetime
    buyer: str
    buyer_country: str
    seller: str
    seller_country: str
    project: str
    serial: str
    vintage: int
    quantity_kg: int
    price_per_tonne: Decimal
    currency: str
    total: Decimal
    fee: Decimal
    fee_rate: Decimal
    ledger_seq: int
    payment_entry: int | None

    @property
    def amount_due(self) -> Decimal:
        return self.total + self.fee


def receipt_facts(order: Order) -> ReceiptFacts:
    listing = order.listing
    entry = order_payment_entry(order_id=order.pk)
    return ReceiptFacts(
        order_id=str(order.pk),
        created_at=order.created_at,
        buyer=order.buyer.name,
        buyer_country=str(order.buyer.country),
        seller=order.seller.name,
        seller_country=str(order.seller.country),
        project=listing.project.title,
        serial=order.serial,
        vintage=listing.vintage,
        quantity_kg=order.quantity_kg,
        price_per_tonne=order.price_per_tonne,
        currency=order.currency,
        total=order.total,
        fee=order.fee,
        fee_rate=order.fee_rate,
        ledger_seq=order.ledger_entry_id,
        payment_entry=entry.pk if entry is not None else None,
    )


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def receipt_pdf_render(facts: ReceiptFacts) -> bytes:
    """The receipt as PDF bytes; identical bytes for identical facts."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1)
    canvas.setDateFormatter(lambda *_: facts.created_at.strftime("D:%Y%m%d%H%M%S+00'00'"))
    canvas.setTitle(f"Receipt for order {facts.order_id}")
    canvas.setAuthor("CarbonCred")
    canvas.setCreator("CarbonCred registry")

    y = PAGE_HEIGHT - MARGIN
    draw_string(canvas, MARGIN, y, "CarbonCred", 11, bold=True, color=MUTED)
    y -= 30
    draw_string(canvas, MARGIN, y, "Receipt", 22, bold=True, color=INK)
    draw_string(canvas, PAGE_WIDTH - MARGIN, y, facts.created_at.strftime("%d %B %Y"), 10, align="right", color=MUTED)
    y -= 18
    draw_string(canvas, MARGIN, y, f"Order {facts.order_id}", 9, color=MUTED)
    y -= 30

    def row(label: str, value: str, *, bold: bool = False) -> None:
        nonlocal y
        draw_string(canvas, MARGIN, y, label, 10, color=MUTED)
        lines = wrap(value, PAGE_WIDTH - 2 * MARGIN - 150, 10, bold=bold) or [""]
        for line in lines:
            draw_string(canvas, MARGIN + 150, y, line, 10, bold=bold, color=INK)
            y -= 15
        y -= 3

    row("Buyer", f"{facts.buyer} ({facts.buyer_country})")
    row("Seller", f"{facts.seller} ({facts.seller_country})")
    row("Project", facts.project)
    row("Credits", f"{kg_to_tonnes(facts.quantity_kg)} tCO2e ({facts.quantity_kg:,} kg), vintage {facts.vintage}")
    row("Serial numbers", facts.serial)
    y -= 6
    canvas.setStrokeColor(RULE)
    canvas.line(MARGIN, y + 8, PAGE_WIDTH - MARGIN, y + 8)
    y -= 10
    row("Price per tonne", _money(facts.price_per_tonne, facts.currency))
    row("Credits total", _money(facts.total, facts.currency))
    row(f"Platform fee ({facts.fee_rate * 100:.3g} %)", _money(facts.fee, facts.currency))
    row("Paid by the buyer", _money(facts.amount_due, facts.currency), bold=True)
    row("Received by the seller", _money(facts.total, facts.currency))
    y -= 6
    canvas.line(MARGIN, y + 8, PAGE_WIDTH - MARGIN, y + 8)
    y -= 10
    payment = f"journal entry {facts.payment_entry}" if facts.payment_entry is not None else "nothing to pay"
    row("Paid from", f"the buyer's CarbonCred balance ({payment})")
    row("Ledger entry", f"trade, sequence number {facts.ledger_seq}")
    y -= 10
    for line in wrap(
        "The credits moved and the money was paid in one transaction. The trade is public in the registry's "
        f"ledger: GET /api/ledger/entries/?serial={facts.serial}",
        PAGE_WIDTH - 2 * MARGIN,
        8,
    ):
        draw_string(canvas, MARGIN, y, line, 8, color=MUTED)
        y -= 11
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def order_receipt_pdf(order: Order) -> bytes:
    return receipt_pdf_render(receipt_facts(order))
