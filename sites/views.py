import csv
import io

from drf_spectacular.utils import OpenApiRequest, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api import OrganizationApiMixin
from accounts.permissions import IsVerifier
from core.filters import query_filters
from sites.models import Site
from sites.parsers import CsvTextParser
from sites.readings import MAX_ROWS
from sites.selectors import reading_list_for, site_get_for, site_list_for, site_review_get, site_review_list
from sites.serializers import (
    ReadingListInputSerializer,
    ReadingOutputSerializer,
    ReadingsImportOutputSerializer,
    ReadingsInputSerializer,
    SiteCreateInputSerializer,
    SiteOutputSerializer,
    SiteReviewDecisionInputSerializer,
    SiteReviewListInputSerializer,
    SiteReviewOutputSerializer,
    SiteUpdateInputSerializer,
)
from sites.services import readings_import, site_approve, site_create, site_reject, site_update

CSV_COLUMNS = ["meter_id", "unit", "start", "end", "value"]


def csv_rows(text: str) -> list[dict[str, str]]:
    """The data rows of a readings CSV (header ``meter_id,unit,start,end,value``), as dicts."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or [column.strip().lower() for column in header] != CSV_COLUMNS:
        raise ValidationError({"body": [f"The first line must be the header {','.join(CSV_COLUMNS)}."]})
    rows: list[dict[str, str]] = []
    for line in reader:
        if not line or all(not cell.strip() for cell in line):
            continue
        if len(rows) > MAX_ROWS:
            break  # one over the limit is enough for the service to answer 413
        if len(line) != len(CSV_COLUMNS):
            rows.append({"columns": str(len(line))})
        else:
            rows.append(dict(zip(CSV_COLUMNS, (cell.strip() for cell in line), strict=True)))
    if not rows:
        raise ValidationError({"body": ["The CSV has no data rows."]})
    return rows


@extend_schema(tags=["sites"])
class SiteViewSet(OrganizationApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your organisation's physical sites: where projects are, what their meters are."""

    api_key_scopes = {"readings": "readings"}  # POST readings with a key; other writes need a user

    serializer_class = SiteOutputSerializer
    queryset = Site.objects.none()
    lookup_value_converter = "id"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def scoped_queryset(self):
        return site_list_for(organization=self.organization)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        return Response(
            SiteOutputSerializer(site_get_for(organization=self.organization, site_id=int(kwargs["pk"]))).data
        )

    @extend_schema(
        request=SiteCreateInputSerializer,
        responses={201: SiteOutputSerializer},
        description=(
            "Register a site. The coordinates must be inside `country` (offline Natural Earth boundaries, 10 km "
            "tolerance): 400 `coordinates_outside_country` otherwise. A site within 50 m of any registered site, "
            "or sharing a meter id with one, is `under_review` (with `review_reasons`): claims on it wait for a "
            "verifier."
        ),
    )
    def create(self, request: Request) -> Response:
        payload = SiteCreateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        site = site_create(owner=self.organization, **payload.validated_data)
        return Response(SiteOutputSerializer(site_get_for(organization=self.organization, site_id=site.pk)).data,
                        status=status.HTTP_201_CREATED)  # fmt: skip

    @extend_schema(
        request=SiteUpdateInputSerializer,
        responses={200: SiteOutputSerializer},
        description="Change a site. A new capacity, meter set or location puts it `under_review`.",
    )
    def partial_update(self, request: Request, pk: int) -> Response:
        payload = SiteUpdateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        site = site_update(owner=self.organization, site_id=int(pk), **payload.validated_data)
        return Response(SiteOutputSerializer(site_get_for(organization=self.organization, site_id=site.pk)).data)

    @extend_schema(
        methods=["POST"],
        request={
            "application/json": ReadingsInputSerializer,
            "text/csv": OpenApiRequest(str, examples=None),
        },
        responses={201: ReadingsImportOutputSerializer},
        description=(
            "Import metered interval readings (JSON `{meter_id, unit, readings: [{start, end, value}]}`, or "
            "`text/csv` with the header `meter_id,unit,start,end,value`). Good rows are stored, bad rows reported "
            "in `rejected` with a code and their 1-based row number; rows already stored (same meter and start, "
            "same end and value) are counted in `duplicates` and stored once. A body with no good row is 400 "
            "`readings_rejected` and stores nothing; more than 10,000 rows is 413. Timestamps need a UTC offset."
        ),
    )
    @extend_schema(
        methods=["GET"], parameters=[ReadingListInputSerializer], responses={200: ReadingOutputSerializer(many=True)}
    )
    @action(detail=True, methods=["get", "post"], parser_classes=[JSONParser, CsvTextParser])
    def readings(self, request: Request, pk: str) -> Response:
        if request.method == "GET":
            filters = query_filters(ReadingListInputSerializer, request)
            queryset = reading_list_for(organization=self.organization, site_id=int(pk), **filters)
            page = self.paginate_queryset(queryset)
            return self.get_paginated_response(ReadingOutputSerializer(page, many=True).data)
        if isinstance(request.data, str):
            rows = csv_rows(request.data)
        else:
            payload = ReadingsInputSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            data = payload.validated_data
            rows = [{"meter_id": data["meter_id"], "unit": data["unit"], **row} for row in data["readings"]]
        result = readings_import(owner=self.organization, site_id=int(pk), rows=rows)
        body = {
            "accepted": result.accepted,
            "duplicates": result.duplicates,
            "rejected": [reject.as_json() for reject in result.rejected],
        }
        return Response(ReadingsImportOutputSerializer(body).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["verifier review"])
class SiteReviewViewSet(
    OrganizationApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Every site, for verifiers (``/api/site-reviews/?status=under_review`` is the queue)."""

    error_statuses = {"POST": (409,)}  # the site is not under review (core.schema)
    serializer_class = SiteReviewOutputSerializer
    permission_classes = [IsVerifier]
    queryset = Site.objects.none()
    lookup_value_converter = "id"

    def scoped_queryset(self):
        return site_review_list(**query_filters(SiteReviewListInputSerializer, self.request))

    @extend_schema(parameters=[SiteReviewListInputSerializer])
    def list(self, request: Request, *args, **kwargs) -> Response:
        return super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        return Response(SiteReviewOutputSerializer(site_review_get(site_id=int(kwargs["pk"]))).data)

    @extend_schema(request=SiteReviewDecisionInputSerializer, responses={200: SiteReviewOutputSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: int) -> Response:
        """Clear a site under review: it is a distinct site and its meters are its own."""
        return self._decide(request, pk, site_approve)

    @extend_schema(request=SiteReviewDecisionInputSerializer, responses={200: SiteReviewOutputSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: int) -> Response:
        """Reject a site under review (a duplicate registration): claims on it are rejected from now on."""
        return self._decide(request, pk, site_reject)

    def _decide(self, request: Request, pk: int, service) -> Response:
        payload = SiteReviewDecisionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        site = service(site_id=int(pk), reviewer=self.user, **payload.validated_data)
        return Response(SiteReviewOutputSerializer(site_review_get(site_id=site.pk)).data)
