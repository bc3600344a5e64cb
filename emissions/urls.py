from django.urls import path

from emissions import views

urlpatterns = [
    path("emissions/", views.EmissionReportListCreateApi.as_view(), name="emission-report-list"),
    path("emissions/<id:report_id>/", views.EmissionReportDetailApi.as_view(), name="emission-report-detail"),
    path("verify-emissions/", views.EmissionReportCheckApi.as_view(), name="emission-report-verify"),
    path("emission-factors/", views.EmissionFactorListApi.as_view(), name="emission-factor-list"),
]
