from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import request_user
from emissions.selectors import emission_factor_list, emission_report_get_for, emission_report_list_for
from emissions.serializers import (
    EmissionCheckOutputSerializer,
    EmissionFactorFilterInputSerializer,
    EmissionFactorOutputSerializer,
    EmissionReportCreateInputSerializer,
    EmissionReportOutputSerializer,
    EmissionReportVerifyInputSerializer,
)
from emissions.services import emission_report_create, emission_report_verify


@extend_schema(tags=["emissions"])
class EmissionReportListCreateApi(generics.ListAPIView):
    """Your organisation's emission reports (GET), or a new one computed from activity data (POST)."""

    serializer_class = EmissionReportOutputSerializer

    def get_queryset(self):
        return emission_report_list_for(organization=request_user(self.request).organization)

    @extend_schema(request=EmissionReportCreateInputSerializer, responses={201: EmissionReportOutputSerializer})
    def post(self, request: Request) -> Response:
        payload = EmissionReportCreateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        organization = request_user(request).organization
        report = emission_report_create(organization=organization, **payload.validated_data)
        report = emission_report_get_for(organization=organization, report_id=report.pk)
        return Response(EmissionReportOutputSerializer(report).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["emissions"])
class EmissionReportDetailApi(APIView):
    @extend_schema(responses={200: EmissionReportOutputSerializer})
    def get(self, request: Request, report_id: int) -> Response:
        report = emission_report_get_for(organization=request_user(request).organization, report_id=report_id)
        return Response(EmissionReportOutputSerializer(report).data)


@extend_schema(tags=["emissions"])
class EmissionReportVerifyApi(APIView):
    """Check one of your reports for duplicate or overlapping periods, over-long periods, jumps against
    the same months of an earlier year, unknown grids and implausible magnitudes; the result is stored."""

    @extend_schema(request=EmissionReportVerifyInputSerializer, responses={200: EmissionCheckOutputSerializer})
    def post(self, request: Request) -> Response:
        payload = EmissionReportVerifyInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        check = emission_report_verify(
            organization=request_user(request).organization, report_id=payload.validated_data["report"]
        )
        return Response(EmissionCheckOutputSerializer(check).data)


@extend_schema(tags=["emissions"], parameters=[EmissionFactorFilterInputSerializer])
class EmissionFactorListApi(generics.ListAPIView):
    """Public: the emission factors in use, each with its source, year, licence and version."""

    permission_classes = [AllowAny]
    serializer_class = EmissionFactorOutputSerializer

    def get_queryset(self):
        filters = EmissionFactorFilterInputSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return emission_factor_list(**filters.validated_data)
