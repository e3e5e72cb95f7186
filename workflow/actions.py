"""Engine actions: the only code that changes a case, its tasks or their permissions.

Every action follows one order: open a transaction, lock the case row, re-read it, check
that the actor may act (here, not only in views), run the stage's guards, write, append
the audit row in the same transaction, and schedule side effects with ``on_commit``. A
refused action raises a ``WorkflowError`` subclass with a clear message and writes nothing.

Actions use ``transaction.atomic()`` (not durable) so a process action can call them
inside its own transaction, together with its domain writes.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.status import PROCESS, STATUS

from workflow import audit, policy
from workflow.calendar import DayCount, due_at, local_date
from workflow.errors import (
    ActionForbidden,
    AlreadyDecided,
    GuardFailed,
    ReasonRequired,
    StaleDocument,
    StepNotAllowed,
)
from workflow.flows import CaseStartActivation, StageActivation, StageFlow
from workflow.models import (
    AuditCode,
    Case,
    Team,
    TemplateVersion,
    WorkflowTemplate,
    WorkItem,
)
from workflow.registry import ProcessDefinition, RoleResolution, Seat, get_process
from workflow.spec import PHASE_ORDER, BreachAction, Phase, Quorum, Role, StageSpec, stage_index

OPEN_TASK_STATUSES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)
SideEffect = Callable[[], None]

# Side effects registered by other parts of the product (notifications, for example).
# Each is called with the event after the transaction commits, never on rollback.
_EVENT_LISTENERS: list[Callable[[WorkflowEvent], None]] = []


@dataclass(frozen=True)
class WorkflowEvent:
    """What happened, for listeners that run after commit (notifications, webhooks)."""

    code: AuditCode
    case_id: int
    tenant_id: int
    actor_id: int | None
    task_ids: tuple[int, ...] = ()
    recipient_ids: tuple[int, ...] = ()
    stage_key: str = ""
    reason: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)


def add_event_listener(listener: Callable[[WorkflowEvent], None]) -> None:
    """Call ``listener`` after commit for every workflow event (idempotent)."""
    if listener not in _EVENT_LISTENERS:
        _EVENT_LISTENERS.append(listener)


def remove_event_listener(listener: Callable[[WorkflowEvent], None]) -> None:
    """Stop calling ``listener``."""
    if listener in _EVENT_LISTENERS:
        _EVENT_LISTENERS.remove(listener)


def _emit(event: WorkflowEvent) -> None:
    for listener in list(_EVENT_LISTENERS):
        transaction.on_commit(partial(listener, event))


# Locks and small helpers -------------------------------------------------------------


def lock_case(case_id: int) -> Case:
    """Lock the case row (PostgreSQL) and return it freshly read; raise StepNotAllowed if absent."""
    queryset = Case.objects.select_related("template_version", "template_version__template")
    if connection.features.has_select_for_update:
        # Lock only the case's own row; every action on a case takes this lock first, so
        # two actors on one document are serialised and the second re-reads the result.
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(pk=case_id)
    except Case.DoesNotExist as error:
        raise StepNotAllowed(_("Dokumen tidak ditemukan.")) from error


def _lock_task(task_id: int) -> tuple[Case, WorkItem]:
    case_id = WorkItem.objects.filter(pk=task_id).values_list("process_id", flat=True).first()
    if case_id is None:
        raise StepNotAllowed(_("Tugas tidak ditemukan."))
    case = lock_case(case_id)
    task = WorkItem.objects.get(pk=task_id)
    task.process = case
    return case, task


def _bump_version(case: Case, expected_version: int | None) -> None:
    """Check the version the actor saw and increment it (optimistic concurrency)."""
    if expected_version is not None and expected_version != case.lock_version:
        raise StaleDocument(
            _("Dokumen ini sudah diubah orang lain sejak Anda membukanya. Muat ulang halaman.")
        )
    updated = Case.objects.filter(pk=case.pk, lock_version=case.lock_version).update(
        lock_version=F("lock_version") + 1
    )
    if updated != 1:
        raise AlreadyDecided(_("Dokumen ini baru saja diubah orang lain. Muat ulang halaman."))
    case.lock_version += 1


def _definition(case: Case) -> ProcessDefinition:
    return get_process(case.process_kind)


def today_for(case: Case, now: datetime.datetime | None = None) -> datetime.date:
    """Return the current date in the case's tenant time zone."""
    zone = _definition(case).deadline_policy(case).zone
    return local_date(now or timezone.now(), zone)


def _require_reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise ReasonRequired(_("Alasan wajib diisi."))
    return text


def _require_open(case: Case) -> None:
    if case.phase == Phase.CANCELLED:
        raise StepNotAllowed(_("Dokumen ini sudah dibatalkan."))
    if case.closed_at is not None:
        raise StepNotAllowed(_("Dokumen ini sudah final."))


def _require_admin(actor: Any, case: Case) -> None:
    if not policy.is_admin(actor, case):
        raise ActionForbidden(_("Hanya admin instansi yang boleh melakukan tindakan ini."))


def _open_items(case: Case) -> QuerySet[WorkItem]:
    return WorkItem.objects.filter(process_id=case.pk, status__in=OPEN_TASK_STATUSES)


def _activation(task: WorkItem, case: Case) -> StageActivation:
    task.process = case
    return StageActivation(task)


def _cancel_open_items(case: Case, *, keep: Iterable[int] = ()) -> list[int]:
    kept = set(keep)
    cancelled: list[int] = []
    for task in _open_items(case).exclude(pk__in=kept).order_by("pk"):
        _activation(task, case).cancel()
        cancelled.append(task.pk)
    return cancelled


def _phase_move(case: Case, target: str) -> None:
    current = case.phase
    if current == Phase.CANCELLED:
        case.revive_phase(target)
    elif PHASE_ORDER.index(target) >= PHASE_ORDER.index(current) and current != Phase.FINAL:
        case.advance_phase(target)
    else:
        case.return_phase(target)


