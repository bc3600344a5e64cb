import json
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.db import models
from django.utils import timezone

from accounts.models import Organization
from core.units import kg_to_tonnes
from ledger.hashing import GENESIS_PREV_HASH
from projects.models import Project


def format_serial(*, country: str, project_id: int, vintage: int, first: int, last: int) -> str:
    return f"CC-{country}-{project_id:06d}-{vintage}-{first}-{last}"


class BlockStatus(models.TextChoices):
    AVAILABLE = "available", "Available"
    LISTED = "listed", "Listed for sale"
    RETIRED = "retired", "Retired"
    # Taken out of circulation by a reversal (docs/VERIFICATION.md "Reversals"): never changes again.
    CANCELLED = "cancelled", "Cancelled"


#: Statuses a block never leaves (the PostgreSQL guard trigger refuses any change to such a block).
FINAL_STATUSES = (BlockStatus.RETIRED, BlockStatus.CANCELLED)


class EntryKind(models.TextChoices):
    ISSUE = "issue", "Issue"
    LIST = "list", "List for sale"
    DELIST = "delist", "Withdraw from sale"
    TRANSFER = "transfer", "Transfer"
    TRADE = "trade", "Trade"
    RETIRE = "retire", "Retire"
    CANCEL = "cancel", "Cancel (issuance reversed)"
    BUFFER_CANCEL = "buffer_cancel", "Cancel from the buffer pool (reversal compensated)"


