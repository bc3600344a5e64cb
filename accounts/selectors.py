"""Reads of organisations and users."""

from typing import Any

from accounts.models import Organization
from core.ids import is_id


def organization_find(*, organization_id: Any) -> Organization | None:
    """The organisation with that id, or ``None`` (also for a value that is no id)."""
    if not is_id(organization_id):
        return None
    return Organization.objects.filter(pk=organization_id).first()
