from dataclasses import asdict

from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import OrganizationApiMixin
from accounts.permissions import IsVerifier
from core.csv import CsvExportMixin
from core.filters import query_filters
from core.routers import ReplicaReadsMixin
from ledger.audit import ledger_verify
from ledger.models import Checkpoint, CreditBlock, LedgerEntry
from ledger.selectors import (
    checkpoint_get,
    checkpoints_list,
    consistency_proof_get,
    entries_list,
    entry_get,
    holdings_list_for,
    inclusion_proof_for,
    ledger_head_get,
    public_keys_get,
)
from ledger.serializers import (
    HoldingListInputSerializer,
    HoldingOutputSerializer,
    LedgerCheckpointDetailOutputSerializer,
    LedgerCheckpointListOutputSerializer,
    LedgerConsistencyInputSerializer,
    LedgerConsistencyOutputSerializer,
    LedgerEntryListInputSerializer,
    LedgerEntryOutputSerializer,
    LedgerHeadOutputSerializer,
    LedgerInclusionProofOutputSerializer,
    LedgerPublicKeyOutputSerializer,
    LedgerVerifyOutputSerializer,
)


@extend_schema(tags=["credits"], parameters=[HoldingListInputSerializer])
class HoldingListApi(CsvExportMixin, OrganizationApiMixin, ListAPIView):
    """The organisation's own credit blocks, newest first; `?status=` filters."""

    csv_filename = "holdings"
    csv_columns = [
        ("id", "id"),
        ("serial", "serial"),
        ("quantity_kg", "quantity_kg"),
        ("quantity_t", "quantity_t"),
        ("status", "status"),
        ("vintage", "vintage"),
        ("project_id", "project.id"),
        ("project_title", "project.title"),
        ("project_category", "project.category"),
        ("project_country", "project.country"),
        ("serial_start", "serial_start"),
        ("serial_end", "serial_end"),
        ("parent", "parent"),
    ]

    serializer_class = HoldingOutputSerializer
    queryset = CreditBlock.objects.none()

    def scoped_queryset(self):
        return holdings_list_for(
            organization=self.organization, **query_filters(HoldingListInputSerializer, self.request)
        )


@extend_schema(tags=["ledger"], parameters=[LedgerEntryListInputSerializer])
class LedgerEntryListApi(CsvExportMixin, ReplicaReadsMixin, ListAPIView):
    """Public: the hash chain in `seq` order; filter by `serial` and `kind`."""

    csv_filename = "ledger-entries"
    csv_columns = [
        ("seq", "seq"),
        ("kind", "kind"),
        ("created_at", "created_at"),
        ("prev_hash", "prev_hash"),
        ("hash", "hash"),
        ("payload", "payload"),
    ]

    serializer_class = LedgerEntryOutputSerializer
    permission_classes = [AllowAny]

    def get_queryset(self):
        return entries_list(**query_filters(LedgerEntryListInputSerializer, self.request))


@extend_schema(tags=["ledger"])
class LedgerEntryDetailApi(ReplicaReadsMixin, RetrieveAPIView):
    """Public: one entry."""

    serializer_class = LedgerEntryOutputSerializer
    permission_classes = [AllowAny]
    queryset = LedgerEntry.objects.none()  # get_object reads through the selector

    def get_object(self) -> LedgerEntry:
        return entry_get(seq=self.kwargs["seq"])


class LedgerHeadApi(APIView):
    """Public: the last entry and the latest checkpoint — values to pin elsewhere."""

    permission_classes = [AllowAny]

    @extend_schema(tags=["ledger"], responses={200: LedgerHeadOutputSerializer})
    def get(self, request: Request) -> Response:
        head = ledger_head_get()
        data = {
            "seq": head.seq,
            "hash": head.hash.hex(),
            "created_at": head.created_at,
            "checkpoint": {
                "size": head.checkpoint_size,
                "root": head.checkpoint_root.hex(),
                "created_at": head.checkpoint_created_at,
            },
        }
        return Response(LedgerHeadOutputSerializer(data).data)


