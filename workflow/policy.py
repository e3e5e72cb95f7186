"""Who may act and who may see: one policy for checks, lists and inboxes.

Object permissions live in django-guardian's direct foreign-key tables
(``CaseUserObjectPermission`` / ``CaseGroupObjectPermission``). The engine grants
``act_case`` to the current stage's actors when a stage is entered and revokes it when the
stage is left; ``view_case`` is granted to every participant and kept as history. The same
querysets answer "may this user act on this case" (``may_act``) and "which cases may this
user act on" (``actable_filter``), so checks, lists and inboxes cannot disagree.

Delegation: a user holding an active ``Delegation`` on a day acts with the principal's
rights that day; every action records the person and the capacity.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from workflow.models import (
    Case,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
    Delegation,
)
from workflow.registry import get_process

ACT = "act_case"
VIEW = "view_case"
APP_LABEL = "workflow"


def _permission_filter(codename: str, prefix: str = "permission__") -> Q:
    return Q(**{f"{prefix}codename": codename, f"{prefix}content_type__app_label": APP_LABEL})


def _permission_id(codename: str) -> int:
    from django.contrib.auth.models import Permission

    return Permission.objects.get(codename=codename, content_type__app_label=APP_LABEL).pk


@dataclass(frozen=True)
class Capacity:
    """The person acting and whose rights they use."""

    user_id: int
    acting_for_id: int | None = None
    label: str = ""

    @property
    def principal_id(self) -> int:
        """Return whose rights are used."""
        return self.acting_for_id or self.user_id


def active_delegations(user_id: int, on: datetime.date) -> QuerySet[Delegation]:
    """Return the delegations ``user_id`` holds on day ``on``."""
    return Delegation.objects.filter(delegate_id=user_id, starts_on__lte=on, ends_on__gte=on)


def principal_ids_subquery(user_id: int, on: datetime.date) -> QuerySet[Delegation, Any]:
    """Return a subquery of the users whose rights ``user_id`` holds on ``on``."""
    return active_delegations(user_id, on).values("principal_id")


def actable_filter(user_id: int, on: datetime.date, field: str = "pk") -> Q:
    """Return a filter on ``field`` (a case id) for cases the user may act on now.

    Matches the user's own rows, rows of anyone whose rights they hold on ``on`` through a
    delegation, and rows of their groups (teams), by subqueries on the direct foreign-key
    tables: one query whatever the number of permissions.
    """
    user_model = get_user_model()
    member_field = f"{user_model._meta.model_name}_id"
    principals = principal_ids_subquery(user_id, on)
    group_ids = user_model.groups.through.objects.filter(
        Q(**{member_field: user_id}) | Q(**{f"{member_field}__in": principals})
    ).values("group_id")
    user_rows = CaseUserObjectPermission.objects.filter(
        Q(user_id=user_id) | Q(user_id__in=principals), _permission_filter(ACT)
    ).values("content_object_id")
    group_rows = CaseGroupObjectPermission.objects.filter(
        _permission_filter(ACT), group_id__in=group_ids
    ).values("content_object_id")
    return Q(**{f"{field}__in": user_rows}) | Q(**{f"{field}__in": group_rows})


def viewable_case_filter(user: Any, on: datetime.date) -> Q:
    """Return a filter on Case for what ``user`` may see (superusers: everything)."""
    if user.is_superuser:
        return Q()
    view_rows = CaseUserObjectPermission.objects.filter(
        Q(user_id=user.pk) | Q(user_id__in=principal_ids_subquery(user.pk, on)),
        _permission_filter(VIEW),
    ).values("content_object_id")
    condition = Q(pk__in=view_rows) | Q(subject_id=user.pk) | actable_filter(user.pk, on)
    administered = administered_filter(user)
    if administered is not None:
        condition |= administered
    return condition


def administered_filter(user: Any) -> Q | None:
    """Return a filter on Case for the documents ``user`` administers, or None for none."""
    from workflow.registry import registered_processes

    condition: Q | None = None
    for definition in registered_processes():
        tenant_ids = definition.administered_tenant_ids(user)
        if tenant_ids is None:
            clause = Q(process_kind=definition.kind)
        else:
            ids = list(tenant_ids)
            if not ids:
                continue
            clause = Q(process_kind=definition.kind, tenant_id__in=ids)
        condition = clause if condition is None else condition | clause
    return condition


def visible_cases(user: Any, on: datetime.date) -> QuerySet[Case]:
    """Return the cases ``user`` may see."""
    return Case.objects.filter(viewable_case_filter(user, on))


def may_view(user: Any, case: Case, on: datetime.date) -> bool:
    """Return True when ``user`` may see ``case``."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return visible_cases(user, on).filter(pk=case.pk).exists()


