"""A document walks every stage to final on each of the three templates."""

from __future__ import annotations

import pytest
from viewflow.workflow.status import PROCESS, STATUS

from tests.workflow.conftest import VARIANTS, World, complete_stage, open_tasks
from workflow.doctor import diagnose
from workflow.models import AuditCode, AuditEntry, Case, CaseUserObjectPermission, WorkItem
from workflow.spec import Phase

EXPECTED_STAGES = {
    "default": [
        "draft_plan",
        "agree_plan",
        "monitor",
        "self_assess",
        "rate",
        "discuss",
        "finalise",
    ],
    "peers": [
        "draft_plan",
        "agree_plan",
        "monitor",
        "self_assess",
        "peer_feedback",
        "rate",
        "discuss",
        "finalise",
    ],
    "team": [
        "draft_plan",
        "agree_plan",
        "monitor",
        "self_assess",
        "rate",
        "team_review",
        "discuss",
        "finalise",
    ],
}
EXPECTED_PHASES = [
    Phase.PLAN_DRAFTED,
    Phase.AGREED,
    Phase.MONITORED,
    Phase.SELF_ASSESSED,
    Phase.REVIEWED,
    Phase.DISCUSSED,
    Phase.FINAL,
]


@pytest.mark.parametrize("variant", VARIANTS)
def test_start_enters_first_stage_with_one_task_for_the_employee(
    world: World, variant: str
) -> None:
    case = world.start(variant)

    case.refresh_from_db()
    assert (case.stage_key, case.phase, case.visit, case.status) == (
        "draft_plan",
        Phase.PLAN_DRAFTED,
        1,
        PROCESS.NEW,
    )
    [task] = open_tasks(case)
    assert (task.owner_id, task.status, task.stage_key) == (
        world.employee.pk,
        STATUS.ASSIGNED,
        "draft_plan",
    )
    assert task.due_at is not None
    assert list(
        CaseUserObjectPermission.objects.filter(
            content_object=case, permission__codename="act_case"
        ).values_list("user_id", flat=True)
    ) == [world.employee.pk]
    codes = list(AuditEntry.objects.filter(case=case).values_list("code", flat=True))
    assert codes == [AuditCode.CASE_STARTED, AuditCode.STAGE_ENTERED]
    assert diagnose(case) == []


@pytest.mark.parametrize("variant", VARIANTS)
def test_walk_to_final_visits_every_stage_in_order(world: World, variant: str) -> None:
    case = world.start(variant)
    visited: list[str] = []
    phases: list[str] = []

    while True:
        case.refresh_from_db()
        if not case.is_open:
            break
        visited.append(case.stage_key)
        if not phases or phases[-1] != case.phase:
            phases.append(case.phase)
        assert diagnose(case) == []
        complete_stage(world, case)
        case.refresh_from_db()

    assert visited == EXPECTED_STAGES[variant]
    assert phases == EXPECTED_PHASES
    assert case.phase == Phase.FINAL
    assert case.status == PROCESS.DONE
    assert case.closed_at is not None
    assert open_tasks(case) == []
    assert not CaseUserObjectPermission.objects.filter(
        content_object=case, permission__codename="act_case"
    ).exists()
    assert (
        WorkItem.objects.filter(
            process_id=case.pk, flow_task_type="END", status=STATUS.DONE
        ).count()
        == 1
    )
    assert AuditEntry.objects.filter(case=case, code=AuditCode.CASE_CLOSED).count() == 1
    assert diagnose(case) == []


def test_peer_stage_needs_two_of_three_and_cancels_the_third(world: World) -> None:
    case = world.start("peers")
    for _ in range(4):
        complete_stage(world, case)
    case.refresh_from_db()
    assert case.stage_key == "peer_feedback"
    tasks = open_tasks(case)
    assert sorted(t.owner_id for t in tasks) == sorted(p.pk for p in world.peers)
    assert case.stage_quorum == 2

    from workflow import actions

    actions.complete_task(task_id=tasks[0].pk, actor=world.peers[0])
    case.refresh_from_db()
    assert case.stage_key == "peer_feedback"
    actions.complete_task(task_id=tasks[1].pk, actor=world.peers[1])

    case.refresh_from_db()
    assert case.stage_key == "rate"
    statuses = dict(
        WorkItem.objects.filter(pk__in=[t.pk for t in tasks]).values_list("pk", "status")
    )
    assert statuses == {
        tasks[0].pk: STATUS.DONE,
        tasks[1].pk: STATUS.DONE,
        tasks[2].pk: STATUS.CANCELED,
    }
    assert diagnose(case) == []


def test_optional_peer_stage_is_skipped_when_nobody_is_eligible(world: World) -> None:
    world.book.peers[world.employee.pk] = []
    case = world.start("peers")
    for _ in range(4):
        complete_stage(world, case)

    case.refresh_from_db()
    assert case.stage_key == "rate"
    skipped = AuditEntry.objects.get(case=case, code=AuditCode.STAGE_SKIPPED)
    assert (skipped.to_stage, skipped.reason) == (
        "peer_feedback",
        "tidak ada pelaksana yang memenuhi syarat",
    )


def test_team_stage_is_a_pool_claimable_by_members(world: World) -> None:
    from workflow import actions

    case = world.start("team")
    for _ in range(5):
        complete_stage(world, case)
    case.refresh_from_db()
    assert case.stage_key == "team_review"
    [task] = open_tasks(case)
    assert (task.is_pool, task.owner_id, task.status) == (True, None, STATUS.NEW)

    actions.claim_task(task_id=task.pk, actor=world.team_members[1])
    actions.complete_task(task_id=task.pk, actor=world.team_members[1])

    case.refresh_from_db()
    assert case.stage_key == "discuss"


@pytest.mark.parametrize("variant", VARIANTS)
def test_each_case_is_pinned_to_its_version(world: World, variant: str) -> None:
    case = world.start(variant)
    assert Case.objects.get(pk=case.pk).template_version.number == 1
