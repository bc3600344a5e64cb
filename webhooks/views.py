from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api import OrganizationApiMixin
from accounts.permissions import request_user
from accounts.roles import Ability, role_require
from core.filters import query_filters
from webhooks.models import WebhookEndpoint
from webhooks.selectors import delivery_list_for, endpoint_get_for, endpoint_list_for
from webhooks.serializers import (
    WebhookDeliveryListInputSerializer,
    WebhookDeliveryOutputSerializer,
    WebhookEndpointCreateInputSerializer,
    WebhookEndpointOutputSerializer,
    WebhookEndpointSecretOutputSerializer,
    WebhookEndpointUpdateInputSerializer,
)
from webhooks.services import (
    delivery_retry,
    endpoint_create,
    endpoint_delete,
    endpoint_rotate_secret,
    endpoint_update,
)


@extend_schema(tags=["webhooks"])
class WebhookEndpointViewSet(
    OrganizationApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Your organisation's webhook endpoints and their delivery log (docs/WEBHOOKS.md). Managed by signed-in
    users only: an API key gets 403 ``api_key_not_allowed``. Every write, and reading an endpoint's
    secret, needs the organisation's admin role (accounts.roles, ``Ability.INTEGRATIONS``)."""

    error_statuses = {"POST": (409,)}  # the organisation has as many endpoints as allowed (core.schema)

    serializer_class = WebhookEndpointOutputSerializer
    queryset = WebhookEndpoint.objects.none()
    lookup_value_converter = "id"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    api_key_refused = True
    required_ability = Ability.INTEGRATIONS

    def scoped_queryset(self):
        return endpoint_list_for(organization=self.organization)

    @extend_schema(responses={200: WebhookEndpointSecretOutputSerializer})
    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        """One endpoint, with its signing secret (admins and owners: the secret signs for the organisation)."""
        role_require(role=request_user(request).role, ability=Ability.INTEGRATIONS)
        endpoint = endpoint_get_for(organization=self.organization, endpoint_id=int(kwargs["pk"]))
        return Response(WebhookEndpointSecretOutputSerializer(endpoint).data)

    @extend_schema(
        request=WebhookEndpointCreateInputSerializer,
        responses={201: WebhookEndpointSecretOutputSerializer},
        description=(
            "Subscribe a URL to events. The answer carries the signing `secret` (`whsec_…`). A URL whose host "
            "resolves to a private, loopback or link-local address is 400 `webhook_url_not_allowed`."
        ),
    )
    def create(self, request: Request) -> Response:
        payload = WebhookEndpointCreateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        endpoint = endpoint_create(organization=self.organization, created_by=self.user, **payload.validated_data)
        return Response(WebhookEndpointSecretOutputSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=WebhookEndpointUpdateInputSerializer, responses={200: WebhookEndpointOutputSerializer})
    def partial_update(self, request: Request, pk: int) -> Response:
        """Change the URL (checked again), the events, the description, or pause it (`active: false`)."""
        payload = WebhookEndpointUpdateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        endpoint = endpoint_update(organization=self.organization, endpoint_id=int(pk), **payload.validated_data)
        return Response(WebhookEndpointOutputSerializer(endpoint).data)

    @extend_schema(responses={204: OpenApiResponse(description="Deleted, with its delivery log.")})
    def destroy(self, request: Request, pk: int) -> Response:
        endpoint_delete(organization=self.organization, endpoint_id=int(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: WebhookEndpointSecretOutputSerializer})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, pk: int) -> Response:
        """A new signing secret; deliveries from now on are signed with it."""
        endpoint = endpoint_rotate_secret(organization=self.organization, endpoint_id=int(pk))
        return Response(WebhookEndpointSecretOutputSerializer(endpoint).data)

    @extend_schema(
        parameters=[WebhookDeliveryListInputSerializer], responses={200: WebhookDeliveryOutputSerializer(many=True)}
    )
    @action(detail=True, methods=["get"], serializer_class=WebhookDeliveryOutputSerializer)
    def deliveries(self, request: Request, pk: int) -> Response:
        """The endpoint's deliveries, newest first, each with its event, status and every attempt."""
        filters = query_filters(WebhookDeliveryListInputSerializer, request)
        queryset = delivery_list_for(organization=self.organization, endpoint_id=int(pk), **filters)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(WebhookDeliveryOutputSerializer(page, many=True).data)

    @extend_schema(request=None, responses={202: WebhookDeliveryOutputSerializer})
    @action(detail=True, methods=["post"], url_path="deliveries/<id:delivery_id>/retry")
    def retry(self, request: Request, pk: int, delivery_id: int) -> Response:
        """Send a delivery again now (one more attempt, whatever its status). 202: the attempt is queued."""
        retried = delivery_retry(organization=self.organization, endpoint_id=int(pk), delivery_id=int(delivery_id))
        delivery = delivery_list_for(organization=self.organization, endpoint_id=int(pk)).get(pk=retried.pk)
        return Response(WebhookDeliveryOutputSerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