class LedgerEntryProofApi(APIView):
    """Public: the RFC 9162 inclusion proof of an entry in the latest checkpoint.

    404 for an unknown entry; 409 `entry_not_checkpointed` for an entry newer than the latest
    checkpoint (checkpoints follow every retirement and run periodically).
    """

    permission_classes = [AllowAny]

    @extend_schema(tags=["ledger"], responses={200: LedgerInclusionProofOutputSerializer})
    def get(self, request: Request, seq: int) -> Response:
        proof = inclusion_proof_for(seq=seq)
        data = {
            **asdict(proof),
            "entry_hash": proof.entry_hash.hex(),
            "leaf_hash": proof.leaf_hash.hex(),
            "root": proof.root.hex(),
            "audit_path": [node.hex() for node in proof.audit_path],
            "algorithm": "RFC9162_SHA256",
        }
        return Response(LedgerInclusionProofOutputSerializer(data).data)


class LedgerVerifyApi(APIView):
    """Verifiers only: re-hash the whole chain now and check it against the head and checkpoints."""

    permission_classes = [IsVerifier]

    @extend_schema(tags=["ledger"], responses={200: LedgerVerifyOutputSerializer})
    def get(self, request: Request) -> Response:
        return Response(LedgerVerifyOutputSerializer(ledger_verify()).data)


@extend_schema(tags=["ledger"])
class LedgerCheckpointListApi(ListAPIView):
    """Public: the stored checkpoints (Merkle tree heads), newest first."""

    serializer_class = LedgerCheckpointListOutputSerializer
    permission_classes = [AllowAny]

    def get_queryset(self):
        return checkpoints_list()


@extend_schema(tags=["ledger"])
class LedgerCheckpointDetailApi(RetrieveAPIView):
    """Public: one checkpoint with its C2SP signed note (docs/AUDITOR.md)."""

    serializer_class = LedgerCheckpointDetailOutputSerializer
    permission_classes = [AllowAny]
    queryset = Checkpoint.objects.none()  # get_object reads through the selector

    def get_object(self) -> Checkpoint:
        return checkpoint_get(size=self.kwargs["size"])


class LedgerConsistencyApi(APIView):
    """Public: the RFC 9162 consistency proof that checkpoint `second` extends the tree of the first
    `first` entries. 400 when `first` > `second` or `second` is beyond the latest checkpoint; 404
    when no checkpoint has size `second`.

    Reads the primary, never a replica (unlike the entry list): a replica lagging behind a checkpoint
    the auditor was shown would answer 400, and an auditor must take that for a rewritten log.
    """

    permission_classes = [AllowAny]
    error_statuses = (404,)  # no checkpoint of size `second` (core.schema)

    @extend_schema(
        tags=["ledger"],
        parameters=[LedgerConsistencyInputSerializer],
        responses={200: LedgerConsistencyOutputSerializer},
    )
    def get(self, request: Request) -> Response:
        proof = consistency_proof_get(**query_filters(LedgerConsistencyInputSerializer, request))
        data = {"first": proof.first, "second": proof.second, "proof": [node.hex() for node in proof.proof]}
        return Response(LedgerConsistencyOutputSerializer(data).data)


class LedgerPublicKeyApi(APIView):
    """Public: the key that signs checkpoints, as a C2SP verifier key, and the older keys to trust."""

    permission_classes = [AllowAny]

    @extend_schema(tags=["ledger"], responses={200: LedgerPublicKeyOutputSerializer})
    def get(self, request: Request) -> Response:
        keys = public_keys_get()
        data = {
            "origin": keys.origin,
            "key_id": keys.key_id,
            "public_key": keys.public_key,
            "algorithm": "ed25519",
            "previous_keys": [{"key_id": key_id, "public_key": vkey} for key_id, vkey in keys.previous_keys],
        }
        return Response(LedgerPublicKeyOutputSerializer(data).data)
