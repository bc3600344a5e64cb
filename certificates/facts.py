"""What a retirement certificate states, as plain values.

The PDF, the public page and the verification JSON are all rendered from these; they never reach
into the ORM themselves, so they can be tested (and benchmarked) without a database.
"""

import datetime
from dataclasses import dataclass

from core.units import kg_to_tonnes

NOT_RECORDED = "not recorded"
# The issuance entry failed verification: what it says is not shown as fact.
UNVERIFIED = "cannot be verified against the ledger"
# The longest beneficiary and reason the API accepts: the PDF prints them whole at these lengths.
BENEFICIARY_MAX_LENGTH = 150
REASON_MAX_LENGTH = 300


def format_tonnes(quantity_kg: int) -> str:
    """Integer kilograms as tonnes with three places (``1250`` → ``"1.250"``); exact, no floats.
    The machine form, for JSON; people read :func:`display_tonnes`."""
    return str(kg_to_tonnes(quantity_kg))


# How a certificate's numbers read to people, on the PDF and on the public page alike (one place,
# so the two cannot drift apart): thousands grouped with commas, tonnes with three places, times
# in UTC with the day of the month unpadded.


def display_int(value: int) -> str:
    """``1234567`` → ``"1,234,567"``."""
    return f"{value:,}"


def display_tonnes(quantity_kg: int) -> str:
    """``1234567`` kg → ``"1,234.567"`` (tonnes)."""
    return f"{kg_to_tonnes(quantity_kg):,}"


def display_datetime(moment: datetime.datetime) -> str:
    """``"14 March 2026, 09:26 UTC"``."""
    moment = moment.astimezone(datetime.UTC)
    return f"{moment.day} {moment:%B %Y, %H:%M} UTC"


@dataclass(frozen=True, kw_only=True)
class CheckpointFacts:
    """A Merkle checkpoint over ledger entries 1..size."""

    size: int
    root: str


@dataclass(frozen=True, kw_only=True)
class ReversalFacts:
    """The issuance the certificate's serials came from was reversed after they were retired (or
    sold): the registry cancelled as many of its buffer pool's credits to keep them backed."""

    reversed_at: datetime.datetime
    reason: str
    in_circulation_kg: int  # the issuance's credits sold, transferred or retired before the reversal
    buffer_cancelled_kg: int  # the buffer pool's credits cancelled for them
    shortfall_kg: int  # what the pool could not make up (the registry reviews the issuer)
    cancel_entry_seq: int | None
    buffer_cancel_entry_seq: int | None

    @property
    def compensated(self) -> bool:
        return self.shortfall_kg == 0

    @property
    def headline(self) -> str:
        if self.compensated:
            return "Issuance reversed, compensated from the buffer pool"
        return (
            "Issuance reversed, partly compensated"
            if self.buffer_cancelled_kg
            else "Issuance reversed, not compensated yet"
        )

    @property
    def statement(self) -> str:
        """What the page and the verification JSON say, in a sentence or three."""
        when = display_datetime(self.reversed_at)
        entry = f" (ledger entry #{display_int(self.buffer_cancel_entry_seq)})" if self.buffer_cancel_entry_seq else ""
        reversed_on = f"The issuance these credits came from was reversed on {when}."
        if self.compensated:
            return (
                f"{reversed_on} Its credits already sold, transferred or retired, these included, were compensated "
                f"from the registry's buffer pool: {display_int(self.buffer_cancelled_kg)} kg of the pool's credits "
                f"were cancelled in their place{entry}. This retirement stays valid."
            )
        return (
            f"{reversed_on} Of its {display_int(self.in_circulation_kg)} kg already sold, transferred or retired, "
            f"the registry's buffer pool compensated {display_int(self.buffer_cancelled_kg)} kg{entry}; "
            f"{display_int(self.shortfall_kg)} kg are not compensated yet and the registry is reviewing the issuer. "
            "This retirement stays valid."
        )


@dataclass(frozen=True, kw_only=True)
class CertificateFacts:
    """Everything a retirement certificate says. ``None`` means the registry has no record of it."""

    public_id: str
    public_url: str
    serial: str
    serial_start: int
    serial_end: int
    quantity_kg: int
    beneficiary: str
    reason: str
    retired_by: str
    retired_at: datetime.datetime
    project_title: str
    project_category: str
    project_country: str
    vintage: int
    methodology: str | None
    screening_version: str | None
    entry_seq: int
    entry_hash: str
    checkpoint: CheckpointFacts | None
    # False when the issue entry of these serials failed verification: methodology, screening
    # version and evidence documents are then None (or empty) and say so, rather than repeating
    # what a forged entry claims.
    issuance_proven: bool = True
    # The retiring organisation's standing now, and its registration number once verified.
    retired_by_status: str | None = None
    retired_by_registration: str | None = None
    # SHA-256 of the evidence documents behind the issuance of these serials (its ledger entry).
    evidence_documents: tuple[str, ...] = ()
    # Set when that issuance was reversed after the certificate was issued.
    issuance_reversal: ReversalFacts | None = None
    # What the credits are: avoided emissions or an emission reduction, never a removal.
    credit_type: str = "emission_reduction"
    credit_type_label: str = "Emission reduction, not a removal"

    @property
    def credit_type_short(self) -> str:
        return "avoided emissions, not a removal" if self.credit_type == "avoided_emissions" else "emission reduction"

    @property
    def quantity_t(self) -> str:
        return format_tonnes(self.quantity_kg)

    @property
    def methodology_text(self) -> str:
        return self.methodology or (NOT_RECORDED if self.issuance_proven else UNVERIFIED)

    @property
    def screening_version_text(self) -> str:
        return self.screening_version or (NOT_RECORDED if self.issuance_proven else UNVERIFIED)

    # What the PDF and the public page print (tests/certificates/test_number_formats.py holds them to it).

    @property
    def quantity_t_display(self) -> str:
        return display_tonnes(self.quantity_kg)

    @property
    def quantity_kg_display(self) -> str:
        return display_int(self.quantity_kg)

    @property
    def serial_numbers_display(self) -> str:
        return f"{display_int(self.serial_start)} to {display_int(self.serial_end)}"

    @property
    def entry_seq_display(self) -> str:
        return f"#{display_int(self.entry_seq)}"

    @property
    def retired_at_display(self) -> str:
        return display_datetime(self.retired_at)

    @property
    def checkpoint_display(self) -> str | None:
        return f"ledger entries 1 to {display_int(self.checkpoint.size)}" if self.checkpoint else None
