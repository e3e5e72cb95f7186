"""Random sequences of allowed and refused actions never leave a document inconsistent."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.workflow.conftest import VARIANTS, World, open_tasks, set_data
from workflow import actions
from workflow.doctor import diagnose
from workflow.errors import WorkflowError
from workflow.models import Case

MOVES = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "complete",
                "complete_wrong",
                "return",
                "claim",
                "unclaim",
                "reassign",
                "cancel",
                "revive",
                "reopen",
                "plan_ready",
            ]
        ),
        st.integers(min_value=0, max_value=50),
    ),
    min_size=1,
    max_size=25,
)


def _people(world: World) -> list[Any]:
    return [
        world.employee,
        world.appraiser,
        world.supervisor,
        world.outsider,
        *world.peers,
        *world.hr,
        *world.team_members,
    ]


def _apply(world: World, case: Case, move: str, pick: int) -> None:
    case.refresh_from_db()
    tasks = open_tasks(case)
    task = tasks[pick % len(tasks)] if tasks else None
    people = _people(world)
    someone = people[pick % len(people)]
    user_model = get_user_model()
    if move == "plan_ready":
        set_data(case, plan_ready=bool(pick % 2))
    elif move == "complete" and task is not None and task.owner_id:
        actions.complete_task(task_id=task.pk, actor=user_model.objects.get(pk=task.owner_id))
    elif move == "complete_wrong" and task is not None:
        actions.complete_task(task_id=task.pk, actor=someone)
    elif move == "return" and task is not None:
        spec = case.current_stage()
        target = spec.return_to[0] if spec.return_to else "draft_plan"
        owner = user_model.objects.get(pk=task.owner_id) if task.owner_id else someone
        actions.return_case(
            task_id=task.pk, actor=owner, to_stage=target, reason="uji" if pick % 3 else ""
        )
    elif move == "claim" and task is not None:
        actions.claim_task(task_id=task.pk, actor=someone)
    elif move == "unclaim" and task is not None:
        actions.unclaim_task(task_id=task.pk, actor=someone)
    elif move == "reassign" and task is not None:
        actions.reassign_task(
            task_id=task.pk,
            actor=world.admin if pick % 4 else someone,
            to_user=someone,
            reason="uji",
        )
    elif move == "cancel":
        actions.cancel_case(
            case_id=case.pk, actor=world.admin if pick % 3 else someone, reason="uji"
        )
    elif move == "revive":
        actions.revive_case(case_id=case.pk, actor=world.admin, reason="uji")
    elif move == "reopen":
        actions.reopen_case(case_id=case.pk, actor=world.admin, reason="uji")


@pytest.mark.parametrize("variant", VARIANTS)
def test_random_action_sequences_keep_documents_consistent(world: World, variant: str) -> None:
    @settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(moves=MOVES)
    def run(moves: list[tuple[str, int]]) -> None:
        case = world.start(variant)
        for move, pick in moves:
            with contextlib.suppress(WorkflowError):
                _apply(world, case, move, pick)
            problems = diagnose(Case.objects.get(pk=case.pk))
            assert problems == [], (move, pick, problems)

    run()
