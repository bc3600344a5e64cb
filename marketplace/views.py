import uuid
from typing import cast

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import OrganizationApiMixin
from core.csv import CsvExportMixin
from core.filters import query_filters
from core.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from core.renderers import FileDownloadMixin, JSONRenderer, PDFRenderer
from core.routers import ReplicaReadsMixin
from marketplace.models import Listing, Order, Transfer
from marketplace.receipt import order_receipt_pdf
from marketplace.selectors import (
    integrity_flags_for,
    listing_get_for,
    listing_list_for,
    marketplace_listing_count,
    marketplace_listing_get,
    marketplace_listing_list,
    marketplace_order_by,
    order_get_for,
    order_list_for,
    transfer_get_for,
    transfer_list_for,
)
from marketplace.serializers import (
    BuyInputSerializer,
    ListingCreateInputSerializer,
    ListingListInputSerializer,
    ListingOutputSerializer,
    MarketplaceListingOutputSerializer,
    MarketplaceListInputSerializer,
    OrderListInputSerializer,
    OrderOutputSerializer,
    TransferCreateInputSerializer,
    TransferListInputSerializer,
    TransferOutputSerializer,
)
from marketplace.services import listing_buy, listing_create, listing_withdraw, transfer_create


class NeverCachedMixin(APIView):
    """Nothing public here may be cached: a cached page would go on offering credits already sold."""

    def finalize_response(self, request: Request, response: Response, *args, **kwargs) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        add_never_cache_headers(response)
        return response


# --- the public marketplace -----------------------------------------------------------------


@extend_schema(
    tags=["marketplace"],
    parameters=[
        MarketplaceListInputSerializer,
        OpenApiParameter(
            "Ordering",
            OpenApiTypes.STR,
            OpenApiParameter.HEADER,
            response=[200],
            description="The sort keys of the page, e.g. `currency, price_per_tonne, id`.",
        ),
    ],
)
class MarketplaceListApi(ReplicaReadsMixin, NeverCachedMixin, ListAPIView):
    """Public: open listings with seller, project, vintage, quantity left, price and integrity flags."""

    permission_classes = [AllowAny]
    serializer_class = MarketplaceListingOutputSerializer
    queryset = Listing.objects.none()  # list() reads rows and their count through the selectors

    def list(self, request: Request, *args, **kwargs) -> Response:
        filters = query_filters(MarketplaceListInputSerializer, request)
        ordering = filters.pop("ordering")
        rows = marketplace_listing_list(ordering=ordering, **filters)
        page = self.paginate_queryset(cast(QuerySet, _Counted(rows, marketplace_listing_count(**filters)))) or []
        context = {**self.get_serializer_context(), "integrity_flags": integrity_flags_for(page)}
        response = self.get_paginated_response(
            MarketplaceListingOutputSerializer(page, many=True, context=context).data
        )
        # Says how the page is ordered: `currency, price_per_tonne, id` when prices of several
        # currencies are listed and no currency was asked for.
        response["Ordering"] = ", ".join(marketplace_order_by(ordering, currency=filters.get("currency")))
        return response


class _Counted:
    """Rows whose number is counted separately (``marketplace_listing_count``), for Django's
    paginator, which asks ``count()`` and slices."""

    def __init__(self, rows: QuerySet, count: int) -> None:
        self.rows, self._count = rows, count

    def count(self) -> int:
        return self._count

    def __getitem__(self, index):
        return self.rows[index]


class MarketplaceDetailApi(ReplicaReadsMixin, NeverCachedMixin, APIView):
    permission_classes = [AllowAny]

    @extend_schema(tags=["marketplace"], responses={200: MarketplaceListingOutputSerializer})
    def get(self, request: Request, listing_id: int) -> Response:
        """Public: one open listing (404 once it is sold out or withdrawn)."""
        listing = marketplace_listing_get(listing_id=listing_id)
        context = {"request": request, "integrity_flags": integrity_flags_for([listing])}
        return Response(MarketplaceListingOutputSerializer(listing, context=context).data)


# --- the seller's listings ------------------------------------------------------------------


@extend_schema(tags=["marketplace"])
class ListingListCreateApi(OrganizationApiMixin, ListAPIView):
    """Your organisation's listings in every status (GET), or a new one (POST)."""

    api_key_scopes = {"post": "trade"}  # accounts.standing: what an API key needs to write here

    error_statuses = {"POST": (404, 409)}  # another organisation's block; more than it has available (core.schema)
    serializer_class = ListingOutputSerializer
    queryset = Listing.objects.none()

    def scoped_queryset(self):
        return listing_list_for(
            organization=self.organization, **query_filters(ListingListInputSerializer, self.request)
        )

    @extend_schema(parameters=[ListingListInputSerializer])
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=ListingCreateInputSerializer,
        responses={201: ListingOutputSerializer},
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        """List credits: the quantity is reserved from your block (status `listed`) until sold or withdrawn.
        Another organisation's block is 404; more than the block has available is 409."""
        payload = ListingCreateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        listing = listing_create(
            seller=self.organization,
            block_id=data["block"],
            quantity_kg=data["quantity_kg"],
            price_per_tonne=data["price_per_tonne"],
            currency=data["currency"],
        )
        return Response(ListingOutputSerializer(listing).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["marketplace"])
