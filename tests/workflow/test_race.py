"""Racing actors on PostgreSQL: exactly one wins; no duplicate task."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import close_old_connections, connection
from viewflow.workflow.status import STATUS

from tests.workflow.conftest import VARIANTS, World, open_tasks
from workflow import actions
from workflow.doctor import diagnose
from workflow.errors import WorkflowError
from workflow.models import AuditCode, AuditEntry, Case, WorkItem

THREADS = 20


def _race(target: Any) -> tuple[list[str], list[BaseException]]:
    barrier = threading.Barrier(THREADS)
    wins: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            target(index)
            with lock:
                wins.append(str(index))
        except WorkflowError as error:
            with lock:
                errors.append(error)
        except BaseException as error:
            with lock:
                errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    close_old_connections()
    return wins, errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("variant", VARIANTS)
def test_twenty_threads_complete_the_same_stage_exactly_one_wins(
    world: World, variant: str
) -> None:
    case = world.start(variant)
    [task] = open_tasks(case)

    wins, errors = _race(lambda _: actions.complete_task(task_id=task.pk, actor=world.employee))

    assert len(wins) == 1
    assert len(errors) == THREADS - 1
    assert {type(error).__name__ for error in errors} == {"AlreadyDecided"}
    case = Case.objects.get(pk=case.pk)
    assert (case.stage_key, case.visit) == ("agree_plan", 2)
    assert WorkItem.objects.filter(process_id=case.pk, stage_key="agree_plan").count() == 1
    assert (
        WorkItem.objects.filter(
            process_id=case.pk, stage_key="draft_plan", status=STATUS.DONE
        ).count()
        == 1
    )
    assert AuditEntry.objects.filter(case=case, code=AuditCode.TASK_COMPLETED).count() == 1
    assert diagnose(case) == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_threads_claim_the_same_pool_task_exactly_one_wins(world: World) -> None:
    from tests.workflow.test_queries import _start_many_pool

    [case] = _start_many_pool(world, 1)
    [task] = open_tasks(case)
    claimers = [world.hr[i % 2] for i in range(THREADS)]

    wins, errors = _race(lambda index: actions.claim_task(task_id=task.pk, actor=claimers[index]))

    assert len(wins) == 1
    assert len(errors) == THREADS - 1
    assert {type(error).__name__ for error in errors} <= {"AlreadyDecided", "StepNotAllowed"}
    assert AuditEntry.objects.filter(case=case, code=AuditCode.TASK_CLAIMED).count() == 1
    assert diagnose(Case.objects.get(pk=case.pk)) == []
