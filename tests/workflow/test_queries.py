"""Inbox and queue selectors cost the same number of queries for 1 or 100 tasks or permissions."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from tests.workflow.conftest import World, complete_stage, open_tasks
from workflow import actions, policy, selectors
from workflow.errors import StepNotAllowed
from workflow.models import Case, CaseUserObjectPermission, WorkItem


def _render(queryset: Any) -> list[tuple[Any, ...]]:
    """Touch what an inbox page shows for each row (case, stage, owner, due date)."""
    rows = []
    for task in queryset:
        case = task.process.case
        rows.append(
            (
                case.title,
                case.template_version.stage(task.stage_key).name,
                task.owner and task.owner.username,
                task.due_at,
            )
        )
    return rows


def _start_many(world: World, count: int) -> list[Case]:
    subjects = [
        get_user_model().objects.create_user(f"p{i}", agency=world.tenant) for i in range(count)
    ]
    cases = []
    for subject in subjects:
        world.book.appraiser[subject.pk] = world.appraiser.pk
        cases.append(world.start(subject=subject))
    return cases


def _to_agree(world: World, cases: list[Case]) -> None:
    from tests.workflow.conftest import set_data

    for case in cases:
        set_data(case, plan_ready=True)
        complete_stage(world, case)


@pytest.mark.parametrize("count", [1, 100])
def test_inbox_queries_do_not_grow_with_tasks(
    world: World, count: int, django_assert_num_queries: Any
) -> None:
    cases = _start_many(world, count)
    _to_agree(world, cases)

    with django_assert_num_queries(1):
        rows = _render(selectors.inbox_for(world.appraiser))

    assert len(rows) == count
    assert {row[1] for row in rows} == {"Menyetujui rencana"}


@pytest.mark.parametrize("count", [1, 100])
def test_queue_queries_do_not_grow_with_permissions(
    world: World, count: int, django_assert_num_queries: Any
) -> None:
    _start_many_pool(world, count)
    held = CaseUserObjectPermission.objects.filter(
        user=world.hr[1], permission__codename="act_case"
    ).count()
    assert held == count

    with django_assert_num_queries(1):
        rows = _render(selectors.queue_for(world.hr[1]))

    assert len(rows) == count
    assert {row[0] for row in rows} == {"Antrean"}


@pytest.mark.parametrize("count", [1, 100])
def test_may_act_check_costs_one_query_whatever_the_permissions(
    world: World, count: int, django_assert_num_queries: Any
) -> None:
    cases = _start_many_pool(world, count)

    with django_assert_num_queries(1):
        assert policy.may_act(world.hr[1], cases[-1], actions.today_for(cases[-1])) is True
    with django_assert_num_queries(1):
        assert policy.may_act(world.outsider, cases[-1], actions.today_for(cases[-1])) is False


def _start_many_pool(world: World, count: int) -> list[Case]:
    """Start ``count`` documents whose first stage is an HR pool (a one-stage template)."""
    from workflow.designer import create_template, publish_template
    from workflow.spec import Phase, Role, StageSpec

    template = create_template(
        tenant_id=world.tenant.pk,
        process_kind="demo",
        code="antrean",
        name="Antrean",
        actor=world.admin,
        stages=[StageSpec("finalise", "Penetapan", Phase.FINAL, Role.HR, sla_days=3)],
    )
    publish_template(template_id=template.pk, actor=world.admin)
    return [
        actions.start_case(
            template=template, subject_id=world.employee.pk, title="Antrean", actor=world.admin
        )
        for _ in range(count)
    ]


@pytest.mark.parametrize("count", [1, 100])
def test_done_and_stuck_queries_do_not_grow(
    world: World, count: int, django_assert_num_queries: Any
) -> None:
    world.book.gaps = {}
    cases = _start_many(world, count)
    for case in cases:
        task = open_tasks(case)[0]
        actions.complete_task(task_id=task.pk, actor=get_user_model().objects.get(pk=task.owner_id))
    for subject_case in cases:
        WorkItem.objects.filter(process_id=subject_case.pk, status="ASSIGNED").update(
            needs_actor=True
        )

    assert cases[0].subject_id is not None
    subject = get_user_model().objects.get(pk=cases[0].subject_id)
    with django_assert_num_queries(1):
        done = _render(selectors.done_by(subject))
    with django_assert_num_queries(1):
        stuck = _render(selectors.stuck_work(world.admin))

    assert len(done) == 1
    assert len(stuck) == count


def test_queue_lists_a_parallel_pool_stage_once_and_not_to_who_already_answered(
    world: World,
) -> None:
    world.book.peer_pool = True
    case = world.start("peers")
    while case.stage_key != "peer_feedback":
        complete_stage(world, case)
        case.refresh_from_db()
    first, second, third = world.peers
    seats = list(
        WorkItem.objects.filter(
            process_id=case.pk, visit=case.visit, stage_key="peer_feedback"
        ).order_by("pk")
    )
    assert [(seat.is_pool, seat.owner_id) for seat in seats] == [(True, None), (True, None)]

    # Two alike seats are one row in each peer's queue.
    assert [task.pk for task in selectors.queue_for(first)] == [seats[0].pk]
    assert [task.pk for task in selectors.queue_for(second)] == [seats[0].pk]

    actions.claim_task(task_id=seats[0].pk, actor=first)
    actions.complete_task(task_id=seats[0].pk, actor=first)

    # The peer who answered no longer sees the remaining seat (claiming it would be
    # refused); the others see it once.
    assert list(selectors.queue_for(first)) == []
    with pytest.raises(StepNotAllowed):
        actions.claim_task(task_id=seats[1].pk, actor=first)
    assert [task.pk for task in selectors.queue_for(second)] == [seats[1].pk]
    assert [task.pk for task in selectors.queue_for(third)] == [seats[1].pk]


def test_stuck_reasons_join_sentences_and_fragments_readably(world: World) -> None:
    task = WorkItem(
        needs_actor=True,
        data={"problems": ["Jabatan A kosong.", "Jabatan B kosong.", "tanpa atasan", "akhir"]},
    )
    task.created = timezone.now()

    label = selectors.stuck_reason(task).label

    assert label == "Tidak ada pelaksana: Jabatan A kosong. Jabatan B kosong. tanpa atasan; akhir"