def sync_act_permissions(case: Case) -> None:
    """Make ``act_case`` holders exactly the current open tasks' owners and candidates."""
    policy.revoke_all(case, policy.ACT)
    if not case.is_open:
        return
    users: set[int] = set()
    for task in _open_items(case).filter(visit=case.visit):
        if task.owner_id is not None:
            users.add(task.owner_id)
        elif task.is_pool:
            users.update(task.candidate_ids)
        team_group = task.data.get("team_group_id")
        if team_group and task.owner_id is None:
            policy.grant_group(case, policy.ACT, int(team_group))
    policy.grant(case, policy.ACT, users)


# Stage entry and exit ----------------------------------------------------------------


@dataclass
class _Plan:
    tasks: list[dict[str, Any]]
    required: int
    view_user_ids: set[int]
    problems: list[str]


def _resolve(case: Case, spec: StageSpec, on: datetime.date) -> tuple[RoleResolution, int | None]:
    """Return who holds the stage's role, and the team's group for team stages."""
    if spec.role == Role.TEAM:
        team = Team.objects.filter(tenant_id=case.tenant_id, code=spec.team).first()
        if team is None:
            return (
                RoleResolution(
                    problems=(_("Tim %(team)s tidak ditemukan.") % {"team": spec.team},)
                ),
                None,
            )
        members = get_user_model().objects.filter(groups=team.group, is_active=True)
        seats = tuple(Seat(user_id=user.pk, label=team.name) for user in members.order_by("pk"))
        problems = () if seats else (_("Tim %(team)s belum punya anggota.") % {"team": team.name},)
        return RoleResolution(seats=seats, pool=True, problems=problems), team.group_id
    return _definition(case).resolve_role(case, spec.role, on), None


def _plan_stage(case: Case, spec: StageSpec, on: datetime.date) -> _Plan:
    resolution, team_group_id = _resolve(case, spec, on)
    seats: list[Seat] = []
    seen: set[int] = set()
    for seat in resolution.seats:
        # Nobody reviews their own document from a pool (peers, a team, HR).
        if resolution.pool and seat.user_id == case.subject_id:
            continue
        if seat.user_id not in seen:
            seen.add(seat.user_id)
            seats.append(seat)
    problems = list(resolution.problems)
    if resolution.pool and resolution.seats and not seats:
        problems.append(_("Satu-satunya pelaksana adalah pemilik dokumen sendiri."))
    base = {"stage_key": spec.key, "visit": case.visit}
    tasks: list[dict[str, Any]] = []
    if resolution.pool:
        candidates = [seat.user_id for seat in seats]
        label = seats[0].label if seats else spec.role_label
        pool_task = {
            **base,
            "is_pool": True,
            "seat_label": label,
            "candidates": candidates,
            "team_group_id": team_group_id,
        }
        if spec.quorum == Quorum.ALL:
            tasks = [
                {
                    **base,
                    "owner_id": s.user_id,
                    "seat_label": s.label,
                    "acting_for_id": s.acting_for_id,
                }
                for s in seats
            ]
        elif spec.quorum == Quorum.N_OF_M:
            count = spec.quorum_n or 1
            if len(candidates) < count:
                problems.append(
                    _(
                        "Tahap %(stage)s memerlukan %(n)d pelaksana, tetapi hanya %(m)d yang "
                        "memenuhi syarat."
                    )
                    % {"stage": spec.name, "n": count, "m": len(candidates)}
                )
            tasks = [dict(pool_task) for _ in range(min(count, len(candidates)))]
        else:
            tasks = [pool_task] if candidates else []
    else:
        tasks = [
            {**base, "owner_id": s.user_id, "seat_label": s.label, "acting_for_id": s.acting_for_id}
            for s in seats
        ]
        if spec.quorum == Quorum.N_OF_M and len(seats) < (spec.quorum_n or 1):
            problems.append(
                _(
                    "Tahap %(stage)s memerlukan %(n)d pelaksana, tetapi hanya %(m)d yang "
                    "memenuhi syarat."
                )
                % {"stage": spec.name, "n": spec.quorum_n or 1, "m": len(seats)}
            )
    if spec.quorum == Quorum.ONE:
        required = 1
    elif spec.quorum == Quorum.ALL:
        required = max(len(tasks), 1)
    else:
        required = spec.quorum_n or 1
    # Seats nobody can fill become placeholder tasks that admins see as stuck.
    missing = required - len(tasks) if spec.quorum != Quorum.ONE else (0 if tasks else 1)
    for _index in range(max(missing, 0)):
        tasks.append(
            {
                **base,
                "needs_actor": True,
                "seat_label": spec.role_label,
                "problems": problems or [_("Tidak ada pelaksana yang memenuhi syarat.")],
            }
        )
    view_users = {seat.user_id for seat in seats}
    return _Plan(tasks=tasks, required=required, view_user_ids=view_users, problems=problems)


def _stage_due_at(
    case: Case, spec: StageSpec, start: datetime.datetime
) -> datetime.datetime | None:
    if not spec.sla_days:
        return None
    deadline = _definition(case).deadline_policy(case)
    return due_at(
        start,
        spec.sla_days,
        deadline.zone,
        count=DayCount.WORKING if deadline.working_days else DayCount.CALENDAR,
        holidays=deadline.holidays,
    )


def _should_skip(case: Case, spec: StageSpec, plan: _Plan | None) -> str:
    """Return why an optional stage is skipped, or '' when it runs."""
    if not spec.optional:
        return ""
    if spec.condition:
        definition = _definition(case)
        condition = definition.conditions.get(spec.condition)
        if condition is None or not condition(case):
            reason = definition.skip_reasons.get(spec.condition)
            if reason:
                return str(reason)
            return _("kondisi %(condition)s tidak terpenuhi") % {
                "condition": definition.condition_label(spec.condition)
            }
    if plan is not None and not any(not task.get("needs_actor") for task in plan.tasks):
        return _("tidak ada pelaksana yang memenuhi syarat")
    return ""


