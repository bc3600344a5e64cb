from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import OrganizationApiMixin
from accounts.models import OrganizationVerificationRequest
from accounts.roles import Ability
from documents.models import Document
from documents.selectors import document_get_for, document_list_for
from documents.serializers import (
    DocumentOutputSerializer,
    DocumentUploadInputSerializer,
    VerificationRequestInputSerializer,
    VerificationStatusOutputSerializer,
)
from documents.services import document_upload, documents_storage, organization_verification_submit
from documents.sniffing import EXTENSIONS


@extend_schema(tags=["documents"])
class DocumentViewSet(OrganizationApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your organisation's evidence documents. Verifiers may also read documents behind claims and
    verification requests."""

    error_statuses = {"POST": (409,)}  # the same file (SHA-256) is already in the registry (core.schema)
    serializer_class = DocumentOutputSerializer
    queryset = Document.objects.none()
    lookup_value_converter = "id"
    parser_classes = [MultiPartParser, FormParser]  # the one write here is a file upload

    def scoped_queryset(self):
        return document_list_for(organization=self.organization)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        return Response(DocumentOutputSerializer(document_get_for(user=self.user, document_id=int(kwargs["pk"]))).data)

    @extend_schema(
        request={"multipart/form-data": DocumentUploadInputSerializer},
        responses={201: DocumentOutputSerializer},
        description=(
            "Upload an evidence file (multipart: `file`, `kind`). Its type is recognised from its content (PDF, "
            "PNG, JPEG, CSV: 415 otherwise), never from its name. An empty file is 400 `document_empty`, one above "
            "DOCUMENT_MAX_BYTES 413. A file whose SHA-256 already exists anywhere in the registry is 409 "
            "`document_reused` and nothing is stored: evidence is counted once."
        ),
    )
    def create(self, request: Request) -> Response:
        payload = DocumentUploadInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        document = document_upload(
            owner=self.organization,
            uploaded_by=self.user,
            kind=payload.validated_data["kind"],
            upload=payload.validated_data["file"],
        )
        return Response(DocumentOutputSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={
            (200, media_type): OpenApiResponse(response=OpenApiTypes.BINARY, description="The file as stored.")
            for media_type in ("application/pdf", "image/png", "image/jpeg", "text/csv")
        },
        description="The file itself, with its sniffed content type, as an attachment named by its SHA-256.",
    )
    @action(detail=True, methods=["get"])
    def file(self, request: Request, pk: int):
        document = document_get_for(user=self.user, document_id=int(pk))
        handle = documents_storage().open(document.storage_name, "rb")
        return FileResponse(
            handle,
            as_attachment=True,
            filename=f"{document.sha256}.{EXTENSIONS[document.content_type]}",
            content_type=document.content_type,
        )


@extend_schema(tags=["organisations"])
class OrganizationVerificationApi(OrganizationApiMixin, APIView):
    """Your organisation's standing, and the request to be verified (``/api/organization/verification/``).
    Asking to be verified speaks for the organisation: owners and admins (accounts.roles)."""

    required_ability = Ability.ORGANIZATION

    error_statuses = {"POST": (404, 409)}  # a document that is not yours; already verified or pending (core.schema)

    @extend_schema(responses={200: VerificationStatusOutputSerializer})
    def get(self, request: Request) -> Response:
        latest = OrganizationVerificationRequest.objects.filter(organization=self.organization).first()
        return Response(
            VerificationStatusOutputSerializer(
                {"verification_status": self.organization.verification_status, "request": latest}
            ).data
        )

    @extend_schema(
        request=VerificationRequestInputSerializer,
        responses={202: VerificationStatusOutputSerializer},
        description=(
            "Ask to be verified: legal name, registration number and your own documents (a register extract). "
            "The organisation becomes `pending` until a verifier decides (202). A verified organisation has "
            "nothing to request (409)."
        ),
    )
    def post(self, request: Request) -> Response:
        payload = VerificationRequestInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        verification_request = organization_verification_submit(user=self.user, **payload.validated_data)
        return Response(
            VerificationStatusOutputSerializer(
                {
                    "verification_status": verification_request.organization.verification_status,
                    "request": verification_request,
                }
            ).data,
            status=status.HTTP_202_ACCEPTED,
        )
