"""The real URLconf plus endpoints that exist only to test the cross-cutting pieces."""

import time

from django.urls import path
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Organization
from carboncred.urls import urlpatterns as real_urlpatterns
from core.errors import ConflictError
from core.idempotency import idempotent


class _CreateInput(serializers.Serializer):
    name = serializers.CharField()
    # Named like a Field attribute: DRF's metaclass moves declared fields out of the class body.
    fail = serializers.BooleanField(default=False)  # type: ignore[assignment]
    delay_ms = serializers.IntegerField(default=0, max_value=2000)


class IdempotentCreateApi(APIView):
    """Creates an organisation: a visible effect that must happen once per key."""

    @idempotent
    def post(self, request):
        payload = _CreateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        organization = Organization.objects.create(name=payload.validated_data["name"], country="DE")
        time.sleep(payload.validated_data["delay_ms"] / 1000)  # hold the transaction open for race tests
        if payload.validated_data["fail"]:
            raise ConflictError("planned failure after the write")
        return Response({"id": organization.id, "name": organization.name}, status=201)


class BoomApi(APIView):
    authentication_classes: list = []
    permission_classes: list = []

    def get(self, request):
        raise RuntimeError("unexpected")


urlpatterns = [
    path("api/test/idempotent/", IdempotentCreateApi.as_view()),
    path("api/test/boom/", BoomApi.as_view()),
    *real_urlpatterns,
]

handler400 = "core.errors.handler400"
handler403 = "core.errors.handler403"
handler404 = "core.errors.handler404"
handler500 = "core.errors.handler500"
