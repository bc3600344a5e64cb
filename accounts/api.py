"""The base of every API view that acts for the signed-in user's organisation."""

from typing import Any

from django.db.models import QuerySet

from accounts.models import Organization, User
from accounts.permissions import request_user
from accounts.roles import Ability


class OrganizationApiMixin:
    """``self.user`` and ``self.organization`` — the acting organisation always comes from the
    token, never from the body. A list view sets ``queryset = Model.objects.none()`` and implements
    :meth:`scoped_queryset`; while the OpenAPI schema is generated there is no user, and the empty
    queryset is answered instead. Serializers get the organisation in their context.

    ``required_ability`` is what the view's writes need (accounts.roles); a viewset's action may set
    its own with ``@action(..., required_ability=Ability.X)`` (DRF takes only keywords the class has)."""

    required_ability: Ability = Ability.OPERATE
    request: Any
    swagger_fake_view: bool

    @property
    def user(self) -> User:
        return request_user(self.request)

    @property
    def organization(self) -> Organization:
        return self.user.organization

    def scoped_queryset(self) -> QuerySet:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return super().get_queryset()  # type: ignore[misc]  # the declared empty queryset
        return self.scoped_queryset()

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()  # type: ignore[misc]
        if not getattr(self, "swagger_fake_view", False) and self.request.user.is_authenticated:
            context["organization"] = self.organization
        return context
