"""Reads of organisations and users."""

from typing import Any

from accounts.models import Organization
from core.ids import is_id


def organization_find(*, organization_id: Any) -> Organization | None:
    """The organisation with that id, or ``None`` (also for a value that is no id)."""
    if not is_id(organization_id):
        return None
    return Organization.objects.filter(pk=organization_id).first()


def organizations_by_id(*, ids: set[int]) -> dict[int, Organization]:
    """Organisations by id, in one query (none for an empty set): pages name counterparties with it."""
    return Organization.objects.in_bulk(ids) if ids else {}


def organizations_count(*, kind: str = Organization.Kind.MEMBER) -> int:
    """How many organisations of that kind the registry holds (the home page's figure)."""
    return Organization.objects.filter(kind=kind).count()
