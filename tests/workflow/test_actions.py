"""Each engine action: happy path, wrong state, forbidden actors, guards, nothing changed on failure."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import transaction
from viewflow.workflow.status import PROCESS, STATUS

from tests.workflow.conftest import VARIANTS, World, complete_stage, open_tasks, set_data, snapshot
from workflow import actions
from workflow.doctor import diagnose
from workflow.errors import (
    ActionForbidden,
    AlreadyDecided,
    GuardFailed,
    ReasonRequired,
    StaleDocument,
    StepNotAllowed,
)
from workflow.models import AuditCode, AuditEntry, Case, Delegation, WorkItem
from workflow.spec import Phase


def refused(error: type[Exception], message: str, case: Case, call: Any) -> None:
    """Assert ``call`` raises ``error`` with ``message`` and changes nothing of ``case``."""
    before = snapshot(case.pk)
    with pytest.raises(error) as raised:
        call()
    assert message in str(raised.value)
    assert snapshot(case.pk) == before


def to_stage(world: World, case: Case, key: str) -> None:
    while True:
        case.refresh_from_db()
        if case.stage_key == key:
            return
        complete_stage(world, case)


# complete_task -------------------------------------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS)
def test_complete_writes_one_task_audit_row_and_enters_next_stage(
    world: World, variant: str
) -> None:
    case = world.start(variant)
    [task] = open_tasks(case)
    committed: list[Any] = []
    actions.add_event_listener(committed.append)
    try:
        actions.complete_task(task_id=task.pk, actor=world.employee, comment="selesai")
    finally:
        actions.remove_event_listener(committed.append)

    case.refresh_from_db()
    task.refresh_from_db()
    assert (task.status, task.outcome, task.data["comment"]) == (STATUS.DONE, "done", "selesai")
    assert (case.stage_key, case.phase, case.visit) == ("agree_plan", Phase.AGREED, 2)
    row = AuditEntry.objects.get(case=case, code=AuditCode.TASK_COMPLETED)
    assert (row.actor_id, row.work_item_id, row.from_stage, row.reason) == (
        world.employee.pk,
        task.pk,
        "draft_plan",
        "selesai",
    )
    [next_task] = open_tasks(case)
    assert next_task.owner_id == world.appraiser.pk
    assert list(next_task.previous.values_list("pk", flat=True)) == [task.pk]
    assert diagnose(case) == []


def test_side_effects_run_only_after_commit(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    case = world.start()
    [task] = open_tasks(case)
    events: list[actions.WorkflowEvent] = []
    actions.add_event_listener(events.append)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            actions.complete_task(task_id=task.pk, actor=world.employee)
        assert events == []
        for callback in callbacks:
            callback()
    finally:
        actions.remove_event_listener(events.append)
    assert [(e.code, e.stage_key, e.recipient_ids) for e in events] == [
        (AuditCode.STAGE_ENTERED, "agree_plan", (world.appraiser.pk,))
    ]


def test_no_side_effect_when_the_transaction_rolls_back(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    case = world.start()
    [task] = open_tasks(case)
    events: list[actions.WorkflowEvent] = []
    actions.add_event_listener(events.append)

    def complete_then_fail() -> None:
        with transaction.atomic():
            actions.complete_task(task_id=task.pk, actor=world.employee)
            raise RuntimeError("the caller's later step failed")

    try:
        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(RuntimeError),
        ):
            complete_then_fail()
    finally:
        actions.remove_event_listener(events.append)
    assert callbacks == []
    assert events == []
    assert Case.objects.get(pk=case.pk).stage_key == "draft_plan"


@pytest.mark.parametrize("who", ["appraiser", "supervisor", "outsider", "admin", "other_admin"])
def test_complete_by_anyone_but_the_owner_is_forbidden(world: World, who: str) -> None:
    case = world.start()
    [task] = open_tasks(case)
    actor = getattr(world, who)
    refused(
        ActionForbidden,
        "bukan milik Anda",
        case,
        lambda: actions.complete_task(task_id=task.pk, actor=actor),
    )


def test_complete_by_inactive_owner_is_forbidden(world: World) -> None:
    case = world.start()
    [task] = open_tasks(case)
    world.employee.is_active = False
    world.employee.save()
    refused(
        ActionForbidden,
        "bukan milik Anda",
        case,
        lambda: actions.complete_task(task_id=task.pk, actor=world.employee),
    )


def test_guard_refuses_with_each_problem_and_writes_nothing(world: World) -> None:
    case = world.start()
    [task] = open_tasks(case)
    actions.complete_task(task_id=task.pk, actor=world.employee)
    [agree] = open_tasks(case)

    refused(
        GuardFailed,
        "Rencana belum lengkap.",
        case,
        lambda: actions.complete_task(task_id=agree.pk, actor=world.appraiser),
    )

    set_data(case, plan_ready=True)
    actions.complete_task(task_id=agree.pk, actor=world.appraiser)
    assert Case.objects.get(pk=case.pk).stage_key == "monitor"


def test_completing_twice_is_already_decided(world: World) -> None:
    case = world.start()
    [task] = open_tasks(case)
    actions.complete_task(task_id=task.pk, actor=world.employee)
    refused(
        AlreadyDecided,
        "sudah diselesaikan",
        case,
        lambda: actions.complete_task(task_id=task.pk, actor=world.employee),
    )


def test_stale_version_is_refused(world: World) -> None:
    case = world.start()
    [task] = open_tasks(case)
    seen = Case.objects.get(pk=case.pk).lock_version
    refused(
        StaleDocument,
        "sudah diubah orang lain",
        case,
        lambda: actions.complete_task(
            task_id=task.pk, actor=world.employee, expected_version=seen - 1
        ),
    )
    actions.complete_task(task_id=task.pk, actor=world.employee, expected_version=seen)
    assert Case.objects.get(pk=case.pk).lock_version == seen + 1


def test_acting_official_completes_with_capacity_recorded(world: World) -> None:
    case = world.start()
    [task] = open_tasks(case)
    actions.complete_task(task_id=task.pk, actor=world.employee)
    set_data(case, plan_ready=True)
    [agree] = open_tasks(case)
    today = actions.today_for(case)
    Delegation.objects.create(
        tenant=world.tenant,
        principal=world.appraiser,
        delegate=world.supervisor,
        starts_on=today,
        ends_on=today,
        capacity_label="Plh. Kepala Bidang",
        reference="SK 800/1/2026",
    )

    actions.complete_task(task_id=agree.pk, actor=world.supervisor)

    row = AuditEntry.objects.get(case=case, code=AuditCode.TASK_COMPLETED, work_item_id=agree.pk)
    assert (row.actor_id, row.acting_for_id, row.capacity) == (
        world.supervisor.pk,
        world.appraiser.pk,
        "Plh. Kepala Bidang (SK 800/1/2026)",
    )
    agree.refresh_from_db()
    assert (agree.owner_id, agree.acting_for_id) == (world.appraiser.pk, world.appraiser.pk)


def test_acting_official_outside_dates_is_forbidden(world: World) -> None:
    case = world.start()
    [task] = open_tasks(case)
    actions.complete_task(task_id=task.pk, actor=world.employee)
    [agree] = open_tasks(case)
    today = actions.today_for(case)
    Delegation.objects.create(
        tenant=world.tenant,
        principal=world.appraiser,
        delegate=world.supervisor,
        starts_on=today - datetime.timedelta(days=10),
        ends_on=today - datetime.timedelta(days=1),
        capacity_label="Plh.",
    )
    refused(
        ActionForbidden,
        "bukan milik Anda",
        case,
        lambda: actions.complete_task(task_id=agree.pk, actor=world.supervisor),
    )


# return_case ---------------------------------------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS)
def test_return_goes_back_with_reason_and_new_visit(world: World, variant: str) -> None:
    case = world.start(variant)
    complete_stage(world, case)
    [agree] = open_tasks(case)

    actions.return_case(
        task_id=agree.pk,
        actor=world.appraiser,
        to_stage="draft_plan",
        reason="Target belum terukur",
    )

    case.refresh_from_db()
    assert (case.stage_key, case.phase, case.visit) == ("draft_plan", Phase.PLAN_DRAFTED, 3)
    row = AuditEntry.objects.get(case=case, code=AuditCode.CASE_RETURNED)
    assert (row.from_stage, row.to_stage, row.from_phase, row.to_phase, row.reason) == (
        "agree_plan",
        "draft_plan",
        Phase.AGREED,
        Phase.PLAN_DRAFTED,
        "Target belum terukur",
    )
    agree.refresh_from_db()
    assert (agree.status, agree.outcome) == (STATUS.DONE, "returned")
    [redo] = open_tasks(case)
    assert redo.owner_id == world.employee.pk
    assert diagnose(case) == []


def test_return_needs_a_reason(world: World) -> None:
    case = world.start()
    complete_stage(world, case)
    [agree] = open_tasks(case)
    refused(
        ReasonRequired,
        "Alasan wajib diisi.",
        case,
        lambda: actions.return_case(
            task_id=agree.pk, actor=world.appraiser, to_stage="draft_plan", reason="  "
        ),
    )


def test_return_to_a_stage_not_allowed_by_the_template(world: World) -> None:
    case = world.start()
    complete_stage(world, case)
    complete_stage(world, case)
    [monitor] = open_tasks(case)
    refused(
        StepNotAllowed,
        "tidak boleh dikembalikan ke draft_plan",
        case,
        lambda: actions.return_case(
            task_id=monitor.pk, actor=world.employee, to_stage="draft_plan", reason="x"
        ),
    )


def test_return_by_someone_else_is_forbidden(world: World) -> None:
    case = world.start()
    complete_stage(world, case)
    [agree] = open_tasks(case)
    refused(
        ActionForbidden,
        "bukan milik Anda",
        case,
        lambda: actions.return_case(
            task_id=agree.pk, actor=world.employee, to_stage="draft_plan", reason="x"
        ),
    )


# claim / unclaim -----------------------------------------------------------------------


def _at_final(world: World, variant: str = "default") -> tuple[Case, WorkItem]:
    case = world.start(variant)
    to_stage(world, case, "finalise")
    [task] = open_tasks(case)
    return case, task


def test_claim_and_unclaim_a_pool_task(world: World) -> None:
    case, task = _at_final(world)
    assert (task.is_pool, task.status, task.candidate_ids) == (
        True,
        STATUS.NEW,
        [h.pk for h in world.hr],
    )

    actions.claim_task(task_id=task.pk, actor=world.hr[1])
    task.refresh_from_db()
    assert (task.status, task.owner_id) == (STATUS.ASSIGNED, world.hr[1].pk)
    assert task.assigned is not None
    assert diagnose(case) == []

    actions.unclaim_task(task_id=task.pk, actor=world.hr[1])
    task.refresh_from_db()
    assert (task.status, task.owner_id) == (STATUS.NEW, None)
    codes = list(
        AuditEntry.objects.filter(case=case, work_item_id=task.pk).values_list("code", flat=True)
    )
    assert codes == [AuditCode.TASK_CLAIMED, AuditCode.TASK_RELEASED]
    assert diagnose(case) == []


def test_claim_by_non_candidate_is_forbidden(world: World) -> None:
    case, task = _at_final(world)
    refused(
        ActionForbidden,
        "bukan pelaksana",
        case,
        lambda: actions.claim_task(task_id=task.pk, actor=world.outsider),
    )


def test_claim_twice_is_already_decided(world: World) -> None:
    case, task = _at_final(world)
    actions.claim_task(task_id=task.pk, actor=world.hr[0])
    refused(
        AlreadyDecided,
        "sudah diambil",
        case,
        lambda: actions.claim_task(task_id=task.pk, actor=world.hr[1]),
    )


def test_unclaim_by_someone_else_is_forbidden(world: World) -> None:
    case, task = _at_final(world)
    actions.claim_task(task_id=task.pk, actor=world.hr[0])
    refused(
        ActionForbidden,
        "bukan milik Anda",
        case,
        lambda: actions.unclaim_task(task_id=task.pk, actor=world.hr[1]),
    )


def test_assigned_task_cannot_be_released(world: World) -> None:
    case = world.start()
    [task] = open_tasks(case)
    refused(
        StepNotAllowed,
        "tidak dapat dilepas",
        case,
        lambda: actions.unclaim_task(task_id=task.pk, actor=world.employee),
    )


def test_completing_an_unclaimed_pool_task_is_refused(world: World) -> None:
    case, task = _at_final(world)
    refused(
        StepNotAllowed,
        "Ambil tugas ini",
        case,
        lambda: actions.complete_task(task_id=task.pk, actor=world.hr[0]),
    )


# admin repairs -------------------------------------------------------------------------


def test_reassign_moves_task_and_rights(world: World) -> None:
    case = world.start()
    [task] = open_tasks(case)

    actions.reassign_task(
        task_id=task.pk, actor=world.admin, to_user=world.outsider, reason="Pegawai cuti"
    )

    task.refresh_from_db()
    assert task.owner_id == world.outsider.pk
    row = AuditEntry.objects.get(case=case, code=AuditCode.TASK_REASSIGNED)
    assert (row.reason, row.payload) == (
        "Pegawai cuti",
        {"from_user": world.employee.pk, "to_user": world.outsider.pk},
    )
    assert diagnose(case) == []
    refused(
        ActionForbidden,
        "bukan milik Anda",
        case,
        lambda: actions.complete_task(task_id=task.pk, actor=world.employee),
    )
    actions.complete_task(task_id=task.pk, actor=world.outsider)


@pytest.mark.parametrize("who", ["employee", "appraiser", "other_admin", "outsider"])
def test_admin_repairs_are_forbidden_to_others(world: World, who: str) -> None:
    case = world.start()
    [task] = open_tasks(case)
    actor = getattr(world, who)
    refused(
        ActionForbidden,
        "Hanya admin",
        case,
        lambda: actions.reassign_task(
            task_id=task.pk, actor=actor, to_user=world.outsider, reason="x"
        ),
    )
    refused(
        ActionForbidden,
        "Hanya admin",
        case,
        lambda: actions.cancel_case(case_id=case.pk, actor=actor, reason="x"),
    )
    refused(
        ActionForbidden,
        "Hanya admin",
        case,
        lambda: actions.admin_return_case(
            case_id=case.pk, actor=actor, to_stage="draft_plan", reason="x"
        ),
    )


def test_reassign_to_another_tenants_user_is_refused(world: World) -> None:
    case = world.start()
    [task] = open_tasks(case)
    refused(
        StepNotAllowed,
        "bukan dari instansi ini",
        case,
        lambda: actions.reassign_task(
            task_id=task.pk, actor=world.admin, to_user=world.other_admin, reason="x"
        ),
    )


def test_no_eligible_actor_leaves_a_visible_placeholder_then_reassign_fixes_it(
    world: World,
) -> None:
    world.book.gaps[(world.employee.pk, "appraiser")] = "Jabatan atasan kosong"
    case = world.start()
    complete_stage(world, case)
    [task] = open_tasks(case)
    assert (task.needs_actor, task.owner_id, task.problems) == (
        True,
        None,
        ["Jabatan atasan kosong"],
    )
    assert diagnose(case) == []

    actions.reassign_task(
        task_id=task.pk, actor=world.admin, to_user=world.supervisor, reason="Plt belum ditunjuk"
    )

    task.refresh_from_db()
    assert (task.needs_actor, task.owner_id, task.status) == (
        False,
        world.supervisor.pk,
        STATUS.ASSIGNED,
    )
    assert diagnose(case) == []


def test_cancel_then_revive(world: World) -> None:
    case = world.start()
    complete_stage(world, case)

    actions.cancel_case(case_id=case.pk, actor=world.admin, reason="Pegawai pensiun")
    case.refresh_from_db()
    assert (case.phase, case.status) == (Phase.CANCELLED, PROCESS.CANCELED)
    assert open_tasks(case) == []
    assert diagnose(case) == []
    refused(
        StepNotAllowed,
        "sudah dibatalkan",
        case,
        lambda: actions.cancel_case(case_id=case.pk, actor=world.admin, reason="x"),
    )

    actions.revive_case(case_id=case.pk, actor=world.admin, reason="Salah data")
    case.refresh_from_db()
    assert (case.phase, case.status, case.stage_key) == (Phase.AGREED, PROCESS.NEW, "agree_plan")
    [task] = open_tasks(case)
    assert task.owner_id == world.appraiser.pk
    assert diagnose(case) == []


def test_revive_needs_a_cancelled_case_and_a_reason(world: World) -> None:
    case = world.start()
    refused(
        StepNotAllowed,
        "Hanya dokumen yang dibatalkan",
        case,
        lambda: actions.revive_case(case_id=case.pk, actor=world.admin, reason="x"),
    )
    actions.cancel_case(case_id=case.pk, actor=world.admin, reason="x")
    refused(
        ReasonRequired,
        "Alasan wajib",
        case,
        lambda: actions.revive_case(case_id=case.pk, actor=world.admin, reason=""),
    )


@pytest.mark.parametrize("variant", VARIANTS)
def test_reopen_a_final_document(world: World, variant: str) -> None:
    case = world.start(variant)
    while Case.objects.get(pk=case.pk).is_open:
        complete_stage(world, case)
    case.refresh_from_db()
    refused(
        StepNotAllowed,
        "sudah final",
        case,
        lambda: actions.cancel_case(case_id=case.pk, actor=world.admin, reason="x"),
    )
    refused(
        ReasonRequired,
        "Alasan wajib",
        case,
        lambda: actions.reopen_case(case_id=case.pk, actor=world.admin, reason=""),
    )
    refused(
        ActionForbidden,
        "Hanya admin",
        case,
        lambda: actions.reopen_case(case_id=case.pk, actor=world.appraiser, reason="x"),
    )

    actions.reopen_case(
        case_id=case.pk, actor=world.admin, reason="Keberatan dikabulkan", to_stage="rate"
    )

    case.refresh_from_db()
    assert (case.stage_key, case.phase, case.closed_at, case.status) == (
        "rate",
        Phase.REVIEWED,
        None,
        PROCESS.NEW,
    )
    assert (
        AuditEntry.objects.get(case=case, code=AuditCode.CASE_REOPENED).reason
        == "Keberatan dikabulkan"
    )
    assert diagnose(case) == []


def test_reopen_an_open_document_is_refused(world: World) -> None:
    case = world.start()
    refused(
        StepNotAllowed,
        "Hanya dokumen final",
        case,
        lambda: actions.reopen_case(case_id=case.pk, actor=world.admin, reason="x"),
    )


def test_admin_return_only_backwards(world: World) -> None:
    case = world.start()
    to_stage(world, case, "self_assess")
    refused(
        StepNotAllowed,
        "tahap sebelumnya",
        case,
        lambda: actions.admin_return_case(
            case_id=case.pk, actor=world.admin, to_stage="rate", reason="x"
        ),
    )
    actions.admin_return_case(
        case_id=case.pk, actor=world.admin, to_stage="draft_plan", reason="Atasan berganti"
    )
    case.refresh_from_db()
    assert (case.stage_key, case.phase) == ("draft_plan", Phase.PLAN_DRAFTED)
    assert diagnose(case) == []


def test_actions_on_missing_rows_say_not_found(world: World) -> None:
    with pytest.raises(StepNotAllowed, match="Tugas tidak ditemukan"):
        actions.complete_task(task_id=999_999, actor=world.employee)
    with pytest.raises(StepNotAllowed, match="Dokumen tidak ditemukan"):
        actions.cancel_case(case_id=999_999, actor=world.admin, reason="x")


def test_start_is_forbidden_to_non_admins(world: World) -> None:
    before = Case.objects.count()
    with pytest.raises(ActionForbidden):
        actions.start_case(
            template=world.templates["default"],
            subject_id=world.employee.pk,
            title="x",
            actor=world.outsider,
        )
    assert Case.objects.count() == before
