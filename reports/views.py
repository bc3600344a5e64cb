import hashlib

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import OrganizationApiMixin
from core.filters import query_filters
from core.renderers import CSVRenderer, FileDownloadMixin, JSONRenderer, PDFRenderer
from core.routers import ReplicaReadsMixin, reads_from_replica
from reports.errors import PublishedReportNotFoundError
from reports.export import statement_csv
from reports.forms import ReportCheckForm
from reports.models import IssuedReport
from reports.selectors import (
    ghg_statement_for,
    issued_report_get_for,
    issued_report_list_for,
    published_report_find,
    published_report_get,
    report_published_url,
    report_verify_url,
)
from reports.serializers import (
    GhgPdfIssueInputSerializer,
    GhgStatementOutputSerializer,
    GhgYearInputSerializer,
    IssuedReportOutputSerializer,
    IssuedReportUpdateInputSerializer,
    ReportVerifyInputSerializer,
    ReportVerifyOutputSerializer,
)
from reports.services import IssuedDocument, ghg_pdf_issue, issued_report_publish

PUBLIC_CACHE_SECONDS = 60
PDF_RESPONSES = {
    (200, "application/pdf"): OpenApiResponse(
        OpenApiTypes.BINARY,
        description="The statement as an A4 PDF. Headers: X-Report-Id and X-Report-SHA256 (the issued document "
        "as recorded), X-Report-Verify-URL (its public page, once published).",
    ),
    400: OpenApiResponse(description="Missing or bad year."),
}


@extend_schema(tags=["reports"])
class GhgStatementApi(OrganizationApiMixin, APIView):
    """The organisation's GHG statement for a calendar year, from its own emissions reports and
    retirements: scopes, energy, activities, months, intensity, every factor used, data-quality notes."""

    @extend_schema(
        parameters=[GhgYearInputSerializer],
        responses={200: GhgStatementOutputSerializer, 400: OpenApiResponse(description="Missing or bad year.")},
    )
    def get(self, request: Request) -> Response:
        year = query_filters(GhgYearInputSerializer, request)["year"]
        statement = ghg_statement_for(organization=self.organization, year=year)
        return Response(GhgStatementOutputSerializer(statement).data)


def _pdf_response(issued: IssuedDocument) -> HttpResponse:
    report = issued.report
    response = HttpResponse(issued.data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"carboncred-ghg-statement-{report.year}.pdf"
    )
    response["X-Report-Id"] = str(report.pk)
    response["X-Report-SHA256"] = report.sha256
    if report.public:
        response["X-Report-Verify-URL"] = report_published_url(report)
    response["ETag"] = f'"{report.sha256}"'
    # The organisation's own figures, which change when it files a report: never kept by a shared cache.
    patch_cache_control(response, private=True, no_cache=True)
    return response


@extend_schema(tags=["reports"])
class GhgStatementPdfApi(FileDownloadMixin, OrganizationApiMixin, APIView):
    """The statement as a PDF with charts, methodology and a verification block. The registry records
    the document's SHA-256; the same data gives the same bytes, so downloading again changes nothing."""

    error_statuses = (404,)  # an issued statement that is not yours (core.schema)
    renderer_classes = [JSONRenderer, PDFRenderer]

    @extend_schema(
        operation_id="reports_ghg_pdf_retrieve", parameters=[GhgYearInputSerializer], responses=PDF_RESPONSES
    )
    def get(self, request: Request) -> HttpResponse:
        year = query_filters(GhgYearInputSerializer, request)["year"]
        return _pdf_response(ghg_pdf_issue(organization=self.organization, year=year))

    @extend_schema(
        operation_id="reports_ghg_pdf_issue",
        description="The same PDF, issued with `?public=true` to publish it at once: anyone holding it can then "
        "check it at /reports/verify/. No body.",
        parameters=[GhgPdfIssueInputSerializer],
        request=None,
        responses=PDF_RESPONSES,
    )
    def post(self, request: Request) -> HttpResponse:
        options = query_filters(GhgPdfIssueInputSerializer, request)
        return _pdf_response(ghg_pdf_issue(organization=self.organization, **options))


