from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import OrganizationApiMixin
from core.csv import CsvExportMixin
from core.filters import query_filters
from core.routers import ReplicaReadsMixin
from emissions.models import EmissionReport
from emissions.selectors import emission_factor_list, emission_report_get_for, emission_report_list_for
from emissions.serializers import (
    EmissionCheckOutputSerializer,
    EmissionFactorFilterInputSerializer,
    EmissionFactorOutputSerializer,
    EmissionReportCheckInputSerializer,
    EmissionReportCreateInputSerializer,
    EmissionReportOutputSerializer,
)
from emissions.services import emission_report_check, emission_report_create


@extend_schema(tags=["emissions"])
class EmissionReportListCreateApi(CsvExportMixin, OrganizationApiMixin, generics.ListAPIView):
    """Your organisation's emission reports (GET), or a new one computed from activity data (POST)."""

    csv_filename = "emissions"
    csv_columns = [
        ("id", "id"),
        ("period_start", "period_start"),
        ("period_end", "period_end"),
        ("total_kg", "total_kg"),
        ("scope1_kg", "scope1_kg"),
        ("scope2_kg", "scope2_kg"),
        ("scope3_kg", "scope3_kg"),
        ("created_at", "created_at"),
    ]

    serializer_class = EmissionReportOutputSerializer
    queryset = EmissionReport.objects.none()

    def scoped_queryset(self):
        return emission_report_list_for(organization=self.organization)

    @extend_schema(request=EmissionReportCreateInputSerializer, responses={201: EmissionReportOutputSerializer})
    def post(self, request: Request) -> Response:
        payload = EmissionReportCreateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        report = emission_report_create(organization=self.organization, **payload.validated_data)
        report = emission_report_get_for(organization=self.organization, report_id=report.pk)
        return Response(EmissionReportOutputSerializer(report).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["emissions"])
class EmissionReportDetailApi(OrganizationApiMixin, APIView):
    @extend_schema(responses={200: EmissionReportOutputSerializer})
    def get(self, request: Request, report_id: int) -> Response:
        report = emission_report_get_for(organization=self.organization, report_id=report_id)
        return Response(EmissionReportOutputSerializer(report).data)


@extend_schema(tags=["emissions"])
class EmissionReportCheckApi(OrganizationApiMixin, APIView):
    """Check one of your reports for duplicate or overlapping periods, over-long periods, jumps against
    the same months of an earlier year, unknown grids and implausible magnitudes; the result is stored."""

    error_statuses = (404,)  # the report is not one of yours (core.schema)

    @extend_schema(request=EmissionReportCheckInputSerializer, responses={200: EmissionCheckOutputSerializer})
    def post(self, request: Request) -> Response:
        payload = EmissionReportCheckInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        check = emission_report_check(organization=self.organization, report_id=payload.validated_data["report"])
        return Response(EmissionCheckOutputSerializer(check).data)


@extend_schema(tags=["emissions"], parameters=[EmissionFactorFilterInputSerializer])
class EmissionFactorListApi(ReplicaReadsMixin, generics.ListAPIView):
    """Public: the emission factors in use, each with its source, year, licence and version."""

    permission_classes = [AllowAny]
    serializer_class = EmissionFactorOutputSerializer

    def get_queryset(self):
        return emission_factor_list(**query_filters(EmissionFactorFilterInputSerializer, self.request))
