from django.db.models import QuerySet

from accounts.models import User
from projects.errors import ProjectNotFoundError
from projects.models import Project


def project_list_for(*, user: User) -> QuerySet[Project]:
    """The user's organisation's projects; verifiers see every project."""
    projects = Project.objects.select_related("owner")
    if user.is_verifier:
        return projects
    return projects.filter(owner=user.organization_id)


def project_owned_by(*, organization_id: int, project_id: int) -> Project:
    """One of the organisation's own projects (verifiers too act only on their own here); 404 otherwise."""
    project = Project.objects.filter(pk=project_id, owner=organization_id).first()
    if project is None:
        raise ProjectNotFoundError()
    return project
