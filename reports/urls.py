from django.urls import path

from reports.views import (
    GhgStatementApi,
    GhgStatementCsvApi,
    GhgStatementPdfApi,
    IssuedReportDetailApi,
    IssuedReportListApi,
    ReportVerifyApi,
)

urlpatterns = [
    path("reports/ghg/", GhgStatementApi.as_view(), name="report-ghg"),
    path("reports/ghg/pdf/", GhgStatementPdfApi.as_view(), name="report-ghg-pdf"),
    path("reports/ghg/csv/", GhgStatementCsvApi.as_view(), name="report-ghg-csv"),
    path("reports/issued/", IssuedReportListApi.as_view(), name="report-issued-list"),
    path("reports/issued/<id:report_id>/", IssuedReportDetailApi.as_view(), name="report-issued-detail"),
    path("reports/verify/", ReportVerifyApi.as_view(), name="report-verify"),
]
