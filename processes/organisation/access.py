"""Who administers which agency, and the tenant boundary every page and action keeps.

A superadmin administers every agency; an agency HR admin (``is_agency_admin``) only their
own; everyone else none. Records of another agency are answered as "not found" (404), never
"forbidden", so their existence is not revealed.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from workflow.errors import ActionForbidden

ModelT = TypeVar("ModelT", bound=Model)


def administered_agency_ids(user: Any) -> list[int] | None:
    """Return the ids of agencies ``user`` administers; None means every agency."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return None
    if user.is_agency_admin and user.agency_id is not None:
        return [int(user.agency_id)]
    return []


def administers(user: Any, agency_id: int) -> bool:
    """Return True when ``user`` may manage the agency's data."""
    ids = administered_agency_ids(user)
    return ids is None or agency_id in ids


def require_admin(user: Any, agency_id: int) -> None:
    """Raise ActionForbidden unless ``user`` administers the agency."""
    if not administers(user, agency_id):
        raise ActionForbidden(_("Hanya admin kepegawaian instansi ini yang boleh melakukannya."))


def for_tenant(user: Any, queryset: QuerySet[ModelT], field: str = "agency_id") -> QuerySet[ModelT]:
    """Return the rows of ``queryset`` in the user's own agency (superadmins: all)."""
    if user.is_superuser:
        return queryset
    if user.agency_id is None:
        return queryset.none()
    return queryset.filter(**{field: user.agency_id})


def get_for_tenant(
    user: Any, queryset: QuerySet[ModelT], field: str = "agency_id", **lookup: Any
) -> ModelT:
    """Return one row of the user's agency; raise Http404 for missing or foreign rows."""
    try:
        return for_tenant(user, queryset, field).get(**lookup)
    except queryset.model.DoesNotExist as error:  # type: ignore[attr-defined]
        raise Http404(_("Data tidak ditemukan.")) from error
