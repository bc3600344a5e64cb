from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.fields import JSONIntegerField, QueryIntegerField
from ledger.models import BlockStatus, CreditBlock, EntryKind, LedgerEntry
from ledger.selectors import parse_serial
from ledger.services import MAX_QUANTITY_KG
from projects.serializers import ProjectSummarySerializer


@extend_schema_field({"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_QUANTITY_KG})
class QuantityKgField(JSONIntegerField):
    """Kilograms of CO2e to move: a JSON integer. Its range (1 to MAX_QUANTITY_KG, in the schema) is a
    rule of the ledger, which checks it once for every movement and names the field when it fails."""


class HoldingListInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=BlockStatus.choices, required=False, help_text="Only blocks in this status."
    )


class HoldingOutputSerializer(serializers.ModelSerializer):
    serial = serializers.CharField(read_only=True, help_text="CC-{country}-{project:06d}-{vintage}-{first}-{last}")
    quantity_kg = serializers.IntegerField(read_only=True)
    quantity_t = serializers.DecimalField(max_digits=20, decimal_places=3, read_only=True)
    project = ProjectSummarySerializer(read_only=True)
    # Named like a Field attribute: DRF's metaclass moves declared fields out of the class body.
    parent = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment, var-annotated]
        read_only=True, allow_null=True, help_text="The block this one was split from (null for an issued block)."
    )

    class Meta:
        model = CreditBlock
        fields = [
            "id",
            "serial",
            "quantity_kg",
            "quantity_t",
            "project",
            "vintage",
            "status",
            "serial_start",
            "serial_end",
            "parent",
        ]
        read_only_fields = fields


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^\s*(?:\d{1,18}|[Cc][Cc]-[A-Za-z]{2}-\d{1,12}-\d{4}-\d{1,18}(?:-\d{1,18})?)\s*$",
    }
)
class SerialQueryField(serializers.CharField):
    """A serial or serial range in a query string (ledger.selectors.parse_serial reads it)."""


class LedgerEntryListInputSerializer(serializers.Serializer):
    serial = SerialQueryField(
        required=False,
        help_text=(
            "A block serial (CC-IN-000012-2025-1-900), one kilogram's serial (CC-IN-000012-2025-17) or a bare "
            "serial number (17, in any project and vintage): the entries that issued or moved any of them."
        ),
    )
    kind = serializers.ChoiceField(choices=EntryKind.choices, required=False)

    def validate_serial(self, value: str):
        query = parse_serial(value)
        if query is None:
            raise serializers.ValidationError(
                "Expected CC-{country}-{project}-{vintage}-{first}[-{last}] or a serial number."
            )
        return query


class EntryPayloadField(serializers.JSONField):
    """The payload parsed from the entry's text; ``null`` when that text is no longer a JSON entry
    (altered in the database): the entry is still served, with its ``canonical``, so that anyone
    can find it, and ``ledger_verify`` names it."""

    def get_attribute(self, instance):
        try:
            return super().get_attribute(instance)
        except (ValueError, KeyError, TypeError):
            return None


class LedgerEntryOutputSerializer(serializers.ModelSerializer):
    payload = EntryPayloadField(
        read_only=True,
        allow_null=True,
        help_text="The entry's data (the `payload` inside `canonical`); null if that text is no JSON entry.",
    )
    prev_hash = serializers.CharField(source="prev_hash_hex", read_only=True, help_text="Hex; 64 zeros for seq 1.")
    hash = serializers.CharField(source="hash_hex", read_only=True, help_text="Hex SHA-256; see docs/LEDGER.md.")
    canonical = serializers.CharField(read_only=True, help_text="The exact RFC 8785 text that was hashed (UTF-8).")

    class Meta:
        model = LedgerEntry
        fields = ["seq", "kind", "payload", "prev_hash", "hash", "created_at", "canonical"]
        read_only_fields = fields


class LedgerCheckpointOutputSerializer(serializers.Serializer):
    size = serializers.IntegerField(help_text="Entries 1..size are in the tree; 0 before the first checkpoint.")
    # Named like a Field attribute: DRF's metaclass moves declared fields out of the class body.
    root = serializers.CharField(  # type: ignore[assignment]
        help_text="Hex Merkle tree head (RFC 9162 hashing over the entry hashes)."
    )
    created_at = serializers.DateTimeField(allow_null=True)


