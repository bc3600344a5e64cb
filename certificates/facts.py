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
    """Integer kilograms as tonnes with three places (``1250`` → ``"1.250"``); exact, no floats."""
    return str(kg_to_tonnes(quantity_kg))


@dataclass(frozen=True, kw_only=True)
class CheckpointFacts:
    """A Merkle checkpoint over ledger entries 1..size."""

    size: int
    root: str


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
    # False when the issue entry of these serials failed verification: methodology and screening
    # version are then None and say so, rather than repeating what a forged entry claims.
    issuance_proven: bool = True

    @property
    def quantity_t(self) -> str:
        return format_tonnes(self.quantity_kg)

    @property
    def methodology_text(self) -> str:
        return self.methodology or (NOT_RECORDED if self.issuance_proven else UNVERIFIED)

    @property
    def screening_version_text(self) -> str:
        return self.screening_version or (NOT_RECORDED if self.issuance_proven else UNVERIFIED)
