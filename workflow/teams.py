"""Team actions: create a tenant's team and change its members. The only code that writes teams.

A team (``workflow.models.Team``) is a named group of a tenant's users that a template's
``team`` stage hands its work to: the members are the stage's candidates, and any of them
may claim a task from the team queue. Who may change teams: whoever may design the
tenant's templates (``ProcessDefinition.administers`` for any registered process).
Each change is one transaction with its audit row on the chain ``team:<id>``.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils.translation import gettext as _

from workflow import audit, policy
from workflow.errors import ActionForbidden, StepNotAllowed
from workflow.models import AuditCode, Team
from workflow.registry import registered_processes

_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")


def _require_team_admin(actor: Any, tenant_id: int) -> None:
    if not policy.administers_tenant(actor, tenant_id):
        raise ActionForbidden(_("Hanya admin instansi yang boleh mengubah tim."))


def user_in_tenant(user: Any, tenant_id: int) -> bool:
    """Return True when a registered process counts ``user`` as one of the tenant's people."""
    return any(definition.user_in_tenant(user, tenant_id) for definition in registered_processes())


def lock_team(team_id: int) -> Team:
    """Lock and return a team row; raise StepNotAllowed when it does not exist."""
    queryset = Team.objects.select_related("group")
    if connection.features.has_select_for_update:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(pk=team_id)
    except Team.DoesNotExist as error:
        raise StepNotAllowed(_("Tim tidak ditemukan.")) from error


@transaction.atomic
def create_team(*, tenant_id: int, code: str, name: str, actor: Any) -> Team:
    """Create a team of the tenant with an empty member group.

    Before: the actor administers the tenant; ``code`` is a short lowercase code not yet
    used by the tenant's teams (templates refer to it); ``name`` is not empty.
    Written: the group, the team, one audit row (event ``team_created``).
    Raise ActionForbidden or StepNotAllowed; nothing is written then.
    """
    _require_team_admin(actor, tenant_id)
    code = (code or "").strip()
    name = (name or "").strip()
    if not _CODE.match(code):
        raise StepNotAllowed(
            _(
                "Kode tim harus diawali huruf kecil atau angka dan hanya berisi huruf kecil, "
                "angka, tanda hubung dan garis bawah (paling panjang 60)."
            )
        )
    if not name:
        raise StepNotAllowed(_("Nama tim wajib diisi."))
    if Team.objects.filter(tenant_id=tenant_id, code=code).exists():
        raise StepNotAllowed(_("Kode tim %(code)s sudah dipakai.") % {"code": code})
    group_name = f"tim:{tenant_id}:{code}"
    if Group.objects.filter(name=group_name).exists():
        raise StepNotAllowed(
            _("Grup %(group)s sudah ada; minta admin sistem memeriksanya.") % {"group": group_name}
        )
    group = Group.objects.create(name=group_name)
    team = Team.objects.create(tenant_id=tenant_id, code=code, name=name, group=group)
    audit.record(
        code=AuditCode.PROCESS_EVENT,
        tenant_id=tenant_id,
        chain=f"team:{team.pk}",
        actor_id=actor.pk,
        payload={"event": "team_created", "code": code, "name": name},
    )
    return team


@transaction.atomic
def add_team_member(*, team_id: int, user: Any, actor: Any) -> Team:
    """Add ``user`` to the team.

    Before: the actor administers the team's tenant; ``user`` is active, belongs to the
    tenant and is not a member yet. Written: the group membership and one audit row (event
    ``member_added``). The new member may claim the team's open pool tasks at once (the
    team's group holds the right to act). Raise ActionForbidden or StepNotAllowed.
    """
    team = lock_team(team_id)
    _require_team_admin(actor, team.tenant_id)
    if user is None or not user.is_active:
        raise StepNotAllowed(_("Pengguna ini tidak aktif."))
    if not user_in_tenant(user, team.tenant_id):
        raise StepNotAllowed(_("Pengguna ini bukan dari instansi tim ini."))
    if team.group.user_set.filter(pk=user.pk).exists():
        raise StepNotAllowed(_("Pengguna ini sudah menjadi anggota tim."))
    team.group.user_set.add(user)
    audit.record(
        code=AuditCode.PROCESS_EVENT,
        tenant_id=team.tenant_id,
        chain=f"team:{team.pk}",
        actor_id=actor.pk,
        payload={"event": "member_added", "user": user.pk},
    )
    return team


@transaction.atomic
def remove_team_member(*, team_id: int, user: Any, actor: Any) -> Team:
    """Remove ``user`` from the team.

    Before: the actor administers the team's tenant; ``user`` is a member. Written: the
    membership removed and one audit row (event ``member_removed``). Tasks the member has
    already claimed are not touched: they stay with them until done, released, or
    reassigned by an admin; only unclaimed team work is out of their reach from now on.
    Raise ActionForbidden or StepNotAllowed.
    """
    team = lock_team(team_id)
    _require_team_admin(actor, team.tenant_id)
    if user is None or not team.group.user_set.filter(pk=user.pk).exists():
        raise StepNotAllowed(_("Pengguna ini bukan anggota tim."))
    team.group.user_set.remove(user)
    audit.record(
        code=AuditCode.PROCESS_EVENT,
        tenant_id=team.tenant_id,
        chain=f"team:{team.pk}",
        actor_id=actor.pk,
        payload={"event": "member_removed", "user": user.pk},
    )
    return team
