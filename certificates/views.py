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
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import OrganizationApiMixin
from certificates.errors import CertificateNotFoundError
from certificates.models import RetirementCertificate
from certificates.selectors import certificate_get_public, certificate_list_for
from certificates.serializers import (
    CertificateOutputSerializer,
    CertificateVerifyOutputSerializer,
    RetirementCreateInputSerializer,
    RetirementCreateOutputSerializer,
)
from certificates.services import certificate_pdf, certificate_verify, retirement_create
from core.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from core.renderers import JSONRenderer

# Long enough for a CDN to absorb a burst of scans of one printed code, short enough that a
# detected tampering is visible within the minute.
PUBLIC_CACHE_SECONDS = 60


class PDFRenderer(BaseRenderer):
    """Lets a client ask for ``Accept: application/pdf``; the view itself returns the bytes."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


@extend_schema(tags=["certificates"])
class RetirementCreateApi(OrganizationApiMixin, APIView):
    """Retire credits for good and receive a verifiable certificate."""

    @extend_schema(
        operation_id="retire_create",
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
    OrganizationApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The organisation's retirement certificates, newest first."""

    serializer_class = CertificateOutputSerializer
    lookup_value_converter = "id"
    queryset = RetirementCertificate.objects.none()

    def scoped_queryset(self):
        return certificate_list_for(organization=self.organization)

    @extend_schema(
        description="The certificate as an A4 PDF: the same bytes on every download.",
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The A4 certificate."),
            404: OpenApiResponse(description="Not one of your certificates."),
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

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # An error answered to `Accept: application/pdf` is still the one JSON error shape.
        if isinstance(response, Response) and isinstance(getattr(response, "accepted_renderer", None), PDFRenderer):
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = JSONRenderer.media_type
        return response


@extend_schema(tags=["certificates"])
class CertificateVerifyApi(APIView):
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


@require_safe
def certificate_public_page(request: HttpRequest, public_id: str) -> HttpResponse:
    """The page a person opens from the PDF's QR code: the facts and the verdict in plain words."""
    try:
        certificate = certificate_get_public(public_id=public_id)
    except CertificateNotFoundError:
        # A person who scanned a forged or mistyped code is told so in the registry's own words.
        response = render(
            request,
            "certificates/not_found.html",
            {"ledger_head_url": settings.PUBLIC_BASE_URL + reverse("ledger-head")},
            status=404,
        )
        patch_cache_control(response, public=True, max_age=PUBLIC_CACHE_SECONDS)
        return response
    verification = certificate_verify(certificate=certificate)
    response = render(
        request,
        "certificates/public.html",
        {
            "facts": verification.facts,
            "verification": verification.verification,
            "history": verification.history,
            "verify_api_url": settings.PUBLIC_BASE_URL + reverse("certificate-verify", args=[public_id]),
            "ledger_head_url": settings.PUBLIC_BASE_URL + reverse("ledger-head"),
        },
    )
    patch_cache_control(response, public=True, max_age=PUBLIC_CACHE_SECONDS)
    return response