def _enter_stage(
    case: Case,
    key: str,
    *,
    prev_task: WorkItem,
    actor_id: int | None,
    now: datetime.datetime,
) -> list[WorkItem]:
    """Enter stage ``key`` (skipping optional stages that do not apply) and create its tasks."""
    specs = case.template_version.specs()
    index = stage_index(specs, key)
    on = today_for(case, now)
    while True:
        spec = specs[index]
        plan = (
            None
            if spec.condition and _should_skip(case, spec, None)
            else _plan_stage(case, spec, on)
        )
        reason = _should_skip(case, spec, plan)
        if not reason:
            break
        audit.record(
            code=AuditCode.STAGE_SKIPPED,
            tenant_id=case.tenant_id,
            case=case,
            actor_id=actor_id,
            from_stage=case.stage_key,
            to_stage=spec.key,
            from_phase=case.phase,
            to_phase=case.phase,
            reason=reason,
        )
        index += 1  # the last stage is never optional (template validation)
    assert plan is not None
    from_stage, from_phase = case.stage_key, case.phase
    _phase_move(case, spec.phase)
    case.stage_key = spec.key
    case.visit += 1
    case.stage_quorum = plan.required
    case.stage_entered_at = now
    due = _stage_due_at(case, spec, now)
    case.save()
    prev_activation = _activation(prev_task, case)
    created: list[WorkItem] = []
    for data in plan.tasks:
        data = {**data, "visit": case.visit, "due_at": due}
        activation = StageFlow.stage._create(prev_activation, prev_task.token, data=data)
        created.append(activation.task)
    sync_act_permissions(case)
    viewers = set(plan.view_user_ids)
    if case.subject_id is not None:
        viewers.add(case.subject_id)
    policy.grant(case, policy.VIEW, viewers)
    audit.record(
        code=AuditCode.STAGE_ENTERED,
        tenant_id=case.tenant_id,
        case=case,
        actor_id=actor_id,
        from_stage=from_stage,
        to_stage=spec.key,
        from_phase=from_phase,
        to_phase=case.phase,
        payload={
            "visit": case.visit,
            "tasks": [task.pk for task in created],
            "required": plan.required,
            "due_at": due.isoformat() if due else None,
            "problems": plan.problems,
        },
    )
    hook = _definition(case).on_stage_entered
    if hook is not None:
        hook(case, spec.key)
    _emit(
        WorkflowEvent(
            code=AuditCode.STAGE_ENTERED,
            case_id=case.pk,
            tenant_id=case.tenant_id,
            actor_id=actor_id,
            task_ids=tuple(task.pk for task in created),
            recipient_ids=tuple(sorted({t.owner_id for t in created if t.owner_id is not None})),
            stage_key=spec.key,
        )
    )
    return created


def _close(
    case: Case, *, prev_task: WorkItem, actor_id: int | None, now: datetime.datetime
) -> None:
    """Close the case after its last stage: viewflow's end node finishes the process."""
    from_stage = case.stage_key
    case.closed_at = now
    end_activation = StageFlow.end._create(_activation(prev_task, case), prev_task.token)
    end_activation.activate()
    end_activation.complete()
    case.status = PROCESS.DONE
    case.finished = now
    case.save()
    policy.revoke_all(case, policy.ACT)
    audit.record(
        code=AuditCode.CASE_CLOSED,
        tenant_id=case.tenant_id,
        case=case,
        actor_id=actor_id,
        from_stage=from_stage,
        to_stage=from_stage,
        from_phase=case.phase,
        to_phase=case.phase,
    )
    hook = _definition(case).on_closed
    if hook is not None:
        hook(case)
    _emit(
        WorkflowEvent(
            code=AuditCode.CASE_CLOSED,
            case_id=case.pk,
            tenant_id=case.tenant_id,
            actor_id=actor_id,
            recipient_ids=(case.subject_id,) if case.subject_id else (),
        )
    )


def _advance(
    case: Case, *, prev_task: WorkItem, actor_id: int | None, now: datetime.datetime
) -> None:
    specs = case.template_version.specs()
    index = stage_index(specs, case.stage_key)
    audit.record(
        code=AuditCode.STAGE_COMPLETED,
        tenant_id=case.tenant_id,
        case=case,
        actor_id=actor_id,
        work_item_id=prev_task.pk,
        from_stage=case.stage_key,
        to_stage=specs[index + 1].key if index + 1 < len(specs) else case.stage_key,
        from_phase=case.phase,
        to_phase=specs[index + 1].phase if index + 1 < len(specs) else case.phase,
    )
    if index + 1 >= len(specs):
        _close(case, prev_task=prev_task, actor_id=actor_id, now=now)
    else:
        _enter_stage(case, specs[index + 1].key, prev_task=prev_task, actor_id=actor_id, now=now)


def _last_task(case: Case) -> WorkItem:
    task = WorkItem.objects.filter(process_id=case.pk).order_by("-pk").first()
    if task is None:
        raise StepNotAllowed(_("Dokumen ini tidak punya riwayat tugas."))
    task.process = case
    return task


# Public actions ------------------------------------------------------------------------


@transaction.atomic
def start_case(
    *,
    template: WorkflowTemplate,
    subject_id: int | None,
    title: str,
    actor: Any,
) -> Case:
    """Start a document on the newest published version of ``template``.

    The actor must be allowed by the process to start it (or administer the tenant).
    Raise StepNotAllowed when the template has no published version.
    """
    definition = get_process(template.process_kind)
    if not (
        definition.may_start(actor, template.tenant_id, subject_id)
        or definition.administers(actor, template.tenant_id)
    ):
        raise ActionForbidden(_("Anda tidak boleh membuat dokumen ini."))
    version = template.latest_version()
    if version is None:
        raise StepNotAllowed(_("Templat %(name)s belum diterbitkan.") % {"name": template.name})
    now = timezone.now()
    case = Case(
        flow_class=StageFlow,
        tenant_id=template.tenant_id,
        process_kind=template.process_kind,
        template_version=version,
        subject_id=subject_id,
        title=title,
        stage_key="",
        created=now,
    )
    start = CaseStartActivation.for_case(StageFlow.start, case, actor if actor else None)
    start.next_plan = []
    start.execute()
    audit.record(
        code=AuditCode.CASE_STARTED,
        tenant_id=case.tenant_id,
        case=case,
        actor_id=getattr(actor, "pk", None),
        to_phase=case.phase,
        payload={"template": template.code, "version": version.number},
    )
    _enter_stage(
        case,
        version.specs()[0].key,
        prev_task=start.task,
        actor_id=getattr(actor, "pk", None),
        now=now,
    )
    return case


