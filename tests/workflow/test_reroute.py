"""Re-routing open tasks after an organisation change, and system completion."""

from __future__ import annotations

import pytest
from viewflow.workflow.status import STATUS

from tests.workflow.conftest import World, complete_stage, open_tasks, snapshot
from workflow import actions, policy
from workflow.doctor import diagnose
from workflow.errors import ActionForbidden, GuardFailed, ReasonRequired
from workflow.models import AuditCode, AuditEntry, Case
from workflow.selectors import queue_for


def at_stage(world: World, key: str, variant: str = "default") -> Case:
    case = world.start(variant)
    while case.stage_key != key:
        complete_stage(world, case)
        case.refresh_from_db()
    return case


def test_reroute_moves_the_appraiser_task_to_the_new_appraiser(world: World) -> None:
    case = at_stage(world, "agree_plan")
    [task] = open_tasks(case)
    world.book.appraiser[world.employee.pk] = world.supervisor.pk

    moved = actions.reroute_case(case_id=case.pk, actor=None, reason="Mutasi pejabat penilai")

    task.refresh_from_db()
    assert moved == [task.pk]
    assert (task.owner_id, task.status, task.needs_actor) == (
        world.supervisor.pk,
        STATUS.ASSIGNED,
        False,
    )
    row = AuditEntry.objects.get(case=case, code=AuditCode.TASK_REASSIGNED)
    assert (row.actor_id, row.capacity, row.reason, row.payload) == (
        None,
        "sistem",
        "Mutasi pejabat penilai",
        {"from_user": world.appraiser.pk, "to_user": world.supervisor.pk, "rerouted": True},
    )
    assert policy.holders(case, policy.ACT) == ({world.supervisor.pk}, set())
    assert diagnose(case) == []


def test_reroute_with_nobody_eligible_leaves_the_task_for_admins(world: World) -> None:
    case = at_stage(world, "agree_plan")
    [task] = open_tasks(case)
    world.book.gaps[(world.employee.pk, "appraiser")] = "Jabatan atasan kosong."

    actions.reroute_case(case_id=case.pk, actor=world.admin, reason="Koreksi garis atasan")

    task.refresh_from_db()
    assert (task.owner_id, task.status, task.needs_actor, task.problems) == (
        None,
        STATUS.NEW,
        True,
        ["Jabatan atasan kosong."],
    )
    assert policy.holders(case, policy.ACT) == (set(), set())
    assert diagnose(case) == []

    # The gap is filled: the next re-route assigns the waiting task.
    del world.book.gaps[(world.employee.pk, "appraiser")]
    actions.reroute_case(case_id=case.pk, actor=None, reason="Plt ditunjuk")
    task.refresh_from_db()
    assert (task.owner_id, task.status, task.needs_actor, task.problems) == (
        world.appraiser.pk,
        STATUS.ASSIGNED,
        False,
        [],
    )


def test_reroute_with_no_change_writes_nothing(world: World) -> None:
    case = at_stage(world, "agree_plan")
    before = snapshot(case.pk)

    assert actions.reroute_case(case_id=case.pk, actor=None, reason="Periksa") == []

    assert snapshot(case.pk) == before


def test_reroute_is_refused_to_non_admins_and_without_reason(world: World) -> None:
    case = at_stage(world, "agree_plan")
    world.book.appraiser[world.employee.pk] = world.supervisor.pk
    before = snapshot(case.pk)

    with pytest.raises(ActionForbidden):
        actions.reroute_case(case_id=case.pk, actor=world.outsider, reason="x")
    with pytest.raises(ActionForbidden):
        actions.reroute_case(case_id=case.pk, actor=world.other_admin, reason="x")
    with pytest.raises(ReasonRequired):
        actions.reroute_case(case_id=case.pk, actor=world.admin, reason="  ")

    assert snapshot(case.pk) == before


def test_reroute_refreshes_pool_candidates_and_releases_a_departed_claimant(world: World) -> None:
    case = at_stage(world, "finalise")
    [task] = open_tasks(case)
    assert task.candidate_ids == [h.pk for h in world.hr]
    actions.claim_task(task_id=task.pk, actor=world.hr[1])
    world.book.hr = [world.hr[0].pk]

    moved = actions.reroute_case(case_id=case.pk, actor=None, reason="Pegawai BKPSDM pindah")

    task.refresh_from_db()
    assert moved == [task.pk]
    assert (task.candidate_ids, task.owner_id, task.status) == (
        [world.hr[0].pk],
        None,
        STATUS.NEW,
    )
    assert policy.holders(case, policy.ACT) == ({world.hr[0].pk}, set())
    assert diagnose(case) == []


def test_system_completion_advances_with_a_system_audit_row(world: World) -> None:
    case = at_stage(world, "discuss")
    [task] = open_tasks(case)

    actions.complete_task_as_system(
        task_id=task.pk, outcome="acknowledged", reason="Batas waktu keberatan lewat"
    )

    case.refresh_from_db()
    task.refresh_from_db()
    assert (task.status, task.outcome, case.stage_key) == (STATUS.DONE, "acknowledged", "finalise")
    row = AuditEntry.objects.get(case=case, code=AuditCode.TASK_COMPLETED, work_item_id=task.pk)
    assert (row.actor_id, row.capacity, row.reason, row.payload["system"]) == (
        None,
        "sistem",
        "Batas waktu keberatan lewat",
        True,
    )
    assert diagnose(case) == []


def test_system_completion_still_runs_the_guards(world: World) -> None:
    case = world.start()
    complete_stage(world, case)  # draft_plan done with plan_ready=True
    case.refresh_from_db()
    Case.objects.filter(pk=case.pk).update(data={})
    [task] = open_tasks(case)
    before = snapshot(case.pk)

    with pytest.raises(GuardFailed):
        actions.complete_task_as_system(task_id=task.pk, outcome="done", reason="uji")

    assert snapshot(case.pk) == before


def test_a_team_member_never_reviews_their_own_document(world: World) -> None:
    member = world.team_members[0]
    world.book.appraiser[member.pk] = world.appraiser.pk
    world.book.supervisor[member.pk] = world.supervisor.pk
    case = world.start("team", subject=member)
    while case.stage_key != "team_review":
        complete_stage(world, case)
        case.refresh_from_db()
    [task] = open_tasks(case)

    assert task.candidate_ids == [world.team_members[1].pk]
    with pytest.raises(ActionForbidden) as raised:
        actions.claim_task(task_id=task.pk, actor=member)
    assert str(raised.value) == "Anda tidak dapat mengambil tugas pada dokumen Anda sendiri."
    assert list(queue_for(member)) == []
    assert [t.pk for t in queue_for(world.team_members[1])] == [task.pk]
