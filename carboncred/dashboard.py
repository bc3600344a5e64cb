"""``GET /api/dashboard/``: an organisation's wallet at a glance.

A read-only composition of app selectors — it belongs to ``carboncred``, which may import every app
(docs/DESIGN.md) — in eight queries whatever the organisation holds: holdings totals (ledger), the
emissions total (emissions), the latest ledger entries concerning the organisation, then one query
for the counterparties' names and one for the projects' countries those entries mention, and the
money balances (payments: accounts, pending top-ups, pending payouts).

``net_balance_kg = emissions_kg - retired_kg``: positive while the organisation has emitted more
than it has offset by retiring credits.
"""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import OrganizationApiMixin
from accounts.models import Organization
from emissions.selectors import emissions_total_kg_for
from ledger.models import EntryKind, format_serial
from ledger.selectors import (
    DIRECTION_IN,
    DIRECTION_INTERNAL,
    DIRECTION_OUT,
    holdings_totals_for,
    movements_for_organization,
)
from payments.selectors import balances_for
from payments.serializers import BalanceRowOutputSerializer
from projects.models import Project

RECENT_ACTIVITY_LIMIT = 20
MEMO_REFERENCES = ("order", "listing", "transfer")  # ids the marketplace writes into its entries' memos

_SUMMARIES: dict[tuple[str, str], str] = {
    (EntryKind.ISSUE, DIRECTION_IN): "Issued {kg} kg",
    (EntryKind.LIST, DIRECTION_INTERNAL): "Listed {kg} kg for sale",
    (EntryKind.DELIST, DIRECTION_INTERNAL): "Withdrew {kg} kg from sale",
    (EntryKind.TRADE, DIRECTION_OUT): "Sold {kg} kg to {name}",
    (EntryKind.TRADE, DIRECTION_IN): "Bought {kg} kg from {name}",
    (EntryKind.TRANSFER, DIRECTION_OUT): "Transferred {kg} kg to {name}",
    (EntryKind.TRANSFER, DIRECTION_IN): "Received {kg} kg from {name}",
    (EntryKind.RETIRE, DIRECTION_INTERNAL): "Retired {kg} kg",
    (EntryKind.CANCEL, DIRECTION_OUT): "Cancelled {kg} kg: the issuance was reversed",
    (EntryKind.BUFFER_CANCEL, DIRECTION_OUT): "Cancelled {kg} kg from the buffer pool to back a reversed issuance",
}


def recent_activity_for(*, organization: Organization, limit: int = RECENT_ACTIVITY_LIMIT) -> list[dict[str, Any]]:
    """The latest ledger entries concerning the organisation, newest first, each made readable:
    ``{seq, kind, created_at, direction, quantity_kg, serial, block, counterparty, references, summary}``.
    Three queries: the entries, the counterparties, the projects (for the serials' country)."""
    moves = movements_for_organization(organization=organization, limit=limit)

    counterparty_ids = {move.counterparty_id for _, move in moves if move.counterparty_id is not None}
    counterparties = Organization.objects.only("id", "name", "country").in_bulk(counterparty_ids)  # none: no query
    project_ids = {int(move.block["project"]) for _, move in moves}
    countries = (
        dict(Project.objects.filter(pk__in=project_ids).order_by().values_list("id", "country")) if project_ids else {}
    )

    items = []
    for entry, move in moves:
        block = move.block
        project_id = int(block["project"])
        other = counterparties.get(move.counterparty_id) if move.counterparty_id is not None else None
        name = other.name if other else "another organisation"
        template = _SUMMARIES.get((entry.kind, move.direction), "{kind} of {kg} kg")
        memo = entry.payload.get("memo") or {}
        items.append(
            {
                "seq": entry.seq,
                "kind": entry.kind,
                "created_at": entry.created_at,
                "direction": move.direction,
                "quantity_kg": move.quantity_kg,
                "serial": format_serial(
                    country=str(countries.get(project_id, "")),
                    project_id=project_id,
                    vintage=block["vintage"],
                    first=int(block["serial_start"]),
                    last=int(block["serial_end"]),
                ),
                "block": int(block["id"]),
                "counterparty": (
                    {"id": other.pk, "name": other.name, "country": str(other.country)} if other is not None else None
                ),
                "references": {key: memo[key] for key in MEMO_REFERENCES if key in memo},
                "summary": template.format(kg=f"{move.quantity_kg:,}", name=name, kind=entry.kind.capitalize()),
            }
        )
    return items


def dashboard_for(*, organization: Organization) -> dict[str, Any]:
    """The dashboard's data: holdings, retired and emitted kilograms, the balance, recent activity."""
    totals = holdings_totals_for(organization=organization)
    emissions_kg = emissions_total_kg_for(organization=organization)
    return {
        "holdings": {"available_kg": totals["available_kg"], "listed_kg": totals["listed_kg"]},
        "retired_kg": totals["retired_kg"],
        "emissions_kg": emissions_kg,
        "net_balance_kg": emissions_kg - totals["retired_kg"],
        "recent_activity": recent_activity_for(organization=organization),
        "balances": balances_for(organization=organization),
    }


# --- API ------------------------------------------------------------------------------------


class DashboardHoldingsOutputSerializer(serializers.Serializer):
    available_kg = serializers.IntegerField(help_text="In blocks you can sell, transfer or retire.")
    listed_kg = serializers.IntegerField(help_text="Reserved by your open listings.")


class DashboardCounterpartyOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    country = serializers.CharField()


class DashboardActivityOutputSerializer(serializers.Serializer):
    seq = serializers.IntegerField(help_text="The ledger entry (GET /api/ledger/entries/{seq}/).")
    kind = serializers.CharField(help_text="issue, list, delist, trade, transfer, retire (more may be added).")
    created_at = serializers.DateTimeField()
    direction = serializers.ChoiceField(
        choices=[DIRECTION_IN, DIRECTION_OUT, DIRECTION_INTERNAL],
        help_text="in: credits came to you; out: they left you; internal: their status changed (list, retire).",
    )
    quantity_kg = serializers.IntegerField(help_text="The kilograms this entry moved for you.")
    serial = serializers.CharField(help_text="The serial range moved (or issued to you).")
    block = serializers.IntegerField(help_text="The block holding that range after the entry.")
    counterparty = DashboardCounterpartyOutputSerializer(
        allow_null=True, help_text="The other organisation of a trade or transfer; null otherwise."
    )
    references = serializers.DictField(
        child=serializers.CharField(), help_text="Ids named in the entry's memo: `order`, `listing`, `transfer`."
    )
    summary = serializers.CharField(help_text="One readable sentence, e.g. 'Sold 250 kg to Acme Ltd'.")


class DashboardOutputSerializer(serializers.Serializer):
    holdings = DashboardHoldingsOutputSerializer()
    retired_kg = serializers.IntegerField()
    emissions_kg = serializers.IntegerField(help_text="All your reported emissions (GET /api/emissions/).")
    net_balance_kg = serializers.IntegerField(help_text="emissions_kg - retired_kg")
    recent_activity = DashboardActivityOutputSerializer(many=True, help_text="Newest first, at most 20.")
    balances = BalanceRowOutputSerializer(many=True, help_text="Your money per currency, as GET /api/balance/.")


class DashboardApi(OrganizationApiMixin, APIView):
    @extend_schema(tags=["dashboard"], responses={200: DashboardOutputSerializer})
    def get(self, request: Request) -> Response:
        """Your organisation's holdings, retirements, emissions, net balance, recent ledger activity and money."""
        return Response(DashboardOutputSerializer(dashboard_for(organization=self.organization)).data)