def _check_guards(case: Case, spec: StageSpec) -> None:
    definition = _definition(case)
    problems: list[str] = []
    for name in spec.guards:
        guard = definition.guards.get(name)
        if guard is None:
            problems.append(_("Syarat %(name)s tidak dikenal.") % {"name": name})
            continue
        problems.extend(guard(case))
    if problems:
        raise GuardFailed(problems)


def _open_task_of_actor(case: Case, task: WorkItem, actor: Any) -> policy.Capacity:
    _require_open(case)
    if task.status in (STATUS.DONE, STATUS.CANCELED, STATUS.REVIVED):
        raise AlreadyDecided(_("Tugas ini sudah diselesaikan atau dibatalkan."))
    if task.visit != case.visit or task.stage_key != case.stage_key:
        raise AlreadyDecided(_("Dokumen ini sudah berpindah tahap."))
    if task.status == STATUS.NEW:
        raise StepNotAllowed(_("Ambil tugas ini terlebih dahulu."))
    capacity = policy.acting_capacity(actor, case, today_for(case), task.owner_id)
    if capacity is None:
        raise ActionForbidden(_("Tugas ini bukan milik Anda."))
    return capacity


@transaction.atomic
def complete_task(
    *,
    task_id: int,
    actor: Any,
    outcome: str = "done",
    comment: str = "",
    payload: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> Case:
    """Complete the actor's task on the current stage; advance when the quorum is met.

    Before: the task is open, on the case's current stage and visit, owned by the actor
    (or by someone whose rights the actor holds today), and the stage's guards pass.
    Written: the task done, the stage's other tasks cancelled when the quorum is met, the
    next stage's tasks (or the end), permissions, audit rows. Raise a WorkflowError.
    """
    case, task = _lock_task(task_id)
    capacity = _open_task_of_actor(case, task, actor)
    spec = case.current_stage()
    _check_guards(case, spec)
    _bump_version(case, expected_version)
    now = timezone.now()
    activation = _activation(task, case)
    activation.start()
    task.outcome = outcome[:30]
    task.acting_for_id = capacity.acting_for_id
    task.data = {**task.data, "comment": comment} if comment else task.data
    activation.complete()
    audit.record(
        code=AuditCode.TASK_COMPLETED,
        tenant_id=case.tenant_id,
        case=case,
        actor_id=capacity.user_id,
        acting_for_id=capacity.acting_for_id,
        capacity=capacity.label,
        work_item_id=task.pk,
        from_stage=case.stage_key,
        to_stage=case.stage_key,
        from_phase=case.phase,
        to_phase=case.phase,
        reason=comment,
        payload={"outcome": task.outcome, **(payload or {})},
    )
    done = WorkItem.objects.filter(process_id=case.pk, visit=case.visit, status=STATUS.DONE).count()
    if done >= case.stage_quorum:
        _cancel_open_items(case)
        _advance(case, prev_task=task, actor_id=capacity.user_id, now=now)
    else:
        sync_act_permissions(case)
        case.save()
    return case


@transaction.atomic
def return_case(
    *,
    task_id: int,
    actor: Any,
    to_stage: str,
    reason: str,
    expected_version: int | None = None,
) -> Case:
    """Return the document from the actor's task to an earlier stage the template allows.

    A written reason is required. The actor's task is closed with outcome "returned", the
    stage's other tasks are cancelled, and the target stage is entered again.
    """
    case, task = _lock_task(task_id)
    capacity = _open_task_of_actor(case, task, actor)
    text = _require_reason(reason)
    spec = case.current_stage()
    if to_stage not in spec.return_to:
        raise StepNotAllowed(
            _("Tahap %(stage)s tidak boleh dikembalikan ke %(target)s.")
            % {"stage": spec.name, "target": to_stage}
        )
    _bump_version(case, expected_version)
    now = timezone.now()
    activation = _activation(task, case)
    activation.start()
    task.outcome = "returned"
    task.acting_for_id = capacity.acting_for_id
    activation.complete()
    _cancel_open_items(case)
    target = case.template_version.stage(to_stage)
    audit.record(
        code=AuditCode.CASE_RETURNED,
        tenant_id=case.tenant_id,
        case=case,
        actor_id=capacity.user_id,
        acting_for_id=capacity.acting_for_id,
        capacity=capacity.label,
        work_item_id=task.pk,
        from_stage=case.stage_key,
        to_stage=to_stage,
        from_phase=case.phase,
        to_phase=target.phase,
        reason=text,
    )
    _enter_stage(case, to_stage, prev_task=task, actor_id=capacity.user_id, now=now)
    _emit(
        WorkflowEvent(
            code=AuditCode.CASE_RETURNED,
            case_id=case.pk,
            tenant_id=case.tenant_id,
            actor_id=capacity.user_id,
            # The subject hears of the return, unless they returned it themselves.
            recipient_ids=(
                (case.subject_id,)
                if case.subject_id and case.subject_id != capacity.user_id
                else ()
            ),
            stage_key=to_stage,
            reason=text,
        )
    )
    return case


@transaction.atomic
def claim_task(*, task_id: int, actor: Any) -> WorkItem:
    """Take a pool task from the team queue.

    Before: the task is open, unclaimed, on the current stage; the actor is one of its
    candidates (or a member of its team, or acts for a candidate today) and holds no
    other task of this stage visit.
    """
    case, task = _lock_task(task_id)
    _require_open(case)
    if task.visit != case.visit or task.status in (STATUS.DONE, STATUS.CANCELED):
        raise AlreadyDecided(_("Tugas ini sudah tidak berlaku."))
    if task.status != STATUS.NEW or task.owner_id is not None:
        raise AlreadyDecided(_("Tugas ini sudah diambil orang lain."))
    if not task.is_pool:
        raise StepNotAllowed(_("Tugas ini tidak dapat diambil; minta admin mengalihkannya."))
    if actor is not None and actor.pk == case.subject_id:
        raise ActionForbidden(_("Anda tidak dapat mengambil tugas pada dokumen Anda sendiri."))
    on = today_for(case)
    capacity = policy.claim_capacity(actor, case, on, task.candidate_ids)
    if capacity is None and task.data.get("team_group_id") and policy.may_act(actor, case, on):
        capacity = policy.Capacity(user_id=actor.pk)
    if capacity is None:
        raise ActionForbidden(_("Anda bukan pelaksana tahap ini."))
    already = WorkItem.objects.filter(process_id=case.pk, visit=case.visit, owner_id=actor.pk)
    if already.exclude(status=STATUS.CANCELED).exists():
        raise StepNotAllowed(_("Anda sudah memegang tugas pada tahap ini."))
    _bump_version(case, None)
    task.acting_for_id = capacity.acting_for_id
    _activation(task, case).assign(actor)
    sync_act_permissions(case)
    audit.record(
        code=AuditCode.TASK_CLAIMED,
        tenant_id=case.tenant_id,
        case=case,
        actor_id=actor.pk,
        acting_for_id=capacity.acting_for_id,
        capacity=capacity.label,
        work_item_id=task.pk,
        from_stage=case.stage_key,
        to_stage=case.stage_key,
        from_phase=case.phase,
        to_phase=case.phase,
    )
    return task


@transaction.atomic
def unclaim_task(*, task_id: int, actor: Any) -> WorkItem:
    """Put a claimed pool task back in the team queue (only its holder may)."""
    case, task = _lock_task(task_id)
    _open_task_of_actor(case, task, actor)
    if not task.is_pool:
        raise StepNotAllowed(_("Tugas ini ditetapkan untuk Anda dan tidak dapat dilepas."))
    _bump_version(case, None)
    task.acting_for_id = None
    _activation(task, case).unassign()
    sync_act_permissions(case)
    audit.record(
        code=AuditCode.TASK_RELEASED,
        tenant_id=case.tenant_id,
        case=case,
        actor_id=actor.pk,
        work_item_id=task.pk,
        from_stage=case.stage_key,
        to_stage=case.stage_key,
        from_phase=case.phase,
        to_phase=case.phase,
    )
    return task


@transaction.atomic
def reassign_task(*, task_id: int, actor: Any, to_user: Any, reason: str) -> WorkItem:
    """Give an open task of the current stage to ``to_user`` (admin repair, reason required)."""
    case, task = _lock_task(task_id)
    _require_admin(actor, case)
    _require_open(case)
    text = _require_reason(reason)
    if task.visit != case.visit or task.status not in OPEN_TASK_STATUSES:
        raise AlreadyDecided(_("Tugas ini sudah tidak berlaku."))
    if to_user is None or not to_user.is_active:
        raise StepNotAllowed(_("Pengguna tujuan tidak aktif."))
    if not _definition(case).user_in_tenant(to_user, case.tenant_id):
        raise StepNotAllowed(_("Pengguna tujuan bukan dari instansi ini."))
    if task.owner_id == to_user.pk:
        raise StepNotAllowed(_("Tugas ini sudah dipegang pengguna tersebut."))
    holds_other = (
        _open_items(case).filter(visit=case.visit, owner_id=to_user.pk).exclude(pk=task.pk).exists()
    )
    if holds_other:
        raise StepNotAllowed(_("Pengguna tujuan sudah memegang tugas lain pada tahap ini."))
    _bump_version(case, None)
    previous_owner = task.owner_id
    task.needs_actor = False
    task.is_pool = False
    task.acting_for_id = None
    task.seat_label = _("Dialihkan oleh admin")
    activation = _activation(task, case)
    if task.status == STATUS.NEW:
        activation.assign(to_user)
    else:
        activation.reassign(to_user)
    sync_act_permissions(case)
    policy.grant(case, policy.VIEW, [to_user.pk])
    audit.record(
        code=AuditCode.TASK_REASSIGNED,
        tenant_id=case.tenant_id,
        case=case,
        actor_id=actor.pk,
        work_item_id=task.pk,
        from_stage=case.stage_key,
        to_stage=case.stage_key,
        from_phase=case.phase,
        to_phase=case.phase,
        reason=text,
        payload={"from_user": previous_owner, "to_user": to_user.pk},
    )
    _emit(
        WorkflowEvent(
            code=AuditCode.TASK_REASSIGNED,
            case_id=case.pk,
            tenant_id=case.tenant_id,
            actor_id=actor.pk,
            task_ids=(task.pk,),
            recipient_ids=(to_user.pk,),
            stage_key=case.stage_key,
            reason=text,
        )
    )
    return task


@transaction.atomic
def admin_return_case(*, case_id: int, actor: Any, to_stage: str, reason: str) -> Case:
    """Send an open document back to any earlier stage (admin repair, reason required)."""
    case = lock_case(case_id)
    _require_admin(actor, case)
    _require_open(case)
    text = _require_reason(reason)
    specs = case.template_version.specs()
    try:
        target_index = stage_index(specs, to_stage)
    except KeyError as error:
        raise StepNotAllowed(_("Tahap %(stage)s tidak ada.") % {"stage": to_stage}) from error
    if target_index >= stage_index(specs, case.stage_key):
        raise StepNotAllowed(_("Dokumen hanya dapat dikembalikan ke tahap sebelumnya."))
    _bump_version(case, None)
    _cancel_open_items(case)
    audit.record(
        code=AuditCode.CASE_RETURNED,
        tenant_id=case.tenant_id,
        case=case,
        actor_id=actor.pk,
        capacity=_("admin"),
        from_stage=case.stage_key,
        to_stage=to_stage,
        from_phase=case.phase,
        to_phase=specs[target_index].phase,
        reason=text,
    )
    _enter_stage(case, to_stage, prev_task=_last_task(case), actor_id=actor.pk, now=timezone.now())
    return case


@transaction.atomic
def cancel_case(*, case_id: int, actor: Any, reason: str) -> Case:
    """Cancel an open document (admin, reason required): open tasks cancelled, rights revoked."""
    case = lock_case(case_id)
    _require_admin(actor, case)
    _require_open(case)
    text = _require_reason(reason)
    _bump_version(case, None)
    from_phase = case.phase
    cancelled = _cancel_open_items(case)
    case.cancel_phase()
    case.status = PROCESS.CANCELED
    case.finished = timezone.now()
    case.save()
    policy.revoke_all(case, policy.ACT)
    audit.record(
        code=AuditCode.CASE_CANCELLED,
        tenant_id=case.tenant_id,
        case=case,
        actor_id=actor.pk,
        from_stage=case.stage_key,
        to_stage=case.stage_key,
        from_phase=from_phase,
        to_phase=case.phase,
        reason=text,
        payload={"cancelled_tasks": cancelled},
    )
    return case


@transaction.atomic
def revive_case(*, case_id: int, actor: Any, reason: str) -> Case:
    """Bring a cancelled document back to the stage it stood in (admin, reason required)."""
    case = lock_case(case_id)
    _require_admin(actor, case)
    if case.phase != Phase.CANCELLED:
        raise StepNotAllowed(_("Hanya dokumen yang dibatalkan yang dapat dihidupkan kembali."))
    text = _require_reason(reason)
    _bump_version(case, None)
    case.status = PROCESS.NEW
    case.finished = None
    audit.record(
        code=AuditCode.CASE_REVIVED,
        tenant_id=case.tenant_id,
        case=case,
        actor_id=actor.pk,
        from_stage=case.stage_key,
        to_stage=case.stage_key,
        from_phase=Phase.CANCELLED,
        to_phase=case.current_stage().phase,
        reason=text,
    )
    _enter_stage(
        case, case.stage_key, prev_task=_last_task(case), actor_id=actor.pk, now=timezone.now()
    )
    return case


@transaction.atomic
def reopen_case(*, case_id: int, actor: Any, reason: str, to_stage: str = "") -> Case:
    """Reopen a final document at ``to_stage`` (default: its last stage); admin, reason required."""
    case = lock_case(case_id)
    _require_admin(actor, case)
    if case.closed_at is None or case.phase != Phase.FINAL:
        raise StepNotAllowed(_("Hanya dokumen final yang dapat dibuka kembali."))
    text = _require_reason(reason)
    specs = case.template_version.specs()
    target = to_stage or specs[-1].key
    try:
        stage_index(specs, target)
    except KeyError as error:
        raise StepNotAllowed(_("Tahap %(stage)s tidak ada.") % {"stage": target}) from error
    _bump_version(case, None)
    case.closed_at = None
    case.status = PROCESS.NEW
    case.finished = None
    audit.record(
        code=AuditCode.CASE_REOPENED,
        tenant_id=case.tenant_id,
        case=case,
        actor_id=actor.pk,
        from_stage=case.stage_key,
        to_stage=target,
        from_phase=Phase.FINAL,
        to_phase=case.template_version.stage(target).phase,
        reason=text,
    )
    _enter_stage(case, target, prev_task=_last_task(case), actor_id=actor.pk, now=timezone.now())
    hook = _definition(case).on_reopened
    if hook is not None:
        hook(case)
    # The subject and whoever acts next hear why the final document was reopened.
    told = set(_open_items(case).exclude(owner=None).values_list("owner_id", flat=True))
    if case.subject_id:
        told.add(case.subject_id)
    told.discard(actor.pk)
    _emit(
        WorkflowEvent(
            code=AuditCode.CASE_REOPENED,
            case_id=case.pk,
            tenant_id=case.tenant_id,
            actor_id=actor.pk,
            recipient_ids=tuple(sorted(told)),
            stage_key=target,
            reason=text,
        )
    )
    return case


@transaction.atomic
def migrate_case(
    *,
    case_id: int,
    actor: Any,
    version: TemplateVersion,
    stage_map: Mapping[str, str] | None = None,
    reason: str,
) -> Case:
    """Move an open document to a newer version of its template (admin, reason required).

    The current stage maps through ``stage_map`` (default: the stage with the same key);
    open tasks are cancelled and the mapped stage is entered on the new version.
    """
    case = lock_case(case_id)
    _require_admin(actor, case)
    _require_open(case)
    text = _require_reason(reason)
    current = case.template_version
    if version.template_id != current.template_id:
        raise StepNotAllowed(_("Versi tujuan bukan dari templat yang sama."))
    if version.number <= current.number:
        raise StepNotAllowed(_("Dokumen hanya dapat dipindah ke versi yang lebih baru."))
    target = (stage_map or {}).get(case.stage_key, case.stage_key)
    try:
        version.stage(target)
    except KeyError as error:
        raise StepNotAllowed(
            _("Tahap %(stage)s tidak ada di versi %(number)d; tentukan pemetaannya.")
            % {"stage": target, "number": version.number}
        ) from error
    _bump_version(case, None)
    _cancel_open_items(case)
    from_stage = case.stage_key
    case.template_version = version
    audit.record(
        code=AuditCode.CASE_MIGRATED,
        tenant_id=case.tenant_id,
        case=case,
        actor_id=actor.pk,
        from_stage=from_stage,
        to_stage=target,
        from_phase=case.phase,
        to_phase=version.stage(target).phase,
        reason=text,
        payload={"from_version": current.number, "to_version": version.number},
    )
    _enter_stage(case, target, prev_task=_last_task(case), actor_id=actor.pk, now=timezone.now())
    return case


@transaction.atomic
def repair_case(
    *, case_id: int, actor: Any = None, note: str = "workflow_doctor --fix"
) -> list[str]:
    """Repair what the doctor finds on one case (audited); return what was done.

    Stray tasks (of another stage or visit, or on a closed case) are cancelled; a stage
    whose quorum is met is left; a stage short of tasks is entered afresh; the phase is
    realigned with the stage; ``act_case`` is re-synchronised with the open tasks.
    ``actor`` None means the system (a command run by an operator).
    """
    from workflow.doctor import diagnose

    case = lock_case(case_id)
    if actor is not None:
        _require_admin(actor, case)
    problems = diagnose(case)
    if not problems or not all(problem.fixable for problem in problems):
        return []
    _bump_version(case, None)
    codes = {problem.code for problem in problems}
    done: list[str] = []
    actor_id = getattr(actor, "pk", None)
    now = timezone.now()
    stray = _open_items(case).exclude(visit=case.visit, stage_key=case.stage_key)
    if not case.is_open:
        stray = _open_items(case)
    for task in stray.order_by("pk"):
        _activation(task, case).cancel()
        done.append(f"cancelled stray task {task.pk}")
    if case.is_open and "phase" in codes:
        _phase_move(case, case.current_stage().phase)
        case.save()
        done.append(f"phase set to {case.phase}")
    if case.is_open and "quorum_met" in codes:
        _cancel_open_items(case)
        _advance(case, prev_task=_last_task(case), actor_id=actor_id, now=now)
        done.append("left the completed stage")
    elif case.is_open and "missing_tasks" in codes:
        _cancel_open_items(case)
        _enter_stage(case, case.stage_key, prev_task=_last_task(case), actor_id=actor_id, now=now)
        done.append(f"re-entered stage {case.stage_key}")
    sync_act_permissions(case)
    if "permissions" in codes:
        done.append("act_case re-synchronised")
    audit.record(
        code=AuditCode.CASE_REPAIRED,
        tenant_id=case.tenant_id,
        case=case,
        actor_id=actor_id,
        capacity=_("sistem") if actor is None else "",
        from_stage=case.stage_key,
        to_stage=case.stage_key,
        from_phase=case.phase,
        to_phase=case.phase,
        reason=note,
        payload={"problems": [str(problem) for problem in problems], "done": done},
    )
    return done


@transaction.atomic
def reroute_case(*, case_id: int, actor: Any, reason: str) -> list[int]:
    """Re-resolve who acts on the current stage and move open tasks whose holder changed.

    Called when the organisation changes (a transfer, a corrected reporting line, an acting
    official appointed or ended). Assigned tasks whose owner no longer holds the role move to
    a seat that holds none yet; with no such seat they become "needs an actor" for admins.
    Tasks waiting for an actor get one when a seat is free. Pool tasks get the new candidate
    list; a claimed pool task whose holder left the pool goes back to the queue. Completed
    tasks stay as they are. ``actor`` None means the system (an organisation change made by
    HR is audited on its own record). Return the ids of the tasks that moved.
    """
    case = lock_case(case_id)
    if actor is not None:
        _require_admin(actor, case)
    text = _require_reason(reason)
    if not case.is_open:
        return []
    spec = case.current_stage()
    plan = _plan_stage(case, spec, today_for(case))
    seats = [task for task in plan.tasks if task.get("owner_id") is not None]
    seat_by_user = {int(seat["owner_id"]): seat for seat in seats}
    candidates = next((task["candidates"] for task in plan.tasks if task.get("is_pool")), None)
    this_visit = WorkItem.objects.filter(process_id=case.pk, visit=case.visit)
    taken = set(this_visit.exclude(status=STATUS.CANCELED).values_list("owner_id", flat=True))
    free_seats = [seat for seat in seats if int(seat["owner_id"]) not in taken]
    moved: list[tuple[WorkItem, int | None, int | None]] = []
    for task in _open_items(case).filter(visit=case.visit).order_by("pk"):
        activation = _activation(task, case)
        previous_owner = task.owner_id
        if task.is_pool:
            if candidates is not None:
                task.data = {**task.data, "candidates": candidates}
                task.save(update_fields=["data"])
            if previous_owner is not None and previous_owner not in (candidates or []):
                task.acting_for_id = None
                activation.unassign()
                moved.append((task, previous_owner, None))
            continue
        if previous_owner is not None and previous_owner in seat_by_user:
            continue
        if free_seats:
            seat = free_seats.pop(0)
            task.needs_actor = False
            task.seat_label = str(seat.get("seat_label", ""))
            task.acting_for_id = seat.get("acting_for_id")
            task.data = {key: value for key, value in task.data.items() if key != "problems"}
            if task.status == STATUS.NEW:
                activation.assign(get_user_model().objects.get(pk=seat["owner_id"]))
            else:
                activation.reassign(get_user_model().objects.get(pk=seat["owner_id"]))
            moved.append((task, previous_owner, int(seat["owner_id"])))
        elif previous_owner is not None:
            task.needs_actor = True
            task.acting_for_id = None
            task.data = {
                **task.data,
                "problems": plan.problems or [_("Tidak ada pelaksana yang memenuhi syarat.")],
            }
            activation.unassign()
            moved.append((task, previous_owner, None))
    if not moved and candidates is None:
        return []
    _bump_version(case, None)
    sync_act_permissions(case)
    policy.grant(case, policy.VIEW, plan.view_user_ids)
    for task, from_user, to_user in moved:
        audit.record(
            code=AuditCode.TASK_REASSIGNED,
            tenant_id=case.tenant_id,
            case=case,
            actor_id=getattr(actor, "pk", None),
            capacity=_("sistem") if actor is None else "",
            work_item_id=task.pk,
            from_stage=case.stage_key,
            to_stage=case.stage_key,
            from_phase=case.phase,
            to_phase=case.phase,
            reason=text,
            payload={"from_user": from_user, "to_user": to_user, "rerouted": True},
        )
    recipients = tuple(sorted({to for _task, _from, to in moved if to is not None}))
    if recipients:
        _emit(
            WorkflowEvent(
                code=AuditCode.TASK_REASSIGNED,
                case_id=case.pk,
                tenant_id=case.tenant_id,
                actor_id=getattr(actor, "pk", None),
                task_ids=tuple(task.pk for task, _from, _to in moved),
                recipient_ids=recipients,
                stage_key=case.stage_key,
                reason=text,
            )
        )
    return [task.pk for task, _from, _to in moved]


@transaction.atomic
def complete_task_as_system(
    *, task_id: int, outcome: str, reason: str, payload: dict[str, Any] | None = None
) -> Case:
    """Complete an open task on the system's behalf (for example when a window expires).

    Used by scheduled jobs, never by people: the task's stage guards still apply, the audit
    row names no actor, capacity "sistem" and the reason. Raise a WorkflowError otherwise.
    """
    case, task = _lock_task(task_id)
    _require_open(case)
    text = _require_reason(reason)
    if task.status not in OPEN_TASK_STATUSES:
        raise AlreadyDecided(_("Tugas ini sudah diselesaikan atau dibatalkan."))
    if task.visit != case.visit or task.stage_key != case.stage_key:
        raise AlreadyDecided(_("Dokumen ini sudah berpindah tahap."))
    if task.status == STATUS.NEW:
        raise StepNotAllowed(_("Tugas ini belum punya pelaksana."))
    _check_guards(case, case.current_stage())
    _bump_version(case, None)
    now = timezone.now()
    activation = _activation(task, case)
    activation.start()
    task.outcome = outcome[:30]
    activation.complete()
    audit.record(
        code=AuditCode.TASK_COMPLETED,
        tenant_id=case.tenant_id,
        case=case,
        capacity=_("sistem"),
        work_item_id=task.pk,
        from_stage=case.stage_key,
        to_stage=case.stage_key,
        from_phase=case.phase,
        to_phase=case.phase,
        reason=text,
        payload={"outcome": task.outcome, "system": True, **(payload or {})},
    )
    done = WorkItem.objects.filter(process_id=case.pk, visit=case.visit, status=STATUS.DONE).count()
    if done >= case.stage_quorum:
        _cancel_open_items(case)
        _advance(case, prev_task=task, actor_id=None, now=now)
    else:
        sync_act_permissions(case)
        case.save()
    return case


@transaction.atomic
def escalate_task(*, task_id: int, reason: str, now: datetime.datetime | None = None) -> WorkItem:
    """Escalate an overdue open task as its stage's ``on_breach`` says (the system acts).

    Before: the task is open, on the case's current stage and visit, past its due time and
    not escalated yet. Written: ``escalated_at``; for "reassign" the task is handed to the
    appraiser's supervisor (when one resolves, is active, belongs to the tenant and holds no
    other task of this stage); one TASK_ESCALATED audit row with capacity "sistem" naming
    the mode, the recipients and any problem. After commit an event tells: for "notify" the
    owner (or the pool's candidates; the tenant's admins when there is nobody); for
    "escalate" the appraiser's supervisor and the tenant's admins; for "reassign" those and
    the previous owner. Raise AlreadyDecided when the task was escalated already (another
    scheduler won) or is no longer current, StepNotAllowed when it is not overdue.
    """
    case, task = _lock_task(task_id)
    _require_open(case)
    text = _require_reason(reason)
    moment = now or timezone.now()
    if task.visit != case.visit or task.stage_key != case.stage_key:
        raise AlreadyDecided(_("Dokumen ini sudah berpindah tahap."))
    if task.status not in OPEN_TASK_STATUSES:
        raise AlreadyDecided(_("Tugas ini sudah diselesaikan atau dibatalkan."))
    if task.escalated_at is not None:
        raise AlreadyDecided(_("Tugas ini sudah dieskalasi."))
    if task.due_at is None or not moment > task.due_at:
        raise StepNotAllowed(_("Tugas ini belum melewati batas waktu."))
    definition = _definition(case)
    mode = case.current_stage().on_breach
    previous_owner = task.owner_id
    waiting = (
        [previous_owner]
        if previous_owner is not None
        else (task.candidate_ids if task.is_pool else [])
    )
    admins = sorted(set(definition.admin_user_ids(case.tenant_id)))
    supervisors: list[int] = []
    problems: list[str] = []
    if mode in (BreachAction.ESCALATE, BreachAction.REASSIGN):
        resolution = definition.resolve_role(
            case, Role.APPRAISER_SUPERVISOR, today_for(case, moment)
        )
        supervisors = list(dict.fromkeys(seat.user_id for seat in resolution.seats))
        problems = list(resolution.problems)
        if not supervisors and not problems:
            problems.append(_("Atasan pejabat penilai tidak ditemukan."))
    to_user = None
    if mode == BreachAction.REASSIGN and supervisors:
        candidate = get_user_model().objects.filter(pk=supervisors[0]).first()
        holds_other = (
            _open_items(case)
            .filter(visit=case.visit, owner_id=supervisors[0])
            .exclude(pk=task.pk)
            .exists()
        )
        if candidate is None or not candidate.is_active:
            problems.append(_("Atasan pejabat penilai tidak aktif."))
        elif not definition.user_in_tenant(candidate, case.tenant_id):
            problems.append(_("Atasan pejabat penilai bukan dari instansi ini."))
        elif previous_owner == candidate.pk:
            problems.append(_("Tugas ini sudah dipegang atasan pejabat penilai."))
        elif holds_other:
            problems.append(_("Atasan pejabat penilai sudah memegang tugas lain pada tahap ini."))
        else:
            to_user = candidate
    claimed = WorkItem.objects.filter(pk=task.pk, escalated_at__isnull=True).update(
        escalated_at=moment
    )
    if claimed != 1:
        raise AlreadyDecided(_("Tugas ini sudah dieskalasi."))
    task.escalated_at = moment
    if to_user is not None:
        # Only a hand-over changes what the actors see; a notice alone must not make their
        # open forms stale.
        _bump_version(case, None)
        task.needs_actor = False
        task.is_pool = False
        task.acting_for_id = None
        task.seat_label = _("Dialihkan karena melewati batas waktu")
        activation = _activation(task, case)
        if task.status == STATUS.NEW:
            activation.assign(to_user)
        else:
            activation.reassign(to_user)
        policy.grant(case, policy.VIEW, [to_user.pk])
    if mode == BreachAction.NOTIFY:
        recipients = set(waiting) or set(admins)
    else:
        recipients = set(supervisors) | set(admins)
        if mode == BreachAction.REASSIGN and to_user is not None and previous_owner is not None:
            recipients.add(previous_owner)
        recipients = recipients or set(waiting)
    due_text = task.due_at.isoformat()
    audit.record(
        code=AuditCode.TASK_ESCALATED,
        tenant_id=case.tenant_id,
        case=case,
        capacity=_("sistem"),
        work_item_id=task.pk,
        from_stage=case.stage_key,
        to_stage=case.stage_key,
        from_phase=case.phase,
        to_phase=case.phase,
        reason=text,
        payload={
            "on_breach": str(mode),
            "due_at": due_text,
            "recipients": sorted(recipients),
            "from_user": previous_owner,
            "to_user": to_user.pk if to_user is not None else None,
            "problems": problems,
        },
    )
    sync_act_permissions(case)
    _emit(
        WorkflowEvent(
            code=AuditCode.TASK_ESCALATED,
            case_id=case.pk,
            tenant_id=case.tenant_id,
            actor_id=None,
            task_ids=(task.pk,),
            recipient_ids=tuple(sorted(recipients)),
            stage_key=case.stage_key,
            reason=text,
            extra={
                "on_breach": str(mode),
                "due_at": due_text,
                "to_user": to_user.pk if to_user is not None else None,
            },
        )
    )
    return task
