"""What a file is, read from its bytes: the name and the client's content type are never trusted.

Pure functions, no Django. Accepted: PDF (``%PDF-``), PNG (its 8-byte signature), JPEG (the SOI marker
followed by a marker byte) and CSV (UTF-8 text, a byte-order mark allowed, that Python's ``csv`` module
parses strictly and in which at least one row has two fields or more). Anything else is refused,
including HTML, SVG, ZIP/Office files and executables, whatever they are called.
"""

import codecs
import csv
import io

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
CSV = "text/csv"
ACCEPTED = (PDF, PNG, JPEG, CSV)
EXTENSIONS = {PDF: "pdf", PNG: "png", JPEG: "jpg", CSV: "csv"}

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SOI = b"\xff\xd8\xff"
PDF_HEADER = b"%PDF-"
# Control characters never found in a text CSV (tab, LF and CR are fine; NUL means binary).
_FORBIDDEN_CONTROLS = frozenset(chr(c) for c in range(32) if chr(c) not in "\t\n\r") | {"\x7f"}


def sniff(head: bytes) -> str | None:
    """The content type of a binary format recognised from the first bytes, or None."""
    if head.startswith(PDF_HEADER):
        return PDF
    if head.startswith(PNG_SIGNATURE):
        return PNG
    if head.startswith(JPEG_SOI):
        return JPEG
    return None


def is_csv(chunks) -> bool:
    """Whether the byte chunks (an iterable of ``bytes``) are a CSV: valid UTF-8 throughout, no
    control characters beyond tab and line ends, parsed by ``csv`` with ``strict=True``, and at least
    one row with two fields or more (any text is a one-column "CSV"; meter data never is)."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="strict")
    text = io.StringIO()
    try:
        for chunk in chunks:
            part = decoder.decode(chunk)
            if _FORBIDDEN_CONTROLS.intersection(part):
                return False
            text.write(part)
        text.write(decoder.decode(b"", final=True))
    except UnicodeDecodeError:
        return False
    text.seek(0)
    try:
        return any(len(row) >= 2 for row in csv.reader(text, strict=True))
    except csv.Error:
        return False