class LedgerHeadOutputSerializer(serializers.Serializer):
    seq = serializers.IntegerField(help_text="The last entry's seq (0 while the ledger is empty).")
    hash = serializers.CharField(help_text="The last entry's hash, hex (64 zeros while empty).")
    created_at = serializers.DateTimeField(allow_null=True)
    checkpoint = LedgerCheckpointOutputSerializer()


class LedgerInclusionProofOutputSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    leaf_index = serializers.IntegerField(help_text="seq - 1")
    entry_hash = serializers.CharField(help_text="The entry's chain hash (hex): the leaf's data.")
    leaf_hash = serializers.CharField(help_text="SHA-256(0x00 || entry hash), hex.")
    tree_size = serializers.IntegerField()
    # Named like a Field attribute: DRF's metaclass moves declared fields out of the class body.
    root = serializers.CharField(help_text="The checkpoint's root, hex.")  # type: ignore[assignment]
    audit_path = serializers.ListField(child=serializers.CharField(), help_text="Sibling hashes, leaf to root, hex.")
    checkpoint_created_at = serializers.DateTimeField()
    algorithm = serializers.CharField(help_text="RFC9162_SHA256")


class LedgerVerifyOutputSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    entries_checked = serializers.IntegerField()
    first_bad_seq = serializers.IntegerField(allow_null=True)
    head_seq = serializers.IntegerField()
    checkpoints_checked = serializers.IntegerField()
    problems = serializers.ListField(child=serializers.CharField())
    signatures_checked = serializers.IntegerField(help_text="Checkpoint notes whose signature and content verified.")
    unsigned_checkpoints = serializers.IntegerField(help_text="Checkpoints stored before signing existed.")


# --- transparency -------------------------------------------------------------------------------


class LedgerCheckpointListOutputSerializer(serializers.Serializer):
    size = serializers.IntegerField(help_text="The checkpoint covers ledger entries 1..size.")
    # Named like a Field attribute: DRF's metaclass moves declared fields out of the class body.
    root = serializers.CharField(  # type: ignore[assignment]
        source="root_hex", help_text="Hex Merkle tree head (RFC 9162 hashing over the entry hashes)."
    )
    created_at = serializers.DateTimeField()
    signed = serializers.SerializerMethodField(
        help_text="Whether the checkpoint carries a signed note (false only for checkpoints stored before signing)."
    )

    def get_signed(self, checkpoint) -> bool:
        return checkpoint.note is not None


class LedgerCheckpointDetailOutputSerializer(serializers.Serializer):
    size = serializers.IntegerField(help_text="The checkpoint covers ledger entries 1..size.")
    root = serializers.CharField(  # type: ignore[assignment]
        source="root_hex", help_text="Hex Merkle tree head (RFC 9162 hashing over the entry hashes)."
    )
    created_at = serializers.DateTimeField()
    note = serializers.CharField(
        allow_null=True,
        help_text=(
            "The checkpoint as a C2SP signed note: origin line, size, base64 root, a blank line, and one "
            "'\u2014 <key name> <base64 signature>' line per signing key (Ed25519). Null only for checkpoints "
            "stored before signing existed."
        ),
    )


class LedgerConsistencyInputSerializer(serializers.Serializer):
    first = QueryIntegerField(min_value=1, help_text="The smaller tree's size (e.g. a checkpoint you pinned).")
    second = QueryIntegerField(min_value=1, help_text="The size of a stored checkpoint, at most the latest one.")


class LedgerConsistencyOutputSerializer(serializers.Serializer):
    first = serializers.IntegerField()
    second = serializers.IntegerField()
    proof = serializers.ListField(
        child=serializers.CharField(), help_text="RFC 9162 §2.1.4 consistency proof, hex hashes in the RFC's order."
    )


class LedgerPreviousKeyOutputSerializer(serializers.Serializer):
    key_id = serializers.CharField(help_text="8 hex digits.")
    public_key = serializers.CharField(help_text="C2SP verifier key.")


class LedgerPublicKeyOutputSerializer(serializers.Serializer):
    origin = serializers.CharField(help_text="The log's origin: the first line of every checkpoint and the key name.")
    key_id = serializers.CharField(help_text="8 hex digits: SHA-256(name || 0x0A || 0x01 || public key)[:4].")
    public_key = serializers.CharField(
        help_text="The C2SP verifier key: <name>+<key id hex>+<base64 of 0x01 || Ed25519 public key>."
    )
    algorithm = serializers.CharField(help_text="ed25519")
    previous_keys = LedgerPreviousKeyOutputSerializer(
        many=True,
        help_text="Older keys: still cosigning during a rotation, or retired; checkpoints they signed stay valid.",
    )