class ListingDetailApi(OrganizationApiMixin, APIView):
    api_key_scopes = {"delete": "trade"}
    error_statuses = {"DELETE": (409,)}  # the listing is already closed (core.schema)

    @extend_schema(responses={200: ListingOutputSerializer})
    def get(self, request: Request, listing_id: int) -> Response:
        """One of your listings (another organisation's is 404)."""
        listing = listing_get_for(organization=self.organization, listing_id=listing_id)
        return Response(ListingOutputSerializer(listing).data)

    @extend_schema(responses={204: OpenApiResponse(description="Withdrawn; the unsold rest is available again.")})
    def delete(self, request: Request, listing_id: int) -> Response:
        """Withdraw your listing: what is unsold returns to `available`. A closed listing is 409."""
        listing_withdraw(seller=self.organization, listing_id=listing_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- buying and orders ----------------------------------------------------------------------


class BuyApi(OrganizationApiMixin, APIView):
    api_key_scopes = {"post": "trade"}
    error_statuses = (404, 409)  # no such open listing; it has less left than asked (core.schema)

    @extend_schema(
        tags=["marketplace"],
        request=BuyInputSerializer,
        responses={201: OrderOutputSerializer},
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        """Buy all or part of a listing for your organisation. `total` = price_per_tonne * kg / 1000 and
        `fee` = total * the platform fee rate, each rounded to the cent half up; the buyer pays both.
        Your own listing is 400; a closed listing, or more than it has left, is 409 (with `available_kg`)."""
        payload = BuyInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        order = listing_buy(
            buyer=self.organization,
            listing_id=payload.validated_data["listing"],
            quantity_kg=payload.validated_data["quantity_kg"],
        )
        context = {"organization": self.organization}
        return Response(OrderOutputSerializer(order, context=context).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["marketplace"], parameters=[OrderListInputSerializer])
class OrderListApi(CsvExportMixin, OrganizationApiMixin, ListAPIView):
    """Trades where your organisation bought or sold, newest first; `side` says which."""

    csv_filename = "orders"
    csv_columns = [
        ("id", "id"),
        ("created_at", "created_at"),
        ("side", "side"),
        ("listing", "listing"),
        ("project_id", "project.id"),
        ("project_title", "project.title"),
        ("project_category", "project.category"),
        ("project_country", "project.country"),
        ("vintage", "vintage"),
        ("quantity_kg", "quantity_kg"),
        ("price_per_tonne", "price_per_tonne"),
        ("currency", "currency"),
        ("total", "total"),
        ("fee", "fee"),
        ("amount_due", "amount_due"),
        ("counterparty_id", "counterparty.id"),
        ("counterparty_name", "counterparty.name"),
        ("counterparty_country", "counterparty.country"),
        ("ledger_seq", "ledger_entry.seq"),
        ("ledger_hash", "ledger_entry.hash"),
    ]

    serializer_class = OrderOutputSerializer
    queryset = Order.objects.none()

    def scoped_queryset(self):
        return order_list_for(organization=self.organization, **query_filters(OrderListInputSerializer, self.request))


class OrderDetailApi(OrganizationApiMixin, APIView):
    @extend_schema(tags=["marketplace"], responses={200: OrderOutputSerializer})
    def get(self, request: Request, order_id: uuid.UUID) -> Response:
        """One of your orders (anyone else's is 404)."""
        order = order_get_for(organization=self.organization, order_id=order_id)
        return Response(OrderOutputSerializer(order, context={"organization": self.organization}).data)


class OrderReceiptApi(FileDownloadMixin, OrganizationApiMixin, APIView):
    renderer_classes = [JSONRenderer, PDFRenderer]

    @extend_schema(
        tags=["marketplace"],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The A4 receipt."),
        },
    )
    def get(self, request: Request, order_id: uuid.UUID) -> HttpResponse:
        """The order's receipt as a PDF: credits, price, fee, what the buyer paid and the seller received.
        Only the buyer and the seller may download it (anyone else's order is 404)."""
        order = order_get_for(organization=self.organization, order_id=order_id)
        response = HttpResponse(order_receipt_pdf(order), content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"carboncred-receipt-{order.pk}.pdf"
        )
        return response


# --- transfers ------------------------------------------------------------------------------


@extend_schema(tags=["credits"])
class TransferListCreateApi(OrganizationApiMixin, ListAPIView):
    """Transfers your organisation sent or received (GET), or a new one (POST)."""

    api_key_scopes = {"post": "trade"}

    error_statuses = {
        "POST": (404, 409)
    }  # not your block or no such organisation; more than the block holds (core.schema)
    serializer_class = TransferOutputSerializer
    queryset = Transfer.objects.none()

    def scoped_queryset(self):
        return transfer_list_for(
            organization=self.organization, **query_filters(TransferListInputSerializer, self.request)
        )

    @extend_schema(parameters=[TransferListInputSerializer])
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=TransferCreateInputSerializer,
        responses={201: TransferOutputSerializer},
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        """Give part or all of one of your available blocks to another organisation (by its id)."""
        payload = TransferCreateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        transfer = transfer_create(
            sender=self.organization,
            block_id=data["block"],
            quantity_kg=data["quantity_kg"],
            to_organization_id=data["to_organization"],
        )
        context = {"organization": self.organization}
        return Response(TransferOutputSerializer(transfer, context=context).data, status=status.HTTP_201_CREATED)


class TransferDetailApi(OrganizationApiMixin, APIView):
    @extend_schema(tags=["credits"], responses={200: TransferOutputSerializer})
    def get(self, request: Request, transfer_id: uuid.UUID) -> Response:
        """One transfer your organisation sent or received (anyone else's is 404)."""
        transfer = transfer_get_for(organization=self.organization, transfer_id=transfer_id)
        return Response(TransferOutputSerializer(transfer, context={"organization": self.organization}).data)