@extend_schema(tags=["reports"])
class GhgStatementCsvApi(FileDownloadMixin, OrganizationApiMixin, APIView):
    """The statement as one long CSV table (section, name, month, scope, activity, value, unit, ...)."""

    error_statuses = (404,)  # no statement for that year (core.schema)
    renderer_classes = [JSONRenderer, CSVRenderer]

    @extend_schema(
        parameters=[GhgYearInputSerializer],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="UTF-8 with a byte order mark."),
            400: OpenApiResponse(description="Missing or bad year."),
        },
    )
    def get(self, request: Request) -> HttpResponse:
        year = query_filters(GhgYearInputSerializer, request)["year"]
        statement = ghg_statement_for(organization=self.organization, year=year)
        response = HttpResponse(statement_csv(statement), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"carboncred-ghg-statement-{year}.csv"
        )
        patch_cache_control(response, private=True, no_cache=True)
        return response


@extend_schema(tags=["reports"])
class IssuedReportListApi(OrganizationApiMixin, generics.ListAPIView):
    """The documents issued to the organisation (each distinct PDF once), newest first."""

    serializer_class = IssuedReportOutputSerializer
    queryset = IssuedReport.objects.none()

    def scoped_queryset(self):
        return issued_report_list_for(organization=self.organization)


@extend_schema(tags=["reports"])
class IssuedReportDetailApi(OrganizationApiMixin, APIView):
    @extend_schema(responses={200: IssuedReportOutputSerializer})
    def get(self, request: Request, report_id: int) -> Response:
        report = issued_report_get_for(organization=self.organization, report_id=report_id)
        return Response(IssuedReportOutputSerializer(report).data)

    @extend_schema(
        description="Publish (`public: true`) or withdraw one of your issued documents: a published document can "
        "be checked by anyone holding it, at its verify_url or /reports/verify/.",
        request=IssuedReportUpdateInputSerializer,
        responses={200: IssuedReportOutputSerializer, 404: OpenApiResponse(description="Not one of yours.")},
    )
    def patch(self, request: Request, report_id: int) -> Response:
        # A PATCH: a field left out is left as it is (an empty body changes nothing).
        payload = IssuedReportUpdateInputSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        if "public" not in payload.validated_data:
            report = issued_report_get_for(organization=self.organization, report_id=report_id)
        else:
            report = issued_report_publish(
                organization=self.organization, report_id=report_id, public=payload.validated_data["public"]
            )
        return Response(IssuedReportOutputSerializer(report).data)


@extend_schema(tags=["reports"])
class ReportVerifyApi(ReplicaReadsMixin, APIView):
    """Public: did the registry issue (and its organisation publish) a document with this SHA-256?"""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="reports_verify",
        parameters=[ReportVerifyInputSerializer],
        responses={200: ReportVerifyOutputSerializer, 400: OpenApiResponse(description="Not a SHA-256.")},
    )
    def get(self, request: Request) -> Response:
        sha256 = query_filters(ReportVerifyInputSerializer, request)["sha256"]
        report = published_report_find(sha256=sha256)
        data = ReportVerifyOutputSerializer({"sha256": sha256, "issued": report is not None, "document": report}).data
        response = Response(data)
        patch_cache_control(response, public=True, max_age=PUBLIC_CACHE_SECONDS)
        return response


def _sha256_of(form: ReportCheckForm) -> str:
    upload = form.cleaned_data.get("document")
    if upload:
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        return digest.hexdigest()
    return form.cleaned_data["sha256"]


@require_http_methods(["GET", "HEAD", "POST"])
@reads_from_replica
def report_verify_page(request: HttpRequest, token: str | None = None) -> HttpResponse:
    """Public: a customer uploads a statement (or enters its SHA-256) and reads whether the registry
    issued it. With ``token`` (the address an organisation shares when it publishes a document) the
    page is about that one document; without, any published document matches. Reads only."""
    published = None
    if token is not None:
        try:
            published = published_report_get(token=token)
        except PublishedReportNotFoundError:
            raise Http404("No published report at this address.") from None
    result, status = None, 200
    if request.method == "POST":
        form = ReportCheckForm(request.POST, request.FILES)
        if form.is_valid():
            sha256 = _sha256_of(form)
            if published is not None:
                match = published if published.sha256 == sha256 else None
            else:
                match = published_report_find(sha256=sha256)
            result = {"sha256": sha256, "match": match}
        else:
            status = 400
    else:
        form = ReportCheckForm()
    response = render(
        request,
        "reports/verify.html",
        {"form": form, "published": published, "result": result, "verify_url": report_verify_url()},
        status=status,
    )
    # The form carries this visitor's CSRF token, and a result is about their own document: no shared cache.
    patch_cache_control(response, private=True, no_store=True)
    return response