def is_admin(user: Any, case: Case) -> bool:
    """Return True when ``user`` may repair ``case`` (reassign, cancel, revive, reopen, ...)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return get_process(case.process_kind).administers(user, case.tenant_id)


def administers_tenant(user: Any, tenant_id: int) -> bool:
    """Return True when ``user`` administers ``tenant_id`` for any registered process."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    from workflow.registry import registered_processes

    return any(definition.administers(user, tenant_id) for definition in registered_processes())


def acting_capacity(
    user: Any, case: Case, on: datetime.date, owner_id: int | None
) -> Capacity | None:
    """Return how ``user`` may act on a task owned by ``owner_id`` on ``case``, or None.

    Own task: capacity "own". A task owned by someone whose rights the user holds on
    ``on`` through a delegation: capacity "acting for". Anything else: None.
    """
    if user is None or not user.is_authenticated or not user.is_active or owner_id is None:
        return None
    if owner_id == user.pk:
        return Capacity(user_id=user.pk)
    delegation = (
        active_delegations(user.pk, on)
        .filter(principal_id=owner_id, tenant_id=case.tenant_id)
        .order_by("-starts_on")
        .first()
    )
    if delegation is None:
        return None
    label = delegation.capacity_label
    if delegation.reference:
        label = f"{label} ({delegation.reference})"
    return Capacity(user_id=user.pk, acting_for_id=owner_id, label=label)


def may_act(user: Any, case: Case, on: datetime.date) -> bool:
    """Return True when ``user`` (or someone they act for) holds ``act_case`` on ``case``."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return Case.objects.filter(actable_filter(user.pk, on), pk=case.pk).exists()


def claim_capacity(
    user: Any, case: Case, on: datetime.date, candidate_ids: Iterable[int]
) -> Capacity | None:
    """Return how ``user`` may claim a pool task whose candidates are ``candidate_ids``."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    candidates = set(candidate_ids)
    if user.pk in candidates:
        return Capacity(user_id=user.pk)
    delegation = (
        active_delegations(user.pk, on)
        .filter(principal_id__in=candidates, tenant_id=case.tenant_id)
        .order_by("-starts_on")
        .first()
    )
    if delegation is None:
        return None
    label = delegation.capacity_label
    if delegation.reference:
        label = f"{label} ({delegation.reference})"
    return Capacity(user_id=user.pk, acting_for_id=delegation.principal_id, label=label)


# Granting and revoking: only engine actions call these, inside their transaction.


def grant(case: Case, codename: str, user_ids: Iterable[int]) -> None:
    """Grant ``codename`` on ``case`` to each user that does not hold it yet."""
    wanted = set(user_ids)
    if not wanted:
        return
    permission_id = _permission_id(codename)
    existing = set(
        CaseUserObjectPermission.objects.filter(
            content_object=case, permission_id=permission_id, user_id__in=wanted
        ).values_list("user_id", flat=True)
    )
    CaseUserObjectPermission.objects.bulk_create(
        [
            CaseUserObjectPermission(content_object=case, permission_id=permission_id, user_id=uid)
            for uid in sorted(wanted - existing)
        ]
    )


def grant_group(case: Case, codename: str, group_id: int) -> None:
    """Grant ``codename`` on ``case`` to a group (a team)."""
    CaseGroupObjectPermission.objects.get_or_create(
        content_object=case, permission_id=_permission_id(codename), group_id=group_id
    )


def revoke_all(case: Case, codename: str) -> None:
    """Revoke ``codename`` on ``case`` from every user and group."""
    CaseUserObjectPermission.objects.filter(content_object=case).filter(
        _permission_filter(codename)
    ).delete()
    CaseGroupObjectPermission.objects.filter(content_object=case).filter(
        _permission_filter(codename)
    ).delete()


def holders(case: Case, codename: str) -> tuple[set[int], set[int]]:
    """Return (user ids, group ids) holding ``codename`` on ``case``."""
    users = set(
        CaseUserObjectPermission.objects.filter(content_object=case)
        .filter(_permission_filter(codename))
        .values_list("user_id", flat=True)
    )
    groups = set(
        CaseGroupObjectPermission.objects.filter(content_object=case)
        .filter(_permission_filter(codename))
        .values_list("group_id", flat=True)
    )
    return users, groups
