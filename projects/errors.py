"""Errors of the projects app; each carries its HTTP status (core.errors renders them)."""

from core.errors import NotFoundError


class ProjectNotFoundError(NotFoundError):
    """No such project, or another organisation's (the two look the same from outside)."""

    code, default_detail = "project_not_found", "Project not found."
