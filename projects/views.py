from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api import OrganizationApiMixin
from projects.models import Project
from projects.selectors import project_list_for
from projects.serializers import ProjectCreateInputSerializer, ProjectOutputSerializer
from projects.services import project_create


@extend_schema(tags=["projects"])
class ProjectViewSet(OrganizationApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The organisation's sustainability projects (verifiers see all)."""

    error_statuses = {"POST": (404,)}  # the site is not one of yours (core.schema)
    serializer_class = ProjectOutputSerializer
    queryset = Project.objects.none()
    lookup_value_converter = "id"

    def scoped_queryset(self):
        return project_list_for(user=self.user)

    @extend_schema(request=ProjectCreateInputSerializer, responses={201: ProjectOutputSerializer})
    def create(self, request: Request) -> Response:
        payload = ProjectCreateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        project = project_create(owner=self.organization, **payload.validated_data)
        return Response(ProjectOutputSerializer(project).data, status=status.HTTP_201_CREATED)