class CreditBlock(models.Model):
    """A contiguous serial range of one project and vintage (1 serial = 1 kg CO2e) with one owner and status.

    Ranges are well-formed (check constraints) and live blocks of one (project, vintage) never
    overlap: on PostgreSQL an exclusion constraint on ``int8range(serial_start, serial_end, '[]')``
    (migration 0002, btree_gist) enforces it. Only ``ledger.services`` writes this table, and every
    write appends a ledger entry in the same transaction.
    """

    Status = BlockStatus

    # The composite indexes below lead with project and owner; separate FK indexes would be redundant.
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="credit_blocks", db_index=False)
    vintage = models.PositiveSmallIntegerField(help_text="The year the reductions happened.")
    serial_start = models.BigIntegerField()
    serial_end = models.BigIntegerField(help_text="Inclusive.")
    owner = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="credit_blocks", db_index=False)
    status = models.CharField(max_length=10, choices=BlockStatus, default=BlockStatus.AVAILABLE)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="The block this one was split from.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["owner", "status"], name="creditblock_owner_status"),
            models.Index(fields=["project", "vintage", "serial_end"], name="creditblock_project_serials"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(serial_start__gte=1), name="creditblock_serial_start_positive"),
            models.CheckConstraint(
                condition=models.Q(serial_end__gte=models.F("serial_start")), name="creditblock_range_well_formed"
            ),
            models.CheckConstraint(condition=models.Q(status__in=BlockStatus.values), name="creditblock_status_valid"),
            models.CheckConstraint(
                condition=models.Q(vintage__gte=1990, vintage__lte=2999), name="creditblock_vintage_plausible"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.serial} ({self.status})"

    @property
    def quantity_kg(self) -> int:
        return self.serial_end - self.serial_start + 1

    @property
    def quantity_t(self) -> Decimal:
        return kg_to_tonnes(self.quantity_kg)

    @property
    def serial(self) -> str:
        return format_serial(
            country=str(self.project.country),
            project_id=self.project_id,
            vintage=self.vintage,
            first=self.serial_start,
            last=self.serial_end,
        )


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk update and delete are refused; on PostgreSQL triggers refuse them for raw SQL too."""

    def update(self, **kwargs: Any) -> int:
        raise ImmutableRowError(f"{self.model.__name__} rows are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableRowError(f"{self.model.__name__} rows are append-only.")


class ImmutableRowError(Exception):
    """An attempt to change or remove an append-only ledger row."""


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableRowError(f"{type(self).__name__} rows are append-only.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableRowError(f"{type(self).__name__} rows are append-only.")


class LedgerEntry(AppendOnlyModel):
    """One link of the hash chain: ``seq`` is gapless from 1, ``prev_hash`` is the previous entry's
    ``hash`` (32 zero bytes for the first), ``canonical`` is the exact text that was hashed.

    Append-only: the model refuses changes; on PostgreSQL triggers refuse UPDATE, DELETE and
    TRUNCATE, also under ``session_replication_role = replica``. ``UNIQUE(prev_hash)`` makes a
    fork impossible. Byte layout: docs/LEDGER.md.
    """

    Kind = EntryKind

    seq = models.BigIntegerField(primary_key=True)
    kind = models.CharField(max_length=16, choices=EntryKind)
    canonical = models.TextField(help_text="RFC 8785 JSON of {created_at, kind, payload}; hashed as UTF-8.")
    prev_hash = models.BinaryField(max_length=32, unique=True)
    hash = models.BinaryField(max_length=32, unique=True)
    created_at = models.DateTimeField(help_text="The same instant as created_at inside the canonical text.")

    class Meta:
        ordering = ["seq"]
        verbose_name_plural = "ledger entries"
        indexes = [models.Index(fields=["kind", "seq"], name="ledgerentry_kind_seq")]
        constraints = [
            models.CheckConstraint(condition=models.Q(seq__gte=1), name="ledgerentry_seq_positive"),
            models.CheckConstraint(condition=models.Q(kind__in=EntryKind.values), name="ledgerentry_kind_valid"),
            # Only the first entry may point at the genesis hash.
            models.CheckConstraint(
                condition=models.Q(seq=1, prev_hash=GENESIS_PREV_HASH)
                | (models.Q(seq__gt=1) & ~models.Q(prev_hash=GENESIS_PREV_HASH)),
                name="ledgerentry_genesis_first",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind}"

    @cached_property
    def document(self) -> dict[str, Any]:
        return json.loads(self.canonical)

    @property
    def payload(self) -> dict[str, Any]:
        return self.document["payload"]

    @property
    def hash_hex(self) -> str:
        return bytes(self.hash).hex()

    @property
    def prev_hash_hex(self) -> str:
        return bytes(self.prev_hash).hex()


# The two index tables below are derived data (the payload says the same), written by the same
# append as their entry under the head lock. They carry no database foreign keys and only the
# indexes their one query needs: each foreign-key check would run at COMMIT, while the head lock
# is still held, and slow every append of the whole registry.


class LedgerEntryParty(AppendOnlyModel):
    """An organisation an entry concerns (sender, receiver, owner): the index behind "recent activity"."""

    # The primary key (organization, entry) is the one index: lookups by organisation, newest first.
    pk = models.CompositePrimaryKey("organization", "entry")
    entry = models.ForeignKey(
        LedgerEntry, on_delete=models.DO_NOTHING, related_name="parties", db_constraint=False, db_index=False
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )

    def __str__(self) -> str:
        return f"#{self.entry_id} concerns {self.organization_id}"


class LedgerEntryRange(AppendOnlyModel):
    """The serial range an entry moved (or issued): the index behind the ``serial`` filter."""

    entry = models.ForeignKey(
        LedgerEntry, on_delete=models.DO_NOTHING, related_name="ranges", db_constraint=False, db_index=False
    )
    block = models.ForeignKey(
        CreditBlock, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    project = models.ForeignKey(
        Project, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    vintage = models.PositiveSmallIntegerField()
    serial_start = models.BigIntegerField()
    serial_end = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["project", "vintage", "serial_start"], name="ledgerentryrange_serials")]

    def __str__(self) -> str:
        return f"#{self.entry_id} moved {self.serial_start}..{self.serial_end} of block {self.block_id}"


class Reversal(AppendOnlyModel):
    """The ledger's record of one reversed issuance (``ledger.services.credits_reverse``).

    ``issue_entry`` is unique: an issuance is reversed at most once. The range is everything that
    entry issued (the owner's serials and the buffer share). Of those, ``cancelled_kg`` were still
    held by the owner and ``buffer_share_cancelled_kg`` by the buffer pool: both were cancelled by
    ``cancel_entry``. The rest, ``compensation_kg``, had reached others (sold, transferred, retired)
    or had already been drawn from the pool for an earlier reversal; ``buffer_cancel_entry``
    cancelled ``buffer_cancelled_kg`` of the pool's other credits for them, and ``shortfall_kg``
    could not be covered. Inserted with the reversal's last entry and never changed.
    """

    issue_entry = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, related_name="reversal")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    vintage = models.PositiveSmallIntegerField()
    serial_start = models.BigIntegerField(help_text="First serial the issuance issued.")
    serial_end = models.BigIntegerField(help_text="Last serial the issuance issued (its buffer share's last).")
    owner = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", help_text="The issuance's owner."
    )
    cancelled_kg = models.BigIntegerField(help_text="Still held by the owner (available or listed): cancelled.")
    buffer_share_cancelled_kg = models.BigIntegerField(
        help_text="The issuance's own buffer share still in the pool: cancelled with it."
    )
    compensation_kg = models.BigIntegerField(help_text="The rest of the issuance: to be made up from the pool.")
    buffer_cancelled_kg = models.BigIntegerField(help_text="Other buffer-pool credits cancelled to make up for it.")
    shortfall_kg = models.BigIntegerField(help_text="What the buffer pool could not make up.")
    cancel_entry = models.OneToOneField(
        LedgerEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+", help_text="Kind `cancel`."
    )
    buffer_cancel_entry = models.OneToOneField(
        LedgerEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Kind `buffer_cancel`.",
    )
    reason = models.TextField(help_text="As recorded in the entries' memo (public).")
    created_at = models.DateTimeField(help_text="The last entry's timestamp.")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["project", "vintage", "serial_start"], name="reversal_serials")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(serial_end__gte=models.F("serial_start")), name="reversal_range_well_formed"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    cancelled_kg__gte=0,
                    buffer_share_cancelled_kg__gte=0,
                    buffer_cancelled_kg__gte=0,
                    shortfall_kg__gte=0,
                ),
                name="reversal_quantities_not_negative",
            ),
            # Every kilogram of the issuance is accounted for once.
            models.CheckConstraint(
                condition=models.Q(
                    compensation_kg=models.F("serial_end")
                    - models.F("serial_start")
                    + 1
                    - models.F("cancelled_kg")
                    - models.F("buffer_share_cancelled_kg")
                ),
                name="reversal_compensation_is_the_rest",
            ),
            models.CheckConstraint(
                condition=models.Q(shortfall_kg=models.F("compensation_kg") - models.F("buffer_cancelled_kg")),
                name="reversal_shortfall_is_what_the_pool_lacked",
            ),
        ]

    def __str__(self) -> str:
        return f"reversal of entry #{self.issue_entry_id}"


class LedgerHead(models.Model):
    """The single row every append locks ``FOR UPDATE``: the serialisation point of the chain.

    ``seq``/``hash`` are the last entry's (0 and the genesis hash before any). Created on first append.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.BinaryField(max_length=32, default=GENESIS_PREV_HASH)
    created_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="ledgerhead_singleton")]

    def __str__(self) -> str:
        return f"head #{self.seq}"


