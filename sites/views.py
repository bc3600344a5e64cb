from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api import OrganizationApiMixin
from accounts.permissions import IsVerifier
from core.filters import query_filters
from sites.models import Site
from sites.selectors import site_get_for, site_list_for, site_review_get, site_review_list
from sites.serializers import (
    SiteCreateInputSerializer,
    SiteOutputSerializer,
    SiteReviewDecisionInputSerializer,
    SiteReviewListInputSerializer,
    SiteReviewOutputSerializer,
    SiteUpdateInputSerializer,
)
from sites.services import site_approve, site_create, site_reject, site_update


@extend_schema(tags=["sites"])
class SiteViewSet(OrganizationApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your organisation's physical sites: where projects are, what their meters are."""

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


@extend_schema(tags=["verifier review"])
class SiteReviewViewSet(
    OrganizationApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Every site, for verifiers (``/api/site-reviews/?status=under_review`` is the queue)."""

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
