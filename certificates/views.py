from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import OrganizationApiMixin
from certificates.errors import CertificateNotFoundError
from certificates.models import RetirementCertificate
from certificates.selectors import certificate_get_public, certificate_list_all, certificate_list_for
from certificates.serializers import (
    CertificateOutputSerializer,
    CertificateVerifyOutputSerializer,
    RetirementCreateInputSerializer,
    RetirementCreateOutputSerializer,
)
from certificates.services import certificate_pdf, certificate_verify, retirement_create
from core.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from core.renderers import FileDownloadMixin, JSONRenderer, PDFRenderer
from core.routers import ReplicaReadsMixin, reads_from_replica

# Long enough for a CDN to absorb a burst of scans of one printed code, short enough that a
# detected tampering is visible within the minute.
PUBLIC_CACHE_SECONDS = 60


@extend_schema(tags=["certificates"])
class RetirementCreateApi(OrganizationApiMixin, APIView):
    """Retire credits for good and receive a verifiable certificate."""

    api_key_scopes = {"post": "retire"}  # accounts.standing: what an API key needs to write here

    @extend_schema(
        request=RetirementCreateInputSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={
            201: RetirementCreateOutputSerializer,
            404: OpenApiResponse(description="The block is not one of yours."),
            409: OpenApiResponse(description="The block is already retired, listed, or holds less than requested."),
        },
    )
    @idempotent
    def post(self, request: Request) -> Response:
        payload = RetirementCreateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        certificate = retirement_create(
            organization=self.organization,
            block_id=data["block"],
            quantity_kg=data["quantity_kg"],
            beneficiary=data["beneficiary"],
            reason=data["reason"],
        )
        return Response(RetirementCreateOutputSerializer(certificate).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["certificates"])
class CertificateViewSet(
    FileDownloadMixin,
    OrganizationApiMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The organisation's retirement certificates, newest first."""

    serializer_class = CertificateOutputSerializer
    lookup_value_converter = "id"
    queryset = RetirementCertificate.objects.none()

    def scoped_queryset(self):
        if self.action == "pdf" and self.user.is_verifier:
            # Verifiers review the registry's retirements: any certificate's PDF, by its id.
            return certificate_list_all()
        return certificate_list_for(organization=self.organization)

    @extend_schema(
        description="The certificate as an A4 PDF: the same bytes on every download. Verifiers may download "
        "any organisation's certificate. Anyone may download it by public id at `/certificates/{public_id}/pdf/`.",
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The A4 certificate."),
            404: OpenApiResponse(description="Not one of your certificates (verifiers: no such certificate)."),
        },
    )
    @action(detail=True, methods=["get"], url_path="pdf", renderer_classes=[JSONRenderer, PDFRenderer])
    def pdf(self, request: Request, pk: int) -> HttpResponse:
        certificate = self.get_object()
        response = HttpResponse(certificate_pdf(certificate=certificate), content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"carboncred-retirement-{certificate.serial}.pdf"
        )
        # The document names its holder's beneficiary: private, but stable, so the browser may keep it.
        patch_cache_control(response, private=True, max_age=3600)
        return response


@extend_schema(tags=["certificates"])
class CertificateVerifyApi(ReplicaReadsMixin, APIView):
    """Public: check a certificate against the ledger. No token needed."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="certificates_verify",
        responses={
            200: CertificateVerifyOutputSerializer,
            404: OpenApiResponse(description="No certificate has this public id."),
        },
    )
    def get(self, request: Request, public_id: str) -> Response:
        verification = certificate_verify(certificate=certificate_get_public(public_id=public_id))
        response = Response(CertificateVerifyOutputSerializer(verification).data)
        patch_cache_control(response, public=True, max_age=PUBLIC_CACHE_SECONDS)
        return response


def _not_a_certificate(request: HttpRequest) -> HttpResponse:
    """404: a person who scanned a forged or mistyped code is told so in the registry's own words."""
    response = render(
        request,
        "certificates/not_found.html",
        {"ledger_head_url": settings.PUBLIC_BASE_URL + reverse("ledger-head")},
        status=404,
    )
    patch_cache_control(response, public=True, max_age=PUBLIC_CACHE_SECONDS)
    return response


@require_safe
@reads_from_replica
def certificate_public_page(request: HttpRequest, public_id: str) -> HttpResponse:
    """The page a person opens from the PDF's QR code: the facts and the verdict in plain words."""
    try:
        certificate = certificate_get_public(public_id=public_id)
    except CertificateNotFoundError:
        return _not_a_certificate(request)
    verification = certificate_verify(certificate=certificate)
    response = render(
        request,
        "certificates/public.html",
        {
            "facts": verification.facts,
            "verification": verification.verification,
            "history": verification.history,
            "verify_api_url": settings.PUBLIC_BASE_URL + reverse("certificate-verify", args=[public_id]),
            "pdf_url": reverse("certificate-public-pdf", args=[public_id]),
            "ledger_head_url": settings.PUBLIC_BASE_URL + reverse("ledger-head"),
        },
    )
    patch_cache_control(response, public=True, max_age=PUBLIC_CACHE_SECONDS)
    return response


@require_safe
@reads_from_replica
def certificate_public_pdf(request: HttpRequest, public_id: str) -> HttpResponse:
    """The certificate's PDF by its public id, for anyone: the certificate is public by design (its
    page shows every fact the PDF prints). Reads only: it prints the checkpoint that already covers
    the entry, which the retirement stored when it committed."""
    try:
        certificate = certificate_get_public(public_id=public_id)
    except CertificateNotFoundError:
        return _not_a_certificate(request)
    response = HttpResponse(
        certificate_pdf(certificate=certificate, store_checkpoint=False), content_type="application/pdf"
    )
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=False, filename=f"carboncred-retirement-{certificate.serial}.pdf")
        or "inline"
    )
    patch_cache_control(response, public=True, max_age=PUBLIC_CACHE_SECONDS)
    return response