class Checkpoint(AppendOnlyModel):
    """A Merkle tree head (RFC 9162 hashing) over the hashes of entries 1..size.

    ``frontier`` holds the roots of the perfect subtrees of the first ``size`` leaves (32 bytes each,
    largest first): the next checkpoint continues from it, and proofs fold it for the right edge.
    ``note`` is the tree head as a C2SP signed note, signed when the row is inserted by the key kept
    outside the database (ledger.signing); null only for checkpoints stored before signing existed.
    """

    size = models.BigIntegerField(unique=True)
    root = models.BinaryField(max_length=32)
    frontier = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)
    # Null, not "": no note at all (a checkpoint older than signing) is a different fact from an empty one.
    note = models.TextField(  # noqa: DJ001
        null=True,
        blank=True,
        help_text="The checkpoint as a C2SP signed note (origin, size, base64 root, Ed25519 signature lines).",
    )

    class Meta:
        ordering = ["size"]
        get_latest_by = "size"
        constraints = [models.CheckConstraint(condition=models.Q(size__gte=1), name="checkpoint_size_positive")]

    def __str__(self) -> str:
        return f"checkpoint {self.size}"

    @property
    def root_hex(self) -> str:
        return bytes(self.root).hex()


class MerkleNode(AppendOnlyModel):
    """The root of a perfect subtree of height ``level`` (≥ NODE_MIN_LEVEL) covering leaves
    ``index·2^level`` onward. Lower levels are recomputed from entry hashes when a proof needs them."""

    pk = models.CompositePrimaryKey("level", "index")
    level = models.PositiveSmallIntegerField()
    index = models.BigIntegerField()
    hash = models.BinaryField(max_length=32)

    def __str__(self) -> str:
        return f"node {self.level}/{self.index}"
