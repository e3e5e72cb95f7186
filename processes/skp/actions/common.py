"""Helpers shared by the SKP actions: locking, stage checks, the actor's task, audit rows."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.utils.translation import gettext as _
from viewflow.workflow.status import STATUS

from processes.skp.access import Seat, SkpAccess, skp_access, today_for
from processes.skp.models import Skp
from workflow import actions as engine
from workflow import audit, policy
from workflow.errors import ActionForbidden, StepNotAllowed
from workflow.models import AuditCode, Case, Team, WorkItem
from workflow.spec import Phase

OPEN = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


def lock_skp(skp_id: int) -> Skp:
    """Lock the SKP's case row, then the SKP row, and return the SKP freshly read.

    Every SKP action takes the case lock first (the engine's actions take the same one), so
    two people acting on one SKP are serialised and the second re-reads the first's result.
    """
    case_id = Skp.objects.filter(pk=skp_id).values_list("case_id", flat=True).first()
    if case_id is not None:
        engine.lock_case(case_id)
    queryset = Skp.objects.select_related(
        "agency", "cycle", "employee", "employee__user", "position", "unit", "case"
    )
    if connection.features.has_select_for_update:
        queryset = queryset.select_for_update(of=("self",))
    skp = queryset.filter(pk=skp_id).first()
    if skp is None:
        raise StepNotAllowed(_("SKP tidak ditemukan."))
    return skp


def case_of(skp: Skp) -> Case:
    """Return the SKP's engine case; raise StepNotAllowed when it has none."""
    if skp.case is None:
        raise StepNotAllowed(_("SKP ini belum dimulai."))
    return skp.case


def require_open(skp: Skp) -> Case:
    """Refuse changes to a final (locked) or cancelled SKP."""
    case = case_of(skp)
    if case.phase == Phase.CANCELLED:
        raise StepNotAllowed(_("SKP ini sudah dibatalkan."))
    if case.closed_at is not None:
        raise StepNotAllowed(_("SKP ini sudah final dan terkunci."))
    return case


def current_form(skp: Skp) -> str:
    """Return the form of the stage the SKP stands in ('' when closed)."""
    case = skp.case
    if case is None or not case.is_open:
        return ""
    return case.current_stage().form


def require_form(skp: Skp, *forms: str) -> Case:
    """Refuse unless the SKP is open and stands in a stage handled by one of ``forms``."""
    case = require_open(skp)
    if case.current_stage().form not in forms:
        raise StepNotAllowed(
            _("SKP sedang di tahap «%(stage)s»; tindakan ini tidak berlaku sekarang.")
            % {"stage": case.current_stage().name}
        )
    return case


def require_phase(skp: Skp, *phases: str) -> Case:
    """Refuse unless the SKP is open and in one of ``phases``."""
    case = require_open(skp)
    if case.phase not in phases:
        raise StepNotAllowed(
            _("SKP sedang di fase «%(phase)s»; tindakan ini tidak berlaku sekarang.")
            % {"phase": Phase(case.phase).label}
        )
    return case


def access_for(actor: Any, skp: Skp) -> SkpAccess:
    """Return the actor's access to the SKP today (checked inside every action)."""
    return skp_access(actor, skp, today_for(skp))


def require_employee(actor: Any, skp: Skp) -> SkpAccess:
    """Refuse unless the actor is the SKP's employee."""
    access = access_for(actor, skp)
    if not access.is_employee:
        raise ActionForbidden(_("Hanya pegawai pemilik SKP yang boleh melakukan ini."))
    return access


def require_appraiser(actor: Any, skp: Skp) -> SkpAccess:
    """Refuse unless the actor appraises the SKP today (own or acting for the appraiser)."""
    access = access_for(actor, skp)
    if not access.is_appraiser:
        raise ActionForbidden(_("Hanya pejabat penilai pegawai ini yang boleh melakukan ini."))
    return access


def open_task_for(skp: Skp, actor: Any) -> WorkItem | None:
    """Return the actor's open task on the SKP's current stage (own or acting for its owner)."""
    case = case_of(skp)
    day = today_for(skp)
    owners = {actor.pk} | set(
        policy.principal_ids_subquery(actor.pk, day).values_list("principal_id", flat=True)
    )
    return (
        WorkItem.objects.filter(
            process_id=case.pk,
            visit=case.visit,
            stage_key=case.stage_key,
            status__in=OPEN,
            owner_id__in=owners,
        )
        .order_by("pk")
        .first()
    )


def require_task(skp: Skp, actor: Any) -> WorkItem:
    """Return the actor's open task on the current stage; refuse when they hold none."""
    task = open_task_for(skp, actor)
    if task is None:
        raise ActionForbidden(_("Anda tidak memegang tugas pada tahap ini."))
    return task


def record(
    skp: Skp,
    actor: Any,
    event: str,
    *,
    capacity: str = "",
    acting_for_id: int | None = None,
    reason: str = "",
    **payload: Any,
) -> None:
    """Append an audit row for an SKP event to its case's chain (same transaction)."""
    case = case_of(skp)
    audit.record(
        code=AuditCode.PROCESS_EVENT,
        tenant_id=skp.agency_id,
        case=case,
        actor_id=getattr(actor, "pk", None),
        acting_for_id=acting_for_id,
        capacity=capacity,
        from_stage=case.stage_key,
        to_stage=case.stage_key,
        from_phase=case.phase,
        to_phase=case.phase,
        reason=reason,
        payload={"event": event, **payload},
    )


def team_seat(skp: Skp, actor: Any) -> Seat | None:
    """Return the actor's seat on the team reviewing the SKP now, or None.

    Only while the SKP stands in a team review stage: a member of the stage's team (never
    the SKP's own employee) or whoever holds one of its tasks.
    """
    case = skp.case
    if case is None or not case.is_open:
        return None
    spec = case.current_stage()
    if spec.form != "team_review":
        return None
    team = (
        Team.objects.filter(tenant_id=case.tenant_id, code=spec.team).first() if spec.team else None
    )
    label = team.name if team is not None else _("Tim penilai kinerja")
    if (
        team is not None
        and actor.pk != case.subject_id
        and actor.groups.filter(pk=team.group_id).exists()
    ):
        return Seat(label=label)
    if open_task_for(skp, actor) is not None:
        return Seat(label=label)
    return None
